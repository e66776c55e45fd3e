"""A review is analysed once: its score, TL;DR and lead image are kept in the store.

Each test reads what the store holds (the ``analyses`` rows and their keys) and what a build
then picks; to show that a build reads a kept analysis rather than reading the HTML again, a
test writes a marker into a kept row and sees it come back (the HTML could never produce it).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from scenario import Scenario, local, make_config, utc

import digest.reviews.rules as rules_module
from digest.reviews.rules import ReviewRules, analyse
from digest.store.database import Store
from digest.store.schema import MIGRATIONS
from digest.weeks import parse_week

W19 = parse_week("2025-W19")
NOW = local(2025, 5, 12, 8)
MARKER = "kept in the store, never in any HTML"


@pytest.fixture
def sc(tmp_path: Path) -> Scenario:
    scenario = Scenario(tmp_path)
    yield scenario
    scenario.close()


def _week(sc: Scenario) -> list:
    posts = [
        sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9), score="8/10"),
        sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 7, 9), section="TV",
                  score="9/10", score_in="page"),
        sc.review("REVIEW: ‘Thunderbolts*’ Finds Its Heart", local(2025, 5, 8, 9), section="Film",
                  score="7/10", score_in="jsonld"),
        sc.review("REVIEW: ‘Mob Psycho’ Is Still Great", local(2025, 5, 9, 9), score=None, score_in="nowhere"),
    ]
    sc.post("Crunchyroll Announces Its Summer Lineup", local(2025, 5, 7, 12), ("Anime", "News"))
    sc.collect_every(local(2025, 5, 6, 12), NOW, hours=12)
    return posts


def _rows(store: Store) -> dict[str, tuple[str, float | None, str]]:
    """link -> (key, score, tldr) of every kept analysis."""
    return {
        link: (key, score, tldr) for link, key, score, tldr in store.db.execute(
            "SELECT e.link, a.key, a.score_value, a.tldr FROM analyses a JOIN entries e ON e.id = a.entry_id"
        )
    }


def _mark(store: Store, link: str) -> None:
    store.db.execute(
        "UPDATE analyses SET tldr = ? WHERE entry_id = (SELECT id FROM entries WHERE link = ?)", (MARKER, link)
    )


def _tldr_of(selection, link: str) -> str:
    return next(p.review.tldr for p in selection.picks if p.review.link == link)


def test_a_build_keeps_each_reviews_analysis_and_the_next_build_reads_it(sc: Scenario, tmp_path: Path) -> None:
    posts = _week(sc)
    config = make_config(tmp_path)
    assert _rows(sc.store) == {}  # written directly, as a store from before analyses were kept

    first = sc.choose(config, NOW, W19)
    rows = _rows(sc.store)
    # Every review is analysed and kept, the news post is not analysed at all.
    assert set(rows) == {p.link for p in posts}
    assert rows[posts[0].link][1] == 8.0 and rows[posts[1].link][1] == 9.0 and rows[posts[3].link][1] is None

    _mark(sc.store, posts[0].link)
    second = sc.choose(config, NOW, W19)
    assert _tldr_of(second, posts[0].link) == MARKER  # read from the store, not from the HTML
    assert _tldr_of(first, posts[0].link) == "‘Witch Watch’ Episode 5 — “Cat Scout” is worth your time."
    assert _rows(sc.store)[posts[1].link] == rows[posts[1].link]


def test_kept_analyses_give_the_same_issue_as_analysing_afresh(sc: Scenario, tmp_path: Path) -> None:
    posts = _week(sc)
    config = make_config(tmp_path)
    cold = sc.choose(config, NOW, W19)  # analyses every review, keeps them
    warm = sc.choose(config, NOW, W19)  # reads them back
    assert warm == cold
    rules = ReviewRules.from_config(config)
    for pick in warm.picks + tuple(m for m in warm.near_misses):
        review = pick.review
        entry = sc.store.entry_by_link(review.link)
        assert entry is not None
        fresh = analyse(entry, sc.store.page(entry.link), rules)
        assert (review.score, review.tldr, review.image, review.unscored_reason) == (
            fresh.score, fresh.tldr, fresh.image, fresh.unscored_reason)
    assert {p.review.link for p in warm.picks} >= {posts[0].link, posts[1].link}


def test_a_changed_post_is_analysed_again(sc: Scenario, tmp_path: Path) -> None:
    posts = _week(sc)
    config = make_config(tmp_path)
    sc.choose(config, NOW, W19)
    before = _rows(sc.store)[posts[0].link]
    _mark(sc.store, posts[0].link)

    posts[0].score = "6/10"  # the editor fixed the score in the post: the feed sends new content
    sc.collect(local(2025, 5, 12, 7), [posts[0]])
    selection = sc.choose(config, NOW, W19)

    after = _rows(sc.store)[posts[0].link]
    assert after[0] != before[0] and after[1] == 6.0
    assert _tldr_of(selection, posts[0].link) != MARKER
    assert next(p.review.score.value for p in selection.picks if p.review.link == posts[0].link) == 6.0


def test_a_page_cached_later_is_read_by_the_next_build(sc: Scenario, tmp_path: Path) -> None:
    late = sc.review("REVIEW: ‘Sakamoto Days’ Episode 18", local(2025, 5, 8, 15), score="8.5/10",
                     score_in="page")
    sc.collect(local(2025, 5, 8, 18), [])  # nothing yet
    with sc.store.transaction():
        sc.store.save_entries("https://site.example/feed/", [late.feed_entry(local(2025, 5, 9))],
                              utc(local(2025, 5, 9)))
    config = make_config(tmp_path, select={"min_scored_reviews": 0})
    first = sc.choose(config, NOW, W19)
    assert next(m.review for m in first.near_misses if m.review.link == late.link).score is None

    sc.store.save_page(late.link, utc(local(2025, 5, 10)), body=late.page_html() or "")
    second = sc.choose(config, NOW, W19)
    assert next(p.review for p in second.picks if p.review.link == late.link).score.value == 8.5


@pytest.mark.parametrize("change", ["version", "setting"])
def test_a_new_analysis_version_or_setting_analyses_everything_again(
    sc: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    posts = _week(sc)
    config = make_config(tmp_path)
    sc.choose(config, NOW, W19)
    keys = {link: row[0] for link, row in _rows(sc.store).items()}
    for post in posts:
        _mark(sc.store, post.link)
    if change == "version":
        monkeypatch.setattr(rules_module, "ANALYSIS_VERSION", rules_module.ANALYSIS_VERSION + 1)
    else:
        config = make_config(tmp_path, reviews={"tldr_max_chars": 40})

    selection = sc.choose(config, NOW, W19)

    rows = _rows(sc.store)
    assert all(rows[link][0] != key for link, key in keys.items())
    assert MARKER not in {row[2] for row in rows.values()}
    assert MARKER not in {p.review.tldr for p in selection.picks}
    if change == "setting":
        assert all(len(p.review.tldr) <= 40 for p in selection.picks)


def test_a_pinned_post_that_is_not_a_review_is_analysed_for_its_tldr(sc: Scenario, tmp_path: Path) -> None:
    _week(sc)
    news = next(p for p in sc.posts if "Summer Lineup" in p.title)
    from digest.select.editor import EditorChoices, PinRequest

    selection = sc.choose(make_config(tmp_path), NOW, W19, EditorChoices(pins=(PinRequest(news.link, 1),)))
    pinned = selection.top[0].review
    assert pinned.link == news.link and not pinned.is_review and pinned.tldr
    assert news.link in _rows(sc.store)


def test_a_store_from_before_kept_analyses_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    before = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE analyses" in m)
    for version, migration in enumerate(MIGRATIONS[:before], 1):
        db.executescript(migration)
        db.execute(f"PRAGMA user_version = {version}")
    db.execute("INSERT INTO pages(url, fetched_at, ok, attempts, body) VALUES"
               " ('https://site.example/a/', '2025-05-06T10:00:00+00:00', 1, 1, '<p>Rating - 8/10</p>'),"
               " ('https://site.example/b/', '2025-05-06T10:00:00+00:00', 0, 2, NULL)")
    db.commit()
    db.close()

    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        hashes = dict(store.db.execute("SELECT url, body_hash FROM pages").fetchall())
        assert hashes["https://site.example/a/"] and hashes["https://site.example/b/"] is None
        store.save_page("https://site.example/a/", utc(local(2025, 5, 7)), body="<p>Rating - 9/10</p>")
        changed = store.db.execute("SELECT body_hash FROM pages WHERE url = 'https://site.example/a/'").fetchone()
        assert changed[0] != hashes["https://site.example/a/"]
