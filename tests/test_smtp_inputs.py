"""Addresses and passwords smtplib or the email library cannot carry are refused in plain words, never sent.

An address with a line break or an encoded word is a header injection waiting for a client that
decodes it; a password that is not ASCII cannot go through smtplib's AUTH; a server that quotes
the password back must not show it, not even in the escaped form ``repr`` gives bytes. Every
server is a real one on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner, Result
from helpers.smtp import Inbox, auth_echo_smtp_server, free_port, smtp_server
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY
from test_jobs_support import FakeBuilder, _value, job_config, local, table
from test_services import run, write_config

from digest.cli.main import main
from digest.errors import ConfigError
from digest.settings.config import load_config
from digest.store.database import Store
from digest.weeks import parse_week

QUOTED_PASSWORD = "Tr0ub4dor\\&3-horse"  # a backslash: repr() of the server's bytes doubles it
ENCODED = "=?utf-8?q?ed=0D=0ABcc:_evil@x.example?= <ed@example.com>"
CRLF = "ed@example.com\r\nBcc: evil@x.example"


def one_error(result: Result) -> str:
    assert result.exit_code not in (0, None) and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def smtp_job(folder: Path, port: int, **smtp: Any) -> Path:
    settings = {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 2,
                "from": "Second Screen digest <digest@secondscreen.example>",
                "to": ["import-1234@lists.mailer.example"], **smtp}
    config = job_config(folder, delivery={"method": "smtp"}, smtp=settings)
    with Store.open(config.store_path) as store:
        FakeBuilder()(config, store, local(2025, 5, 19, 8), parse_week("2025-W20"))
    return folder / "digest.toml"


def test_the_draft_ready_notice_never_shows_a_password_the_server_quotes_back(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGEST_MAILCHIMP_API_KEY", KEY)
    monkeypatch.setenv("NOTIFY_PASSWORD", QUOTED_PASSWORD)
    fake = FAKES["mailchimp"](httpserver)
    with auth_echo_smtp_server() as port:
        notify = {"host": "127.0.0.1", "port": port, "security": "none", "allow_plaintext_auth": True,
                  "timeout": 2, "username": "digest", "password_env": "NOTIFY_PASSWORD",
                  "from": "digest@reviews.example", "to": ["editors@reviews.example"]}
        config = load_config(write_config(tmp_path, fake, notify=notify))
        with Store.open(config.store_path) as store:
            outcome = run(config, store)
    error = outcome.delivery_error or ""
    assert "rejected the login for 'digest' (535 5.7.8 mot de passe refusé *** for digest)" in error, error
    assert "check the password in $NOTIFY_PASSWORD" in error
    assert "Tr0ub4dor" not in error and "horse" not in error


@pytest.mark.parametrize("address", [CRLF, ENCODED], ids=["crlf", "encoded word"])
def test_send_test_refuses_an_address_with_a_line_break_or_an_encoded_word(
    tmp_path: Path, address: str,
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        path = smtp_job(tmp_path, port)
        result = CliRunner().invoke(main, ["--config", str(path), "send-test", "--to", address])
    line = one_error(result)
    assert "--to " in line and "nothing was sent" in line, line
    assert inbox.messages == []


@pytest.mark.parametrize("key", ["delivery.smtp.to", "delivery.smtp.from", "delivery.notify.smtp.to",
                                 "delivery.notify.smtp.from", "email.from_address", "email.reply_to"])
@pytest.mark.parametrize("address", [ENCODED, CRLF, "ed@example.com\u2028Bcc: evil@x.example"],
                         ids=["encoded word", "crlf", "u2028"])
def test_an_address_setting_with_an_encoded_word_or_line_break_fails_check_naming_the_key(
    tmp_path: Path, key: str, address: str,
) -> None:
    table_name, name = key.rsplit(".", 1)
    if table_name == "email":  # a bare address there, with the injection inside it
        address = address.replace(" <ed@example.com>", "@example.com")
    smtp = {"host": "127.0.0.1", "port": free_port(), "security": "none", "from": "digest@secondscreen.example",
            "to": ["import-1234@lists.mailer.example"]}
    value: Any = [address] if name == "to" else address
    path = tmp_path / "digest.toml"
    try:
        job_config(tmp_path, delivery={"method": "smtp"},
                   smtp={**smtp, name: value} if table_name == "delivery.smtp" else smtp)
    except ConfigError:
        assert table_name == "delivery.smtp"
    if table_name == "delivery.notify.smtp":
        path.write_text(path.read_text(encoding="utf-8") + table(table_name, {**smtp, name: value}),
                        encoding="utf-8")
    elif table_name == "email":
        setting = f"\n[email]\n{name} = {_value(value)}\n"
        path.write_text(path.read_text(encoding="utf-8").replace("\n[email]\n", setting, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert name in str(caught.value), str(caught.value)
    line = one_error(CliRunner().invoke(main, ["--config", str(path), "check"]))
    assert name in line and ("encoded word" in line or "line break" in line), line


NAME_ENCODED = "Second Screen =?utf-8?q?x=0D=0ABcc:_evil@x.example?="
NAME_CRLF = "Second Screen\r\nBcc: evil@x.example"


@pytest.mark.parametrize("key", ["delivery.mailchimp.from_name", "email.from_name", "site.name"])
@pytest.mark.parametrize("name", [NAME_ENCODED, NAME_CRLF], ids=["encoded word", "crlf"])
def test_a_sender_name_with_an_encoded_word_or_line_break_fails_check_naming_the_key(
    tmp_path: Path, key: str, name: str,
) -> None:
    """A sender's name becomes the From header's (by digest, or by the service from its API field)."""
    job_config(tmp_path)
    path = tmp_path / "digest.toml"
    text = path.read_text(encoding="utf-8")
    table_name, setting = key.rsplit(".", 1)
    mailchimp = {"list_id": "a1b2c3d4e5", **({setting: name} if table_name == "delivery.mailchimp" else {})}
    text += table("delivery", {"method": "mailchimp"}) + table("delivery.mailchimp", mailchimp)
    if table_name == "email":
        text = text.replace("\n[email]\n", f"\n[email]\n{setting} = {_value(name)}\n", 1)
    elif table_name == "site":
        text = text.replace("\n[site]\nname = ", f"\n[site]\nname = {_value(name)}\nold_name = ", 1)
        text = "\n".join(line for line in text.splitlines() if not line.startswith("old_name = ")) + "\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{key} (line " in str(caught.value), str(caught.value)
    line = one_error(CliRunner().invoke(main, ["--config", str(path), "check"]))
    reasons = ("encoded word", "line break", "one non-empty line")
    assert key in line and any(why in line for why in reasons), line


def test_a_password_that_is_not_ascii_is_one_error_line_and_nothing_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "pässwörd-Ünïcode")
    inbox = Inbox()
    with smtp_server(inbox, authenticator=lambda *_: AuthResult(success=True), auth_require_tls=False) as port:
        path = smtp_job(tmp_path, port, username="digest", password_env="SMTP_PASSWORD",
                        allow_plaintext_auth=True)
        sent_test = CliRunner().invoke(main, ["--config", str(path), "send-test", "--to", "ed@example.com"])
        ran = CliRunner().invoke(main, ["--config", str(path), "run", "--week", "2025-W20"])
    for result in (sent_test, ran):
        line = one_error(result)
        assert "the password in $SMTP_PASSWORD (or delivery.smtp.username) is not ASCII" in line, line
        assert "pässwörd" not in result.output
    assert inbox.messages == []


@pytest.mark.parametrize("address", [CRLF, ENCODED], ids=["crlf", "encoded word"])
def test_a_service_test_send_refuses_an_address_with_a_line_break_or_an_encoded_word(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, address: str,
) -> None:
    monkeypatch.setenv("DIGEST_MAILCHIMP_API_KEY", KEY)
    fake = FAKES["mailchimp"](httpserver)
    config = load_config(write_config(tmp_path, fake))
    with Store.open(config.store_path) as store:
        assert run(config, store).delivery_error is None  # the draft exists
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "digest.toml"), "send-test", "--to", address])
    line = one_error(result)
    assert "--to " in line and "nothing was sent" in line, line
    assert fake.count("test") == 0 and not any("/actions/test" in path for _, _, path in fake.requests)
