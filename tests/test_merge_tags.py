"""Merge tags on every delivery path: what reaches a reader carries only tags its sender substitutes.

SMTP, webhook and files send the email as built, so unless the editor names a mailer downstream its
links are the config's plain values; a service's draft carries that service's tags. A tag nobody
will substitute stops the build, naming it and where it is.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from email_fixtures import email_config, hostile_selection, realistic_selection
from helpers.configfile import PLAIN_EMAIL
from test_jobs_support import FixedClock, job_config, local
from test_smtp import IMPORT, Inbox, smtp_server

from digest.cli import main
from digest.errors import ConfigError
from digest.job.build import build_issue
from digest.job.run import run_once
from digest.mail.output import build_eml
from digest.mail.render import render_issue
from digest.mail.tags import MergeTagError, unresolved_tags
from digest.mailers import MAILER_TAGS, foreign_tags, neutralise
from digest.settings.config import Config, load_config
from digest.store.database import Store
from digest.weeks import parse_week

W20 = parse_week("2025-W20")
MONDAY = local(2025, 5, 19, 8)


def smtp_settings(port: int) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5,
            "from": "Example Reviews <digest@reviews.example>", "to": [IMPORT]}


def with_email(config: Config, email: str) -> Path:
    """Replace the config file's ``[email]`` table by ``email`` (TOML lines) and return the path."""
    path = config.resolve("digest.toml")
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("[email]\n")
    tail = rest[rest.find("\n[") + 1:] if "\n[" in rest else ""
    path.write_text(head + "[email]\n" + email + "\n" + tail, encoding="utf-8")
    return path


def test_smtp_without_a_mailer_delivers_the_plain_unsubscribe_link_and_address(tmp_path: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = job_config(tmp_path, delivery={"method": "smtp"}, smtp=smtp_settings(port))
        assert config.email.named_mailer is None and config.email.mailer == "plain"
        with Store.open(config.store_path) as store:
            outcome = run_once(config, store, FixedClock(MONDAY), week=W20, stale_ok=True)
    assert outcome.delivery is not None and outcome.delivery.startswith("delivered by smtp"), outcome
    assert len(inbox.messages) == 1
    raw = inbox.messages[0][2]
    message = inbox.parsed()
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    text, page = plain.get_content(), html.get_content()
    unsubscribe, address = PLAIN_EMAIL["unsubscribe_url"], PLAIN_EMAIL["postal_address"]
    assert f'href="{unsubscribe}"' in page and address in page
    assert unsubscribe in text and address in text
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    for mark in ("*|", "{{", "{%", "{$", "%unsubscribe", "<%"):
        assert mark not in text and mark not in page and mark.encode() not in raw
    report = json.loads((tmp_path / "out" / "2025-W20" / "manifest.json").read_text())["report"]
    assert {"name": "merge tags", "status": "ok", "summary": "none; plain links from email.unsubscribe_url, "
            "email.postal_address", "details": []} in report["checks"]


@pytest.mark.parametrize("method", ["smtp", "webhook", "files"])
def test_a_plain_path_without_the_values_is_refused_by_check_and_build(tmp_path: Path, method: str) -> None:
    tables: dict[str, Any] = {"delivery": {"method": method}}
    if method == "smtp":
        tables["smtp"] = smtp_settings(25)
    if method == "webhook":
        tables["webhook"] = {"url": "https://hooks.reviews.example/digest"}
    config = job_config(tmp_path, **tables)
    path = with_email(config, 'from_name = "Example Reviews Weekly"')
    result = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    said = f"{path}: email.unsubscribe_url: delivery.method = {method} sends the email as built"
    assert said in result.stderr
    assert f"{path}: email.postal_address: delivery.method = {method}" in result.stderr
    assert 'set [email] unsubscribe_url = "https://..."' in result.stderr
    config = load_config(path)  # collecting needs neither value: the config still loads
    with Store.open(config.store_path) as store, pytest.raises(ConfigError, match="email.unsubscribe_url"):
        build_issue(config, store, MONDAY, W20)
    assert not (tmp_path / "out").exists()


def mailchimp_config(folder: Path, extra: str = "") -> Path:
    """A config that drafts Mailchimp campaigns, with no [email] values; ``extra``: more TOML."""
    path = with_email(job_config(folder), "")
    text = path.read_text().replace("[email]\n", "")
    path.write_text(text + '\n[delivery]\nmethod = "mailchimp"\n[delivery.mailchimp]\nlist_id = "a1b2c3d4e5"\n'
                    'reply_to = "editors@reviews.example"\n' + extra)
    return path


def test_an_edition_sent_by_smtp_needs_the_values_too(tmp_path: Path) -> None:
    path = mailchimp_config(tmp_path, '\n[[editions]]\nname = "anime"\n[editions.delivery]\nmethod = "smtp"\n'
                            '[editions.delivery.smtp]\nhost = "127.0.0.1"\nfrom = "digest@reviews.example"\n'
                            'to = ["import@lists.reviews.example"]\n')
    assert load_config(path).email.merge_mailer == "mailchimp"
    result = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert result.exit_code == 2, result.output
    assert f"{path}: edition anime: email.unsubscribe_url: delivery.method = smtp" in result.stderr
    assert "edition anime: email.postal_address" in result.stderr
    assert f"{path}: email." not in result.stderr  # the base edition's Mailchimp substitutes its own


def test_check_says_who_substitutes_the_tags(tmp_path: Path) -> None:
    plain = job_config(tmp_path / "plain", delivery={"method": "smtp"}, smtp=smtp_settings(25))
    named = job_config(tmp_path / "named")
    named_path = with_email(named, 'mailer = "mailchimp"')
    runner = CliRunner()
    said = runner.invoke(main, ["--config", str(plain.resolve("digest.toml")), "check"])
    assert said.exit_code == 0, said.output
    assert ("merge tags: none; plain links from email.unsubscribe_url, email.postal_address"
            in said.output.splitlines())
    said = runner.invoke(main, ["--config", str(named_path), "check"])
    assert said.exit_code == 0, said.output
    assert ("merge tags: substituted by Mailchimp (email.mailer = mailchimp; delivery.method = files hands "
            "the email on, as built, to it)") in said.output.splitlines()
    said = runner.invoke(main, ["--config", str(named_path), "check", "--json"])
    assert json.loads(said.output)["merge_tags"].startswith("substituted by Mailchimp (email.mailer = ")


def test_an_explicit_mailer_for_files_is_allowed_and_reported(tmp_path: Path) -> None:
    config = load_config(with_email(job_config(tmp_path), 'mailer = "mailchimp"'))
    with Store.open(config.store_path) as store:
        run_once(config, store, FixedClock(MONDAY), week=W20, stale_ok=True, deliver=False)
    folder = tmp_path / "out" / "2025-W20"
    html = (folder / "digest.html").read_text()
    assert 'href="*|UNSUB|*"' in html and "*|LIST:ADDRESSLINE|*" in html
    checks = json.loads((folder / "manifest.json").read_text())["report"]["checks"]
    assert checks[0]["name"] == "merge tags"
    assert checks[0]["summary"].startswith("substituted by Mailchimp (email.mailer = mailchimp; "
                                           "delivery.method = files")


def test_a_service_path_carries_its_own_tags_by_default(tmp_path: Path) -> None:
    settings = load_config(mailchimp_config(tmp_path)).email
    assert settings.merge_mailer == "mailchimp" and settings.unsubscribe == "*|UNSUB|*"
    assert settings.describe_merge_tags() == "substituted by Mailchimp (delivery.method = mailchimp)"


def test_a_template_that_writes_a_tag_stops_an_smtp_build(tmp_path: Path) -> None:
    config = job_config(tmp_path, delivery={"method": "smtp"}, smtp=smtp_settings(25))
    (tmp_path / "templates" / "partials").mkdir(parents=True)
    footer = (Path(__file__).parents[1] / "templates" / "partials" / "footer.html").read_text()
    (tmp_path / "templates" / "partials" / "footer.html").write_text(footer.replace(
        "{% if links.address %}",
        '<tr><td><p class="footer-text">Update your preferences: *|UPDATE_PROFILE|*</p></td></tr>\n'
        "{% if links.address %}"))
    path = config.resolve("digest.toml")
    path.write_text(path.read_text().replace("[email]\n", '[email]\ntemplates_dir = "templates"\n'
                                             'subject = "*|FNAME|*, the week in reviews"\n'))
    config = load_config(path)
    with Store.open(config.store_path) as store, pytest.raises(MergeTagError) as caught:
        run_once(config, store, FixedClock(MONDAY), week=W20, stale_ok=True)
    message = str(caught.value)
    assert "nobody (plain links) will not substitute" in message
    assert "merge tags: none; plain links from email.unsubscribe_url, email.postal_address" in message
    assert "'*|UPDATE_PROFILE|*' in the HTML part, line " in message
    assert "'*|FNAME|*' in the subject\n" in message and "'*|FNAME|*' in the Subject header" in message
    assert "*|UNSUB|*" not in message  # the footer's own link is the plain URL
    assert not (tmp_path / "out" / "2025-W20").exists()
    with Store.open(config.store_path) as store:
        assert store.delivered_at("2025-W20", "smtp") is None


def test_a_tag_as_a_plain_value_is_refused_at_load(tmp_path: Path) -> None:
    config = job_config(tmp_path, delivery={"method": "smtp"}, smtp=smtp_settings(25))
    path = with_email(config, 'unsubscribe_url = "*|UNSUB|*"\npostal_address = "1 Main St, Springfield"')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "email (line" in str(caught.value)
    assert "unsubscribe_url '*|UNSUB|*' is a merge tag, but with delivery.method = smtp nobody substitutes" \
        in str(caught.value)


def test_plain_links_are_percent_encoded_and_mailto_is_a_header_target(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    path = with_email(config, 'unsubscribe_url = "mailto:leave@reviews.example?subject=Unsubscribe me"\n'
                              'postal_address = "1 Main St, Springfield"')
    settings = load_config(path).email
    assert settings.unsubscribe == "mailto:leave@reviews.example?subject=Unsubscribe%20me"
    from digest.mail.output import list_unsubscribe

    assert list_unsubscribe(load_config(path)) == ["mailto:leave@reviews.example?subject=Unsubscribe%20me"]


def test_feed_text_and_urls_are_never_taken_for_tags() -> None:
    hostile = "*|UNSUB|* {{ unsubscribe }} {% if x %} {$url} <%name%> %recipient.email% [unsubscribe] ::name::"
    assert [t.tag for t in foreign_tags(hostile, "plain")] == [
        "*|UNSUB|*", "{{ unsubscribe }}", "{% if x %}", "{$url}", "<%name%>", "%recipient.email%",
        "[unsubscribe]", "::name::"]
    assert foreign_tags(neutralise(hostile), "plain") == []
    urls = "https://reviews.example/caf%C3%A9-%E2%80%99s/?q=100%25&x=%ed%95%9c width:100%; 50% off"
    assert foreign_tags(urls, "plain") == []
    assert foreign_tags("<a href='*|UNSUB|*'>", "mailchimp") == []
    assert [t.tag for t in foreign_tags("<a href='{{ unsubscribe }}'>", "mailchimp")] == ["{{ unsubscribe }}"]
    assert foreign_tags(hostile, "custom") == []


@pytest.mark.parametrize("mailer", sorted(MAILER_TAGS))
def test_the_guard_passes_each_mailers_own_email_and_hostile_feed_text(tmp_path: Path, mailer: str) -> None:
    email: dict[str, Any] = {"mailer": mailer, "postal_address": "1200 W. Example Avenue, Chicago, IL 60607"}
    if mailer in ("custom", "plain"):
        email["unsubscribe_url"] = "https://butwhytho.example/newsletter/unsubscribe/?list=weekly&u=%C3%A9"
    config = email_config(tmp_path, **email)
    for selection in (realistic_selection(), hostile_selection()):
        rendered = render_issue(config, selection)
        assert unresolved_tags(config, rendered, build_eml(config, rendered, MONDAY)) == [], mailer
    swapped = "{{ unsubscribe }}" if mailer not in ("custom", "brevo", "sendgrid", "mailgun", "buttondown",
                                                    "listmonk", "kit") else "*|UNSUB|*"
    rendered = render_issue(config, realistic_selection())
    broken = replace(rendered, text=rendered.text + f"\nManage your subscription: {swapped}\n")
    found = unresolved_tags(config, broken)
    if mailer == "custom":
        assert found == []  # the editor vouches that the system downstream substitutes any syntax
    else:
        line = broken.text.count("\n")
        assert found == [f"{swapped!r} in the text part, line {line}"]
