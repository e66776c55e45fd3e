"""SMTP delivery against a real SMTP server on loopback (aiosmtpd), including its failures."""

from __future__ import annotations

import base64
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from click.testing import CliRunner
from helpers.smtp import Inbox, dripping_smtp_server, self_signed_cert, server_tls, smtp_server
from test_jobs_support import HTML, SUBJECT, TEXT, FakeBuilder, FixedClock, free_port, job_config, local

from digest.cli.base import Context
from digest.cli.job import send_test
from digest.errors import DeliveryError
from digest.job.deliver import deliver_issue
from digest.job.run import run_once
from digest.settings.config import Config
from digest.store.database import Store
from digest.weeks import parse_week

PASSWORD = "s3cret-Pa55word!"
IMPORT = "import-1234@lists.mailer.example"
W20 = parse_week("2025-W20")


def smtp_config(folder: Path, port: int, **smtp: Any) -> Config:
    settings = {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 2,
                "from": "Second Screen digest <digest@secondscreen.example>", "to": [IMPORT], **smtp}
    return job_config(folder, delivery={"method": "smtp"}, smtp=settings)


def built(config: Config, store: Store) -> None:
    FakeBuilder()(config, store, local(2025, 5, 19, 8), W20)


def test_the_issue_arrives_whole_and_is_recorded_once(tmp_path: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = smtp_config(tmp_path, port)
        clock = FixedClock(local(2025, 5, 19, 8))
        with Store.open(config.store_path) as store:
            first = run_once(config, store, clock, collect=False, builder=FakeBuilder())
            again = run_once(config, store, clock, collect=False, builder=FakeBuilder())
            assert store.delivered_at("2025-W20", "smtp") == clock()
    assert first.delivery is not None
    assert first.delivery.startswith(f"delivered by smtp to {IMPORT}; <digest.2025-W20.")
    assert again.action == "already built" and again.delivery is not None
    assert again.delivery.startswith("already delivered by smtp at 2025-05-19T08:00-05:00")
    assert len(inbox.messages) == 1
    sender, recipients, _ = inbox.messages[0]
    assert (sender, recipients) == ("digest@secondscreen.example", [IMPORT])
    message = inbox.parsed()
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == SUBJECT and message["To"] == IMPORT
    assert message["From"] == "Second Screen digest <digest@secondscreen.example>"
    assert message["Message-ID"].endswith("@secondscreen.example>")
    plain, html = (message.get_body(("plain",)), message.get_body(("html",)))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n").strip() == TEXT.strip()
    assert html.get_content().strip() == HTML


@pytest.mark.parametrize(("mode", "says"), [
    ("refuse-rcpt", f"refused every recipient: {IMPORT} (550 5.1.1 <{IMPORT}>: mailbox unavailable)"),
    ("refuse-data", "refused the message (554 5.7.1 message rejected as spam)"),
    ("drop", "closed the connection before it accepted the message"),
])
def test_a_refusal_is_explained_and_the_next_run_delivers_once(tmp_path: Path, mode: str, says: str) -> None:
    inbox = Inbox(mode=mode)
    with smtp_server(inbox) as port:
        config = smtp_config(tmp_path, port)
        clock = FixedClock(local(2025, 5, 19, 8))
        with Store.open(config.store_path) as store:
            failed = run_once(config, store, clock, collect=False, builder=FakeBuilder())
            assert failed.action == "built" and failed.delivery is None
            assert failed.delivery_error == (
                f"delivery of 2025-W20 by smtp failed: the mail server 127.0.0.1:{port} {says}. "
                "The issue stays built; the next run will try again")
            assert store.delivered_at("2025-W20", "smtp") is None and inbox.messages == []

            inbox.mode = "accept"
            clock.advance(hours=3)
            retry = run_once(config, store, clock, collect=False, builder=FakeBuilder())
            assert retry.action == "already built" and retry.delivery_error is None
            run_once(config, store, clock, collect=False, builder=FakeBuilder())
            assert store.delivered_at("2025-W20", "smtp") == clock()
    assert len(inbox.messages) == 1


@pytest.mark.parametrize("mode", ["close-after-data", "refuse-quit"])
def test_a_connection_lost_or_a_quit_refused_after_the_250_is_one_delivery(tmp_path: Path, mode: str) -> None:
    """Once the server has said 250 to DATA the issue is delivered: what happens at QUIT changes nothing."""
    inbox = Inbox(mode=mode)
    with smtp_server(inbox) as port:
        config = smtp_config(tmp_path, port)
        clock = FixedClock(local(2025, 5, 19, 8))
        with Store.open(config.store_path) as store:
            first = run_once(config, store, clock, collect=False, builder=FakeBuilder())
            assert store.delivered_at("2025-W20", "smtp") == clock()
            inbox.mode = "accept"
            clock.advance(hours=3)
            again = run_once(config, store, clock, collect=False, builder=FakeBuilder())
            assert store.delivered_at("2025-W20", "smtp") == local(2025, 5, 19, 8)
    assert first.delivery_error is None and first.delivery is not None
    assert first.delivery.startswith(f"delivered by smtp to {IMPORT}; <digest.2025-W20.")
    assert again.delivery is not None
    assert again.delivery.startswith("already delivered by smtp at 2025-05-19T08:00")
    assert len(inbox.messages) == 1
    assert inbox.quits == (1 if mode == "refuse-quit" else 0)  # the lost connection never saw a QUIT


def test_a_server_slower_than_the_timeout_gives_a_timeout_error(tmp_path: Path) -> None:
    with smtp_server(Inbox(mode="slow")) as port:
        config = smtp_config(tmp_path, port, timeout=0.5)
        with Store.open(config.store_path) as store:
            built(config, store)
            started = time.monotonic()
            with pytest.raises(DeliveryError, match=rf"127.0.0.1:{port} did not answer within 0.5 seconds"):
                deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
            assert time.monotonic() - started < 1.4
            assert store.delivered_at("2025-W20", "smtp") is None


def test_a_server_that_drips_its_answers_is_cut_off_at_the_deadline(tmp_path: Path) -> None:
    """Each byte comes well within the per-read timeout, so only the overall deadline ends it: the
    run (and the store lock) is never held past it, and nothing counts as delivered."""
    with dripping_smtp_server(every=0.1, lines=40) as port:  # about 40 s of greeting without a deadline
        config = smtp_config(tmp_path, port, timeout=1, deadline=1.5)
        with Store.open(config.store_path) as store:
            built(config, store)
            started = time.monotonic()
            with pytest.raises(DeliveryError) as caught:
                deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
            took = time.monotonic() - started
            assert store.delivered_at("2025-W20", "smtp") is None
    assert (f"by smtp failed: the mail server 127.0.0.1:{port} was too slow: the session had not finished "
            "after ") in str(caught.value)
    assert "(delivery.smtp.deadline is 1.5 s). The issue stays built; the next run" in str(caught.value)
    assert took < 6  # the deadline and the shutdown, not the 40 s drip


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_the_issue_goes_over_tls_to_a_server_whose_certificate_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, security: str,
) -> None:
    """The default (STARTTLS) and implicit TLS, against a real TLS server: the certificate is checked
    against the configured host, and a certificate nobody vouches for is a TLS error, said as one."""
    cert, key = self_signed_cert(tmp_path)
    inbox = Inbox()
    tls = {"tls_context": server_tls(cert, key), "require_starttls": True} if security == "starttls" \
        else {"ssl_context": server_tls(cert, key)}
    with smtp_server(inbox, **tls) as port:
        config = smtp_config(tmp_path / "trusted", port, security=security)
        with Store.open(config.store_path) as store:
            built(config, store)
            monkeypatch.delenv("SSL_CERT_FILE", raising=False)
            with pytest.raises(DeliveryError, match=rf"TLS handshake with the mail server 127.0.0.1:{port}"):
                deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
            monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client now trusts this server's certificate
            deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
            assert store.delivered_at("2025-W20", "smtp") is not None
    assert len(inbox.messages) == 1 and inbox.messages[0][1] == [IMPORT]


def test_nothing_listening_is_a_refused_connection(tmp_path: Path) -> None:
    config = smtp_config(tmp_path, free_port())
    with Store.open(config.store_path) as store:
        built(config, store)
        with pytest.raises(DeliveryError, match="refused the connection .is the host and port right"):
            deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))


def test_starttls_that_the_server_does_not_offer_says_what_to_change(tmp_path: Path) -> None:
    with smtp_server(Inbox()) as port:
        config = smtp_config(tmp_path, port, security="starttls")
        with Store.open(config.store_path) as store:
            built(config, store)
            with pytest.raises(DeliveryError, match='STARTTLS.*set security = "tls" or "none"'):
                deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))


def _authenticator(server: Any, session: Session, envelope: Envelope, mechanism: str,
                   auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"digest" \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
def test_auth_uses_the_password_from_the_environment_and_never_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    inbox = Inbox()
    caplog.set_level(logging.DEBUG)
    with smtp_server(inbox, authenticator=_authenticator, auth_require_tls=False, auth_required=True) as port:
        config = smtp_config(tmp_path, port, username="digest", password_env="DIGEST_SMTP_PASSWORD",
                             allow_plaintext_auth=True)
        clock = FixedClock(local(2025, 5, 19, 8))
        with Store.open(config.store_path) as store:
            monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)
            unset = run_once(config, store, clock, collect=False, builder=FakeBuilder())
            assert unset.delivery_error is not None
            assert "the environment variable DIGEST_SMTP_PASSWORD (named by delivery.smtp.password_env) " \
                   "is not set" in unset.delivery_error

            monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "wrong-" + PASSWORD)
            wrong = run_once(config, store, clock, collect=False)
            assert wrong.delivery_error is not None
            assert (f"the mail server 127.0.0.1:{port} rejected the login for 'digest' (535 5.7.8 "
                    "Authentication credentials invalid); check the password in $DIGEST_SMTP_PASSWORD"
                    ) in wrong.delivery_error
            assert store.delivered_at("2025-W20", "smtp") is None

            monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
            right = run_once(config, store, clock, collect=False)
            assert right.delivery_error is None and store.delivered_at("2025-W20", "smtp") is not None
    assert len(inbox.messages) == 1
    shown = caplog.text + str(unset) + str(wrong) + str(right)
    for secret in (PASSWORD, base64.b64encode(f"\0digest\0{PASSWORD}".encode()).decode(),
                   base64.b64encode(PASSWORD.encode()).decode()):
        assert secret not in shown


def test_send_test_goes_to_one_address_with_test_in_the_subject_and_is_not_recorded(tmp_path: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = smtp_config(tmp_path, port)
        with Store.open(config.store_path) as store:
            built(config, store)
        runner = CliRunner()
        result = runner.invoke(send_test, ["--to", "Editor <editor@secondscreen.example>"],
                               obj=Context(tmp_path / "digest.toml"))
        again = runner.invoke(send_test, ["--to", "editor@secondscreen.example"],
                              obj=Context(tmp_path / "digest.toml"))
        with Store.open(config.store_path) as store:
            assert store.delivered_at("2025-W20", "smtp") is None
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sent 2025-W20 as a test (to editor@secondscreen.example; <")
    assert "not recorded as delivered" in result.output and again.exit_code == 0
    assert [m[1] for m in inbox.messages] == [["editor@secondscreen.example"]] * 2
    first, second = inbox.parsed(0), inbox.parsed(1)
    assert first["Subject"] == "[TEST] " + SUBJECT
    assert first["To"] == "Editor <editor@secondscreen.example>"
    assert first["Message-ID"] != second["Message-ID"]  # each test is its own mail


def test_send_test_explains_what_is_missing(tmp_path: Path) -> None:
    runner = CliRunner()
    job_config(tmp_path / "files")
    no_smtp = runner.invoke(send_test, ["--to", "editor@secondscreen.example"],
                            obj=Context(tmp_path / "files" / "digest.toml"))
    # No mail server: the test would be written as a file (tests/test_demo_first_hour.py), once built.
    assert no_smtp.exit_code == 2 and "no issue has been built yet; run `digest run` first" in no_smtp.output
    smtp_config(tmp_path / "smtp", free_port())
    nothing = runner.invoke(send_test, ["--to", "editor@secondscreen.example"],
                            obj=Context(tmp_path / "smtp" / "digest.toml"))
    assert nothing.exit_code == 2 and "no issue has been built yet; run `digest run` first" in nothing.output
    bad = runner.invoke(send_test, ["--to", "editor"], obj=Context(tmp_path / "smtp" / "digest.toml"))
    assert bad.exit_code == 2 and "'editor' is not an email address" in bad.output
