"""The store's share of a run's memory (issue 23): SQLite's page cache is bounded per connection.

SQLite's default cache holds up to 2 MB of pages per connection; a weekly run reads a store of a
few MB once or twice (the week's entries, the issues before), which the operating system's file
cache serves as well. The store asks for 512 KiB.
"""

from __future__ import annotations

from pathlib import Path

from digest.store.database import Store

CACHE_KIB = 512


def cache_kib(store: Store) -> int:
    """The connection's page cache limit in KiB (SQLite reports a KiB limit as a negative number)."""
    value = int(store.db.execute("PRAGMA cache_size").fetchone()[0])
    page = int(store.db.execute("PRAGMA page_size").fetchone()[0])
    return -value if value < 0 else value * page // 1024


def test_a_new_and_a_reopened_store_keep_at_most_512_kib_of_pages(tmp_path: Path) -> None:
    path = tmp_path / "var" / "digest.sqlite"
    with Store.open(path) as store:
        assert cache_kib(store) == CACHE_KIB
        # more than the cache holds, read back whole: a bounded cache changes no answer
        store.db.execute("CREATE TABLE bulk (id INTEGER PRIMARY KEY, body TEXT)")
        store.db.executemany("INSERT INTO bulk (body) VALUES (?)", ((f"{i:06d}" * 700,) for i in range(800)))
    with Store.open(path) as store:
        assert cache_kib(store) == CACHE_KIB
        rows = store.db.execute("SELECT id, body FROM bulk ORDER BY id").fetchall()
        assert len(rows) == 800 and rows[-1]["body"] == "000799" * 700
        assert path.stat().st_size > 2 * CACHE_KIB * 1024
