"""One editor's week with each service, every request held to the service's own API description.

A first run makes the draft and mails the editors the draft-ready notice; `digest send-test`
uses the service's own test send (or, for Kit and MailerLite, which have none, the config's SMTP);
a re-run with the draft ready asks the service nothing and sends no second notice; `--force`
updates the same draft and tells the editors again. The fakes check each request against the
vendored description (tests/helpers/contract.py), and a violation fails the test.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from click.testing import CliRunner
from helpers import contract
from helpers.smtp import Inbox, smtp_server
from service_fakes import Fake
from test_jobs_support import local
from test_services import Builder, fake, run, write_config

from digest.cli.main import main
from digest.services import SERVICES
from digest.settings.config import load_config
from digest.store.database import Store

__all__ = ["fake"]  # the parametrised fixture: one fake per service

EDITORS = "editors@reviews.example"
QA = "qa@reviews.example"


def smtp_table(port: int, to: str) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5,
            "from": "digest@reviews.example", "to": [to]}


def test_a_week_with_the_service_draft_test_send_notice_rerun_and_force(tmp_path: Path, fake: Fake) -> None:
    inbox = Inbox()
    own_test = bool(SERVICES[fake.name].test_path)
    checked_before = contract.LOG.get(fake.name, {}).get("requests", 0)
    with smtp_server(inbox) as port:
        path = write_config(tmp_path, fake, notify=smtp_table(port, EDITORS))
        with path.open("a", encoding="utf-8") as toml:  # send-test's way out where the service has none
            toml.write(f'\n[delivery.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                       f'from = "digest@reviews.example"\nto = ["{EDITORS}"]\n')
        config = load_config(path)
        with Store.open(config.store_path) as store:
            first = run(config, store)
        assert first.delivery_error is None and "ready to approve" in (first.delivery or "")
        assert len(fake.campaigns) == 1 and fake.count("create") == 1
        notices = [m for m in inbox.messages if m[1] == [EDITORS]]
        assert len(notices) == 1
        notice = message_from_bytes(notices[0][2], policy=policy.default)
        assert str(notice["Subject"]).startswith("Draft ready to approve: ")

        tested = CliRunner().invoke(main, ["--config", str(path), "send-test", "--to", QA])
        assert tested.exit_code == 0, tested.output
        if own_test:
            assert fake.count("test") == 1 and fake.only["tests"] == [QA]
            assert f"{fake.name}'s own test send of draft {fake.only['id']} to {QA}" in tested.output
        else:
            assert fake.count("test") == 0
            assert [m for m in inbox.messages if m[1] == [QA]], "sent by the config's SMTP instead"

        asked = len(fake.requests)
        with Store.open(config.store_path) as store:
            again = run(config, store, at=local(2025, 5, 19, 11))
        assert again.delivery_error is None and len(fake.requests) == asked  # nothing asked of the service
        assert len([m for m in inbox.messages if m[1] == [EDITORS]]) == 1  # and no second notice

        with Store.open(config.store_path) as store:
            forced = run(config, store, at=local(2025, 5, 19, 12), force=True, builder=Builder("Fixed subject"))
        assert forced.delivery_error is None, forced.delivery_error
        assert len(fake.campaigns) == 1 and fake.count("create") == 1 and fake.count("update") == 1
        assert fake.only["subject"] == "Fixed subject"
        assert len([m for m in inbox.messages if m[1] == [EDITORS]]) == 2  # the editors hear of the rebuild

    assert fake.violations == []
    checked = contract.LOG[fake.name]["requests"] - checked_before
    assert checked == len(fake.requests) > 0  # every request the week made was held to the description
