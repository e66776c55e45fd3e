"""The store's connection: opening the SQLite file, migrations, and the one transaction shape.

Every table module (:mod:`digest.store.issues`, :mod:`digest.store.database`) builds on
:class:`Connection`, so the pragmas, the migration check and ``BEGIN IMMEDIATE`` live once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from digest.errors import StoreError
from digest.store.disk import write_failure
from digest.store.schema import MIGRATIONS

__all__ = ["Connection", "from_iso", "iso"]


def iso(moment: datetime) -> str:
    """Store times as UTC ISO-8601 text, which sorts chronologically."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Connection:
    """An open store file. Subclasses add the tables' methods."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Self:
        if path.is_dir():  # SQLite would only say "unable to open database file"
            raise StoreError(f"{path}: the store is a folder, not a file; set [store] path to a file's path")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=30)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            # 512 KiB of pages, not SQLite's 2 MB: a run reads the week once or twice and the OS caches
            # the file anyway; the cache's share of a run's peak memory (issue 23, bench/README.md)
            db.execute("PRAGMA cache_size=-512")
            store = cls(db, path)
            store._migrate()
        except StoreError:
            raise
        except sqlite3.DatabaseError as exc:
            raise write_failure(path, exc) or StoreError(f"{path}: cannot open the store: {exc}") from None
        except OSError as exc:
            raise write_failure(path, exc) or StoreError(f"{path}: cannot create the store: {exc.strerror}") \
                from None
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: store schema v{current} is newer than this digest "
                f"(v{len(MIGRATIONS)}); upgrade digest"
            )
        for version in range(current, len(MIGRATIONS)):
            with self.transaction():
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All of the block's writes or none; a write the disk refuses becomes a StoreError.

        SQLite may roll a failed write back by itself (a full disk does), so the rollback here
        only runs while a transaction is still open, and never hides the error that caused it.
        """
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            self._roll_back()
            failure = write_failure(self.path, exc)
            if failure is not None:
                raise failure from exc
            raise

    def _roll_back(self) -> None:
        if not self.db.in_transaction:
            return
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection's close rolls back what is left; the first error is the one to report
