"""The issue_clicks table: migrated into a store the previous digest wrote, replaced per issue and source."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_unscored_reason import _old_store, _rows

from digest.errors import StoreError
from digest.store import clicks as stored
from digest.store.clicks import ClickRow
from digest.store.database import Store
from digest.store.schema import MIGRATIONS

FETCHED = datetime(2025, 5, 26, 9, 0, tzinfo=UTC)
PERIOD = (datetime(2025, 5, 19, 7, 0, tzinfo=UTC), datetime(2025, 5, 26, 7, 0, tzinfo=UTC))
WITCH = "https://site.example/2025/05/06/review-witch-watch-episode-5-cat-scout/"


def _v10_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real v8 store, opened by a digest whose last migration is 10 (the version before clicks)."""
    from digest.store import connection

    _old_store(tmp_path)
    path = tmp_path / "v8-caalden-film.sqlite"
    monkeypatch.setattr(connection, "MIGRATIONS", MIGRATIONS[:10])
    with Store.open(path) as store:
        store.record_issue("2025-W45", FETCHED, PERIOD, "Second Screen", "out/2025-W45",
                           [("uid-1", WITCH, "top", 1)])
        assert store.schema_version == 10
    monkeypatch.setattr(connection, "MIGRATIONS", MIGRATIONS)
    return path


def _row(link: str = WITCH, uid: str | None = "uid-1", source: str = "mailchimp", **kw: object) -> ClickRow:
    fields: dict[str, object] = dict(issue_id="2025-W45", source=source, link=link, review_uid=uid, position=1,
                                     section="Film", kind="top", score=8.5, unique_clicks=41, total_clicks=57,
                                     delivered=1893, period_start=PERIOD[0], period_end=PERIOD[1],
                                     fetched_at=FETCHED)
    fields.update(kw)
    return ClickRow(**fields)  # type: ignore[arg-type]


def test_a_store_the_previous_digest_wrote_gains_issue_clicks_keeping_every_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _v10_store(tmp_path, monkeypatch)
    before = _rows(path)
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS) == 11
        assert stored.clicks(store, "2025-W45") == []
    after = _rows(path)
    assert after.keys() == before.keys() | {"issue_clicks"} and after["issue_clicks"] == []
    assert {t: after[t] for t in before} == before


def test_a_clicks_migration_that_fails_half_way_leaves_the_store_at_v10(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.store import connection

    path = _v10_store(tmp_path, monkeypatch)
    broken = (*MIGRATIONS[:10], MIGRATIONS[10] + "; INSERT INTO nowhere VALUES (1);")
    monkeypatch.setattr(connection, "MIGRATIONS", broken)
    with pytest.raises(StoreError, match="no such table"):
        Store.open(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10
        assert "issue_clicks" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}


def test_no_column_can_hold_a_person(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        columns = {r[1] for r in store.db.execute("PRAGMA table_info(issue_clicks)")}
    assert columns == {"issue_id", "source", "link", "review_uid", "position", "section", "kind", "score",
                       "unique_clicks", "total_clicks", "delivered", "period_start", "period_end", "fetched_at"}


def test_a_fetch_replaces_its_source_rows_for_the_issue_and_nothing_else(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        stored.replace_clicks(store, "2025-W45", "mailchimp", [
            _row(), _row("https://site.example/", None, position=None, section=None, kind=None, score=None,
                         unique_clicks=3, total_clicks=4)])
        stored.replace_clicks(store, "2025-W45", "analytics", [_row(source="analytics", unique_clicks=None,
                                                                    total_clicks=30, delivered=None)])
        stored.replace_clicks(store, "2025-W46", "mailchimp", [_row(issue_id="2025-W46")])
        assert [r.link for r in stored.clicks(store, "2025-W45", "mailchimp")] == [WITCH, "https://site.example/"]

        stored.replace_clicks(store, "2025-W45", "mailchimp", [_row(unique_clicks=50, total_clicks=70)])
        assert stored.clicks(store, "2025-W45", "mailchimp") == [_row(unique_clicks=50, total_clicks=70)]
        assert [r.source for r in stored.clicks(store, "2025-W45")] == ["analytics", "mailchimp"]
        assert stored.issues_with_clicks(store) == ["2025-W45", "2025-W46"]


def test_a_replace_that_fails_keeps_the_rows_before_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        stored.replace_clicks(store, "2025-W45", "mailchimp", [_row()])
        twice = [_row(unique_clicks=1), _row(unique_clicks=2)]  # the same link twice: the key refuses it
        with pytest.raises(sqlite3.IntegrityError):
            stored.replace_clicks(store, "2025-W45", "mailchimp", twice)
        assert stored.clicks(store, "2025-W45") == [_row()]
        with pytest.raises(ValueError, match="2025-W46/mailchimp given for 2025-W45/mailchimp"):
            stored.replace_clicks(store, "2025-W45", "mailchimp", [replace(_row(), issue_id="2025-W46")])
        assert stored.clicks(store, "2025-W45") == [_row()]
