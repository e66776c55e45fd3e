"""The store survives a collect killed mid-run, refuses a second concurrent run, and migrates once."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.configfile import write_config
from helpers.server import RSS_TYPE, FeedServer, Reply, Seen
from helpers.wordpress import make_posts, rss

from digest.errors import StoreError
from digest.models import FeedEntry
from digest.store.database import Store
from digest.store.schema import MIGRATIONS

DIGEST = [sys.executable, "-c", "from digest.cli.main import main; main()"]
FEEDS, ITEMS = 20, 60
NOW_TEXT = "2024-05-20T07:00"  # --now, in the config's America/Chicago
NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


def digest(config: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DIGEST, "--config", str(config), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=config.parent)


def start_digest(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*DIGEST, "--config", str(config), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=config.parent, start_new_session=True)


def group_members(group: int) -> list[int]:
    """Live processes of a process group (a session this test started)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":  # pgrp; zombies are gone already
            members.append(int(entry.name))
    return members


def kill_group_leftovers(group: int) -> None:
    """SIGKILL, one by one, what is left of a process group this test started (parse workers)."""
    for pid in group_members(group):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wordpress_feeds(server: FeedServer, delay: float) -> list[str]:
    """FEEDS category feeds of ITEMS posts each, ETag-aware, each answer ``delay`` seconds late."""
    urls = []
    for number in range(FEEDS):
        posts = make_posts(ITEMS, newest=NOW - timedelta(hours=number), first_id=(number + 1) * 1000,
                           categories=("Reviews", "Film", f"Series {number}"))
        body, tag = rss(posts, feed_path=f"/category/c{number}/feed/"), f'"feed-{number}-v1"'

        def answer(seen: Seen, body: bytes = body, tag: str = tag) -> Reply:
            if seen.headers.get("if-none-match") == tag:
                return Reply(304, headers={"ETag": tag})
            return Reply(body=body, headers={"Content-Type": RSS_TYPE, "ETag": tag}, delay=delay)

        urls.append(server.route(f"/category/c{number}/feed/", answer))
    return urls


def committed_feeds(path: Path) -> int:
    """How many feeds have entries, read by a separate connection while the collect runs."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT count(DISTINCT feed_url) FROM entry_feeds").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0  # not created or not migrated yet


def test_a_collect_killed_mid_run_leaves_a_consistent_store(feed_server: FeedServer, tmp_path: Path) -> None:
    urls = wordpress_feeds(feed_server, delay=0.25)
    config = write_config(tmp_path, urls, concurrency=2, per_host_concurrency=2)
    store_path = tmp_path / "var" / "digest.sqlite"

    process = start_digest(config, "collect", "--now", NOW_TEXT)
    try:
        deadline = time.monotonic() + 30
        while committed_feeds(store_path) < 3 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the collect finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
        kill_group_leftovers(process.pid)
    assert process.returncode == -signal.SIGKILL

    with Store.open(store_path) as store:
        db = store.db
        assert [tuple(r) for r in db.execute("PRAGMA integrity_check")] == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        sql = "SELECT feed_url, count(*) FROM entry_feeds GROUP BY feed_url"
        per_feed = {r[0]: r[1] for r in db.execute(sql)}
        done = {url for url, count in per_feed.items() if count}
        # Partway: some feeds are in, some are not, and no feed is in by halves.
        assert 0 < len(done) < FEEDS
        assert set(per_feed.values()) == {ITEMS}
        orphans = db.execute(
            "SELECT count(*) FROM entries e"
            " WHERE NOT EXISTS (SELECT 1 FROM entry_feeds f WHERE f.entry_id = e.id)"
            " OR (SELECT count(*) FROM entry_categories c WHERE c.entry_id = e.id) != 3"
        ).fetchone()[0]
        assert orphans == 0
        assert store.count("entries") == ITEMS * len(done)
        assert store.count("comment_observations") == ITEMS * len(done)
        # A feed's validators were written with its entries, never without them.
        with_etag = {row[0] for row in db.execute("SELECT url FROM feeds WHERE etag IS NOT NULL")}
        assert with_etag == done
        succeeded = {s.url for s in store.feed_states() if s.last_success is not None}
        assert succeeded == done

    rerun = digest(config, "collect", "--now", NOW_TEXT)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{FEEDS} feeds, 0 failed, {ITEMS * (FEEDS - len(done))} new entries" in rerun.stdout
    assert rerun.stdout.count("unchanged (304)") == len(done)  # the killed run's feeds were kept
    with Store.open(store_path) as store:
        assert store.count("entries") == FEEDS * ITEMS
        assert [tuple(r) for r in store.db.execute("PRAGMA integrity_check")] == [("ok",)]
        counts = [r[0] for r in store.db.execute("SELECT count(*) FROM entry_feeds GROUP BY feed_url")]
        assert counts == [ITEMS] * FEEDS


def test_a_killed_collect_leaves_no_processes_behind(feed_server: FeedServer, tmp_path: Path) -> None:
    # Parse workers (parsepool.ParsePool) must die with the collect, even one killed by SIGKILL:
    # orphans would pile up under init after every cron timeout or OOM kill.
    gate = threading.Event()
    quick = feed_server.feed("/category/a/feed/", rss(make_posts(5, newest=NOW)))
    held = feed_server.feed("/category/b/feed/", rss(make_posts(5, newest=NOW, first_id=5000)), gate=gate)
    config = write_config(tmp_path, [quick, held])
    process = start_digest(config, "collect", "--now", NOW_TEXT)
    try:
        deadline = time.monotonic() + 30
        while committed_feeds(tmp_path / "var" / "digest.sqlite") < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert committed_feeds(tmp_path / "var" / "digest.sqlite") == 1  # a parse has run: workers exist
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 3
        while group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert group_members(process.pid) == []
    finally:
        gate.set()
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
        kill_group_leftovers(process.pid)


def test_a_second_collect_while_one_runs_exits_4(feed_server: FeedServer, tmp_path: Path) -> None:
    gate = threading.Event()
    url = feed_server.feed("/feed/", rss(make_posts(3, newest=NOW)), gate=gate)
    config = write_config(tmp_path, [url])

    first = start_digest(config, "collect", "--now", NOW_TEXT)
    try:
        deadline = time.monotonic() + 30
        while not feed_server.requests and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert feed_server.requests, "the first collect never reached the server"

        second = digest(config, "collect", "--now", NOW_TEXT)

        assert second.returncode == 4
        assert second.stderr.startswith(f"error: another digest run (pid {first.pid}) is using ")
        assert "wait for it to finish" in second.stderr
        assert "Traceback" not in second.stderr
        assert second.stdout == ""
        assert len(feed_server.requests) == 1  # the second run fetched nothing
    finally:
        gate.set()
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "1 feeds, 0 failed, 3 new entries" in out
    assert digest(config, "collect", "--now", NOW_TEXT).returncode == 0  # the lock went with the run


# -- schema --------------------------------------------------------------------------------------


def entry(uid: str, comments: int | None = 2) -> FeedEntry:
    return FeedEntry(uid=uid, link=uid, title="REVIEW: x", author=None, categories=("Reviews",),
                     published=NOW, summary="", content="", comments=comments)


def test_a_fresh_store_is_at_the_latest_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path / "new" / "digest.sqlite") as store:
        assert store.schema_version == len(MIGRATIONS) >= 1
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"feeds", "entries", "entry_feeds", "entry_categories", "comment_observations"} <= tables
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "digest.sqlite"
    with Store.open(path) as store, store.transaction():
        store.save_entries("https://reviews.example/feed/", [entry("https://reviews.example/?p=1")], NOW)
    before = path.stat().st_size
    for _ in range(2):
        with Store.open(path) as store:  # re-running CREATE TABLE would raise here
            assert store.schema_version == len(MIGRATIONS)
            assert store.count("entries") == 1
    assert path.stat().st_size == before


def test_an_old_store_is_migrated_forward_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "digest.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    db.execute("INSERT INTO feeds(url, name) VALUES ('https://reviews.example/feed/', 'Main')")
    db.close()
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        state = store.feed_state("https://reviews.example/feed/")
        assert state is not None and state.name == "Main"


def test_a_store_from_a_newer_digest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "digest.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this digest"):
        Store.open(path)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "digest.sqlite"
    path.write_bytes(b"this is not a database, it is a text file\n" * 200)
    with pytest.raises(StoreError, match="cannot open the store"):
        Store.open(path)


def test_prune_observations_keeps_each_entrys_latest(tmp_path: Path) -> None:
    busy, quiet = "https://reviews.example/?p=1", "https://reviews.example/?p=2"
    with Store.open(tmp_path / "digest.sqlite") as store:
        for day in (0, 10, 20):
            with store.transaction():
                batch = [entry(busy, comments=day)] + ([entry(quiet, comments=1)] if day == 0 else [])
                store.save_entries("https://reviews.example/feed/", batch, NOW + timedelta(days=day))
        busy_id = store.entry_by_uid(busy).id  # type: ignore[union-attr]
        quiet_id = store.entry_by_uid(quiet).id  # type: ignore[union-attr]

        removed = store.prune_observations(NOW + timedelta(days=15))
        assert removed == 2  # busy's day 0 and day 10
        assert store.comment_history(busy_id) == [(NOW + timedelta(days=20), 20)]
        assert store.comment_history(quiet_id) == [(NOW, 1)]  # old, but its only one

        assert store.prune_observations(NOW + timedelta(days=365)) == 0
        assert store.comment_history(busy_id) == [(NOW + timedelta(days=20), 20)]
        assert store.comment_history(quiet_id) == [(NOW, 1)]


# -- a disk that fills up mid-collect -----------------------------------------------------------

EXIT_DISK_FULL = 6
REVIEW_PARAGRAPHS = (
    "The first act moves with the confidence of a director who knows exactly where the camera belongs, "
    "and the cast meets that confidence scene for scene.",
    "Where it stumbles is the middle stretch: a subplot about the family restaurant eats twenty minutes "
    "and gives back little more than a nice shot of the harbour at dusk.",
    "The score leans on strings a little too often, but the sound design in the storm sequence is the "
    "best this year, and it rewards a good pair of headphones.",
    "By the last reel the film has earned its ending, even if the final line of dialogue spells out what "
    "the image had already said better.",
)


def long_review(number: int) -> str:
    """A full review body, several kilobytes like a real one, different for every post."""
    paragraphs = [f"<p>{REVIEW_PARAGRAPHS[(number + i) % 4]} (Part {i + 1} of review {number}.)</p>"
                  for i in range(40)]
    return "".join(paragraphs) + f"<p><strong>Score: {number % 10}/10</strong></p>"


def limited_fsize(limit: int) -> Callable[[], None]:
    """For ``preexec_fn``: files may not grow past ``limit`` bytes; a write past it fails with EFBIG."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_disk_that_fills_during_collect_is_a_clear_error_and_the_store_stays_intact(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    small = make_posts(30, newest=NOW - timedelta(days=3), first_id=1000, categories=("Reviews", "Film"))
    first = feed_server.feed("/category/film/feed/", rss(small, feed_path="/category/film/feed/"),
                             headers={"ETag": '"film-v1"'})
    config = write_config(tmp_path, [first])
    seeded = digest(config, "collect", "--now", NOW_TEXT)
    assert seeded.returncode == 0, seeded.stderr
    store_path = tmp_path / "var" / "digest.sqlite"
    size = store_path.stat().st_size

    # A second feed brings far more than the disk has room for.
    big = [replace(p, body=long_review(p.id)) for p in
           make_posts(400, newest=NOW - timedelta(hours=2), every=timedelta(hours=1), first_id=5000,
                      categories=("Reviews", "Games"))]
    second = feed_server.feed("/category/games/feed/", rss(big, feed_path="/category/games/feed/"))
    config = write_config(tmp_path, [first, second])
    limit = size + 256 * 1024
    result = subprocess.run([*DIGEST, "--config", str(config), "collect", "--now", NOW_TEXT],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path,
                            preexec_fn=limited_fsize(limit))

    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == EXIT_DISK_FULL, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert str(store_path) in lines[0] and "full" in lines[0] and "nothing was lost" in lines[0]
    assert "file-size limit" in lines[0]  # it was the rlimit, not the disk: say which

    # Only the store's own files are left beside it: no stray temporary files.
    assert {p.name for p in store_path.parent.iterdir()} <= {
        "digest.sqlite", "digest.sqlite-wal", "digest.sqlite-shm", "digest.sqlite.lock"}
    with Store.open(store_path) as store:
        assert [tuple(r) for r in store.db.execute("PRAGMA integrity_check")] == [("ok",)]
        assert store.count("entries") == 30  # the earlier rows are all there ...
        assert {e.uid for e in store.entries()} == {p.guid() for p in small}
        assert store.feed_state(second) is None or store.feed_state(second).last_success is None  # ... and
        assert store.db.execute("SELECT count(*) FROM entry_feeds WHERE feed_url = ?",
                                (second,)).fetchone()[0] == 0  # none of the half-written feed

    # With room again, the next collect takes the whole feed.
    again = digest(config, "collect", "--now", NOW_TEXT)
    assert again.returncode == 0, again.stderr
    with Store.open(store_path) as store:
        assert store.count("entries") == 430
        assert [tuple(r) for r in store.db.execute("PRAGMA integrity_check")] == [("ok",)]


def test_the_weeks_head_query_reads_only_covering_indexes(tmp_path: Path) -> None:
    """A build reads a week's entries from indexes alone: never an entry row with its HTML (which
    would walk overflow pages), whatever the head query selects (``first_seen`` for --now included)."""
    from digest.store import heads

    with Store.open(tmp_path / "digest.sqlite") as store:
        plan = [row[3] for row in store.db.execute(
            f"EXPLAIN QUERY PLAN {heads._HEAD_SQL} WHERE e.published >= ? AND e.published < ?"
            " ORDER BY e.published, e.id", ("2025-05-12", "2025-05-19"))]
    entry_steps = [step for step in plan if step.startswith(("SEARCH e ", "SCAN e "))]
    assert entry_steps == ["SEARCH e USING COVERING INDEX entries_window (published>? AND published<?)"], plan
    assert any("COVERING INDEX pages_state" in step for step in plan), plan
