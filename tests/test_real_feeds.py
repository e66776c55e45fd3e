"""Every captured real feed in tests/data/feeds/real, served byte for byte by a local HTTP server and
collected into a real store, with each capture's real-world quirk asserted.

The files are read-only test data (see SOURCES.md there); nothing here modifies them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.configfile import Clock, make_config
from helpers.data import REAL_FEEDS
from helpers.server import FeedServer

from digest.collect.collector import run_collect
from digest.models import FeedOutcome
from digest.store.database import Store, StoredEntry


@pytest.fixture
def clock() -> Clock:
    """After the last capture (March 2026): a post dated after "now" would be read as a broken date."""
    return Clock(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))


FEEDBURNER = "p1_wordpress_feedburner_ridingwiththewindowdown_movie_ratings_2012.xml"
GDSTAR = "p1_wordpress_gdstarrating_plugin_markup_de_2012.xml"
POPTIMAL = "p1_wordpress_poptimal_popculture_reviews_grades_2012.xml"
TECHCRUNCH = "p1_wordpresscom_techcrunch_media_content.xml"
GHOST = "p2_ghost_rss_itsfoss.xml"
MEDIUM = "p2_medium_rss_content_encoded.xml"
WINDOWS1251 = "p3_encoding_windows1251_oren_ru.xml"
MYANIMELIST = "p3_malformed_myanimelist_undefined_html_entity.xml"
ANDROID_AUTHORITY = "p3_malformed_wordpress_androidauthority_blank_lines_before_xmldecl.xml"

# file -> (items, the Content-Type a server of that kind sends)
CAPTURES = {
    FEEDBURNER: (200, "text/xml; charset=UTF-8"),
    GDSTAR: (10, "application/rss+xml; charset=UTF-8"),
    POPTIMAL: (50, "application/rss+xml; charset=UTF-8"),
    TECHCRUNCH: (20, "application/rss+xml; charset=UTF-8"),
    GHOST: (15, "application/rss+xml; charset=utf-8"),
    MEDIUM: (7, "text/xml; charset=utf-8"),
    WINDOWS1251: (10, "application/rss+xml"),
    MYANIMELIST: (20, "application/rss+xml; charset=UTF-8"),
    ANDROID_AUTHORITY: (10, "application/rss+xml; charset=UTF-8"),
}

# Read from the file itself (decoded as windows-1251): the first item's title.
OREN_TITLE = "В Бузулуке главные стройплощадки – детсад и Ледовый дворец"


def collect_file(
    name: str, server: FeedServer, tmp_path: Path, store: Store, clock: Clock, content_type: str | None = None
) -> tuple[FeedOutcome, list[StoredEntry]]:
    body = (REAL_FEEDS / name).read_bytes()
    url = server.feed(f"/feeds/{name}", body, content_type=content_type or CAPTURES[name][1])
    (outcome,) = run_collect(make_config(tmp_path, [url]), store, clock).outcomes
    assert server.requests_to(f"/feeds/{name}")
    return outcome, store.entries()


def test_the_capture_folder_is_what_this_file_expects(real_feeds: Path) -> None:
    # A new capture must get its own expectations here; a missing one is a broken checkout.
    assert {p.name for p in real_feeds.glob("*.xml")} == set(CAPTURES)


def test_sources_names_where_every_capture_came_from(real_feeds: Path) -> None:
    """Vendored captures are other sites' text: SOURCES.md keeps one row per file with its origin."""
    rows = [line.split("|") for line in (real_feeds / "SOURCES.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| p")]
    assert sorted(row[1].strip() for row in rows) == sorted(CAPTURES)
    for row in rows:
        assert " @ " in row[2] and "/" in row[2], row  # repository / path @ commit


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_every_real_feed_is_collected_whole(
    real_feeds: Path, name: str, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    items, _ = CAPTURES[name]
    outcome, entries = collect_file(name, feed_server, tmp_path, store, clock)
    assert outcome.status == "ok", outcome.error
    assert (outcome.new, outcome.pages) == (items, 1)
    assert len(entries) == items
    url = outcome.url
    # One real FeedBurner post has `<title />`; it is kept (by its guid), untitled.
    assert sum(not e.title for e in entries) == (1 if name == FEEDBURNER else 0)
    for entry in entries:
        assert entry.link.startswith(("http://", "https://")), entry.link
        assert entry.feeds == (url,)
        assert entry.published_from_feed  # every capture dates every item
    # Collected again, the same bytes change nothing.
    clock.advance(hours=1)
    (again,) = run_collect(make_config(tmp_path, [url]), store, clock).outcomes
    assert (again.new, again.updated, again.unchanged) == (0, 0, items)


def test_feedburner_items_link_to_the_site_not_to_feedproxy(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    raw = (real_feeds / FEEDBURNER).read_bytes()
    assert raw.count(b"<link>http://feedproxy.google.com/") == 200  # the quirk is in the file
    outcome, entries = collect_file(FEEDBURNER, feed_server, tmp_path, store, clock)
    assert outcome.new == 200
    assert all(e.link.startswith("http://www.ridingwiththewindowdown.com/") for e in entries)
    assert all(e.uid.startswith("http://www.ridingwiththewindowdown.com/") for e in entries)
    untitled = store.entry_by_uid("http://www.ridingwiththewindowdown.com/2010/09/06/2233/")
    assert untitled is not None and untitled.title == "" and "Last.fm" in untitled.content


@pytest.mark.parametrize(
    "content_type",
    [
        "application/rss+xml",  # no charset: the XML declaration's windows-1251 decides
        "text/xml; charset=windows-1251",  # the server says it too
        "text/xml",  # RFC 3023 would mean us-ascii; the declaration still wins
        "application/rss+xml; charset=UTF-8",  # a misconfigured server: the bytes are not UTF-8
    ],
)
def test_windows_1251_titles_come_out_intact(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock, content_type: str
) -> None:
    raw = (real_feeds / WINDOWS1251).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert OREN_TITLE in raw.decode("cp1251")

    outcome, entries = collect_file(WINDOWS1251, feed_server, tmp_path, store, clock, content_type)
    assert outcome.new == 10
    titles = {e.title for e in entries}
    assert OREN_TITLE in titles
    assert "ЧОПовцы в Оренбурге избили молодого человека" in titles
    assert not any("\ufffd" in t or "Ð" in t or "Ã" in t for t in titles)  # no mojibake
    assert all(e.link.startswith("http://www.oren.ru/") for e in entries)


@pytest.mark.parametrize(("name", "items"), [(TECHCRUNCH, 20), (ANDROID_AUTHORITY, 10)])
def test_whitespace_before_the_xml_declaration_is_read_fully(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock, name: str, items: int
) -> None:
    raw = (real_feeds / name).read_bytes()
    assert raw[:1] == b"\n" and not raw.startswith(b"<?xml")  # the quirk is in the file
    outcome, entries = collect_file(name, feed_server, tmp_path, store, clock)
    assert (outcome.status, outcome.new, outcome.warning) == ("ok", items, None)
    assert all(e.content for e in entries)
    if name == ANDROID_AUTHORITY:
        assert "Japan’s plans for 5G include 10 billion 14-digit phone numbers" in {e.title for e in entries}
    else:
        assert all(e.images and e.images[0].source == "media:content" for e in entries)


def test_myanimelist_undefined_entity_is_read_leniently_with_a_warning(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    outcome, entries = collect_file(MYANIMELIST, feed_server, tmp_path, store, clock)
    assert (outcome.status, outcome.new) == ("ok", 20)
    assert outcome.warning is not None and "undefined entity" in outcome.warning
    assert any("Eisen Flügel" in e.summary for e in entries)  # &uuml; read as the letter it means
    assert all(e.images and e.images[0].source == "media:thumbnail" for e in entries)


def test_ghost_feed_shape(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    outcome, entries = collect_file(GHOST, feed_server, tmp_path, store, clock)
    assert (outcome.new, outcome.warning) == (15, None)
    # Ghost's guid is an opaque id, not a URL: it is still the identity.
    assert store.entry_by_uid("69b3ed721d9a3500018e6733") is not None
    assert all(e.content and e.author and e.categories for e in entries)
    assert all(any(i.source == "media:content" for i in e.images) for e in entries)
    assert all(e.comments is None for e in entries)  # Ghost has no slash:comments


def test_medium_feed_shape(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    outcome, entries = collect_file(MEDIUM, feed_server, tmp_path, store, clock)
    assert (outcome.new, outcome.warning) == (7, None)
    creative = store.entry_by_uid("https://medium.com/p/125af37d838f")
    assert creative is not None
    assert creative.title == "THE CREATIVE FORAGER"
    assert creative.author == "Jeremy Puma"
    assert {"foraging", "food"} <= set(creative.categories)
    assert len(creative.content) > 1000  # content:encoded, the whole article
    assert all(e.comments is None for e in entries)


def test_poptimal_comment_counts_and_categories(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    outcome, entries = collect_file(POPTIMAL, feed_server, tmp_path, store, clock)
    assert outcome.new == 50
    assert all(e.comments is not None for e in entries)
    assert all(len(e.categories) >= 5 for e in entries)
    assert store.count("entry_categories") == 598  # every <category> of every item, none lost
    assert store.count("comment_observations") == 50
    assert sum("Grade:" in e.content for e in entries) == 3
    wario = store.entry_by_uid("http://poptimal.com/?p=79177")
    assert wario is not None
    assert wario.title == "E3 2012 – Nintendo Announces “Game & Wario” for the Wii U"
    assert wario.author == "Bilal Mian"
    assert wario.categories[:3] == ("Video Games", "Game & Wario", "Intelligent Systems")


def test_gd_star_rating_markup_is_kept_raw(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    outcome, entries = collect_file(GDSTAR, feed_server, tmp_path, store, clock)
    assert outcome.new == 10
    assert sum("gd-star-rating" in e.content for e in entries) == 10
    assert any("Rating: 7.2/<strong>10</strong>" in e.content for e in entries)
    assert sum(e.comments or 0 for e in entries) > 0


def test_all_real_feeds_in_one_collect(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    urls = [
        feed_server.feed(f"/feeds/{name}", (real_feeds / name).read_bytes(), content_type=content_type)
        for name, (_, content_type) in sorted(CAPTURES.items())
    ]
    report = run_collect(make_config(tmp_path, urls), store, clock)
    assert not report.failed
    assert [o.new for o in report.outcomes] == [items for _, (items, _) in sorted(CAPTURES.items())]
    assert store.count("entries") == sum(items for items, _ in CAPTURES.values())
