"""``digest init`` on real review sites (tests/data/sites), served on loopback as their hosts served them.

What init writes around the scores: a timezone that fits the offsets the site's own dates carry, a
first collect that reaches the reviews the feeds hold, sections from the site's own taxonomy (or one
named after its reviews, never desks it does not have), and engine notes only for the engine found.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from helpers.sites import serve_site

from digest.cli import main
from digest.collect.feeds import parse_feed
from digest.reviews.rules import ReviewRules, reviews_in_window
from digest.settings.config import DEFAULT_SECTIONS, ReviewSettings, SectionSettings, load_config
from digest.setup.found import FoundFeed
from digest.setup.sections import propose_sections
from digest.store.database import Store

SITES = Path(__file__).resolve().parent / "data" / "sites"
DEFAULT_NAMES = {s.name for s in DEFAULT_SECTIONS}


def _init(site_name: str, tmp_path: Path) -> tuple[Path, str, str, str]:
    """The real ``digest init`` on a served corpus site: (config path, its text, init's output, home URL)."""
    target = tmp_path / f"{site_name}.toml"
    with serve_site(SITES / site_name) as site:
        result = CliRunner().invoke(main, ["init", site.url, "--config", str(target)])
        assert result.exit_code == 0, result.output
    return target, target.read_text(encoding="utf-8"), result.output, site.url


def _comment_above(text: str, key: str) -> str:
    """The comment lines just above ``key``: what init says about it."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
    start = at
    while start > 0 and lines[start - 1].startswith("#"):
        start -= 1
    return "\n".join(lines[start:at])


@pytest.mark.parametrize(("site_name", "seen"), [
    # Hugo feeds written at +0900 all year; no summer time.
    ("hugo-caalden-film", [datetime.fromisoformat("2025-11-04T23:29:37+09:00"),
                           datetime.fromisoformat("2022-08-17T17:18:04+09:00")]),
    # Three posts at +10:00, April to August (southern winter), the rest in UTC.
    ("hugo-scifibooksclub", [datetime.fromisoformat("2021-04-14T20:56:42+10:00"),
                             datetime.fromisoformat("2021-08-24T15:52:31+10:00")]),
    # Pelican's Atom feed: every date at -04:00, June and July.
    ("pelican-toomuchfreetime", [datetime.fromisoformat("2015-07-01T22:44:00-04:00"),
                                 datetime.fromisoformat("2015-06-21T00:08:00-04:00")]),
    # A half-hour offset: every dated item at +05:30, July 2022 to January 2024 (the undated
    # about/privacy pages say 0001-01-01 +00:00, which is no moment of the site's).
    ("hugo-atharvashah", [datetime.fromisoformat("2024-01-12T00:18:34+05:30"),
                          datetime.fromisoformat("2022-07-09T13:14:34+05:30")]),
])
def test_timezone_fits_every_offset_the_feeds_carry_and_asks_to_confirm(site_name: str, seen: list[datetime],
                                                                          tmp_path: Path) -> None:
    target, text, out, _ = _init(site_name, tmp_path)
    zone = tomllib.loads(text)["site"]["timezone"]
    assert zone != "UTC"
    for moment in seen:
        assert moment.astimezone(ZoneInfo(zone)).utcoffset() == moment.utcoffset(), (zone, moment)
    why = _comment_above(text, "timezone")
    offset = seen[0].isoformat()[-6:]
    assert offset in why and "confirm" in why and "UTC times" not in why
    assert f"timezone {zone}" in out and "confirm site.timezone" in out


def test_timezone_says_the_dates_were_all_utc_when_they_were(tmp_path: Path) -> None:
    _, text, _, _ = _init("ghost-333vinyl", tmp_path)
    assert tomllib.loads(text)["site"]["timezone"] == "UTC"
    why = _comment_above(text, "timezone")
    assert "all UTC (+00:00)" in why and "set site.timezone" in why


def test_first_collect_reaches_back_to_the_feeds_reviews_and_scores_them(tmp_path: Path) -> None:
    """caalden posts a film review every few months: with the default 21 days a first collect scored one."""
    target = tmp_path / "film.toml"
    with serve_site(SITES / "hugo-caalden-film") as site:
        runner = CliRunner()
        result = runner.invoke(main, ["init", site.url, "--config", str(target)])
        assert result.exit_code == 0, result.output
        text = target.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
        oldest = datetime.fromisoformat("2022-08-17T17:18:04+09:00")  # the feed's oldest review
        assert raw["reviews"]["page_max_age_days"] >= (datetime.now(oldest.tzinfo) - oldest).days
        assert "first collect" in _comment_above(text, "page_max_age_days")
        # As an editor would: collect a few days after the newest post, with only what init wrote.
        result = runner.invoke(main, ["--config", str(target), "collect", "--now", "2025-11-07T14:29", "-q"])
        assert result.exit_code == 0, result.output
    config = load_config(target)
    with Store.open(config.store_path) as store:
        found = reviews_in_window(store, ReviewRules.from_config(config),
                                  datetime.fromisoformat("2000-01-01T00:00:00+00:00"),
                                  datetime.fromisoformat("2100-01-01T00:00:00+00:00"))
    reviews = [r for r in found if r.is_review]
    assert len(reviews) == 19
    assert sum(1 for r in reviews if r.score is not None) >= 18  # one page in nineteen may lack a score
    # Every review lands in the site's one section, none in a default desk nor in "Other".
    assert {r.section for r in reviews} == {"Reviews"}


@pytest.mark.parametrize(("site_name", "sections"), [
    ("hugo-scifibooksclub", {"Reviews"}),  # the menu's "Reviews" link: /reviews/ holds every review
    ("hugo-caalden-film", {"Reviews"}),  # /film/reviews/, no menu entry, no categories
    ("ghost-333vinyl", {"Reviews"}),  # the "reviews" tag
    # Menu "Personal" mixes the reviews with quote collections and lists; no category in the feed.
    ("hugo-atharvashah", {"Reviews"}),
])
def test_sections_are_the_sites_own_or_one_named_after_its_reviews(site_name: str, sections: set[str],
                                                                   tmp_path: Path) -> None:
    _, text, out, _ = _init(site_name, tmp_path)
    raw = tomllib.loads(text)
    names = {s["name"] for s in raw["sections"]}
    assert names == sections and not names & DEFAULT_NAMES
    assert raw["reviews"]["default_section"] in names  # a review no rule of the section claims lands there too
    assert "the defaults" not in out


def test_reviews_filed_by_kind_are_the_sections(tmp_path: Path) -> None:
    """draculascave files its reviews under "Game Reviews" and "Anime Reviews": those are its desks.

    Its two book reviews are older than its feed, filed under "Dracula's Book Club": a third desk.
    """
    _, text, _, _ = _init("wp-draculascave", tmp_path)
    raw = tomllib.loads(text)
    assert {(s["name"], tuple(s["categories"])) for s in raw["sections"]} == {
        ("Game Reviews", ("Game Reviews",)), ("Anime Reviews", ("Anime Reviews",)),
        ("Dracula's Book Club", ("Dracula's Book Club",))}


def test_wordpress_paged_feed_notes_only_for_wordpress(tmp_path: Path) -> None:
    _, hugo, _, _ = _init("hugo-caalden-film", tmp_path)
    assert "WordPress" not in hugo and "backfill" not in hugo and "?paged" not in hugo
    _, wordpress, _, _ = _init("wp-draculascave", tmp_path)
    raw = tomllib.loads(wordpress)
    assert raw["collect"]["backfill_pages"] >= 1 and "?paged=2" in wordpress
    # The backfill reaches the feed's reviews' age, not only the default fortnight.
    assert raw["collect"]["backfill_max_age_days"] > timedelta(days=14).days


def test_category_feeds_that_hold_the_reviews_are_the_sections_even_when_posts_carry_only_tags() -> None:
    """Pelican: each post's <category> is a tag ("NES", "good"); its menu's categories have their own feeds.

    The category feed itself says which posts are in it, and ``feeds/game.atom.xml`` (not the
    ``feeds/`` folder every feed shares) is what names it; "Uncategorized" is no desk.
    """
    folder = SITES / "pelican-toomuchfreetime" / "site" / "feeds"
    base = "https://sopoforic.github.io/too-much-free-time/feeds/"
    atom = {"Content-Type": "application/atom+xml"}

    def found(name: str, category: str | None) -> FoundFeed:
        parsed = parse_feed((folder / name).read_bytes(), atom, base + name)
        return FoundFeed(base + name, parsed.title, parsed.entries, category)

    feeds = [found("all.atom.xml", None)] + [
        found(f"{slug}.atom.xml", label) for slug, label in (
            ("application", "Application"), ("book", "Book"), ("commentary", "Commentary"), ("game", "Game"),
            ("impressions", "Impressions"), ("uncategorized", "Uncategorized"))]
    labels = tomllib.loads((SITES / "pelican-toomuchfreetime" / "labels.toml").read_text(encoding="utf-8"))
    is_review = {p["url"]: p["review"] for p in labels["post"]}
    reviews = [e for e in feeds[0].entries if is_review.get(e.link)]
    assert len(reviews) == 39

    sections = propose_sections(feeds, reviews, ())
    assert {s.name for s in sections} == {"Game", "Impressions", "Book"}
    rules = ReviewRules(ReviewSettings(), tuple(SectionSettings(name=s.name, categories=list(s.categories),
                                                                feeds=list(s.feeds)) for s in sections))
    for review in reviews:
        carried = [f.url for f in feeds if any(e.link == review.link for e in f.entries)]
        folder_name = review.link.split("/")[4]  # /too-much-free-time/<category>/<post>.html
        expected = "Other" if folder_name == "uncategorized" else folder_name.title()
        assert rules.section_of(review.categories, carried) == expected, review.link


def test_tags_piled_on_the_same_reviews_are_not_sections() -> None:
    """With only Pelican's main feed, each review's <category> items are tags: platform, year, verdict."""
    folder = SITES / "pelican-toomuchfreetime" / "site" / "feeds"
    parsed = parse_feed((folder / "all.atom.xml").read_bytes(), {"Content-Type": "application/atom+xml"},
                        "https://sopoforic.github.io/too-much-free-time/feeds/all.atom.xml")
    labels = tomllib.loads((SITES / "pelican-toomuchfreetime" / "labels.toml").read_text(encoding="utf-8"))
    is_review = {p["url"]: p["review"] for p in labels["post"]}
    reviews = [e for e in parsed.entries if is_review.get(e.link)]
    assert any("NES" in r.categories and "good" in r.categories for r in reviews)
    feeds = [FoundFeed(parsed.entries[0].link, parsed.title, parsed.entries)]
    assert propose_sections(feeds, reviews, ()) == ()
