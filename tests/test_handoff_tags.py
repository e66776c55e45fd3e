"""An issue built for one mailer is never handed off by another with its merge tags as typed.

The build checks the tags against the config of the day; delivery reads the built files back, so
the config may have changed since (files for Mailchimp, then SMTP). Every hand-off checks again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.configfile import PLAIN_EMAIL
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY
from test_jobs_support import job_config
from test_merge_tags import smtp_settings, with_email
from test_smtp import Inbox, smtp_server

from digest.cli import main

NOW = ["--now", "2025-05-19T08:00", "--week", "2025-W20"]
MAILCHIMP_TAGS = ("*|UNSUB|*", "*|LIST:ADDRESSLINE|*")


def built_for_mailchimp(folder: Path) -> None:
    """Build the week's issue as files for Mailchimp to send, as an editor would."""
    path = with_email(job_config(folder), 'mailer = "mailchimp"')
    result = CliRunner().invoke(main, ["--config", str(path), "run", *NOW])
    assert result.exit_code == 0, result.output
    assert "*|UNSUB|*" in (folder / "out" / "2025-W20" / "digest.html").read_text()


def test_an_issue_built_for_mailchimp_is_not_delivered_by_smtp_until_rebuilt(tmp_path: Path) -> None:
    built_for_mailchimp(tmp_path)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = job_config(tmp_path, delivery={"method": "smtp"}, smtp=smtp_settings(port))
        path = config.resolve("digest.toml")
        refused = CliRunner().invoke(main, ["--config", str(path), "run", *NOW])
        assert inbox.messages == []
        assert refused.exit_code != 0, refused.output
        assert "Traceback" not in refused.output
        said = refused.stderr
        assert "delivery by smtp of 2025-W20 refused" in said
        for tag in MAILCHIMP_TAGS:
            assert f"'{tag}' in the HTML part" in said
        assert "'*|ARCHIVE|*' in the text part" in said
        assert "rebuild it with `digest run --week 2025-W20 --force`" in said
        assert said.count("error:") == 1 and said.count("refused") == 1  # one error, said once
        again = CliRunner().invoke(main, ["--config", str(path), "run", *NOW])  # still refused, still unsent
        assert again.exit_code != 0 and inbox.messages == []

        tests = CliRunner().invoke(main, ["--config", str(path), "send-test", "--to", "qa@reviews.example"])
        assert tests.exit_code != 0, tests.output
        assert "test send of 2025-W20 refused" in tests.stderr and inbox.messages == []

        forced = CliRunner().invoke(main, ["--config", str(path), "run", *NOW, "--force"])
        assert forced.exit_code == 0, forced.output
    assert len(inbox.messages) == 1
    raw = inbox.messages[0][2]
    assert b"*|" not in raw
    message = inbox.parsed()
    assert message["List-Unsubscribe"] == f"<{PLAIN_EMAIL['unsubscribe_url']}>"


def test_a_mailchimp_build_is_not_handed_to_another_service(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    built_for_mailchimp(tmp_path)
    fake = FAKES["brevo"](httpserver)
    monkeypatch.setenv("DIGEST_BREVO_API_KEY", KEY)
    path = tmp_path / "digest.toml"
    text = path.read_text(encoding="utf-8").replace('mailer = "mailchimp"\n',
                                                      f'postal_address = "{PLAIN_EMAIL["postal_address"]}"\n')
    settings = "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in fake.settings().items())
    path.write_text(text + '\n[delivery]\nmethod = "brevo"\n[delivery.brevo]\n' + settings, encoding="utf-8")
    refused = CliRunner().invoke(main, ["--config", str(path), "run", *NOW])
    assert refused.exit_code != 0, refused.output
    assert "the brevo campaign of 2025-W20 refused" in refused.stderr
    assert "'*|UNSUB|*' in the HTML part" in refused.stderr
    assert fake.requests == []  # nothing was asked of the service


def test_an_issue_built_for_mailchimp_is_not_posted_to_a_webhook(
    tmp_path: Path, httpserver: HTTPServer,
) -> None:
    built_for_mailchimp(tmp_path)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    config = job_config(tmp_path, delivery={"method": "webhook"}, webhook={"url": httpserver.url_for("/hook")})
    refused = CliRunner().invoke(main, ["--config", str(config.resolve("digest.toml")), "run", *NOW])
    assert refused.exit_code != 0, refused.output
    assert "delivery by webhook of 2025-W20 refused" in refused.stderr
    assert "'*|UNSUB|*' in the HTML part" in refused.stderr
    assert httpserver.log == []  # nothing was posted
