"""What reaches readers and terminals: every mailer's tag syntax inert, no bidi tricks in the
subject, third-party images named (or dropped), control characters never printed, and a preview
that answers only to its own name."""

from __future__ import annotations

import http.client
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from email_fixtures import email_config, realistic_selection
from helpers.configfile import make_config

from digest.cli.base import terminal_safe
from digest.cli.main import main as cli
from digest.desk.preview import make_server
from digest.mail.render import render_issue
from digest.mailers import MAILER_TAGS, TAG_SYNTAX
from digest.models import FeedEntry, ImageHint, Selection
from digest.settings.config import Config
from digest.store.database import Store

ADDRESS = "But Why Tho? Media LLC, 1234 Main St, Springfield, IL 62701, USA"
EVERY_FORM = sorted({form for forms in TAG_SYNTAX.values() for form in forms})
HOSTILE = " ".join(EVERY_FORM)


def _config(tmp_path: Path, mailer: str, **extra: object) -> Config:
    settings: dict[str, object] = {"mailer": mailer, **extra}
    if MAILER_TAGS[mailer].address is None:
        settings["postal_address"] = ADDRESS
    if mailer == "custom":
        settings["unsubscribe_url"] = "<%asm_group_unsubscribe_raw_url%>"
    if mailer == "plain":
        settings["unsubscribe_url"] = "https://butwhytho.example/newsletter/unsubscribe/"
    return email_config(tmp_path, **settings)


def _with_hero(selection: Selection, **changes: object) -> Selection:
    hero = selection.top[0]
    return replace(selection, top=(replace(hero, review=replace(hero.review, **changes)), *selection.top[1:]))


def test_every_mailer_has_its_tag_syntax_listed() -> None:
    assert set(TAG_SYNTAX) == set(MAILER_TAGS)  # a new service needs its forms here, and a test below


@pytest.mark.parametrize("mailer", sorted(MAILER_TAGS))
def test_every_tag_syntax_in_titles_and_tldrs_is_inert_for_each_mailer(tmp_path: Path, mailer: str) -> None:
    config = _config(tmp_path, mailer)
    clean = render_issue(config, realistic_selection())
    hostile = render_issue(config, _with_hero(realistic_selection(), title=f"REVIEW: {HOSTILE}",
                                              tldr=f"Read this {HOSTILE}"))
    for form in TAG_SYNTAX[mailer] + tuple(EVERY_FORM):
        for kind in ("html", "text"):
            before, after = getattr(clean, kind), getattr(hostile, kind)
            # a form the template itself uses (the real unsubscribe tag) appears no more often than before
            assert after.count(form) == before.count(form), (mailer, kind, form)
        assert form not in hostile.subject and form not in hostile.preheader, (mailer, form)
    assert "Read this" in hostile.text and "Read this" in hostile.html


def test_bidi_overrides_never_reach_the_subject_or_the_title(tmp_path: Path) -> None:
    config = _config(tmp_path, "mailchimp")
    trick = "REVIEW: \u202eevil\u202c \u2067Movie\u2069 \u200fgood"
    rendered = render_issue(config, _with_hero(realistic_selection(), title=trick, tldr="\u202dTL;DR\u202c"))
    for text in (rendered.subject, rendered.html, rendered.text, rendered.preheader):
        assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200f")
    assert "evil Movie good" in rendered.html


def test_third_party_images_are_named_or_dropped(tmp_path: Path) -> None:
    tracker = ImageHint("https://pixel.tracker.example/hero.jpg", "content", 1200, 675)
    cdn = ImageHint("https://i0.wp.com/butwhytho.example/hero.jpg", "content", 1200, 675)
    selection = _with_hero(realistic_selection(), image=tracker)
    second = selection.top[1]
    second = replace(second, review=replace(second.review, image=cdn))
    selection = replace(selection, top=(selection.top[0], second, *selection.top[2:]))
    warned = render_issue(_config(tmp_path / "warn", "mailchimp"), selection)
    assert [w for w in warned.lint_warnings if "third party" in w] == [
        '1 image from i0.wp.com, a third party that sees every open: list it in email.image_hosts if it is '
        'the site\'s, or set email.image_policy = "drop"',
        '1 image from pixel.tracker.example, a third party that sees every open: list it in email.image_hosts '
        'if it is the site\'s, or set email.image_policy = "drop"']
    assert "pixel.tracker.example" in warned.html
    dropping = _config(tmp_path / "drop", "mailchimp", image_policy="drop", image_hosts=["i0.wp.com"])
    dropped = render_issue(dropping, selection)
    assert "pixel.tracker.example" not in dropped.html and "i0.wp.com" in dropped.html
    assert [w for w in dropped.lint_warnings if "third party" in w] == [
        '1 image from pixel.tracker.example, a third party that sees every open: left out '
        '(email.image_policy = "drop")']
    own = render_issue(_config(tmp_path / "own", "mailchimp"), realistic_selection())
    assert not [w for w in own.lint_warnings if "third party" in w]  # the site's own uploads


def test_terminal_output_has_no_control_or_bidi_characters(tmp_path: Path) -> None:
    assert terminal_safe("a\x1b]0;owned\x07b\x1b[2Jc\u202ed\x9b31m\te\nf") == "a]0;ownedb[2Jcd31m\te\nf"
    config = make_config(tmp_path, ["feed.xml"], timezone="UTC")
    title = "REVIEW: \x1b[2J\x1b]0;pwned\x07Evil \u202eFilm"
    body = "<p>\x1b[31mRed</p><p>Rating: 8/10</p>"
    entries = [FeedEntry(f"u{n}", f"https://reviews.example/{n}/", title if n == 0 else f"REVIEW: Film {n}",
                         "Critic\x1b[0m", ("Reviews",), datetime(2024, 5, 15, 12, n, tzinfo=UTC), body, body, 0)
               for n in range(4)]
    with Store.open(config.store_path) as store:
        store.save_entries("feed.xml", tuple(entries), datetime(2024, 5, 16, tzinfo=UTC))
    runner = CliRunner()
    base = ["--config", str(tmp_path / "digest.toml")]
    listed = runner.invoke(cli, [*base, "reviews", "--week", "2024-W20"])
    explained = runner.invoke(cli, [*base, "explain", "--week", "2024-W20", "--now", "2024-05-20T08:00"])
    for result in (listed, explained):
        assert result.exit_code == 0, result.output
        assert "Evil Film" in result.output
        assert not any(c in result.output for c in "\x1b\x07\x9b\u202e"), repr(result.output)


def test_the_preview_answers_only_to_its_own_host_name(tmp_path: Path) -> None:
    server = make_server(tmp_path, port=0)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        def get(host: str) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/state.json", headers={"Host": host})
            status = connection.getresponse().status
            connection.close()
            return status

        assert get(f"127.0.0.1:{port}") == 200 and get(f"localhost:{port}") == 200
        for rebound in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", ""):
            assert get(rebound) == 421, rebound
    finally:
        server.shutdown()
        server.server_close()
