"""The draft-ready notice goes through the same SMTP and webhook transport as the issue itself.

So a notice that fails says exactly what failed, as the issue's hand-off does: which host, what
it answered, and that the next run sends it; a signed notice is signed as the hand-off is (the
secret never on the wire unless ``auth = "bearer"``); a missing secret is named, not skipped.
The notice goes to a real socket: pytest-httpserver for the webhook, aiosmtpd for the mail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import Envelope, Session
from helpers.smtp import Inbox, free_port, smtp_server
from pytest_httpserver import HTTPServer
from service_fakes import Fake
from test_services import run, write_config
from werkzeug import Response

from digest.job.webhook import signature
from digest.settings.config import load_config
from digest.store import campaigns
from digest.store.database import Store

EDITORS = "editors@reviews.example"
HOOK = "/hooks/editors/t0ps3cret-path"


def notice_error(tmp_path: Path, fake: Fake, **table: Any) -> tuple[str, str]:
    """Run once with the notice configured; return the run's error and the draft's id."""
    config = load_config(write_config(tmp_path, fake, **table))
    with Store.open(config.store_path) as store:
        outcome = run(config, store)
        record = campaigns.campaign(store, "2025-W20", fake.name)
        assert store.delivered_at("2025-W20", "notify") is None
    assert record is not None and record.state == "ready"  # the draft stands; only the notice failed
    error = outcome.delivery_error or ""
    assert "\n" not in error and error.endswith("; the next run sends it"), error
    assert f"the draft {record.campaign_id} for 2025-W20 is ready at " in error
    return error, record.campaign_id


def test_a_notify_webhook_500_names_the_host_the_status_and_what_it_said(
    tmp_path: Path, mailchimp: Fake, httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(HOOK, method="POST").respond_with_response(
        Response("queue full, try later", status=500))
    error, _ = notice_error(tmp_path, mailchimp, hook={"url": httpserver.url_for(HOOK), "timeout": 2})
    host = httpserver.url_for("").rstrip("/")
    assert (f"but the draft-ready notice failed: the notify webhook at {host} failed with "
            "HTTP 500 INTERNAL SERVER ERROR: queue full, try later; the next run sends it") in error
    assert "t0ps3cret" not in error  # the path is often the secret


def test_a_refused_notify_webhook_connection_is_named_as_such(tmp_path: Path, mailchimp: Fake) -> None:
    port = free_port()  # nothing listens there
    error, _ = notice_error(tmp_path, mailchimp, hook={"url": f"http://127.0.0.1:{port}{HOOK}", "timeout": 2})
    where = f"the notify webhook at http://127.0.0.1:{port}"
    assert f"the draft-ready notice failed: could not connect to {where}: " in error
    assert "t0ps3cret" not in error


def test_a_notify_webhook_refusing_the_secret_says_which_variable_to_check(
    tmp_path: Path, mailchimp: Fake, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGEST_NOTIFY_TOKEN", "n0tify-t0ken")
    httpserver.expect_request(HOOK, method="POST").respond_with_response(
        Response("bad token n0tify-t0ken", status=401))
    hook = {"url": httpserver.url_for(HOOK), "secret_env": "DIGEST_NOTIFY_TOKEN", "auth": "bearer"}
    error, _ = notice_error(tmp_path, mailchimp, hook=hook)
    assert f"the notify webhook at {httpserver.url_for('').rstrip('/')} refused the notice: " in error
    assert "HTTP 401 UNAUTHORIZED: bad token *** (check the secret in $DIGEST_NOTIFY_TOKEN)" in error
    assert "n0tify-t0ken" not in error


def test_a_signed_notice_is_signed_like_the_issue_and_never_carries_the_secret(
    tmp_path: Path, mailchimp: Fake, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGEST_NOTIFY_TOKEN", "n0tify-t0ken")
    httpserver.expect_request(HOOK, method="POST").respond_with_json({"ok": True})
    hook = {"url": httpserver.url_for(HOOK), "timeout": 2, "secret_env": "DIGEST_NOTIFY_TOKEN"}  # auth: hmac
    config = load_config(write_config(tmp_path, mailchimp, hook=hook))
    with Store.open(config.store_path) as store:
        outcome = run(config, store)
    posts = [request for request, _ in httpserver.log if request.path == HOOK]
    assert outcome.delivery_error is None and len(posts) == 1
    assert "Authorization" not in posts[0].headers
    assert b"n0tify-t0ken" not in posts[0].get_data() and "n0tify-t0ken" not in str(posts[0].headers)
    assert posts[0].headers["X-Digest-Signature"] == signature("n0tify-t0ken", posts[0].get_data())


def test_a_notice_whose_secret_variable_is_unset_names_it_and_posts_nothing(
    tmp_path: Path, mailchimp: Fake, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DIGEST_NOTIFY_TOKEN", raising=False)
    httpserver.expect_request(HOOK, method="POST").respond_with_json({"ok": True})
    hook = {"url": httpserver.url_for(HOOK), "timeout": 2, "secret_env": "DIGEST_NOTIFY_TOKEN"}
    error, _ = notice_error(tmp_path, mailchimp, hook=hook)
    assert ("the draft-ready notice failed: the environment variable DIGEST_NOTIFY_TOKEN (named by "
            "delivery.notify.webhook.secret_env) is not set") in error
    assert [r for r, _ in httpserver.log if r.path == HOOK] == []


def notify_smtp(port: int, to: list[str]) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 2,
            "from": "digest@reviews.example", "to": to}


def test_a_notice_the_mail_server_refuses_names_the_server_and_each_refusal(
    tmp_path: Path, mailchimp: Fake,
) -> None:
    inbox = Inbox(mode="refuse-rcpt")
    with smtp_server(inbox) as port:
        error, _ = notice_error(tmp_path, mailchimp, notify=notify_smtp(port, [EDITORS]))
    assert (f"the draft-ready notice failed: the mail server 127.0.0.1:{port} refused every recipient: "
            f"{EDITORS} (550 5.1.1 <{EDITORS}>: mailbox unavailable); the next run sends it") in error
    assert inbox.messages == []


class RefusesOne(Inbox):
    """Takes the message for every recipient but one mailbox that no longer exists."""

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        if address.startswith("left@"):
            return f"550 5.1.1 <{address}>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_notice_some_editors_could_not_get_is_recorded_with_who(tmp_path: Path, mailchimp: Fake) -> None:
    inbox = RefusesOne()
    with smtp_server(inbox) as port:
        config = load_config(write_config(tmp_path, mailchimp,
                                          notify=notify_smtp(port, [EDITORS, "left@reviews.example"])))
        with Store.open(config.store_path) as store:
            outcome = run(config, store)
            row = store.db.execute(
                "SELECT detail FROM deliveries WHERE issue_id = '2025-W20' AND method = 'notify'").fetchone()
    assert outcome.delivery_error is None and len(inbox.messages) == 1  # sent once: never again for the rest
    assert row["detail"] == (f"notified {EDITORS}, left@reviews.example; refused: left@reviews.example "
                             "(550 5.1.1 <left@reviews.example>: no such user)")
