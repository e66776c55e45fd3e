"""A post that shows several scores of its own items and no single verdict is unscored, with that
reason, wherever the editor looks: ``digest reviews`` (text and ``--json``), through a real collect
of a served corpus site, and in a store an older digest wrote (migrated, then read again).

The corpus site is hugo-caalden-film: its "A to Z" and "Favorites" pages carry one "Rating: N/5"
card per film. Init's rule (``/reviews/``) rightly leaves them out; these tests play an editor who
widened it to every page under ``/film/``, so those lists are counted as reviews and must say why
they have no score, as the "About" page must say it simply has none.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.sites import serve_site

from digest.cli import main
from digest.errors import StoreError
from digest.store.database import Store
from digest.store.schema import MIGRATIONS

DATA = Path(__file__).resolve().parent / "data"
SITE = DATA / "sites" / "hugo-caalden-film"
WEEK = ["--week", "2025-W45", "--now", "2025-11-10T08:00"]  # the collect's week: undated pages land there
LIST = re.compile(r"the article page shows (\d+) scores of its own items \('[^']+', '[^']+', '[^']+', …\)"
                  r" and no single verdict: a list or round-up has no score of its own")


def _reviews(config: Path, *extra: str) -> Any:
    result = CliRunner().invoke(main, ["--config", str(config), "reviews", *WEEK, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in extra else result.output


def _by_path(listing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {re.sub(r"^https?://[^/]+", "", r["url"]): r for r in listing["reviews"]}


def _assert_lists_say_why(listing: dict[str, Any]) -> None:
    posts = _by_path(listing)
    for path, cards in (("/film/a-z/", 19), ("/film/favorites/", 4)):
        post = posts[path]
        assert post["is_review"] and post["score"] is None, post
        found = LIST.fullmatch(post["unscored_reason"] or "")
        assert found and int(found[1]) == cards, post["unscored_reason"]
    assert posts["/film/about/"]["unscored_reason"] == "no score in the feed or on the article page"
    assert posts["/film/reviews/greyhound/"]["score"] == 8.0  # a review's own verdict is still read
    assert posts["/film/reviews/greyhound/"]["unscored_reason"] is None


def _every_page_a_review(config: str) -> str:
    """The editor's widened rule: whatever init proposed in [reviews], every page under /film/."""
    head, rest = config.split("\n[reviews]\n", 1)
    block, sep, tail = rest.partition("\n[")
    block = re.sub(r"(?m)^(categories|title_patterns) = .*$", r"\1 = []", block)
    block = re.sub(r"(?m)^url_patterns = .*$", 'url_patterns = ["/film/"]', block)
    assert 'url_patterns = ["/film/"]' in block, block
    return f"{head}\n[reviews]\n{block}{sep}{tail}"


def test_a_collected_list_post_says_why_it_is_unscored(tmp_path: Path) -> None:
    target = tmp_path / "digest.toml"
    runner = CliRunner()
    with serve_site(SITE) as site:
        result = runner.invoke(main, ["init", site.url, "--config", str(target)])
        assert result.exit_code == 0, result.output
        text = target.read_text(encoding="utf-8")
        target.write_text(_every_page_a_review(text), encoding="utf-8")
        result = runner.invoke(main, ["--config", str(target), "collect", "--now", "2025-11-07T14:29", "-q"])
        assert result.exit_code == 0, result.output

    _assert_lists_say_why(_reviews(target, "--json"))
    shown = _reviews(target)
    at = shown.index("/film/a-z/")
    assert LIST.search(shown[at:].splitlines()[1].removeprefix(" " * 13).removeprefix("why unscored: "))


def _old_store(tmp_path: Path) -> Path:
    config = tmp_path / "digest.toml"
    shutil.copy(DATA / "stores" / "v8-caalden-film.toml", config)
    with gzip.open(DATA / "stores" / "v8-caalden-film.sqlite.gz") as packed, \
            (tmp_path / "v8-caalden-film.sqlite").open("wb") as out:
        shutil.copyfileobj(packed, out)
    return config


def test_a_store_an_older_digest_wrote_is_migrated_and_its_lists_say_why(tmp_path: Path) -> None:
    config = _old_store(tmp_path)
    path = tmp_path / "v8-caalden-film.sqlite"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 8
        old = dict(db.execute("SELECT e.link, a.score_value FROM analyses a"
                              " JOIN entries e ON e.id = a.entry_id"))
    assert len(old) == 23

    _assert_lists_say_why(_reviews(config, "--json"))

    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        rows = {link: (score, why) for link, score, why in store.db.execute(
            "SELECT e.link, a.score_value, a.unscored_reason FROM analyses a"
            " JOIN entries e ON e.id = a.entry_id")}
    assert {link: score for link, (score, _) in rows.items()} == old  # no score changed on the way
    kept = {re.sub(r"^https?://[^/]+", "", link): why for link, (_, why) in rows.items()}
    assert LIST.fullmatch(kept["/film/a-z/"] or "") and kept["/film/about/"] is None


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the old store, by the old store's own columns."""
    with sqlite3.connect(path) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                           " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: sorted(db.execute(f"SELECT * FROM {t}"), key=repr) for t in tables}


def _columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def test_the_migration_keeps_every_row_of_the_old_store(tmp_path: Path) -> None:
    _old_store(tmp_path)
    path = tmp_path / "v8-caalden-film.sqlite"
    before, old_columns = _rows(path), _columns(path, "analyses")
    assert len(before["entries"]) == len(before["pages"]) == len(before["analyses"]) == 23

    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 9

    assert _columns(path, "analyses") == [*old_columns, "unscored_reason"]
    after = _rows(path)
    assert after.keys() == before.keys() | {"issue_states", "issue_clicks"}  # added by migrations 10 and 11
    for table, rows in before.items():
        width = len(rows[0]) if rows else 0
        assert [r[:width] for r in after[table]] == rows, table  # every row, every old column, unchanged
    assert {r[-1] for r in after["analyses"]} == {None}  # read again at the next collect or build


def test_a_migration_that_fails_half_way_leaves_the_old_store_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The column is added and the version set in one transaction: a failure after the ALTER
    (here a statement that cannot run) undoes both, and the next digest migrates it whole."""
    from digest.store import connection

    _old_store(tmp_path)
    path = tmp_path / "v8-caalden-film.sqlite"
    before, old_columns = _rows(path), _columns(path, "analyses")
    broken = (*MIGRATIONS[:8], MIGRATIONS[8] + "; INSERT INTO no_such_table VALUES (1);", *MIGRATIONS[9:])
    monkeypatch.setattr(connection, "MIGRATIONS", broken)
    with pytest.raises(StoreError, match="no such table"):
        Store.open(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 8
    assert _columns(path, "analyses") == old_columns and _rows(path) == before

    monkeypatch.setattr(connection, "MIGRATIONS", MIGRATIONS)
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
    assert _columns(path, "analyses") == [*old_columns, "unscored_reason"]


def test_the_reason_is_kept_in_the_store_and_read_back(tmp_path: Path) -> None:
    """The next ``reviews`` reads the kept analysis: a marker written into its row comes back."""
    config = _old_store(tmp_path)
    _reviews(config, "--json")
    marker = "marker: kept in the store, never in any page"
    with sqlite3.connect(tmp_path / "v8-caalden-film.sqlite") as db:
        db.execute("UPDATE analyses SET unscored_reason = ? WHERE entry_id = "
                   "(SELECT id FROM entries WHERE link LIKE '%/film/a-z/')", (marker,))
    posts = _by_path(_reviews(config, "--json"))
    assert posts["/film/a-z/"]["unscored_reason"] == marker


@pytest.mark.parametrize(("mode", "after"), [("never", ""), ("always", "; article page not fetched yet")])
def test_a_list_seen_in_the_feed_is_named_as_the_feeds(mode: str, after: str) -> None:
    """A list in the feed's own text says it was seen there, and whether the page may still change it."""
    from digest.reviews.rules import ReviewRules, analyse_html, make_review
    from digest.settings.config import ReviewSettings
    from digest.store.heads import EntryHead

    rules = ReviewRules(ReviewSettings(url_patterns=["/best-of/"], fetch_pages=mode), ())
    cards = "".join(f"<h2>{n}. Album {n}</h2><p>Score: {s}/5</p>" for n, s in enumerate((5, 4.5, 4), 1))
    link = "https://site.example/best-of/"
    found = analyse_html(rules, link, f"<p>Our year.</p>{cards}", "", (), (), None)
    assert found.score is None
    why = ("the feed's text shows 3 scores of its own items ('Score: 5/5', 'Score: 4.5/5', 'Score: 4/5')"
           " and no single verdict: a list or round-up has no score of its own")
    assert found.unscored_reason == why
    head = EntryHead(id=1, uid=link, link=link, title="Best of the year", author=None,
                     published=datetime(2025, 12, 1, tzinfo=UTC), first_seen=datetime(2025, 12, 1, tzinfo=UTC),
                     comments=None,
                     categories=(), feeds=(), source="", page=None, analysis_key=None, analysis=None)
    assert make_review(rules, head, found, None).unscored_reason == why + after
    if mode == "always":  # a page that could not be read is named too: it might have held the verdict
        from digest.store.database import CachedPage

        failed = CachedPage(link, datetime(2025, 12, 2, tzinfo=UTC), False, 2, None, None, None, "HTTP 503")
        failed_why = make_review(rules, head, found, failed).unscored_reason
        assert failed_why == why + "; article page failed: HTTP 503"
