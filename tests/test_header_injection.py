"""No feed text may create, remove or reorder a header, or start the body.

An RFC 2047 encoded word in a review's title (``=?utf-8?q?...?=``) whose decoded text holds
CR/LF is decoded by Python's email package when the Subject is set and written back out as real
line breaks on Python before 3.11.10/3.12.5 (this is 3.11.7): a Bcc appears, or a blank line ends
the headers and the title becomes the body. The attack runs here through the real collect (a
WordPress feed served on 127.0.0.1), the real build and a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner
from email_fixtures import email_config, realistic_selection
from helpers.smtp import Inbox, smtp_server
from helpers.wordpress import WordPressSite, make_posts
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Fake
from test_jobs_support import FixedClock, job_config, local, table
from test_services import Builder
from test_services import run as run_services
from test_services import write_config as write_service_config
from test_services_extra import notify_settings

from digest.cli.base import Context
from digest.cli.job import send_test as send_test_command
from digest.errors import DeliveryError, LintError
from digest.job.run import run_once
from digest.job.services import notify
from digest.mail import output, render
from digest.mail.output import build_eml
from digest.mail.render import render_issue
from digest.mail.serialise import serialise, set_subject
from digest.mailers import header_line
from digest.settings.config import Config, load_config
from digest.store.database import Store

IMPORT = "import-1234@lists.mailer.example"
SENDER = "Second Screen digest <digest@secondscreen.example>"
MONDAY = local(2025, 5, 19, 8)
BCC = "=?utf-8?q?Hi=0D=0ABcc:_evil@attacker.example?="
BODY = "=?utf-8?q?Hi=0D=0A=0D=0AYou_won!_https://evil.example/?="  # the subject keeps 60
BASE64 = "=?UTF-8?B?SGkNClJlcGx5LVRvOiB4QGV2aWwuZXhhbXBsZQ==?="  # "Hi\r\nReply-To: x@evil.example"
ATTACKS = {"bcc": BCC, "body": BODY, "base64-reply-to": BASE64}
# What the build writes, in this order; nothing more, nothing less.
ISSUE_HEADERS = ["Subject", "From", "To", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post",
                 "X-Digest-Issue", "MIME-Version",
                 "Content-Type"]


def feed(httpserver: HTTPServer, hero_title: str) -> str:
    """A WordPress feed of the demo week whose best-scored review carries ``hero_title``."""
    posts = make_posts(5, newest=datetime(2025, 5, 16, 14, tzinfo=UTC))
    hero = posts[0]
    site = WordPressSite(posts)
    site.edit(hero.id, title=hero_title, body="<p>Our verdict.</p><p><strong>Score: 9/10</strong></p>")
    httpserver.expect_request("/feed/").respond_with_data(site.page(1) or b"",
                                                          content_type="application/rss+xml; charset=UTF-8")
    return httpserver.url_for("/feed/")


def smtp_config(folder: Path, port: int, feed_url: str) -> Config:
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5, "from": SENDER,
            "to": [IMPORT]}
    return job_config(folder, delivery={"method": "smtp"}, smtp=smtp, feeds=[feed_url])


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def shown(text: str) -> str:
    """What a reader sees: zero-width characters are invisible."""
    return text.replace("\u200b", "")


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_encoded_word_in_a_title_adds_no_header_no_recipient_and_no_body(
    tmp_path: Path, httpserver: HTTPServer, attack: str,
) -> None:
    title = f"REVIEW: {ATTACKS[attack]}"
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = smtp_config(tmp_path, port, feed(httpserver, title))
        with Store.open(config.store_path) as store:
            outcome = run_once(config, store, FixedClock(MONDAY))
            assert store.delivered_at("2025-W20", "smtp") is not None, outcome
    assert outcome.delivery_error is None and outcome.delivery is not None
    out = config.output_root() / "2025-W20"
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert [(sender, rcpts) for sender, rcpts, _ in inbox.messages] == [
        ("digest@secondscreen.example", [IMPORT])]
    for raw, headers in ((inbox.messages[0][2], ISSUE_HEADERS),
                         ((out / "digest.eml").read_bytes(), [h for h in ISSUE_HEADERS if h != "To"])):
        message = parse(raw)
        assert list(message) == headers, raw[:600]
        assert not message.defects
        subject = message["Subject"]
        assert "\r" not in subject and "\n" not in subject
        assert shown(subject).startswith(ATTACKS[attack]), subject  # shown as the site wrote it
        assert ATTACKS[attack] not in subject  # but no decoder can recognise it
        plain, html = message.get_body(("plain",)), message.get_body(("html",))
        assert plain is not None and html is not None
        assert plain.get_content().replace("\r\n", "\n") == text  # the body is the issue, unchanged
        assert message.get_content_type() == "multipart/alternative"


def test_the_same_titles_reach_a_reader_unchanged_in_the_html_and_text(
    tmp_path: Path, httpserver: HTTPServer,
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = smtp_config(tmp_path, port, feed(httpserver, f"REVIEW: {BCC} & Friends"))
        with Store.open(config.store_path) as store:
            run_once(config, store, FixedClock(MONDAY))
    out = config.output_root() / "2025-W20"
    html = (out / "digest.html").read_text(encoding="utf-8")
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert f"{BCC} &amp; Friends" in shown(html) and BCC not in html
    assert f"{BCC} & Friends" in shown(text) and BCC not in text


@pytest.mark.parametrize("word", [BCC, BODY, BASE64, "=?iso-8859-1*en?q?Caf=E9?=", "=?utf-8?Q?a?==?utf-8?q?b?=",
                                  "=?us-ascii?q?=0A?= =?x?b?DQo=?="])
def test_header_line_leaves_no_encoded_word_for_any_decoder_and_is_idempotent(word: str) -> None:
    line = header_line(f"Title:\r\n  {word}\tend")
    assert header_line(line) == line and "=?" not in line and shown(line) == f"Title: {word} end"
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = line  # even Python's own setter finds nothing to decode
    assert str(message["Subject"]) == line
    assert parse(bytes(message))["Subject"] == line


# -- the check behind the neutralising: break the neutralising on purpose, nothing leaves -------------


def one_line_only(text: str) -> str:
    """``header_line`` without its defence against encoded words: a missed entry point."""
    return " ".join(text.split())


def python_sets(message: EmailMessage, subject: str) -> None:
    """``set_subject`` as Python would do it: the encoded word is decoded, CR/LF and all."""
    message["Subject"] = subject


def break_defences(patch: pytest.MonkeyPatch, *modules: object) -> None:
    """Every defence before the read-back check undone in ``modules``."""
    for module in modules:
        for name, stand_in in (("header_line", one_line_only), ("set_subject", python_sets),
                               ("neutralise", lambda text: text)):
            if hasattr(module, name):
                patch.setattr(module, name, stand_in)


def test_the_read_back_check_names_the_header_a_subject_would_make() -> None:
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = BCC  # set raw: on this Python it serialises as two headers
    message["From"] = SENDER
    message.set_content("The week's best reviews\n")
    with pytest.raises(DeliveryError, match=r"^the 2025-W20 email was not sent or written: .*a Bcc header "
                                            r"that was never built"):
        serialise(message, "the 2025-W20 email", subject=BCC)
    quiet = EmailMessage(policy=email.policy.SMTP)
    quiet["Subject"] = "=?utf-8?q?Free_tickets?="  # no line break, but not the text that was meant
    quiet["From"] = SENDER
    quiet.set_content("The week's best reviews\n")
    with pytest.raises(DeliveryError, match=r"its Subject is 'Free tickets' instead of "):
        serialise(quiet, "the 2025-W20 email", subject="=?utf-8?q?Free_tickets?=")
    inert = header_line(BCC)
    fine = EmailMessage(policy=email.policy.SMTP)
    fine["Subject"] = inert
    fine["From"] = SENDER
    fine.set_content("The week's best reviews\n")
    assert parse(serialise(fine, "the 2025-W20 email", subject=inert))["Subject"] == inert


# Python 3.11's own folding of these does not read back as set: a lost space, a leading space.
HARD_TO_FOLD = [
    "Review Obscur’ )✓Obscur’ : : ‘Clair 日本Obscur’ é(…日本日本…The é— 9/10 ; of ‘Clair éReview",
    "Sunderfolk Is A Stunning, Heartbreaking Game; and 3 more of the week's best",
]


@pytest.mark.parametrize("subject", HARD_TO_FOLD)
def test_a_subject_python_folds_wrongly_is_refused_and_set_subject_writes_it_exactly(subject: str) -> None:
    def message(set_by_python: bool) -> EmailMessage:
        made = EmailMessage(policy=email.policy.SMTP)
        if set_by_python:
            made["Subject"] = subject
        else:
            set_subject(made, subject)
        made["From"] = SENDER
        made.set_content("The week's best reviews\n")
        return made

    with pytest.raises(DeliveryError, match=r"its Subject is .* instead of "):
        serialise(message(set_by_python=True), "the 2025-W20 email", subject=subject)
    raw = serialise(message(set_by_python=False), "the 2025-W20 email", subject=subject)
    assert parse(raw)["Subject"] == subject
    assert all(len(line) <= 78 for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"))


def test_long_subjects_of_every_kind_read_back_exactly(tmp_path: Path) -> None:
    config = email_config(tmp_path)
    rendered = render_issue(config, realistic_selection())
    words = ["‘Clair", "Obscur:", "Expedition", "33’", "Heartbreaking…", "(9.5/10)", "+", "8", "more", "—",
             "Pokémon", "日本語", "“Sinners”", ";", "👩‍👩‍👧", "e\u0301", "Review", "x" * 90]
    for n in range(1, 120):
        subject = " ".join(words[(n * k) % len(words)] for k in range(n % 23 + 1))
        prefix = "[TEST] " * (n % 2)
        raw = build_eml(config, replace(rendered, subject=subject), MONDAY, subject_prefix=prefix)
        assert parse(raw)["Subject"] == prefix + subject, subject


def test_a_build_whose_eml_reads_back_differently_writes_nothing(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    break_defences(monkeypatch, render, output)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = smtp_config(tmp_path, port, feed(httpserver, f"REVIEW: {BCC}"))
        with Store.open(config.store_path) as store:
            with pytest.raises(LintError, match=r"^the 2025-W20 email was not sent or written: .* Bcc header"):
                run_once(config, store, FixedClock(MONDAY))
            assert store.issue("2025-W20") is None
    assert not (config.output_root() / "2025-W20").exists() and inbox.messages == []


def old_build(subject: str) -> Builder:
    """An issue built by an earlier digest: its stored subject still holds a raw encoded word."""
    return Builder(subject=subject)


def test_an_old_build_with_an_encoded_word_is_sent_inert_and_never_as_built_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    subject = f"Best of the week: {BCC}"
    inbox = Inbox()
    with smtp_server(inbox) as port:
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5, "from": SENDER,
                "to": [IMPORT]}
        config = job_config(tmp_path, delivery={"method": "smtp"}, smtp=smtp)
        with Store.open(config.store_path) as store:
            with monkeypatch.context() as broken:
                break_defences(broken, output)
                refused = run_once(config, store, FixedClock(MONDAY), collect=False, builder=old_build(subject))
                assert store.delivered_at("2025-W20", "smtp") is None and inbox.messages == []
                test_send = CliRunner().invoke(send_test_command, ["--to", "editor@secondscreen.example"],
                                               obj=Context(tmp_path / "digest.toml"))
                assert inbox.messages == []
            sent = run_once(config, store, FixedClock(MONDAY), collect=False)
            assert store.delivered_at("2025-W20", "smtp") is not None
    assert refused.delivery_error is not None
    assert refused.delivery_error.startswith(
        "delivery of 2025-W20 by smtp failed: the 2025-W20 email was not sent or written: read back as a "
        "mail client reads it, it has a Bcc header that was never built.")
    assert test_send.exit_code == 2 and "Bcc header that was never built" in test_send.output
    assert sent.delivery_error is None and [r for _, r, _ in inbox.messages] == [[IMPORT]]
    message = parse(inbox.messages[0][2])
    assert list(message) == ISSUE_HEADERS and shown(message["Subject"]) == subject


# -- the "draft ready" mail and the services' subjects --------------------------------------------------


def test_the_draft_ready_mail_and_the_campaign_subject_carry_no_encoded_word(
    tmp_path: Path, mailchimp: Fake, monkeypatch: pytest.MonkeyPatch,
) -> None:
    subject = f"Best of the week: {BODY}"
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = load_config(write_service_config(tmp_path, mailchimp, notify=notify_settings(port)))
        with Store.open(config.store_path) as store:
            with monkeypatch.context() as broken:
                break_defences(broken, notify)
                refused = run_services(config, store, builder=old_build(subject))
            assert inbox.messages == []
            sent = run_services(config, store, at=local(2025, 5, 19, 11))
    assert refused.delivery_error is not None
    assert ("but the draft-ready notice failed: the draft-ready notice of 2025-W20 was not sent or written: "
            "read back as a mail client reads it, its From, To, Date, Message-ID, Content-Type, "
            "Content-Transfer-Encoding, MIME-Version headers are missing (a line break ended the headers early)"
            ) in refused.delivery_error
    assert sent.delivery_error is None and len(inbox.messages) == 1
    note = parse(inbox.messages[0][2])
    assert list(note) == ["Subject", "From", "To", "Date", "Message-ID", "Content-Type",
                          "Content-Transfer-Encoding", "MIME-Version"]
    assert shown(note["Subject"]) == f"Draft ready to approve: {subject}" and BODY not in note["Subject"]
    assert "Approve it: " in note.get_content()
    campaign = mailchimp.only
    assert shown(campaign["subject"]) == subject and BODY not in campaign["subject"]


# -- an editor's own subject line ---------------------------------------------------------------------

CUSTOM = "Tom & Jerry's pick:\n{{ hero.title }}\r\n& {{ top | length }} more"
HERO = "REVIEW: Rock & Roll's 'Last' Stand"
MEANT = "Tom & Jerry's pick: Rock & Roll's 'Last' Stand & 3 more"


def custom_subject_config(folder: Path, feed_url: str, delivery: dict[str, Any],
                          **tables: dict[str, Any]) -> Config:
    config = job_config(folder, feeds=[feed_url])
    path = folder / "digest.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count("[email]\n") == 1  # the plain unsubscribe link and address a files/smtp build needs
    text = text.replace("[email]\n", table("email", {"subject": CUSTOM}).lstrip("\n"), 1)
    text += table("delivery", delivery) + "".join(table(name, values) for name, values in tables.items())
    path.write_text(text, encoding="utf-8")
    assert config.email.subject is None  # the file as job_config wrote it; reload with the additions
    return load_config(path)


def test_a_custom_subject_with_ampersands_apostrophes_and_line_breaks_reads_as_written(
    tmp_path: Path, httpserver: HTTPServer, mailchimp: Fake,
) -> None:
    feed_url = feed(httpserver, HERO)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5, "from": SENDER,
                "to": [IMPORT]}
        by_smtp = custom_subject_config(tmp_path / "smtp", feed_url, {"method": "smtp"},
                                        **{"delivery.smtp": smtp})
        with Store.open(by_smtp.store_path) as store:
            mailed = run_once(by_smtp, store, FixedClock(MONDAY))
    by_service = custom_subject_config(tmp_path / "service", feed_url, {"method": "mailchimp"},
                                       **{"delivery.mailchimp": mailchimp.settings()})
    with Store.open(by_service.store_path) as store:
        drafted = run_once(by_service, store, FixedClock(MONDAY))
    assert mailed.delivery_error is None and drafted.delivery_error is None
    assert mailed.subject == drafted.subject == MEANT
    message = parse(inbox.messages[0][2])
    assert message["Subject"] == MEANT and list(message) == ISSUE_HEADERS
    out = by_smtp.output_root() / "2025-W20"
    assert parse((out / "digest.eml").read_bytes())["Subject"] == MEANT
    page = lxml.html.fromstring((out / "digest.html").read_bytes())
    assert page.findtext(".//title") == MEANT  # escaped once for HTML, read back as written
    assert page.xpath("string(//div[@role='article']/@aria-label)") == MEANT
    plain = message.get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    assert "Rock & Roll's 'Last' Stand" in text
    assert not any(entity in text for entity in ("&amp;", "&#39;", "&#x27;", "&quot;"))
    assert mailchimp.only["subject"] == MEANT


@pytest.mark.parametrize("service", sorted(FAKES))
def test_every_service_gets_the_subject_inert(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, service: str,
) -> None:
    fake = FAKES[service](httpserver)
    for name in ("DIGEST_MAILCHIMP_API_KEY", "DIGEST_BUTTONDOWN_API_KEY", "DIGEST_KIT_API_KEY",
                 "DIGEST_LISTMONK_TOKEN", "DIGEST_BREVO_API_KEY", "DIGEST_MAILERLITE_API_KEY"):
        monkeypatch.setenv(name, KEY)
    subject = f"Best of the week:  {BCC}\tand 3 more"
    config = load_config(write_service_config(tmp_path, fake))
    with Store.open(config.store_path) as store:
        outcome = run_services(config, store, builder=old_build(subject))
    assert outcome.delivery_error is None and fake.violations == []
    sent = fake.only["subject"]
    assert shown(sent) == " ".join(subject.split()) and "=?" not in sent and "\n" not in sent
