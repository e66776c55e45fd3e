"""A site whose feed is shorter than its archive: init proposes the archive pages, collect reads them.

wp-draculascave's one feed holds its 20 newest posts (4 reviews); 18 older reviews are listed only on
its category pages. The real ``init`` must propose those pages, with why, and the real ``collect``
must read the posts from their own pages, under the same review and score rules as feed items.
A hostile listing (links to another host, ``javascript:``, an enormous post page, a page loop) is
bounded and named in the report; a site whose feeds already reach back gets no archive pages.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from helpers.sites import serve_site

from digest.cli import main
from digest.collect.collector import run_collect
from digest.reviews.rules import ReviewRules, reviews_in_window
from digest.settings.config import load_config
from digest.store.database import Store

SITES = Path(__file__).resolve().parent / "data" / "sites"
EVER = (datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def _fast(text: str) -> str:
    """Politeness only (no pause between requests to loopback): what is collected does not change."""
    return text.replace("[collect]\n", "[collect]\nper_host_delay = 0.0\n", 1)


def test_old_reviews_only_on_category_pages_are_collected_recognised_and_scored(tmp_path: Path) -> None:
    labels = tomllib.loads((SITES / "wp-draculascave" / "labels.toml").read_text(encoding="utf-8"))["post"]
    target = tmp_path / "cave.toml"
    runner = CliRunner()
    with serve_site(SITES / "wp-draculascave") as site:
        result = runner.invoke(main, ["init", site.url, "--config", str(target)])
        assert result.exit_code == 0, result.output
        text = target.read_text(encoding="utf-8")
        archives = tomllib.loads(text)["collect"]["backfill_archives"]
        assert f"{site.url}category/game-reviews/" in archives
        assert f"{site.url}category/anime-reviews/" in archives
        assert "The feed holds the 20 newest posts" in text  # says why
        # The site's own desks, including one only the archive pages show (its two book reviews).
        desks = {s["name"] for s in tomllib.loads(text)["sections"]}
        assert desks == {"Game Reviews", "Anime Reviews", "Dracula's Book Club"}, desks
        target.write_text(_fast(text), encoding="utf-8")
        result = runner.invoke(main, ["--config", str(target), "collect", "--now", "2026-07-14T08:00", "-q"])
        assert result.exit_code == 0, result.output
        asked = list(site.requests)
    config = load_config(target)
    with Store.open(config.store_path) as store:
        found = reviews_in_window(store, ReviewRules.from_config(config), *EVER)
        hosts = {link.split("/")[2] for link in store.recent_links(10_000)}
    assert hosts == {site.url.split("/")[2]}  # every stored post is on the site's own host
    assert asked  # and every request went to it (the off-site links on its pages were never fetched)
    by_link = {site.to_published(r.link): r for r in found}
    old = [p for p in labels if not p["in_feed"] and p["review"]]
    assert len(old) == 18
    for post in old:
        assert post["url"] in by_link, f"not collected: {post['url']}"
        assert by_link[post["url"]].is_review, f"not recognised: {post['url']}"
        assert by_link[post["url"]].section != "Other", f"in no section: {post['url']}"
    scored = [p for p in old if by_link[p["url"]].score is not None]
    for post in scored:  # precision: every score given is the labelled one
        assert by_link[post["url"]].score.value == post["score"], post["url"]  # type: ignore[union-attr]
    assert len(scored) >= 16  # two verdicts are written in ways the score rules do not read yet
    for post in labels:
        if not post["review"] and post["url"] in by_link:
            assert not by_link[post["url"]].is_review, f"non-review taken: {post['url']}"


def test_init_proposes_no_archive_page_when_the_feeds_reach_back(tmp_path: Path) -> None:
    """caalden's /reviews/ section feed holds every review: init reads no listing page at all."""
    target = tmp_path / "film.toml"
    with serve_site(SITES / "hugo-caalden-film") as site:
        result = CliRunner().invoke(main, ["init", site.url, "--config", str(target)])
        assert result.exit_code == 0, result.output
        asked = list(site.requests)
    assert "backfill_archives" not in target.read_text(encoding="utf-8")
    assert not [p for p in asked if "/category/" in p or "/categories/" in p]


_POST = """<!doctype html><html><head><meta property="og:title" content="Review: {title}">
<meta property="article:published_time" content="{date}T10:00:00Z"></head><body>
<article><h1>Review: {title}</h1><p class="meta"><a href="/category/reviews/" rel="category tag">Reviews</a></p>
<div class="entry-content"><p>{body}</p><p><strong>{score}/10</strong></p></div></article></body></html>"""


def _hostile_site(root: Path, evil_origin: str) -> None:
    root.mkdir(parents=True)
    (root / "SOURCES.md").write_text("- Published address: https://hostile.example/\n", encoding="utf-8")
    site = root / "site"
    items = []
    for day in (1, 2):
        slug = f"2020/02/0{day}/news-{day}"
        (site / slug).mkdir(parents=True)
        (site / slug / "index.html").write_text(_POST.format(title=f"News {day}", date=f"2020-02-0{day}",
                                                             body="News.", score=5), encoding="utf-8")
        items.append(f"<item><title>News {day}</title><link>https://hostile.example/{slug}/</link>"
                     f"<guid>https://hostile.example/{slug}/</guid>"
                     f"<pubDate>Sun, 0{day} Feb 2020 10:00:00 GMT</pubDate>"
                     "<description>News.</description></item>")
    (site / "feed").mkdir(parents=True)
    (site / "feed" / "index.xml").write_text(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Hostile</title>"
        f"<link>https://hostile.example/</link>{''.join(items)}</channel></rss>", encoding="utf-8")
    (site / "index.html").write_text("<html><body><a href='/feed/'>feed</a></body></html>", encoding="utf-8")
    old = site / "2019" / "05" / "05" / "review-old-game"
    old.mkdir(parents=True)
    (old / "index.html").write_text(_POST.format(title="Old Game", date="2019-05-05", body="Good.", score=8),
                                    encoding="utf-8")
    huge = site / "2019" / "04" / "04" / "review-huge"
    huge.mkdir(parents=True)
    (huge / "index.html").write_text(_POST.format(title="Huge", date="2019-04-04", body="x" * 400_000, score=9),
                                     encoding="utf-8")
    listing = site / "category" / "reviews"
    (listing / "page" / "2").mkdir(parents=True)
    (listing / "index.html").write_text(
        "<html><body><main><h1>Category: Reviews</h1><ul>"
        "<li><a href='/2019/05/05/review-old-game/'>Review: Old Game</a></li>"
        f"<li><a href='{evil_origin}/2019/03/03/review-elsewhere/'>Review: Elsewhere</a></li>"
        "<li><a href='javascript:alert(1)'>Review: Script</a></li>"
        "</ul><a href='/category/reviews/page/2/' rel='next'>Older posts</a></main></body></html>",
        encoding="utf-8")
    (listing / "page" / "2" / "index.html").write_text(
        "<html><body><main><ul><li><a href='/2019/04/04/review-huge/'>Review: Huge</a></li></ul>"
        "<a href='/category/reviews/' rel='next'>Older posts</a></main></body></html>", encoding="utf-8")


def test_a_hostile_listing_is_bounded_and_named_in_the_report(tmp_path: Path) -> None:
    evil_root = tmp_path / "evil"
    (evil_root / "site").mkdir(parents=True)
    (evil_root / "SOURCES.md").write_text("- Published address: https://evil.example/\n", encoding="utf-8")
    with serve_site(evil_root) as evil:
        _hostile_site(tmp_path / "hostile", evil.url.rstrip("/"))
        with serve_site(tmp_path / "hostile") as site:
            target = tmp_path / "digest.toml"
            target.write_text(
                f"[site]\nname = \"Hostile\"\nurl = \"{site.url}\"\n[store]\npath = \"h.sqlite\"\n"
                f"[collect]\nper_host_delay = 0.0\nbackfill_max_age_days = 36500\n"
                f"backfill_archives = [\"{site.url}category/reviews/\"]\n"
                f"[reviews]\ncategories = [\"Reviews\"]\npage_max_bytes = 100000\n"
                f"[[feeds]]\nurl = \"{site.url}feed/\"\n", encoding="utf-8")
            config = load_config(target)
            with Store.open(config.store_path) as store:
                report = run_collect(config, store, lambda: datetime(2020, 2, 5, tzinfo=UTC))
                found = reviews_in_window(store, ReviewRules.from_config(config), *EVER)
        assert evil.requests == []  # the off-site link was never fetched
    archive = next(o for o in report.outcomes if o.url.endswith("/category/reviews/"))
    assert not archive.failed
    warning = archive.warning or ""
    assert "page loop" in warning
    assert "ignored 2 links" in warning  # the other host's link and javascript:
    assert "review-huge" in warning  # the enormous page is named, not read
    assert archive.new == 1
    old = [r for r in found if r.link.endswith("/2019/05/05/review-old-game/")]
    assert len(old) == 1 and old[0].is_review and old[0].score is not None and old[0].score.value == 8
    assert not [p for p in site.requests if "review-elsewhere" in p or "alert" in p]


def test_an_unclaimed_desk_needs_two_reviews_and_a_name_of_the_sites_own() -> None:
    """One stray review, or the generator's "Uncategorized" bucket, is no desk an editor would keep."""
    from digest.models import FeedEntry
    from digest.setup.sections import Section, unclaimed_desks

    def post(n: int, *categories: str) -> FeedEntry:
        return FeedEntry(uid=str(n), link=f"https://s.example/{n}/", title=f"Review: {n}", author=None,
                         categories=categories, published=None, summary="", content="", comments=None)

    desks = (Section("Game Reviews", ("Game Reviews",), (), 3),
             Section("Anime Reviews", ("Anime Reviews",), (), 2))
    reviews = [post(1, "Game Reviews"), post(2, "Anime Reviews"), post(3, "Book Club"), post(4, "Book Club"),
               post(5, "Uncategorized"), post(6, "Uncategorized"), post(7, "Poetry")]
    found = unclaimed_desks(desks, reviews, [])
    assert [(s.name, s.reviews) for s in found] == [("Book Club", 2)]
