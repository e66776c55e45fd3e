"""`digest check` names, per service, every setting the service needs that the config does not give.

Each case is the bundled demo's config with one mailing service as its delivery, as an editor
would first write it: the table's required ids and nothing more. The demo's [email] has neither a
sender address nor a reply-to, which Mailchimp (reply-to), Brevo and MailerLite (a sender) refuse a
campaign without: `check` stops there, naming the keys at the table's line, before any run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.services import SERVICES

REPO = Path(__file__).resolve().parent.parent
TABLES = {
    "mailchimp": 'list_id = "a1b2c3d4e5"',
    "buttondown": "",
    "kit": "segment_ids = [41]",
    "listmonk": 'base_url = "https://lists.secondscreen.example"\nusername = "digest"\nlist_ids = [3]',
    "brevo": "list_ids = [2, 7]",
    "mailerlite": "",
}
NEEDS = {
    "mailchimp": "mailchimp needs a reply-to address (Mailchimp requires settings.reply_to on every campaign "
                 "update): set delivery.mailchimp.reply_to or [email] reply_to (a from_email or [email] "
                 "from_address serves too)",
    "brevo": "brevo needs a sender address (Brevo refuses a campaign without one): set "
             "delivery.brevo.from_email, or [email] from_address",
    "mailerlite": "mailerlite needs a sender address (MailerLite refuses a campaign without one): set "
                  "delivery.mailerlite.from_email, or [email] from_address",
}
# What each campaign carries of the config's sender; the rest is the service's own default.
FROM = {
    "mailchimp": "from: Second Screen (address: Mailchimp's default); reply-to: news@secondscreen.example",
    "buttondown": "from: as set in Buttondown (its campaigns carry no sender of their own)",
    "kit": "from: as set in Kit (its campaigns carry no sender of their own)",
    "listmonk": "from: Second Screen <news@secondscreen.example>; reply-to: listmonk's default",
    "brevo": "from: Second Screen <news@secondscreen.example>; reply-to: news@secondscreen.example",
    "mailerlite": "from: Second Screen <news@secondscreen.example>; reply-to: MailerLite's default",
}
REACH = {
    "mailchimp": "goes to: the audience a1b2c3d4e5",
    "buttondown": "goes to: every subscriber of the newsletter the API key belongs to",
    "kit": "goes to: subscribers in any of: segments 41",
    "listmonk": "goes to: the lists 3",
    "brevo": "goes to: the lists 2, 7",
    "mailerlite": "goes to: ALL active subscribers (no group_ids: MailerLite sends a campaign without groups "
                  "to everyone)",
}


def demo_with(tmp_path: Path, service: str, email: str = "") -> Path:
    """The demo's config (its site mirror linked in place) delivering to ``service``."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "demo").symlink_to(REPO / "config" / "demo")
    text = (REPO / "config" / "demo.toml").read_text(encoding="utf-8")
    text = text.replace("[email]\n", f"[email]\n{email}", 1)
    text += f"\n[delivery]\nmethod = \"{service}\"\n\n[delivery.{service}]\n{TABLES[service]}\n"
    path = tmp_path / "config" / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(path), "check"])
    return result.exit_code, result.output


def table_line(path: Path, service: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(f"[delivery.{service}]") + 1


def test_every_service_has_a_case() -> None:
    assert set(TABLES) == set(SERVICES) == set(REACH) == set(FROM)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_check_names_what_the_service_needs_before_the_first_run(tmp_path: Path, service: str) -> None:
    path = demo_with(tmp_path, service)
    code, output = check(path)
    if service in NEEDS:
        assert code == 2, output
        assert f"delivery.{service} (line {table_line(path, service)}): {NEEDS[service]}" in output
        assert "Traceback" not in output
    else:
        assert code == 0, output
        assert REACH[service] in output


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_with_a_sender_every_service_is_ready(tmp_path: Path, service: str) -> None:
    path = demo_with(tmp_path, service, 'from_address = "news@secondscreen.example"\n')
    code, output = check(path)
    assert code == 0, output
    assert f"delivery: {service}: {SERVICES[service].what}" in output
    assert FROM[service] in output
    assert REACH[service] in output
