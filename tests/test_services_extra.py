"""Around the draft: the "draft ready" notice over real SMTP, test sends, and the services' settings."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from helpers.smtp import Inbox, dripping_smtp_server, smtp_server
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Failure, Fake
from test_jobs_support import SUBJECT, free_port, job_config, local
from test_services import MONDAY, PICKS, Builder, run, write_config

from digest.cli.main import main
from digest.errors import ConfigError
from digest.mail.lint import lint_html
from digest.settings.config import load_config
from digest.settings.email import EmailSettings
from digest.store import campaigns
from digest.store.database import Store

EDITORS = "editors@reviews.example"


def notify_settings(port: int) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 2,
            "from": "digest@reviews.example", "to": [EDITORS]}


def test_the_editors_get_one_draft_ready_mail_with_the_link_picks_and_findings(
    tmp_path: Path, mailchimp: Fake,
) -> None:
    warning = {"type": "warning", "id": 4, "heading": "Authentication",
               "details": "reviews.example is not authenticated"}
    mailchimp.inject("check", Failure(after=True, answer={"is_ready": True, "items": [warning]}))
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = load_config(write_config(tmp_path, mailchimp, notify=notify_settings(port)))
        warning = {"type": "warning", "id": 3, "heading": "Reply-to", "details": "add a reply-to address"}
        mailchimp.inject("check", Failure(after=True, answer={"is_ready": False, "items": [warning]}))
        with Store.open(config.store_path) as store:
            first = run(config, store)
            run(config, store, at=local(2025, 5, 19, 11))
            assert len(inbox.messages) == 1
            run(config, store, at=local(2025, 5, 19, 12), force=True, builder=Builder("Fixed subject"))
            record = campaigns.campaign(store, "2025-W20", "mailchimp")
    finally:
        controller.stop()
    assert first.delivery_error is None and record is not None and first.delivery is not None
    assert first.delivery.endswith(
        "(1 finding: mailchimp checklist warning: Authentication: reviews.example is not authenticated)")
    assert len(inbox.messages) == 2  # once for the draft, once more after --force refilled it
    sender, recipients, _ = inbox.messages[0]
    assert (sender, recipients) == ("digest@reviews.example", [EDITORS])
    note = inbox.parsed(0)
    body = note.get_content()
    assert note["Subject"] == f"Draft ready to approve: {SUBJECT}"
    assert f"Approve it: {record.web_url}" in body and f"Campaign: {record.campaign_id}" in body
    assert f"1. [top] {PICKS[0]['title']} (9/10) {PICKS[0]['url']}" in body
    assert "  - only 3 scored reviews" in body  # the build's own warning is a pre-send finding
    # and the service's own checklist warning
    assert "  - mailchimp checklist warning: Authentication: reviews.example is not authenticated" in body
    assert inbox.parsed(1)["Subject"] == "Draft ready to approve: Fixed subject"
    assert mailchimp.count("create") == 1


def test_a_failed_notice_leaves_the_draft_and_is_sent_by_the_next_run(tmp_path: Path, mailchimp: Fake) -> None:
    port = free_port()  # nothing listens there yet
    config = load_config(write_config(tmp_path, mailchimp, notify=notify_settings(port)))
    with Store.open(config.store_path) as store:
        failed = run(config, store)
        record = campaigns.campaign(store, "2025-W20", "mailchimp")
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            retried = run(config, store, at=local(2025, 5, 19, 11))
            again = run(config, store, at=local(2025, 5, 19, 12))
        finally:
            controller.stop()
    assert record is not None and record.state == "ready"
    error = failed.delivery_error or ""
    assert error.startswith(f"mailchimp: the draft {record.campaign_id} for 2025-W20 is ready at "
                            f"{record.web_url}, but the draft-ready notice failed: the mail server 127.0.0.1:")
    assert error.endswith("; the next run sends it") and "\n" not in error
    assert retried.delivery_error is None and again.delivery_error is None
    assert len(inbox.messages) == 1 and mailchimp.count("create") == 1


def test_a_notice_server_that_drips_is_cut_off_at_its_deadline(tmp_path: Path, mailchimp: Fake) -> None:
    with dripping_smtp_server(every=0.1, lines=40) as port:  # about 40 s of greeting without a deadline
        config = load_config(write_config(tmp_path, mailchimp,
                                          notify={**notify_settings(port), "timeout": 1, "deadline": 1.5}))
        with Store.open(config.store_path) as store:
            started = time.monotonic()
            failed = run(config, store)
            took = time.monotonic() - started
    error = failed.delivery_error or ""
    assert "the draft-ready notice failed: the mail server 127.0.0.1:" in error, error
    assert "(delivery.notify.smtp.deadline is 1.5 s)" in error and error.endswith("; the next run sends it")
    assert took < 8  # the build, the draft and the deadline, not the 40 s drip
    assert mailchimp.count("create") == 1


@pytest.fixture(params=sorted(FAKES))
def fake(request: pytest.FixtureRequest, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Fake:
    made = FAKES[request.param](httpserver)
    for name in ("DIGEST_MAILCHIMP_API_KEY", "DIGEST_BUTTONDOWN_API_KEY", "DIGEST_KIT_API_KEY",
                 "DIGEST_LISTMONK_TOKEN", "DIGEST_BREVO_API_KEY", "DIGEST_MAILERLITE_API_KEY"):
        monkeypatch.setenv(name, KEY)
    return made


def test_send_test_uses_the_services_own_test_send(tmp_path: Path, fake: Fake) -> None:
    path = write_config(tmp_path, fake)
    config = load_config(path)
    runner = CliRunner()
    before = runner.invoke(main, ["--config", str(path), "send-test", "--to", "qa@reviews.example"])
    with Store.open(config.store_path) as store:
        run(config, store)
    result = runner.invoke(main, ["--config", str(path), "send-test", "--to", "qa@reviews.example"])
    if fake.name in ("kit", "mailerlite"):
        assert result.exit_code == 2
        assert (f"error: {fake.name} has no test send in its API; add a [delivery.smtp] table to send tests "
                "by SMTP, or use the service's preview") in result.output
        assert fake.count("test") == 0
        return
    assert before.exit_code == 2 and "no issue has been built yet" in before.output
    assert result.exit_code == 0, result.output
    cid = fake.only["id"]
    assert (f"sent 2025-W20 as a test ({fake.name}'s own test send of draft {cid} to qa@reviews.example); "
            "not recorded as delivered") in result.output
    assert fake.only["tests"] == ["qa@reviews.example"] and fake.violations == []


def test_listed_test_addresses_get_the_services_test_send_with_each_draft(tmp_path: Path, fake: Fake) -> None:
    config = load_config(write_config(tmp_path, fake, test_to=["qa@reviews.example", "ed@reviews.example"]))
    with Store.open(config.store_path) as store:
        outcome = run(config, store)
    assert outcome.delivery_error is None
    expected = [] if fake.name in ("kit", "mailerlite") else ["qa@reviews.example", "ed@reviews.example"]
    assert fake.only.get("tests", []) == expected and fake.violations == []


def test_service_settings_keep_secrets_out_and_say_what_is_missing(tmp_path: Path) -> None:
    base = {"method": "mailchimp"}
    cases = [
        ({"list_id": "x", "api_key": "hunter2-Secret"}, "do not put the API key in the config file"),
        ({"list_id": "x", "api_key_env": "hunter2 Secret!"}, "must be the NAME of an environment variable"),
        ({}, r"delivery.mailchimp.list_id \(line \d+\): required key is missing"),
    ]
    for table, message in cases:
        with pytest.raises(ConfigError, match=message) as caught:
            write_and_load(tmp_path, base, "mailchimp", table)
        assert "hunter2" not in str(caught.value)
    with pytest.raises(ConfigError, match=r'method is "kit" but there is no \[delivery.kit\] table'):
        job_config(tmp_path, delivery={"method": "kit"})
    needs_sender = r"delivery.brevo \(line \d+\): brevo needs a sender address .*: set delivery.brevo.from_"
    with pytest.raises(ConfigError, match=needs_sender):  # named at its table, with its line
        write_and_load(tmp_path, {"method": "brevo"}, "brevo", {"list_ids": [2]})
    with pytest.raises(ConfigError, match="schedule_at needs a timezone offset"):
        write_and_load(tmp_path, {"method": "kit"}, "kit", {"schedule_at": "2025-05-19T09:00:00"})
    with pytest.raises(ConfigError, match=r"delivery.listmonk.base_url \(line \d+\): required key is missing"):
        write_and_load(tmp_path, {"method": "listmonk"}, "listmonk", {"username": "api", "list_ids": [1]})


def write_and_load(folder: Path, delivery: dict[str, object], name: str, table: dict[str, object]) -> object:
    from test_jobs_support import table as toml_table

    config = job_config(folder)
    text = (folder / "digest.toml").read_text(encoding="utf-8")
    # The service substitutes its own unsubscribe tag; the postal address is the site's own.
    text = re.sub(r"(?m)^unsubscribe_url = .*\n", "", text)
    text += toml_table("delivery", delivery) + toml_table(f"delivery.{name}", table)
    (folder / "digest.toml").write_text(text, encoding="utf-8")
    assert config is not None
    return load_config(folder / "digest.toml")


def test_the_mailer_follows_the_service_unless_the_editor_chose_one(tmp_path: Path) -> None:
    chosen = write_and_load(tmp_path / "a", {"method": "mailerlite"}, "mailerlite",
                            {"from_email": "news@reviews.example"})
    assert chosen.email.mailer == "mailerlite"  # type: ignore[attr-defined]
    settings = EmailSettings(mailer="mailerlite", postal_address="1 Main St")
    assert (settings.unsubscribe, settings.view_online) == ("{$unsubscribe}", "{$url}")
    html = ('<!DOCTYPE html><html lang="en"><body><table role="presentation" width="600"><tr><td>'
            '<a href="{$unsubscribe}">Unsubscribe</a> <a href="{$url}">View online</a>'
            "</td></tr></table></body></html>")
    assert not [f for f in lint_html(html, settings.merge_tags) if f.rule == "link-href"]
    explicit = job_config(tmp_path / "b")
    text = (tmp_path / "b" / "digest.toml").read_text()
    (tmp_path / "b" / "digest.toml").write_text(
        text.replace("[email]\n", '[email]\nmailer = "custom"\n')
        + '\n[delivery]\nmethod = "buttondown"\n\n[delivery.buttondown]\n')
    assert explicit is not None and load_config(tmp_path / "b" / "digest.toml").email.mailer == "custom"
    assert MONDAY.tzinfo is not None


def test_the_notice_can_be_a_webhook_post_with_the_link_picks_and_findings(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGEST_BUTTONDOWN_API_KEY", KEY)
    monkeypatch.setenv("DIGEST_NOTIFY_TOKEN", "n0tify-t0ken")
    fake = FAKES["buttondown"](httpserver)
    httpserver.expect_request("/hooks/editors", method="POST").respond_with_json({"ok": True})
    hook = {"url": httpserver.url_for("/hooks/editors"), "secret_env": "DIGEST_NOTIFY_TOKEN", "auth": "bearer"}
    config = load_config(write_config(tmp_path, fake, hook=hook))
    with Store.open(config.store_path) as store:
        outcome = run(config, store)
        run(config, store, at=local(2025, 5, 19, 11))
        record = campaigns.campaign(store, "2025-W20", "buttondown")
    posts = [request for request, _ in httpserver.log if request.path == "/hooks/editors"]
    assert outcome.delivery_error is None and record is not None and len(posts) == 1
    assert posts[0].headers["Authorization"] == "Bearer n0tify-t0ken"
    payload = posts[0].get_json()
    assert (payload["event"], payload["service"], payload["campaign_id"], payload["url"]) == (
        "draft_ready", "buttondown", record.campaign_id, record.web_url)
    assert payload["subject"] == SUBJECT and payload["picks"][0]["title"] == PICKS[0]["title"]
    assert "only 3 scored reviews" in payload["findings"]


def test_brevo_schedules_only_when_a_time_is_set_and_then_digest_leaves_it(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGEST_BREVO_API_KEY", KEY)
    fake = FAKES["brevo"](httpserver)
    path = write_config(tmp_path, fake, schedule_at="2025-05-19T14:00:00+00:00")
    config = load_config(path)
    check = CliRunner().invoke(main, ["--config", str(path), "check"])
    with Store.open(config.store_path) as store:
        outcome = run(config, store)
        later = run(config, store, at=local(2025, 5, 19, 9), force=True, builder=Builder("Changed"))
    assert "never sends to the list itself; SCHEDULES the send for 2025-05-19T14:00:00+00:00" in check.output
    assert fake.only["scheduledAt"] == "2025-05-19T14:00:00+00:00" and fake.only["status"] == "queued"
    assert outcome.delivery is not None and "brevo reports status 'queued'" in outcome.delivery
    assert later.delivery is not None and "is queued in brevo; digest leaves it alone" in later.delivery
    assert fake.count("update") == 0 and fake.only["subject"] == SUBJECT


@pytest.mark.parametrize("mode", ["close-after-data", "refuse-quit"])
def test_a_notice_accepted_before_a_lost_connection_is_sent_once(tmp_path: Path, mailchimp: Fake,
                                                                  mode: str) -> None:
    inbox = Inbox(mode=mode)
    with smtp_server(inbox) as port:
        config = load_config(write_config(tmp_path, mailchimp, notify=notify_settings(port)))
        warning = {"type": "warning", "id": 3, "heading": "Reply-to", "details": "add a reply-to address"}
        mailchimp.inject("check", Failure(after=True, answer={"is_ready": False, "items": [warning]}))
        with Store.open(config.store_path) as store:
            first = run(config, store)
            inbox.mode = "accept"
            again = run(config, store, at=local(2025, 5, 19, 11))
    assert first.delivery_error is None, first.delivery_error
    assert again.delivery_error is None and len(inbox.messages) == 1
