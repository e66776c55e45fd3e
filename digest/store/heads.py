"""Entries without their HTML, a window at a time, with their stored analysis and page state.

Selection reads every entry of a week and its trending look-back; at a busy site's
scale (a year is 50k entries, about 1,900 in that range) one query per entry, or
reading each entry's HTML, cost seconds. These read a whole range in four queries
and never touch ``content`` or a page ``body``; the HTML is read only for the few
entries whose analysis is missing or stale (:func:`analysis_sources`, in chunks).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from digest.models import Analysis, ImageHint, ScoreInfo
from digest.store.database import Store, from_iso, iso


@dataclass(frozen=True)
class PageState:
    """A cached article page as an analysis sees it, without its body."""

    ok: bool
    attempts: int
    body_hash: str | None  # None: no body was ever cached
    error: str | None


@dataclass(frozen=True)
class EntryHead:
    """One stored entry without its HTML: enough to rank it, and to tell a stale analysis."""

    id: int
    uid: str
    link: str
    title: str
    author: str | None
    published: datetime
    first_seen: datetime  # when a collect first stored it: a build with --now before that never sees it
    comments: int | None
    categories: tuple[str, ...]
    feeds: tuple[str, ...]
    source: str  # the entry's fingerprint, extras and image hints: what its analysis reads
    page: PageState | None
    analysis_key: str | None
    analysis: Analysis | None


@dataclass(frozen=True)
class AnalysisSource:
    """What an analysis reads: an entry's HTML and image hints, and its page's body."""

    id: int
    link: str
    summary: str
    content: str
    images: tuple[ImageHint, ...]
    extras: tuple[tuple[str, str], ...]
    page_body: str | None


_HEAD_SQL = (
    "SELECT e.id, e.uid, e.link, e.title, e.author, e.published, e.first_seen, e.comments, e.fingerprint,"
    " e.extras, e.images, p.url AS page_url, p.ok, p.attempts, p.body_hash, p.error, a.key,"
    " a.score_value, a.score_raw, a.score_scale, a.score_source, a.tldr,"
    " a.image_url, a.image_source, a.image_width, a.image_height, a.image_sizes, a.unscored_reason"
    " FROM entries e LEFT JOIN pages p INDEXED BY pages_state ON p.url = e.link"
    " LEFT JOIN analyses a ON a.entry_id = e.id"
)


def heads_between(
    store: Store, since: datetime | None, until: datetime | None = None,
    keep: Callable[[str, str, tuple[str, ...]], bool] | None = None, page_attempts: int | None = None,
) -> list[EntryHead]:
    """Entries published in ``[since, until)``, oldest first (as ``Store.entries``); with ``keep``,
    only those for which ``keep(title, link, categories)`` is true (the rest are never built);
    with ``page_attempts``, only those whose page is worth a try: never fetched, or failed fewer
    times than that."""
    where, args = _range(since, until)
    head_where, head_args = where, list[str | int](args)
    if page_attempts is not None:
        head_where += (" AND" if where else " WHERE") + " (p.url IS NULL OR (p.ok = 0 AND p.attempts < ?))"
        head_args.append(page_attempts)
    rows = store.db.execute(f"{_HEAD_SQL}{head_where} ORDER BY e.published, e.id", head_args).fetchall()
    if page_attempts is not None:  # few rows pass (most often none): read only theirs
        categories, feeds = _groups(store, [int(r["id"]) for r in rows])
    else:
        categories = _grouped(store.db.execute(
            f"SELECT c.entry_id, c.category FROM entries e JOIN entry_categories c ON c.entry_id = e.id"
            f"{where} ORDER BY c.entry_id, c.rowid", args))
        feeds = _grouped(store.db.execute(
            f"SELECT f.entry_id, f.feed_url FROM entries e JOIN entry_feeds f ON f.entry_id = e.id"
            f"{where} ORDER BY f.entry_id, f.first_seen, f.feed_url", args))
    if keep is not None:
        rows = [r for r in rows if keep(r["title"], r["link"], categories.get(r["id"], ()))]
    return [_head(r, categories, feeds) for r in rows]


def heads_by_ids(store: Store, ids: Iterable[int]) -> list[EntryHead]:
    """These entries (those that still exist), in the order given."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, EntryHead] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        marks = ",".join("?" * len(part))
        rows = store.db.execute(f"{_HEAD_SQL} WHERE e.id IN ({marks})", part).fetchall()
        categories, feeds = _groups(store, part)
        found.update((int(r["id"]), _head(r, categories, feeds)) for r in rows)
    return [found[i] for i in wanted if i in found]


def _groups(store: Store, ids: list[int]) -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
    """The categories and the feeds of these entries, each in the order ``Store.entries`` gives."""
    categories: dict[int, tuple[str, ...]] = {}
    feeds: dict[int, tuple[str, ...]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        categories.update(_grouped(store.db.execute(
            f"SELECT entry_id, category FROM entry_categories WHERE entry_id IN ({marks})"
            " ORDER BY entry_id, rowid", part)))
        feeds.update(_grouped(store.db.execute(
            f"SELECT entry_id, feed_url FROM entry_feeds WHERE entry_id IN ({marks})"
            " ORDER BY entry_id, first_seen, feed_url", part)))
    return categories, feeds


def head_by_link(store: Store, link: str) -> EntryHead | None:
    """The entry with this link (or uid), as ``Store.entry_by_link`` finds it."""
    row = store.db.execute(f"{_HEAD_SQL} WHERE e.link = ? OR e.uid = ?", (link, link)).fetchone()
    if row is None:
        return None
    args = (row["id"],)
    categories = _grouped(store.db.execute(
        "SELECT entry_id, category FROM entry_categories WHERE entry_id = ? ORDER BY rowid", args))
    feeds = _grouped(store.db.execute(
        "SELECT entry_id, feed_url FROM entry_feeds WHERE entry_id = ? ORDER BY first_seen, feed_url", args))
    return _head(row, categories, feeds)


def comment_histories(
    store: Store, ids: Iterable[int], as_of: datetime
) -> dict[int, list[tuple[datetime, int]]]:
    """Entry id -> its comment counts observed up to ``as_of``, oldest first."""
    wanted = list(ids)
    history: dict[int, list[tuple[datetime, int]]] = {}
    moments: dict[str, datetime] = {}  # one collect stamps all its observations alike: parse each once
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        rows = store.db.execute(
            f"SELECT entry_id, observed_at, count FROM comment_observations"
            f" WHERE entry_id IN ({','.join('?' * len(part))}) AND observed_at <= ?"
            " ORDER BY entry_id, observed_at", [*part, iso(as_of)])
        for entry_id, observed_at, count in rows:
            moment = moments.get(observed_at)
            if moment is None:
                moment = moments[observed_at] = from_iso(observed_at)
            history.setdefault(entry_id, []).append((moment, count))
    return history


def analysis_sources(store: Store, ids: Sequence[int], chunk: int = 100) -> Iterator[AnalysisSource]:
    """The HTML of these entries and of their pages, ``chunk`` entries at a time (memory stays flat)."""
    for start in range(0, len(ids), chunk):
        part = list(ids[start : start + chunk])
        marks = ",".join("?" * len(part))
        rows = store.db.execute(
            "SELECT e.id, e.link, e.summary, e.content, e.images, e.extras, p.body FROM entries e"
            f" LEFT JOIN pages p ON p.url = e.link WHERE e.id IN ({marks})", part).fetchall()
        by_id = {int(r["id"]): r for r in rows}
        for entry_id in part:
            row = by_id.get(entry_id)
            if row is not None:
                yield AnalysisSource(
                    id=entry_id, link=row["link"], summary=row["summary"], content=row["content"],
                    images=tuple(ImageHint(u, s, w, h) for u, s, w, h in json.loads(row["images"])),
                    extras=tuple(sorted(json.loads(row["extras"]).items())), page_body=row["body"],
                )


def save_analyses(store: Store, found: Iterable[tuple[int, str, Analysis]]) -> None:
    """Keep analyses ``(entry id, key, analysis)``, replacing what an entry had."""
    rows = []
    for entry_id, key, analysis in found:
        score, image = analysis.score, analysis.image
        rows.append((
            entry_id, key,
            score.value if score else None, score.raw if score else None,
            score.scale if score else None, score.source if score else None, analysis.tldr,
            image.url if image else None, image.source if image else None,
            image.width if image else None, image.height if image else None,
            json.dumps([[i.url, i.source, i.width, i.height] for i in analysis.image_sizes]),
            analysis.unscored_reason,
        ))
    with store.transaction():
        store.db.executemany(
            "INSERT OR REPLACE INTO analyses(entry_id, key, score_value, score_raw, score_scale,"
            " score_source, tldr, image_url, image_source, image_width, image_height, image_sizes,"
            " unscored_reason) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def _range(since: datetime | None, until: datetime | None) -> tuple[str, list[str]]:
    where, args = [], []
    if since is not None:
        where.append("e.published >= ?")
        args.append(iso(since))
    if until is not None:
        where.append("e.published < ?")
        args.append(iso(until))
    return (" WHERE " + " AND ".join(where) if where else ""), args


def _grouped(rows: Iterable[sqlite3.Row]) -> dict[int, tuple[str, ...]]:
    grouped: dict[int, list[str]] = {}
    for entry_id, value in rows:
        grouped.setdefault(entry_id, []).append(value)
    return {k: tuple(v) for k, v in grouped.items()}


def _head(
    row: sqlite3.Row, categories: dict[int, tuple[str, ...]], feeds: dict[int, tuple[str, ...]]
) -> EntryHead:
    entry_id = int(row["id"])
    page = None
    if row["page_url"] is not None:
        page = PageState(bool(row["ok"]), int(row["attempts"]), row["body_hash"], row["error"])
    analysis = None
    if row["key"] is not None:
        score = None
        if row["score_value"] is not None:
            score = ScoreInfo(
                float(row["score_value"]), row["score_raw"], row["score_scale"], row["score_source"]
            )
        image = None
        if row["image_url"] is not None:
            image = ImageHint(row["image_url"], row["image_source"], row["image_width"], row["image_height"])
        sizes = tuple(ImageHint(u, s, w, h) for u, s, w, h in json.loads(row["image_sizes"] or "[]"))
        analysis = Analysis(score, row["tldr"], image, sizes, row["unscored_reason"])
    return EntryHead(
        id=entry_id, uid=row["uid"], link=row["link"], title=row["title"], author=row["author"],
        published=from_iso(row["published"]), first_seen=from_iso(row["first_seen"]), comments=row["comments"],
        categories=categories.get(entry_id, ()), feeds=feeds.get(entry_id, ()),
        source="\x1e".join((row["fingerprint"], row["extras"], row["images"])),
        page=page, analysis_key=row["key"], analysis=analysis,
    )
