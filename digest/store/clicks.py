"""Readers' clicks per issue: one row per link and source, replaced whole each time they are fetched.

A source is a mailing service (``mailchimp``, ``listmonk``...) or ``analytics`` (the site's own export).
``link`` is the pick's canonical URL, or the cleaned reported URL for a link that is no pick
(``review_uid`` NULL). Aggregates only: no column holds a person, and nothing here takes one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from digest.store.database import Store, from_iso, iso


@dataclass(frozen=True)
class ClickRow:
    issue_id: str
    source: str
    link: str
    review_uid: str | None  # None: the link is no pick ("other": home, archive, unsubscribe)
    position: int | None
    section: str | None
    kind: str | None  # "top", "pinned", "trending"; None for "other"
    score: float | None  # the review's score (0-10) in the issue; None: unscored or "other"
    unique_clicks: int | None  # None: the source does not say
    total_clicks: int | None
    delivered: int | None  # the issue's delivered count when the source gives it
    period_start: datetime
    period_end: datetime
    fetched_at: datetime


_COLUMNS = ("issue_id, source, link, review_uid, position, section, kind, score, unique_clicks, total_clicks, "
            "delivered, period_start, period_end, fetched_at")


def replace_clicks(store: Store, issue_id: str, source: str, rows: Iterable[ClickRow]) -> int:
    """Put ``rows`` in place of what ``source`` said of the issue before, all or nothing; how many."""
    values = []
    for row in rows:
        if (row.issue_id, row.source) != (issue_id, source):
            raise ValueError(f"a click row of {row.issue_id}/{row.source} given for {issue_id}/{source}")
        values.append((row.issue_id, row.source, row.link, row.review_uid, row.position, row.section, row.kind,
                       row.score, row.unique_clicks, row.total_clicks, row.delivered, iso(row.period_start),
                       iso(row.period_end), iso(row.fetched_at)))
    with store.transaction():
        store.db.execute("DELETE FROM issue_clicks WHERE issue_id = ? AND source = ?", (issue_id, source))
        marks = ",".join("?" * 14)
        store.db.executemany(f"INSERT INTO issue_clicks({_COLUMNS}) VALUES({marks})", values)
    return len(values)


def clicks(store: Store, issue_id: str, source: str | None = None) -> list[ClickRow]:
    """The issue's stored rows (of one source, or all), by source then position, "other" last."""
    where, args = ("issue_id = ?", (issue_id,)) if source is None else (
        "issue_id = ? AND source = ?", (issue_id, source))
    query = (f"SELECT {_COLUMNS} FROM issue_clicks WHERE {where} "
             "ORDER BY source, position IS NULL, position, link")
    return [ClickRow(r["issue_id"], r["source"], r["link"], r["review_uid"], r["position"], r["section"],
                     r["kind"], r["score"], r["unique_clicks"], r["total_clicks"], r["delivered"],
                     from_iso(r["period_start"]), from_iso(r["period_end"]), from_iso(r["fetched_at"]))
            for r in store.db.execute(query, args)]


def issues_with_clicks(store: Store) -> list[str]:
    """Every issue id some clicks are stored for, oldest first."""
    return [r[0] for r in store.db.execute("SELECT DISTINCT issue_id FROM issue_clicks ORDER BY issue_id")]


def issue_picks(store: Store, issue_id: str) -> list[tuple[str, str, str, int]]:
    """The picks the store recorded for a built issue, ``(uid, link, kind, position)`` by position."""
    rows = store.db.execute(
        "SELECT uid, link, kind, position FROM issue_picks WHERE issue_id = ? ORDER BY position", (issue_id,))
    return [(r[0], r[1], r[2], r[3]) for r in rows]
