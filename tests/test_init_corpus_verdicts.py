"""``digest init`` on corpus sites whose reviews say so by their verdict, not by the word "review".

Too Much Free Time (Pelican) never writes "review": it grades each game with one tag of its own
scale (good / decent / bad). 333vinyl (Ghost) tags its reviews "Reviews" but forgot one, which still
ends with the site's verdict line ("Score: 4.5"). Each test runs the real ``init``, then the real
``collect`` with only what init wrote, and compares with the labels a person wrote by reading every post.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers.sites import ServedSite, serve_site

from digest.cli import main
from digest.collect.feeds import parse_feed
from digest.job.build import stored_reviews
from digest.models import FeedEntry, Review
from digest.reviews.rules import ReviewRules, reviews_in_window
from digest.reviews.score_model import Score
from digest.settings.config import load_config
from digest.setup.review_rule import grade_tags, review_rule, scored_posts_rule
from digest.store.database import Store
from digest.weeks import parse_week

SITES = Path(__file__).resolve().parent / "data" / "sites"
EPOCH, END = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
PELICAN, GHOST = "pelican-toomuchfreetime", "ghost-333vinyl"


def _labels(name: str) -> dict[str, dict[str, Any]]:
    with (SITES / name / "labels.toml").open("rb") as handle:
        return {p["url"]: p for p in tomllib.load(handle)["post"]}


def _init_and_collect(site: ServedSite, target: Path, now: str) -> tuple[str, dict[str, Review]]:
    """init's output, and every stored post by its published link after a collect with what init wrote."""
    runner = CliRunner()
    result = runner.invoke(main, ["init", site.url, "--config", str(target)])
    assert result.exit_code == 0, result.output
    collected = runner.invoke(main, ["--config", str(target), "collect", "--now", now, "-q"])
    assert collected.exit_code == 0, collected.output
    config = load_config(target)
    with Store.open(config.store_path) as store:
        found = reviews_in_window(store, ReviewRules.from_config(config), EPOCH, END)
    return result.output, {site.to_published(r.link): r for r in found}


def test_a_sites_grade_tags_and_graded_sections_mark_its_reviews(tmp_path: Path) -> None:
    """Pelican's posts carry tags only; 29 of its 39 reviews carry one of good/decent/bad, no other post does.

    "unplayable" is on one post only (a program that needs a printer, labelled not a review): one
    post is no grade of a scale. The graded posts all sit in two URL sections, /game/ (12 of 16
    graded) and /impressions/ (17 of 21), while /commentary/ and /application/ hold none: those two
    are the review sections, which adds the four IFComp write-ups and three first impressions. It
    also takes the ungraded "First Impressions: Text Editor" (labelled, ambiguously, not a review):
    one post of the section's 21, the price of a rule the site's own filing states. The two /book/
    reviews and the /uncategorized/ one sit where nothing is graded: no rule reaches them.
    """
    target = tmp_path / "digest.toml"
    with serve_site(SITES / PELICAN) as site:
        out, seen = _init_and_collect(site, target, "2015-07-04T22:44")
    labels = _labels(PELICAN)
    assert set(labels) <= set(seen)
    taken = {url for url, label in labels.items() if seen[url].is_review and not label["review"]}
    base = "https://sopoforic.github.io/too-much-free-time/"
    assert taken == {f"{base}impressions/first-impressions-text-editor.html"}
    missed = {url for url, label in labels.items() if label["review"] and not seen[url].is_review}
    assert missed == {f"{base}book/nintendo-action-games.html",
                      f"{base}book/a-parents-guide-to-computer-games.html",
                      f"{base}uncategorized/sonic-4-is-disappointing.html"}
    raw = tomllib.loads(target.read_text(encoding="utf-8"))
    assert sorted(raw["reviews"]["categories"]) == ["bad", "decent", "good"]
    assert sorted(raw["reviews"]["url_patterns"]) == ["/game/", "/impressions/"]
    assert raw["reviews"]["title_patterns"] == []
    for shown in (target.read_text(encoding="utf-8"), out):
        assert "29 of 47 sampled posts carry one of the site's grade tags 'good' (11)" in shown
        assert "17 of 21 posts in /impressions/ carry a grade tag" in shown
        assert "12 of 16 posts in /game/ carry a grade tag" in shown
    # Its desks are those folders, named as its menu names them; every review it found is in one.
    desks = {s["name"]: s["url_patterns"] for s in raw["sections"]}
    assert desks == {"Game": ["/game/"], "Impressions": ["/impressions/"]}, desks
    for url in labels:
        if seen[url].is_review:
            assert seen[url].section == ("Game" if "/game/" in url else "Impressions"), (url, seen[url].section)
    # The three numeric verdicts close a list of sub-scores; the last line is the score.
    for slug, value in (("tetris", 9.0), ("pinball", 7.25), ("phage-wars-2", 6.4)):  # Overall/Overall:/Total:
        score = seen[f"{base}game/{slug}.html"].score
        assert score is not None and score.scale == "10" and abs(score.value - value) <= 0.05, (slug, score)


def test_grade_tags_need_a_scale_of_several_posts_one_grade_each() -> None:
    """One verdict word ("good news") or posts tagged with two grades at once are no grading scale."""
    entries = _pelican_entries()
    assert {name for name, _ in grade_tags(entries)} == {"good", "decent", "bad"}
    only_good = [replace(e, categories=tuple(c for c in e.categories if c not in ("bad", "decent")))
                 for e in entries]
    assert grade_tags(only_good) == ()
    doubled = [replace(e, categories=(*e.categories, "bad")) if "good" in e.categories else e for e in entries]
    assert grade_tags(doubled) == ()


def _pelican_entries() -> list[FeedEntry]:
    feed = SITES / PELICAN / "site" / "feeds" / "all.atom.xml"
    return list(parse_feed(feed.read_bytes(), {"content-type": "application/atom+xml"},
                           "https://sopoforic.github.io/too-much-free-time/feeds/all.atom.xml").entries)


def test_graded_sections_need_folders_that_tell_posts_apart() -> None:
    """The section rule stands on the site's filing: posts all in one folder (/posts/), or filed by
    date (/2015/06/), say nothing of what a post is; a graded post outside the folders says they do
    not hold the reviews. Then only the grade tags are proposed."""
    entries = _pelican_entries()
    categories, _, urls, _ = review_rule(entries)
    assert sorted(urls) == ["/game/", "/impressions/"] and sorted(categories) == ["bad", "decent", "good"]

    def moved(to: Callable[[FeedEntry], str]) -> list[FeedEntry]:
        return [replace(e, link=to(e)) for e in entries]

    base = "https://sopoforic.github.io/too-much-free-time/"
    slug = lambda e: e.link.rsplit("/", 1)[1]  # noqa: E731
    for changed in (moved(lambda e: f"{base}posts/{slug(e)}"),
                    moved(lambda e: f"{base}2015/06/{slug(e)}" if "/commentary/" not in e.link else e.link),
                    moved(lambda e: e.link.replace("/game/tis-100", "/commentary/tis-100"))):
        categories, _, urls, _ = review_rule(changed)
        assert urls == () and sorted(categories) == ["bad", "decent", "good"]


def test_posts_carrying_a_score_are_reviews_only_when_every_review_does() -> None:
    """The evidence is the site's habit: one review of the rule without a score, or more scored posts
    outside the rule than half the reviews (then the rule is wrong, not the filing), and nothing is added."""
    entries = _pelican_entries()[:12]
    reviews, others = entries[:6], entries[6:]
    score = Score(8.0, "8/10", "10", "feed-text")

    def scored(links: set[str]) -> Callable[[FeedEntry], Score | None]:
        return lambda e: score if e.link in links else None

    every = {e.link for e in reviews}
    added, how = scored_posts_rule(entries, reviews, scored(every | {others[0].link}))
    assert added == (others[0].link,) and "every one of the 6 reviews" in how
    assert scored_posts_rule(entries, reviews, scored(every - {reviews[0].link} | {others[0].link})) == ((), "")
    assert scored_posts_rule(entries, reviews, scored(every | {e.link for e in others[:4]})) == ((), "")
    assert scored_posts_rule(entries, reviews[:3], scored(every | {others[0].link})) == ((), "")


def test_a_review_the_site_did_not_file_is_found_by_its_verdict_line(tmp_path: Path) -> None:
    """333vinyl: nine reviews tagged "reviews", each ending "Score: N"; the Death Cab review has the
    line but no tag. The "Best Of 2014" list scores its items: the reader leaves it unscored, so it
    stays out."""
    target = tmp_path / "digest.toml"
    with serve_site(SITES / GHOST) as site:
        out, seen = _init_and_collect(site, target, "2015-08-10T21:47")
    labels = _labels(GHOST)
    assert {url for url, label in labels.items() if label["review"] != seen[url].is_review} == set()
    raw = tomllib.loads(target.read_text(encoding="utf-8"))
    assert raw["reviews"]["scored_posts_are_reviews"] is True
    assert "Death Cab For Cutie - Transatlanticism" in out
    death_cab = seen["http://333vinyl.us/death-cab-for-cutie-transatlanticism/"]
    assert death_cab.score is not None and death_cab.score.value == 9.0 and death_cab.score.raw == "Score: 4.5"
    assert seen["http://333vinyl.us/333vinyl-best-of-2014/"].is_review is False
    # The editor can pin it like any review: the pin check sees the same reviews the build does.
    config = load_config(target)
    with Store.open(config.store_path) as store:
        pinnable = {site.to_published(u) for u in stored_reviews(config, store, parse_week("2015-W01"))}
    assert "http://333vinyl.us/death-cab-for-cutie-transatlanticism/" in pinnable
    assert "http://333vinyl.us/333vinyl-best-of-2014/" not in pinnable


def test_folder_desks_need_two_folders_holding_most_reviews_named_by_the_menu() -> None:
    """A site filing reviews in /game/ and /impressions/ has those desks, called what its menu calls them;
    one folder, or folders holding fewer than half the reviews, are no desks."""
    from digest.setup.sections import folder_desks

    def post(path: str) -> FeedEntry:
        return FeedEntry(uid=path, link=f"https://s.example{path}", title=path, author=None, categories=(),
                         published=None, summary="", content="", comments=None)

    home = ("<nav><a href='/category/game.html'>Games</a><a href='/category/impressions.html'>First looks</a>"
            "<a href='https://elsewhere.example/impressions.html'>Not ours</a></nav>")
    reviews = [post(f"/game/{n}.html") for n in range(3)] + [post(f"/impressions/{n}.html") for n in range(2)]
    found = folder_desks(("/impressions/", "/game/"), reviews, home, "https://s.example/")
    assert [(s.name, s.urls, s.reviews) for s in found] == [("First looks", ("/impressions/",), 2),
                                                            ("Games", ("/game/",), 3)]
    assert folder_desks(("/game/",), reviews, home, "https://s.example/") == ()
    scattered = reviews + [post(f"/misc/{n}.html") for n in range(6)]
    assert folder_desks(("/impressions/", "/game/"), scattered, home, "https://s.example/") == ()
    unnamed = folder_desks(("/impressions/", "/game/"), reviews, "", "https://s.example/")
    assert [s.name for s in unnamed] == ["Impressions", "Game"]
