"""The SQLite store: entries, where they came from, comment observations, feed health.

One file, WAL journal, versioned migrations (``PRAGMA user_version``). Each
feed's results are written in one ``BEGIN IMMEDIATE`` transaction, so a crash
or kill at any point leaves either the whole feed's update or none of it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from digest.models import FeedEntry, ImageHint
from digest.store.connection import from_iso, iso
from digest.store.issues import IssueRecord, IssueTables

__all__ = ["CachedPage", "FeedState", "IssueRecord", "Store", "StoredEntry", "WriteCounts", "body_hash",
           "from_iso", "iso"]


@dataclass(frozen=True)
class FeedState:
    url: str
    name: str
    etag: str | None
    last_modified: str | None
    last_attempt: datetime | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int


@dataclass(frozen=True)
class StoredEntry:
    """An entry as the store knows it, merged across every feed that carried it."""

    id: int
    uid: str
    link: str
    title: str
    author: str | None
    published: datetime
    published_from_feed: bool
    first_seen: datetime
    summary: str
    content: str
    comments: int | None
    categories: tuple[str, ...]
    feeds: tuple[str, ...]
    images: tuple[ImageHint, ...]
    extras: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CachedPage:
    url: str
    fetched_at: datetime
    ok: bool
    attempts: int
    etag: str | None
    last_modified: str | None
    body: str | None
    error: str | None


@dataclass(frozen=True)
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_ids: tuple[int, ...] = ()  # entries new or updated: their analysis is due


class Store(IssueTables):
    """Thin, explicit access to the SQLite file. Open with :meth:`open` (see :class:`Connection`).

    Entries, feeds, pages and the trending list here; built issues, deliveries and the archive's
    publication marks in :class:`~digest.store.issues.IssueTables`.
    """

    # -- feeds -------------------------------------------------------------

    def feed_state(self, url: str) -> FeedState | None:
        row = self.db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed_state(row) if row else None

    def feed_states(self) -> list[FeedState]:
        return [_feed_state(r) for r in self.db.execute("SELECT * FROM feeds ORDER BY url")]

    def _touch_feed(self, url: str, name: str) -> None:
        self.db.execute(
            "INSERT INTO feeds(url, name) VALUES(?, ?) "
            "ON CONFLICT(url) DO UPDATE SET name = excluded.name",
            (url, name),
        )

    def record_success(
        self, url: str, name: str, now: datetime, etag: str | None, last_modified: str | None
    ) -> None:
        """Mark a fetch that worked (200 or 304). Call inside a transaction for 200s."""
        self._touch_feed(url, name)
        self.db.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, last_attempt = ?, last_success = ?, "
            "consecutive_failures = 0 WHERE url = ?",
            (etag, last_modified, iso(now), iso(now), url),
        )

    def record_failure(self, url: str, name: str, now: datetime, error: str) -> None:
        with self.transaction():
            self._touch_feed(url, name)
            self.db.execute(
                "UPDATE feeds SET last_attempt = ?, last_error = ?, last_error_at = ?, "
                "consecutive_failures = consecutive_failures + 1 WHERE url = ?",
                (iso(now), error, iso(now), url),
            )

    # -- entries -----------------------------------------------------------

    def known_uids(self, uids: Iterable[str]) -> set[str]:
        wanted = list(uids)
        known: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT uid FROM entries WHERE uid IN ({marks})", chunk)
            known.update(r[0] for r in rows)
        return known

    def save_entries(self, feed_url: str, entries: Iterable[FeedEntry], now: datetime) -> WriteCounts:
        """Upsert entries seen in one feed and record their comment counts.

        Call inside :meth:`transaction`. The same post from several feeds stays
        one row that remembers every feed and category.
        """
        stamp = iso(now)
        new = updated = unchanged = 0
        changed: list[int] = []
        for entry in entries:
            fingerprint = _fingerprint(entry)
            row = self.db.execute(
                "SELECT id, fingerprint, published_from_feed FROM entries WHERE uid = ?",
                (entry.uid,),
            ).fetchone()
            images = json.dumps([[i.url, i.source, i.width, i.height] for i in entry.images])
            extras = json.dumps(dict(entry.extras), sort_keys=True)
            published = iso(entry.published) if entry.published else stamp
            if row is None:
                cursor = self.db.execute(
                    "INSERT INTO entries(uid, link, title, author, published, published_from_feed,"
                    " first_seen, last_seen, summary, content, comments, images, extras, fingerprint)"
                    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (entry.uid, entry.link, entry.title, entry.author, published,
                     int(entry.published is not None), stamp, stamp, entry.summary, entry.content,
                     entry.comments, images, extras, fingerprint),
                )
                entry_id = int(cursor.lastrowid or 0)
                changed.append(entry_id)
                new += 1
            else:
                entry_id = int(row["id"])
                if row["fingerprint"] != fingerprint:
                    # A feed without a date never overrides a date another feed gave.
                    keep_date = entry.published is None
                    self.db.execute(
                        "UPDATE entries SET link=?, title=?, author=?, summary=?, content=?,"
                        " images=?, extras=?, fingerprint=?, last_seen=?"
                        + ("" if keep_date else ", published=?, published_from_feed=1")
                        + " WHERE id=?",
                        (entry.link, entry.title, entry.author, entry.summary, entry.content,
                         images, extras, fingerprint, stamp)
                        + (() if keep_date else (published,))
                        + (entry_id,),
                    )
                    changed.append(entry_id)
                    updated += 1
                else:
                    self.db.execute("UPDATE entries SET last_seen=? WHERE id=?", (stamp, entry_id))
                    unchanged += 1
            if entry.comments is not None:
                self.db.execute("UPDATE entries SET comments=? WHERE id=?", (entry.comments, entry_id))
                self.db.execute(
                    "INSERT OR REPLACE INTO comment_observations(entry_id, observed_at, count)"
                    " VALUES(?,?,?)",
                    (entry_id, stamp, entry.comments),
                )
            self.db.execute(
                "INSERT OR IGNORE INTO entry_feeds(entry_id, feed_url, first_seen) VALUES(?,?,?)",
                (entry_id, feed_url, stamp),
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO entry_categories(entry_id, category) VALUES(?,?)",
                [(entry_id, c) for c in entry.categories],
            )
        return WriteCounts(new, updated, unchanged, tuple(changed))

    def entries(self, since: datetime | None = None, until: datetime | None = None) -> list[StoredEntry]:
        """Entries published in ``[since, until)``, oldest first."""
        where, args = [], []
        if since is not None:
            where.append("published >= ?")
            args.append(iso(since))
        if until is not None:
            where.append("published < ?")
            args.append(iso(until))
        sql = "SELECT * FROM entries" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.db.execute(sql + " ORDER BY published, id", args).fetchall()
        return [self._stored(r) for r in rows]

    def newest_published(self) -> datetime | None:
        """When the newest stored post was published (None: the store holds none); one index lookup."""
        row = self.db.execute("SELECT max(published) FROM entries").fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def entry_by_uid(self, uid: str) -> StoredEntry | None:
        row = self.db.execute("SELECT * FROM entries WHERE uid = ?", (uid,)).fetchone()
        return self._stored(row) if row else None

    def recent_links(self, limit: int) -> list[str]:
        """The links of the newest stored posts (by when they were first seen), newest first."""
        rows = self.db.execute("SELECT link FROM entries ORDER BY id DESC LIMIT ?", (limit,))
        return [str(r[0]) for r in rows]

    def entry_by_link(self, link: str) -> StoredEntry | None:
        row = self.db.execute("SELECT * FROM entries WHERE link = ? OR uid = ?", (link, link)).fetchone()
        return self._stored(row) if row else None

    def comment_history(self, entry_id: int) -> list[tuple[datetime, int]]:
        rows = self.db.execute(
            "SELECT observed_at, count FROM comment_observations WHERE entry_id = ?"
            " ORDER BY observed_at",
            (entry_id,),
        )
        return [(from_iso(r[0]), int(r[1])) for r in rows]

    def count(self, table: str) -> int:
        if table not in ("entries", "feeds", "comment_observations", "entry_feeds", "entry_categories"):
            raise ValueError(table)
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def prune_observations(self, before: datetime) -> int:
        """Drop comment observations older than ``before``, keeping each entry's latest."""
        with self.transaction():
            cursor = self.db.execute(
                "DELETE FROM comment_observations WHERE observed_at < ? AND observed_at <"
                " (SELECT max(observed_at) FROM comment_observations o"
                "  WHERE o.entry_id = comment_observations.entry_id)",
                (iso(before),),
            )
        return cursor.rowcount

    # -- article pages --------------------------------------------------------

    def page(self, url: str) -> CachedPage | None:
        row = self.db.execute("SELECT * FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return CachedPage(
            url=row["url"], fetched_at=from_iso(row["fetched_at"]), ok=bool(row["ok"]),
            attempts=int(row["attempts"]), etag=row["etag"], last_modified=row["last_modified"],
            body=row["body"], error=row["error"],
        )

    def page_attempt(self, url: str) -> tuple[bool, int] | None:
        """``(ok, attempts)`` for a cached page, without reading its body."""
        row = self.db.execute("SELECT ok, attempts FROM pages WHERE url = ?", (url,)).fetchone()
        return (bool(row[0]), int(row[1])) if row else None

    def save_page(self, url: str, now: datetime, *, body: str | None = None, error: str | None = None,
                  etag: str | None = None, last_modified: str | None = None) -> None:
        """Cache a fetched page, or count a failed attempt (keeping an older good copy)."""
        with self.transaction():
            if error is None:
                digest = body_hash(body) if body else None  # an empty body is no body to read
                self.db.execute(
                    "INSERT INTO pages(url, fetched_at, ok, attempts, etag, last_modified, body, error,"
                    " body_hash) VALUES(?,?,1,1,?,?,?,NULL,?) ON CONFLICT(url) DO UPDATE SET"
                    " fetched_at=excluded.fetched_at, ok=1, attempts=1, etag=excluded.etag,"
                    " last_modified=excluded.last_modified, body=coalesce(excluded.body, pages.body),"
                    " body_hash=CASE WHEN excluded.body IS NULL THEN pages.body_hash"
                    " ELSE excluded.body_hash END, error=NULL",
                    (url, iso(now), etag, last_modified, body, digest),
                )
            else:
                self.db.execute(
                    "INSERT INTO pages(url, fetched_at, ok, attempts, error) VALUES(?,?,0,1,?)"
                    " ON CONFLICT(url) DO UPDATE SET fetched_at=excluded.fetched_at,"
                    " ok=pages.body IS NOT NULL, attempts=pages.attempts + 1, error=excluded.error",
                    (url, iso(now), error),
                )

    # -- the site's own trending list ------------------------------------------

    def save_trending_snapshot(self, page_url: str, observed_at: datetime, links: list[str]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO trending_snapshots(observed_at, page_url, rank, link) VALUES(?,?,?,?)",
                [(iso(observed_at), page_url, rank, link) for rank, link in enumerate(links, 1)],
            )

    def trending_validators(self, page_url: str) -> tuple[str | None, str | None]:
        """``(etag, last_modified)`` of the trending page as last read, for a conditional request."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM trending_validators WHERE page_url = ?", (page_url,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_trending_validators(self, page_url: str, etag: str | None, last_modified: str | None) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO trending_validators(page_url, etag, last_modified) VALUES(?,?,?)",
                (page_url, etag, last_modified),
            )

    def trending_first_read(self, page_url: str) -> datetime | None:
        """When the site's trending list was first read (None: never), for a note that says so truthfully."""
        row = self.db.execute(
            "SELECT min(observed_at) FROM trending_snapshots WHERE page_url = ?", (page_url,)
        ).fetchone()
        return from_iso(row[0]) if row and row[0] is not None else None

    def trending_snapshot(self, page_url: str, at_or_before: datetime) -> tuple[datetime, list[str]] | None:
        """The latest snapshot of the site's trending list taken at or before a moment."""
        row = self.db.execute(
            "SELECT max(observed_at) FROM trending_snapshots WHERE page_url = ? AND observed_at <= ?",
            (page_url, iso(at_or_before)),
        ).fetchone()
        if not row or row[0] is None:
            return None
        links = [
            r[0] for r in self.db.execute(
                "SELECT link FROM trending_snapshots WHERE page_url = ? AND observed_at = ? ORDER BY rank",
                (page_url, row[0]),
            )
        ]
        return from_iso(row[0]), links

    def _stored(self, row: sqlite3.Row) -> StoredEntry:
        entry_id = int(row["id"])
        categories = tuple(
            r[0] for r in self.db.execute(
                "SELECT category FROM entry_categories WHERE entry_id = ? ORDER BY rowid", (entry_id,)
            )
        )
        feeds = tuple(
            r[0] for r in self.db.execute(
                "SELECT feed_url FROM entry_feeds WHERE entry_id = ? ORDER BY first_seen, feed_url",
                (entry_id,),
            )
        )
        images = tuple(ImageHint(u, s, w, h) for u, s, w, h in json.loads(row["images"]))
        return StoredEntry(
            id=entry_id,
            uid=row["uid"],
            link=row["link"],
            title=row["title"],
            author=row["author"],
            published=from_iso(row["published"]),
            published_from_feed=bool(row["published_from_feed"]),
            first_seen=from_iso(row["first_seen"]),
            summary=row["summary"],
            content=row["content"],
            comments=row["comments"],
            categories=categories,
            feeds=feeds,
            images=images,
            extras=tuple(sorted(json.loads(row["extras"]).items())),
        )


def body_hash(body: str) -> str:
    """What an analysis keys a page on: it changes exactly when the cached body does."""
    return hashlib.blake2b(body.encode("utf-8", "replace"), digest_size=16).hexdigest()


def _fingerprint(entry: FeedEntry) -> str:
    parts = [entry.link, entry.title, entry.author or "", entry.summary, entry.content,
             "\x1f".join(entry.categories), iso(entry.published) if entry.published else ""]
    return hashlib.blake2b("\x1e".join(parts).encode("utf-8", "replace"), digest_size=16).hexdigest()


def _feed_state(row: sqlite3.Row) -> FeedState:
    def when(key: str) -> datetime | None:
        return from_iso(row[key]) if row[key] else None

    return FeedState(
        url=row["url"],
        name=row["name"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_attempt=when("last_attempt"),
        last_success=when("last_success"),
        last_error=row["last_error"],
        last_error_at=when("last_error_at"),
        consecutive_failures=int(row["consecutive_failures"]),
    )
