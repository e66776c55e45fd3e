"""Every hand-off to a mailing service (and the webhooks) has an overall deadline, a size cap,
checks the shape of what came back, redacts the key in every form and never follows a redirect.

Hostile answers come from the service fakes (tests/service_fakes.py, on a real socket: the work
is done, then the answer drips, runs to 300 MB or has the wrong shape) and from a raw-socket
server (tests/helpers/hostile.py) for what werkzeug cannot send, such as headers that trickle.
"""

from __future__ import annotations

import base64
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner
from helpers.hostile_server import MB, HostileServer, drip_body, drip_headers, gzip_bomb, huge_body, peak_rss_mb
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Failure, Fake
from test_jobs_support import FakeBuilder, job_config, local
from test_services import MONDAY, Builder, run, write_config

from digest.cli.main import main
from digest.errors import DeliveryError
from digest.job.deliver import deliver_issue
from digest.outbound import redact
from digest.settings.config import load_config
from digest.store import campaigns
from digest.store.database import Store
from digest.weeks import parse_week

SERVICES = sorted(FAKES)
ENVS = ("DIGEST_MAILCHIMP_API_KEY", "DIGEST_BUTTONDOWN_API_KEY", "DIGEST_KIT_API_KEY", "DIGEST_LISTMONK_TOKEN",
        "DIGEST_BREVO_API_KEY", "DIGEST_MAILERLITE_API_KEY")


@pytest.fixture(params=SERVICES)
def fake(request: pytest.FixtureRequest, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Fake:
    made = FAKES[request.param](httpserver)
    for name in ENVS:
        monkeypatch.setenv(name, KEY)
    return made


def digest_run(path: Path) -> Any:
    """``digest run`` for the already built week, through the real command line."""
    return CliRunner().invoke(main, ["--config", str(path), "run", "--week", "2025-W20"])


def built_config(folder: Path, fake: Fake, **service: Any) -> Path:
    path = write_config(folder, fake, **service)
    with Store.open(load_config(path).store_path) as store:
        Builder()(load_config(path), store, MONDAY, parse_week("2025-W20"))
    return path


# -- the deadline ------------------------------------------------------------------------------


def test_a_create_answer_that_drips_ends_at_the_deadline_and_the_next_run_adopts_the_draft(
    tmp_path: Path, fake: Fake,
) -> None:
    config = load_config(write_config(tmp_path, fake, timeout=5, deadline=2))
    fake.inject("create", Failure(after=True, drip=1.0))  # made; the answer then comes a byte a second
    with Store.open(config.store_path) as store:
        started = time.monotonic()
        failed = run(config, store)
        took = time.monotonic() - started
        unsure = campaigns.campaign(store, "2025-W20", fake.name)
        fake.settled()
        done = run(config, store, at=local(2025, 5, 19, 11))
        record = campaigns.campaign(store, "2025-W20", fake.name)
    error = failed.delivery_error or ""
    assert took < 8, took  # the whole answer would take well over a minute at this pace
    assert "no complete answer within 2 s" in error and "\n" not in error
    assert "the service may have made it; the next run looks for it before making another" in error
    assert unsure is not None and unsure.state == "creating"
    assert done.delivery_error is None, done.delivery_error
    assert record is not None and record.state == "ready" and record.campaign_id == fake.only["id"]
    assert fake.count("create") == 1 and fake.violations == []


@pytest.mark.parametrize("answer", [drip_body, drip_headers], ids=["body", "headers"])
def test_a_service_that_trickles_never_holds_the_run_past_the_deadline(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, answer: Any,
) -> None:
    monkeypatch.setenv("DIGEST_MAILCHIMP_API_KEY", KEY)
    mailchimp = FAKES["mailchimp"](httpserver)
    with HostileServer(answer(), every=0.5) as server:
        config = load_config(write_config(tmp_path, mailchimp, base_url=server.url("/3.0"), timeout=5,
                                          deadline=1.5))
        with Store.open(config.store_path) as store:
            started = time.monotonic()
            failed = run(config, store)
            took = time.monotonic() - started
            record = campaigns.campaign(store, "2025-W20", "mailchimp")
    assert took < 6, took  # per read it never waits 5 s: only the overall deadline stops it
    assert f"{server.base} no complete answer within 1.5 s" in (failed.delivery_error or "")
    assert record is not None and record.state == "creating" and len(server.requests) == 1


# -- the size cap -------------------------------------------------------------------------------


def test_a_300_mb_create_answer_is_refused_at_the_cap_and_the_next_run_adopts_the_draft(
    tmp_path: Path, fake: Fake,
) -> None:
    config = load_config(write_config(tmp_path, fake))
    fake.inject("create", Failure(after=True, pad_to=300 * MB))  # streamed, no Content-Length to go by
    before = peak_rss_mb()
    with Store.open(config.store_path) as store:
        failed = run(config, store)
        grew = peak_rss_mb() - before
        unsure = campaigns.campaign(store, "2025-W20", fake.name)
        fake.settled()
        done = run(config, store, at=local(2025, 5, 19, 11))
        record = campaigns.campaign(store, "2025-W20", fake.name)
    error = failed.delivery_error or ""
    assert "answered more than 10 MB" in error and "the next run looks for it" in error
    assert grew < 80, grew  # reading the answer whole would add 300 MB at least
    assert unsure is not None and unsure.state == "creating"
    assert done.delivery_error is None and record is not None and record.state == "ready"
    assert fake.count("create") == 1 and fake.violations == []


@pytest.mark.parametrize("answer", [huge_body(), huge_body(declared=False), gzip_bomb()],
                         ids=["declared", "streamed", "gzip-bomb"])
def test_a_huge_service_answer_is_never_read_into_memory(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, answer: Any,
) -> None:
    monkeypatch.setenv("DIGEST_MAILCHIMP_API_KEY", KEY)
    mailchimp = FAKES["mailchimp"](httpserver)
    before = peak_rss_mb()
    with HostileServer(answer) as server:
        config = load_config(write_config(tmp_path, mailchimp, base_url=server.url("/3.0")))
        with Store.open(config.store_path) as store:
            failed = run(config, store)
    assert "answered more than 10 MB, more than any answer digest expects" in (failed.delivery_error or "")
    assert peak_rss_mb() - before < 80
    assert server.sent < 100 * MB  # the client hung up near the cap; it did not drain 300 MB


# -- the shape of the answer ---------------------------------------------------------------------


WRONG = {
    "mailchimp": [{"ok": True}, [], {"id": None}, {"id": "../../lists/a1b2c3d4e5"}],
    "buttondown": [{"ok": True}],
    "kit": [{"id": 7}, {"broadcast": []}],
    "listmonk": [{"data": None}],
    "brevo": [{"id": True}],
    "mailerlite": [{"data": {"name": "x"}}],
}


def test_a_create_answered_200_with_the_wrong_shape_is_one_line_and_the_next_run_completes(
    tmp_path: Path, fake: Fake,
) -> None:
    for n, shape in enumerate(WRONG[fake.name]):
        path = built_config(tmp_path / str(n), fake)
        fake.campaigns.clear()
        fake.inject("create", Failure(after=True, answer=shape))  # made, but the answer is not usable
        failed = digest_run(path)
        retried = digest_run(path)
        output = failed.output
        assert failed.exit_code != 0 and isinstance(failed.exception, SystemExit), output
        assert "Traceback" not in output
        lines = [line for line in output.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, output
        assert f"{fake.name}: 2025-W20: create the " in lines[0]
        assert f"{fake.name} answered HTTP 200 without " in lines[0], lines[0]
        assert "the next run looks for it before making another" in lines[0]
        assert retried.exit_code == 0, retried.output
        assert "ready to approve" in retried.output and len(fake.campaigns) == 1
    assert fake.violations == []


def test_a_wrong_shape_when_reading_the_draft_back_leaves_it_for_the_next_run(
    tmp_path: Path, fake: Fake,
) -> None:
    path = built_config(tmp_path, fake)
    step = "get" if fake.name != "mailchimp" else "check"
    fake.inject(step, Failure(after=True, answer=["not", "an", "object"]))
    failed = digest_run(path)
    retried = digest_run(path)
    assert failed.exit_code != 0 and "Traceback" not in failed.output, failed.output
    assert "answered HTTP 200 without a" in failed.output
    assert "the draft exists and the next run completes it" in failed.output
    assert retried.exit_code == 0 and fake.count("create") == 1, retried.output


# A draft's read-back with everything but its status: digest cannot tell a draft from a sent campaign.
NO_STATUS = {
    "mailchimp": lambda cid: {"id": cid, "web_id": 9000, "settings": {}},
    "buttondown": lambda cid: {"id": cid, "subject": "x"},
    "kit": lambda cid: {"broadcast": {"id": int(cid), "subject": "x"}},  # no status, no send_at
    "listmonk": lambda cid: {"data": {"id": int(cid), "name": "x"}},
    "brevo": lambda cid: {"id": int(cid), "name": "x"},
    "mailerlite": lambda cid: {"data": {"id": cid, "name": "x"}},
}


def test_a_read_back_without_a_status_is_never_taken_for_a_draft_or_a_sent_campaign(
    tmp_path: Path, fake: Fake,
) -> None:
    path = built_config(tmp_path, fake)
    with path.open("a", encoding="utf-8") as toml:
        toml.write("\n[select]\nbuild_thin_week = true\n")  # --force rebuilds the fixture's short week
    assert digest_run(path).exit_code == 0
    cid = next(iter(fake.campaigns))
    fake.inject("get", Failure(after=True, answer=NO_STATUS[fake.name](cid)))
    forced = CliRunner().invoke(main, ["--config", str(path), "run", "--week", "2025-W20", "--force"])
    assert forced.exit_code != 0 and "Traceback" not in forced.output, forced.output
    assert "answered HTTP 200 without a 'status'" in forced.output, forced.output
    assert fake.count("update") == 0  # not updated as if a draft
    with Store.open(load_config(path).store_path) as store:
        record = campaigns.campaign(store, "2025-W20", fake.name)
    assert record is not None and record.state != "final"  # nor left alone as if sent
    again = CliRunner().invoke(main, ["--config", str(path), "run", "--week", "2025-W20", "--force"])
    assert again.exit_code == 0 and fake.count("update") == 1 and len(fake.campaigns) == 1, again.output


# -- secrets ---------------------------------------------------------------------------------------

ODD_KEY = "s3cr3t/K+y=with&odd%chars-0123456789-us6"


def secret_forms(key: str) -> dict[str, str]:
    return {
        "raw": key,
        "quote": quote(key, safe=""),
        "quote_plus": quote_plus(key),
        "base64": base64.b64encode(key.encode()).decode(),
        "basic": base64.b64encode(f"digest:{key}".encode()).decode(),
        "basic other user": base64.b64encode(f"ab:{key}".encode()).decode(),
        "urlsafe base64": base64.urlsafe_b64encode(f"api:{key}".encode()).decode(),
    }


@pytest.mark.parametrize("status", [401, 422, 500])
def test_every_form_of_the_key_a_service_echoes_is_redacted(
    tmp_path: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, status: int,
) -> None:
    caplog.set_level(logging.INFO)
    for name in ENVS:
        monkeypatch.setenv(name, ODD_KEY)
    forms = secret_forms(ODD_KEY)
    echoed = "you sent " + " / ".join(f"{name}={form}" for name, form in forms.items())
    fake.inject("create", Failure(status, echoed))
    path = built_config(tmp_path, fake)
    failed = digest_run(path)
    assert failed.exit_code != 0 and "you sent raw=***" in failed.output, failed.output
    for name, form in forms.items():
        assert form not in failed.output and form not in caplog.text, name
    assert ODD_KEY[:12] not in failed.output


def test_redact_removes_the_secret_inside_any_base64_and_url_encoding() -> None:
    key = "k3y-0123456789abcdef-us6"
    for prefix in ("", "a", "ab", "abc", "user:", "anystring:"):
        token = base64.b64encode(f"{prefix}{key}".encode()).decode()
        cleaned = redact(f"Authorization: Basic {token}", key)
        assert token not in cleaned and "***" in cleaned, prefix
        leftover = cleaned.split("Basic ", 1)[1].replace("***", "")
        assert len(leftover) <= 8 + len(prefix) * 2  # at most the prefix and a boundary group survive
    assert redact(f"u={quote_plus(ODD_KEY)}&v={quote(ODD_KEY, safe='').lower()}", ODD_KEY) == "u=***&v=***"
    assert redact("nothing secret here", key) == "nothing secret here" and redact("x", None, "") == "x"


# -- webhooks ---------------------------------------------------------------------------------------


def hook_config(folder: Path, url: str, **webhook: Any) -> Any:
    return job_config(folder, delivery={"method": "webhook"}, webhook={"url": url, "timeout": 5, **webhook})


def delivered(config: Any) -> tuple[str | None, Any]:
    with Store.open(config.store_path) as store:
        FakeBuilder()(config, store, local(2025, 5, 19, 8), parse_week("2025-W20"))
        try:
            deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
        except DeliveryError as exc:
            return str(exc), store.delivered_at("2025-W20", "webhook")
        return None, store.delivered_at("2025-W20", "webhook")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_webhook_redirect_is_never_followed_so_the_issue_reaches_no_other_host(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, status: int,
) -> None:
    monkeypatch.setenv("DIGEST_WEBHOOK_SECRET", "whsec-0123456789abcdef")
    other = HTTPServer(host="127.0.0.1", port=0)
    other.expect_request("/steal").respond_with_json({"ok": True})
    other.start()
    try:
        httpserver.expect_request("/hooks/digest").respond_with_data(
            "", status=status, headers={"Location": other.url_for("/steal")})
        config = hook_config(tmp_path, httpserver.url_for("/hooks/digest"), secret_env="DIGEST_WEBHOOK_SECRET")
        error, when = delivered(config)
    finally:
        other.stop()
    assert other.log == []  # neither the issue nor its signature went anywhere else
    assert len(httpserver.log) == 1 and when is None
    assert error is not None and f"redirected (HTTP {status}" in error and "(not followed)" in error


@pytest.mark.parametrize("answer", [drip_body, drip_headers], ids=["body", "headers"])
def test_a_webhook_that_trickles_ends_at_the_deadline(tmp_path: Path, answer: Any) -> None:
    with HostileServer(answer(), every=0.5) as server:
        config = hook_config(tmp_path, server.url("/hooks/digest"), deadline=1.5)
        started = time.monotonic()
        error, when = delivered(config)
        took = time.monotonic() - started
    assert took < 6, took
    assert error is not None and f"the webhook at {server.base} no complete answer within 1.5 s" in error
    assert when is None


def test_a_webhook_that_echoes_its_secret_in_any_form_never_shows_it(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("HOOK_TOKEN", ODD_KEY)
    forms = secret_forms(ODD_KEY)
    echoed = "you sent " + " / ".join(forms.values())
    httpserver.expect_request("/hooks/digest").respond_with_data(echoed, status=401)
    config = hook_config(tmp_path, httpserver.url_for("/hooks/digest"), secret_env="HOOK_TOKEN", auth="bearer")
    error, when = delivered(config)
    assert error is not None and "you sent ***" in error and "check the secret in $HOOK_TOKEN" in error
    for name, form in forms.items():
        assert form not in error and form not in caplog.text, name


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed"])
def test_a_webhook_answering_300_mb_is_cut_at_the_cap(tmp_path: Path, declared: bool) -> None:
    before = peak_rss_mb()
    with HostileServer(huge_body(declared=declared)) as server:
        error, when = delivered(hook_config(tmp_path, server.url("/hooks/digest")))
    assert error is not None and "answered more than 10 MB" in error and when is None
    assert peak_rss_mb() - before < 80 and server.sent < 100 * MB


def test_the_draft_ready_webhook_has_the_deadline_too(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGEST_BUTTONDOWN_API_KEY", KEY)
    fake = FAKES["buttondown"](httpserver)
    with HostileServer(drip_body(), every=0.5) as server:
        hook = {"url": server.url("/hooks/editors"), "timeout": 5, "deadline": 1.5}
        config = load_config(write_config(tmp_path, fake, hook=hook))
        with Store.open(config.store_path) as store:
            started = time.monotonic()
            outcome = run(config, store)
            took = time.monotonic() - started
    assert took < 6, took
    assert "the draft-ready notice failed: the notify webhook at" in (outcome.delivery_error or "")
    assert "no complete answer within 1.5 s" in (outcome.delivery_error or "")
