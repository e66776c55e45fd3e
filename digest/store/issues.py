"""Built issues, their picks, deliveries and the archive's publication marks.

The part of the store that the job and the archive read: which issue was built when, from what,
and whether (and how) it was handed off and published.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from digest.store.connection import Connection, from_iso, iso

__all__ = ["IssueRecord", "IssueTables"]


@dataclass(frozen=True)
class IssueRecord:
    id: str
    built_at: datetime
    window_start: datetime
    window_end: datetime
    subject: str
    out_dir: str


def _issue(row: sqlite3.Row) -> IssueRecord:
    return IssueRecord(
        id=row["id"], built_at=from_iso(row["built_at"]), window_start=from_iso(row["window_start"]),
        window_end=from_iso(row["window_end"]), subject=row["subject"], out_dir=row["out_dir"],
    )


def _of_edition(edition: str | None) -> tuple[str, tuple[object, ...]]:
    """SQL for "issues of this edition": ``anime/...`` ids, or plain week ids for the default one."""
    if edition:
        return "substr(id, 1, ?) = ?", (len(edition) + 1, edition + "/")
    return "instr(id, '/') = 0", ()


class IssueTables(Connection):
    """The issues, issue_picks, deliveries and archive_published tables."""

    def record_issue(
        self, issue_id: str, built_at: datetime, window: tuple[datetime, datetime], subject: str,
        out_dir: str, picks: Iterable[tuple[str, str, str, int]],
    ) -> None:
        """Remember a built issue and its picks ``(uid, link, kind, position)``; a rebuild replaces it."""
        with self.transaction():
            self.db.execute("DELETE FROM issue_picks WHERE issue_id = ?", (issue_id,))
            self.db.execute(
                "INSERT OR REPLACE INTO issues(id, built_at, window_start, window_end, subject, out_dir)"
                " VALUES(?,?,?,?,?,?)",
                (issue_id, iso(built_at), iso(window[0]), iso(window[1]), subject, out_dir),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO issue_picks(issue_id, uid, link, kind, position) VALUES(?,?,?,?,?)",
                [(issue_id, uid, link, kind, position) for uid, link, kind, position in picks],
            )

    def issue(self, issue_id: str) -> IssueRecord | None:
        row = self.db.execute("SELECT * FROM issues WHERE id = ?", (issue_id,)).fetchone()
        return _issue(row) if row else None

    def pick_count(self, issue_id: str) -> int:
        """How many picks a built issue has (what a rebuild replaces)."""
        row = self.db.execute("SELECT count(*) FROM issue_picks WHERE issue_id = ?", (issue_id,)).fetchone()
        return int(row[0])

    def latest_issue(self, edition: str | None = None) -> IssueRecord | None:
        """The newest issue of one edition (default: the plain week ids, ``2025-W20``)."""
        where, args = _of_edition(edition)
        row = self.db.execute(f"SELECT * FROM issues WHERE {where} ORDER BY id DESC LIMIT 1", args).fetchone()
        return _issue(row) if row else None

    def last_built(self, edition: str | None = None) -> IssueRecord | None:
        """The issue of one edition built most recently (a rebuilt old week counts): what preview and
        lint show."""
        where, args = _of_edition(edition)
        row = self.db.execute(f"SELECT * FROM issues WHERE {where} ORDER BY built_at DESC, id DESC LIMIT 1",
                              args).fetchone()
        return _issue(row) if row else None

    def featured_between(self, first_issue: str, before_issue: str) -> dict[str, str]:
        """``uid -> latest issue id`` for picks of issues in ``[first_issue, before_issue)``."""
        rows = self.db.execute(
            "SELECT uid, max(issue_id) FROM issue_picks WHERE issue_id >= ? AND issue_id < ? GROUP BY uid",
            (first_issue, before_issue),
        )
        return {r[0]: r[1] for r in rows}

    def issues(self) -> list[IssueRecord]:
        """Every built issue of every edition, by id."""
        return [_issue(r) for r in self.db.execute("SELECT * FROM issues ORDER BY id")]

    def first_delivery(self, issue_id: str, methods: tuple[str, ...]) -> datetime | None:
        """When the issue was first delivered by one of ``methods``, if ever."""
        marks = ",".join("?" * len(methods))
        query = f"SELECT min(delivered_at) FROM deliveries WHERE issue_id = ? AND method IN ({marks})"
        row = self.db.execute(query, (issue_id, *methods)).fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def mark_published(self, issue_id: str, when: datetime, how: str, *, again: bool = False) -> bool:
        """Put an issue in the web archive; False when it already was (the first time counts).

        A withdrawn issue stays out unless ``again`` (the editor publishing it once more).
        """
        conflict = ("DO UPDATE SET published_at = excluded.published_at, how = excluded.how "
                    "WHERE how = 'withdrawn'") if again else "DO NOTHING"
        with self.transaction():
            cursor = self.db.execute(
                f"INSERT INTO archive_published(issue_id, published_at, how) VALUES(?,?,?) "
                f"ON CONFLICT(issue_id) {conflict}",
                (issue_id, iso(when), how),
            )
        return cursor.rowcount > 0

    def withdraw(self, issue_id: str, when: datetime) -> bool:
        """Take an issue off the web archive for good (automatic publishing will not bring it back)."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO archive_published(issue_id, published_at, how) VALUES(?,?,'withdrawn') "
                "ON CONFLICT(issue_id) DO UPDATE SET published_at = excluded.published_at, how = 'withdrawn' "
                "WHERE how != 'withdrawn'", (issue_id, iso(when)),
            )
        return cursor.rowcount > 0

    def archive_state(self, issue_id: str) -> tuple[str, datetime] | None:
        """How (``withdrawn``, ``on-build``, ``by the editor``...) and when an issue last entered or left the
        web archive; None when it never did."""
        row = self.db.execute("SELECT how, published_at FROM archive_published WHERE issue_id = ?",
                              (issue_id,)).fetchone()
        return (row[0], from_iso(row[1])) if row else None

    def published(self) -> dict[str, datetime]:
        """``issue id -> when it was published`` for every issue in the web archive."""
        rows = self.db.execute("SELECT issue_id, published_at FROM archive_published WHERE how != 'withdrawn'")
        return {r[0]: from_iso(r[1]) for r in rows}

    def record_delivery(self, issue_id: str, method: str, when: datetime, detail: str = "") -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO deliveries(issue_id, method, delivered_at, detail) VALUES(?,?,?,?)",
                (issue_id, method, iso(when), detail),
            )

    def delivered_at(self, issue_id: str, method: str) -> datetime | None:
        row = self.db.execute(
            "SELECT delivered_at FROM deliveries WHERE issue_id = ? AND method = ?", (issue_id, method)
        ).fetchone()
        return from_iso(row[0]) if row else None
