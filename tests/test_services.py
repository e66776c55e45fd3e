"""The issue arrives in the mailing service as a draft campaign, exactly once, against local fakes.

Every service's fake (tests/service_fakes.py) runs on a real socket and checks each request as
the service documents it; ``violations`` must stay empty. Runs go through ``run_once`` with the
real store, or through the real ``digest`` command in a subprocess for the crash test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.configfile import config_text
from helpers.wordpress import WordPressSite, make_posts
from pytest_httpserver import HTTPServer
from service_fakes import AFTER_CREATE, FAKES, KEY, Failure, Fake
from test_jobs_support import HTML, SUBJECT, TEXT, FixedClock, local, table, write_issue_files

from digest.cli.main import main
from digest.job.build import BuildResult
from digest.job.run import run_once
from digest.models import RenderedIssue, Selection
from digest.settings.config import Config, load_config
from digest.store import campaigns
from digest.store.database import Store
from digest.weeks import Week, parse_week

SERVICES = sorted(FAKES)
PREHEADER = "Five reviews, one 9/10, and what you argued about"
PICKS = [
    {
        "kind": "top",
        "position": 1,
        "title": "REVIEW: Sunderfolk",
        "url": "https://reviews.example/1/",
        "score": 9.0,
    }
]
TAKES_TEXT = {"mailchimp", "listmonk"}
TAKES_PREHEADER = {"mailchimp", "buttondown", "kit", "brevo"}
MONDAY = local(2025, 5, 19, 8)


def write_config(
    folder: Path, fake: Fake, *, notify: dict[str, Any] | None = None, hook: dict[str, Any] | None = None,
    **service: Any,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "feed.xml").write_bytes(
        WordPressSite(make_posts(3, newest=datetime(2025, 5, 16, 14, tzinfo=UTC))).page(1) or b""
    )
    # The service substitutes its own unsubscribe tag; the postal address is the site's own.
    postal = {"postal_address": "1 Main St, Springfield"}
    text = 'output_dir = "out"\n' + config_text(["feed.xml"], email=postal)
    text += table("delivery", {"method": fake.name}) + table(
        f"delivery.{fake.name}", {**fake.settings(), **service}
    )
    text += table("delivery.notify.smtp", notify) + table("delivery.notify.webhook", hook)
    path = folder / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Builder:
    """Writes the issue's files as the output stage does (with a preheader and picks) and records it."""

    def __init__(self, subject: str = SUBJECT, html: str = HTML) -> None:
        self.subject, self.html = subject, html

    def __call__(self, config: Config, store: Store, now: Any, week: Week) -> BuildResult:
        start, end = week.window(config.site.tz)
        out_dir = config.resolve(config.output_dir) / week.id
        write_issue_files(out_dir, week.id, subject=self.subject, html=self.html, when=now)
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        manifest.update(preheader=PREHEADER, picks=PICKS, warnings=["only 3 scored reviews"])
        (out_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        store.record_issue(week.id, now, (start, end), self.subject, str(out_dir), [])
        selection = Selection(week.id, start, end, now, (), (), (), None, (), 3)
        return BuildResult(
            week.id,
            out_dir,
            selection,
            RenderedIssue(week.id, self.subject, PREHEADER, self.html, TEXT),
            files=(),
        )


@pytest.fixture(params=SERVICES)
def fake(request: pytest.FixtureRequest, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Fake:
    made = FAKES[request.param](httpserver)
    for name in (
        "DIGEST_MAILCHIMP_API_KEY",
        "DIGEST_BUTTONDOWN_API_KEY",
        "DIGEST_KIT_API_KEY",
        "DIGEST_LISTMONK_TOKEN",
        "DIGEST_BREVO_API_KEY",
        "DIGEST_MAILERLITE_API_KEY",
    ):
        monkeypatch.setenv(name, KEY)
    return made


def run(config: Config, store: Store, *, at: Any = MONDAY, force: bool = False, builder: Any = None) -> Any:
    return run_once(config, store, FixedClock(at), collect=False, force=force, builder=builder or Builder())


def test_the_first_run_makes_one_draft_and_the_second_asks_nothing(tmp_path: Path, fake: Fake) -> None:
    config = load_config(write_config(tmp_path, fake))
    assert config.email.mailer == fake.name  # merge tags follow the service
    with Store.open(config.store_path) as store:
        first = run(config, store)
        asked = len(fake.requests)
        again = run(config, store, at=local(2025, 5, 19, 11))
        record = campaigns.campaign(store, "2025-W20", fake.name)
        assert store.delivered_at("2025-W20", fake.name) == MONDAY
    assert fake.violations == []
    campaign = fake.only
    assert record is not None and record.state == "ready" and record.campaign_id == campaign["id"]
    assert first.delivery_error is None and first.delivery is not None
    assert first.delivery.startswith(
        f"{fake.name} draft {campaign['id']} is ready to approve: {record.web_url}"
    )
    assert record.web_url.startswith(("http://", "https://"))
    assert (campaign["subject"], campaign["html"], campaign["status"]) == (
        SUBJECT,
        HTML,
        "draft" if fake.name != "mailchimp" else "save",
    )
    if fake.name in TAKES_PREHEADER:
        assert campaign["preheader"] == PREHEADER
    if fake.name in TAKES_TEXT:
        assert campaign["text"] == TEXT
    assert fake.count("create") == 1
    assert again.action == "already built" and again.delivery == first.delivery.split(" (")[0]
    assert len(fake.requests) == asked  # the ready draft is in the store: nothing asked of the service
    assert fake.count("test") == 0  # nothing is ever sent without test addresses


def test_force_rebuilds_the_content_of_the_same_draft(tmp_path: Path, fake: Fake) -> None:
    config = load_config(write_config(tmp_path, fake))
    new_html = HTML.replace("Sunderfolk", "Sunderfolk (updated)")
    with Store.open(config.store_path) as store:
        run(config, store)
        outcome = run(
            config, store, at=local(2025, 5, 19, 9), force=True, builder=Builder("New subject", new_html)
        )
    assert outcome.action == "rebuilt" and outcome.delivery_error is None
    assert fake.count("create") == 1 and fake.count("update") == 1
    assert (fake.only["subject"], fake.only["html"]) == ("New subject", new_html)
    assert fake.violations == []


def test_a_campaign_the_service_reports_sent_is_never_touched_again(tmp_path: Path, fake: Fake) -> None:
    config = load_config(write_config(tmp_path, fake))
    with Store.open(config.store_path) as store:
        run(config, store)
        fake.mark_sent()
        outcome = run(
            config, store, at=local(2025, 5, 19, 9), force=True, builder=Builder("Changed", HTML + " ")
        )
        asked = len(fake.requests)
        later = run(config, store, at=local(2025, 5, 19, 10), force=True, builder=Builder("Again", HTML + "  "))
        record = campaigns.campaign(store, "2025-W20", fake.name)
    cid = fake.only["id"]
    assert outcome.delivery is not None and later.delivery == outcome.delivery
    assert (
        f"{fake.name} campaign {cid} is {fake.sent_status} in {fake.name}; digest leaves it alone"
        in outcome.delivery
    )
    assert fake.count("update") == 0 and fake.only["subject"] == SUBJECT
    assert len(fake.requests) == asked and record is not None and record.state == "final"


def failure_for(fake: Fake, case: str) -> tuple[Failure, str]:
    if case == "404":
        return Failure(404, "The requested resource could not be found."), "not found (HTTP 404"
    if case == "422":
        return (
            Failure(fake.validation_status, "Subject line is too long"),
            f"the service rejected it (HTTP {fake.validation_status}):",
        )
    return Failure(503, "Service Unavailable"), "the service failed (HTTP 503"


@pytest.mark.parametrize("case", ["404", "422", "503"])
def test_a_failed_create_is_one_line_and_the_next_run_makes_the_draft(
    tmp_path: Path, fake: Fake, case: str
) -> None:
    config = load_config(write_config(tmp_path, fake))
    failure, says = failure_for(fake, case)
    fake.inject("create", failure)
    with Store.open(config.store_path) as store:
        failed = run(config, store)
        record = campaigns.campaign(store, "2025-W20", fake.name)
        assert store.delivered_at("2025-W20", fake.name) is None
        retried = run(config, store, at=local(2025, 5, 19, 11))
    error = failed.delivery_error
    assert error is not None and "\n" not in error
    assert error.startswith(f"{fake.name}: 2025-W20: create the ")
    assert says in error
    if case == "503":  # a server error may come after the write: the next run looks before creating
        assert record is not None and record.state == "creating"
        assert "the service may have made it; the next run looks for it before making another" in error
        assert fake.count("list") == 1
    else:  # a refusal: nothing exists, nothing to look for
        assert record is None and "nothing was created; the next run tries again" in error
        assert fake.count("list") == 0
    if case == "422":
        assert "Subject line is too long" in error  # the service's own words, quoted
    assert retried.delivery_error is None and fake.count("create") == 2 and len(fake.campaigns) == 1


def test_a_create_whose_answer_was_lost_is_found_not_made_twice(tmp_path: Path, fake: Fake) -> None:
    config = load_config(write_config(tmp_path, fake, timeout=1))
    fake.inject("create", Failure(stall=2.0, after=True))  # the service makes it; the answer comes too late
    with Store.open(config.store_path) as store:
        failed = run(config, store)
        unsure = campaigns.campaign(store, "2025-W20", fake.name)
        fake.settled()
        done = run(config, store, at=local(2025, 5, 19, 11))
        record = campaigns.campaign(store, "2025-W20", fake.name)
    assert "did not answer within 1 seconds" in (failed.delivery_error or "")
    assert unsure is not None and unsure.state == "creating"
    assert done.delivery_error is None, done.delivery_error
    assert record is not None and record.state == "ready" and record.campaign_id == fake.only["id"]
    assert fake.count("create") == 1 and fake.count("list") == 1 and fake.only["html"] == HTML
    assert fake.violations == []


def test_a_wrong_key_is_named_by_its_variable_and_never_shown(
    tmp_path: Path,
    fake: Fake,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load_config(write_config(tmp_path, fake))
    env = config.delivery.service.api_key_env if config.delivery.service else ""
    wrong = "wr0ng-" + KEY[::-1]
    monkeypatch.setenv(env, wrong)
    with Store.open(config.store_path) as store:
        outcome = run(config, store)
    error = outcome.delivery_error or ""
    assert "the service refused the API key (HTTP 40" in error and f"check the key in ${env}" in error
    assert wrong not in error and KEY not in error and fake.campaigns == {}
    monkeypatch.delenv(env)
    with Store.open(config.store_path) as store:
        missing = run(config, store)
    assert missing.delivery_error == (
        f"{fake.name}: the environment variable {env} (named by "
        f"delivery.{fake.name}.api_key_env) is not set; set it to the API key"
    )


def test_a_rate_limit_is_waited_out_as_retry_after_says_within_the_bound(tmp_path: Path, fake: Fake) -> None:
    config = load_config(write_config(tmp_path, fake, max_retry_wait=5))
    fake.inject("create", Failure(429, "Too Many Requests", {"Retry-After": "1"}))
    started = time.monotonic()
    with Store.open(config.store_path) as store:
        waited = run(config, store)
    assert time.monotonic() - started >= 1.0
    assert waited.delivery_error is None and fake.count("create") == 2 and len(fake.campaigns) == 1

    fake.inject("update", Failure(429, "Too Many Requests", {"Retry-After": "3600"}))
    with Store.open(config.store_path) as store:
        refused = run(config, store, at=local(2025, 5, 19, 9), force=True, builder=Builder("Later"))
    error = refused.delivery_error or ""
    assert "rate limited (HTTP 429; the service asks to wait 3600s, digest waits at most 5s)" in error
    assert "the draft exists and the next run completes it, without making a second" in error
    assert fake.count("update") == 1


def test_a_kit_broadcast_for_everyone_names_no_filter_as_kit_s_description_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kit's subscriber_filter: "If nothing is provided, will default to all of your subscribers"; a
    condition's type is a segment or a tag, so "everyone" is no filter at all (its description)."""
    monkeypatch.setenv("DIGEST_KIT_API_KEY", KEY)
    with HTTPServer() as server:
        kit = FAKES["kit"](server)
        config = load_config(write_config(tmp_path, kit, segment_ids=[]))
        with Store.open(config.store_path) as store:
            first = run(config, store)
            forced = run(config, store, at=local(2025, 5, 19, 12), force=True, builder=Builder("Fixed subject"))
    assert first.delivery_error is None and forced.delivery_error is None, (first, forced)
    assert kit.count("create") == 1 and kit.count("update") == 1 and kit.only["filter"] is None
    assert kit.violations == []


def test_brevo_s_rate_limit_reset_header_is_waited_out_like_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Brevo's 429 carries x-sib-ratelimit-reset (seconds), never Retry-After (its docs, api-limits)."""
    monkeypatch.setenv("DIGEST_BREVO_API_KEY", KEY)
    with HTTPServer() as server:
        brevo = FAKES["brevo"](server)
        config = load_config(write_config(tmp_path, brevo, max_retry_wait=5))
        brevo.inject("create", Failure(429, "Too Many Requests", {"x-sib-ratelimit-reset": "1"}))
        started = time.monotonic()
        with Store.open(config.store_path) as store:
            waited = run(config, store)
    assert waited.delivery_error is None and brevo.count("create") == 2, waited.delivery_error
    assert time.monotonic() - started >= 1.0 and len(brevo.campaigns) == 1


@pytest.mark.parametrize("trouble", ["500", "timeout"])
def test_a_draft_whose_next_step_failed_is_completed_not_duplicated(
    tmp_path: Path, fake: Fake, trouble: str
) -> None:
    config = load_config(write_config(tmp_path, fake, timeout=1))
    step = AFTER_CREATE[fake.name]
    fake.inject(step, Failure(500, "Internal Server Error") if trouble == "500" else Failure(stall=2.0))
    with Store.open(config.store_path) as store:
        failed = run(config, store)
        half = campaigns.campaign(store, "2025-W20", fake.name)
        assert half is not None and half.state == "created"
        fake.settled()
        done = run(config, store, at=local(2025, 5, 19, 11))
        record = campaigns.campaign(store, "2025-W20", fake.name)
    error = failed.delivery_error or ""
    says = "did not answer within 1 seconds" if trouble == "timeout" else "the service failed (HTTP 500"
    assert says in error and "the draft exists and the next run completes it" in error
    assert done.delivery_error is None and record is not None and record.state == "ready"
    assert fake.count("create") == 1 and fake.only["html"] == HTML and fake.violations == []


def test_a_run_killed_between_create_and_content_is_completed_by_the_next_run(
    tmp_path: Path, fake: Fake
) -> None:
    path = write_config(tmp_path, fake)
    config = load_config(path)
    with Store.open(config.store_path) as store:
        Builder()(config, store, MONDAY, parse_week("2025-W20"))
    digest = [
        sys.executable,
        "-c",
        "from digest.cli import main; main()",
        "--config",
        str(path),
        "run",
        "--week",
        "2025-W20",
    ]
    holder: dict[str, subprocess.Popen[bytes]] = {}
    fake.inject(AFTER_CREATE[fake.name], Failure(action=lambda: os.kill(holder["run"].pid, signal.SIGKILL)))
    holder["run"] = subprocess.Popen(digest, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    holder["run"].communicate(timeout=60)
    assert holder["run"].returncode == -signal.SIGKILL
    with Store.open(config.store_path) as store:
        half = campaigns.campaign(store, "2025-W20", fake.name)
    assert half is not None and half.state == "created" and half.campaign_id in fake.campaigns

    second = subprocess.run(digest, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert f"{fake.name} draft {half.campaign_id} is ready to approve" in second.stdout
    assert fake.count("create") == 1 and fake.only["html"] == HTML and fake.violations == []


def test_check_says_what_will_happen_and_which_variable_is_missing(
    tmp_path: Path,
    fake: Fake,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_config(tmp_path, fake)
    env = load_config(path).delivery.service.api_key_env  # type: ignore[union-attr]
    monkeypatch.delenv(env)
    missing = CliRunner().invoke(main, ["--config", str(path), "check"])
    monkeypatch.setenv(env, KEY)
    present = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert missing.exit_code == 0 and present.exit_code == 0
    assert f"delivery: {fake.name}: " in missing.output and "draft" in missing.output
    assert f"environment: {env} (the {fake.name} API key): MISSING" in missing.output
    assert f"environment: {env} (the {fake.name} API key): set" in present.output
    assert KEY not in present.output and fake.requests == []


def test_a_draft_deleted_in_the_service_is_replaced_only_when_forced(tmp_path: Path, fake: Fake) -> None:
    config = load_config(write_config(tmp_path, fake))
    fake.inject(AFTER_CREATE[fake.name], Failure(503, "Service Unavailable"))
    with Store.open(config.store_path) as store:
        run(config, store)  # the draft exists, unfinished
        gone = next(iter(fake.campaigns))
        fake.campaigns.clear()  # an editor deleted it in the service
        refused = run(config, store, at=local(2025, 5, 19, 11))
        forced = run(config, store, at=local(2025, 5, 19, 12), force=True, builder=Builder("Again"))
        record = campaigns.campaign(store, "2025-W20", fake.name)
    assert refused.delivery_error == (
        f"{fake.name}: 2025-W20: the draft {gone} is gone from {fake.name} (deleted there?); "
        "`digest run --week 2025-W20 --force` makes a new one"
    )
    assert forced.delivery_error is None and record is not None and record.state == "ready"
    assert record.campaign_id == fake.only["id"] != gone and fake.only["subject"] == "Again"
    assert fake.count("create") == 2 and fake.violations == []
