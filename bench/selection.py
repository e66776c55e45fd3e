"""Selection at scale: ``explain`` and ``build`` on stores of 5k, 50k and 200k entries.

(Not ``select.py``: a script's folder comes first on ``sys.path``, so a ``bench/select.py``
would shadow the standard library's ``select`` for every script here, and ``socket`` with it.)

Run ``.venv/bin/python bench/selection.py`` (``--quick`` is a small smoke run). For each size it
writes a store as a year of collects would leave it (entries spread over a year, their feeds
and categories, comment observations, cached article pages, the site's trending list every
three hours, the issues of earlier weeks), then measures, on the week that just ended:

* cold: the first selection on that store, which analyses the window (a store filled by
  ``digest collect`` has its analyses already; this one is written directly, without them);
* in process, after a warm-up: ``choose`` (what ``explain`` runs for an unbuilt week, then
  formats) and ``build_issue`` (selection, render, inline, lint, files, record), median of
  ``--repeats``, and the peak of Python allocations during one build (tracemalloc);
* the CLI: ``digest explain`` (unbuilt week) and ``digest build`` as child processes, wall
  time and peak RSS (GNU time), next to ``digest --help`` (the CLI's start-up) and ``digest
  feeds`` (loads the config, opens the store: every command's start-up) in the same rounds.

It prints figures and the growth ratio between sizes; it asserts nothing about time.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

GOAL_SECONDS = 0.3  # beyond start-up, at 50k entries
GOAL_MB = 100
SEED = 20250519
# Monday 19 May 2025, 08:00 in America/Chicago: the week that just ended is 2025-W20.
NOW = datetime(2025, 5, 19, 13, 0, tzinfo=UTC)
SITE = "https://busy.example"
SECTIONS = ("Anime", "Comics", "TV", "Film", "Video Games")
DIGEST = Path(sys.executable).with_name("digest")

_WORDS = ("the season finds its footing with a patient episode that trusts its cast and lets the"
          " quiet moments land before the finale pushes every thread toward a satisfying close").split()


def _paragraphs(rng: random.Random, size: int) -> str:
    out, total = [], 0
    while total < size:
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(40, 90)))
        para = f"<p>{words.capitalize()}.</p>\n"
        out.append(para)
        total += len(para)
    return "".join(out)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def generate(path: Path, entries: int, seed: int, content_kb: float, page_kb: float) -> dict[str, int]:
    """Write a store of ``entries`` posts published over the year before ``NOW``."""
    from digest.store.database import Store

    rng = random.Random(seed + entries)
    filler = [_paragraphs(rng, int(content_kb * 1024)) for _ in range(8)]
    page_filler = [_paragraphs(rng, int(page_kb * 1024)) for _ in range(4)]
    year = timedelta(days=365)
    start = NOW - year
    step = year / entries
    feeds = [f"{SITE}/feed/", f"{SITE}/category/reviews/feed/"]
    feeds += [f"{SITE}/category/{s.lower().replace(' ', '-')}/feed/" for s in SECTIONS]
    counts = {"entries": entries, "reviews": 0, "pages": 0, "observations": 0}
    with Store.open(path) as store:
        db = store.db
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("BEGIN")
        rows: Rows = []
        cats: Rows = []
        links_feeds: Rows = []
        observations: Rows = []
        pages: Rows = []
        for i in range(entries):
            published = start + step * (i + rng.random() * 0.9)
            section = SECTIONS[rng.randrange(len(SECTIONS))]
            review = rng.random() < 0.45
            slug = f"{published:%Y/%m/%d}/post-{i}"
            link = f"{SITE}/{slug}/"
            title = (f"REVIEW: Title {i}" if rng.random() < 0.3 else f"Title {i} Review") if review \
                else f"News {i}: what happened this week"
            where = rng.random()
            score = f"{rng.randint(40, 100) / 10:g}/10"
            body = filler[i % len(filler)]
            if review and where < 0.7:
                body += f"<p><strong>Rating - {score}</strong></p>"
            content = f"<p>TL;DR: Title {i} is worth a look this week.</p>\n{body}"
            summary = f"<p>Title {i}: the first lines of the post, as the feed describes it [&hellip;]</p>"
            images = json.dumps([[f"{SITE}/wp-content/uploads/{i}.jpg", "media:content", 1200, 675]])
            fingerprint = hashlib.blake2b(f"{seed}-{i}".encode(), digest_size=16).hexdigest()
            comments = 0
            obs_time = published
            for _ in range(rng.randint(2, 8)):  # one observation per collect while in a feed
                obs_time += timedelta(hours=3)
                comments += rng.choice((0, 0, 1, 2, 5))
                observations.append((i + 1, _iso(obs_time), comments))
            rows.append((i + 1, f"{SITE}/?p={i}", link, title, "Critic", _iso(published), 1, _iso(published),
                         _iso(obs_time), summary, content, comments, images, "{}", fingerprint))
            tags = [section, "Reviews" if review else "News", f"tag-{i % 97}"]
            cats.extend((i + 1, c) for c in tags)
            own = [feeds[0], feeds[2 + SECTIONS.index(section)]] + ([feeds[1]] if review else [])
            links_feeds.extend((i + 1, f, _iso(published)) for f in own)
            if review:
                counts["reviews"] += 1
                page = page_filler[i % len(page_filler)]
                if where < 0.85:  # the page's score box; 15% of reviews stay unscored
                    page += f'<div class="review-total-box">{score}</div>'
                pages.append((link, _iso(published + timedelta(hours=1)), 1, 1,
                               f"<html><body><article>{page}</article></body></html>"))
            if len(rows) >= 5000:
                _flush(db, rows, cats, links_feeds, observations, pages, counts)
        _flush(db, rows, cats, links_feeds, observations, pages, counts)
        # The site's trending list, read at every collect (every three hours), ten links.
        snap = start
        snapshots = []
        while snap < NOW:
            for rank in range(1, 11):
                k = min(int((snap - start) / step) - rng.randint(0, 200), entries - 1)
                snapshots.append((_iso(snap), SITE + "/", rank, f"{SITE}/?p={max(k, 0)}"))
            snap += timedelta(hours=3)
        db.executemany("INSERT OR REPLACE INTO trending_snapshots VALUES(?,?,?,?)", snapshots)
        # Earlier issues: the last 8 weeks each featured 8 reviews.
        from digest.weeks import last_full_week

        week = last_full_week(NOW, _tz())
        for _ in range(8):
            week = week.previous()
            w_start, w_end = week.window(_tz())
            db.execute("INSERT INTO issues VALUES(?,?,?,?,?,?)",
                       (week.id, _iso(w_end), _iso(w_start), _iso(w_end), f"Digest {week.id}", "/nowhere"))
            for pos in range(1, 9):
                k = int((w_start - start) / step) + pos * 7
                db.execute("INSERT INTO issue_picks VALUES(?,?,?,?,?)",
                           (week.id, f"{SITE}/?p={k}", f"{SITE}/x/{k}/", "top", pos))
        db.execute("COMMIT")
    return counts


Rows = list[tuple[Any, ...]]


def _flush(db: sqlite3.Connection, rows: Rows, cats: Rows, feeds: Rows, observations: Rows, pages: Rows,
           counts: dict[str, int]) -> None:
    execute = db.executemany
    execute("INSERT INTO entries(id, uid, link, title, author, published, published_from_feed, first_seen,"
            " last_seen, summary, content, comments, images, extras, fingerprint)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    execute("INSERT INTO entry_categories VALUES(?,?)", cats)
    execute("INSERT INTO entry_feeds VALUES(?,?,?)", feeds)
    execute("INSERT INTO comment_observations VALUES(?,?,?)", observations)
    execute("INSERT INTO pages(url, fetched_at, ok, attempts, body) VALUES(?,?,?,?,?)", pages)
    if _has_body_hash(db):
        from digest.store.database import body_hash

        execute("UPDATE pages SET body_hash = ? WHERE url = ?", [(body_hash(p[4]), p[0]) for p in pages])
    counts["pages"] += len(pages)
    counts["observations"] += len(observations)
    for part in (rows, cats, feeds, observations, pages):
        part.clear()


def _has_body_hash(db: sqlite3.Connection) -> bool:
    columns = db.execute("PRAGMA table_info(pages)").fetchall()
    return any(c[1] == "body_hash" for c in columns)


def _tz() -> ZoneInfo:
    return ZoneInfo("America/Chicago")


def write_config(folder: Path, store: Path) -> Path:
    path = folder / "digest.toml"
    path.write_text(
        f'output_dir = "{folder / "out"}"\n\n'
        f'[site]\nname = "Busy Reviews"\nurl = "{SITE}"\ntimezone = "America/Chicago"\n\n'
        f'[store]\npath = "{store}"\n\n'
        f'[select]\nrepeat_weeks = 4\nbuild_thin_week = true\n\n'
        f'[trending]\nsite_page = "{SITE}/"\nsite_selector = "ol.trending a"\n\n'
        # A plain email handed off as built carries its own unsubscribe link and postal address.
        f'[email]\nunsubscribe_url = "{SITE}/unsubscribe"\npostal_address = "1 Bench Street, Testville"\n\n'
        f'[[feeds]]\nurl = "{SITE}/feed/"\n',
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------- measuring

# Children run as an installed tool does, with byte-code caches (this sandbox may turn them off).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


class Runs:
    """Wall and CPU seconds of repeated runs of one thing. CPU time is the headline: on a
    shared machine the wall clock also counts the time other processes held the cores."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.rss = 0.0  # MB, the highest seen

    @property
    def median(self) -> float:
        return statistics.median(self.cpu)

    def text(self) -> str:
        rss = f", peak RSS {self.rss:.0f} MB" if self.rss else ""
        return (f"CPU {self.median:.3f} s (best {min(self.cpu):.3f}), "
                f"wall {statistics.median(self.wall):.3f} s{rss}")

    def time(self, call: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)

    def child(self, args: list[str]) -> None:
        """One child process: wall, user+system CPU and peak RSS, from GNU time. (Not from this
        process's wait4: Linux carries a parent's peak RSS into a child it forks and execs.)"""
        with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
            started = time.perf_counter()
            done = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", report.name, *args], env=_ENV,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            self.wall.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.decode()}")
            rss, user, system = report.read().split()[-3:]
        self.cpu.append(float(user) + float(system))
        self.rss = max(self.rss, int(rss) / 1024)


def measure(size: int, folder: Path, repeats: int, content_kb: float, page_kb: float,
            seed: int) -> dict[str, float]:
    from digest.job.build import build_issue, choose
    from digest.mail.manifest import build_manifest, format_manifest
    from digest.settings.config import load_config
    from digest.store.database import Store
    from digest.weeks import last_full_week

    store_path = folder / f"store-{size}.sqlite"
    started = time.perf_counter()
    counts = generate(store_path, size, seed, content_kb, page_kb)
    made = time.perf_counter() - started
    config = load_config(write_config(folder, store_path))
    week = last_full_week(NOW, config.site.tz)
    start, end = week.window(config.site.tz)
    print(f"\n== {size:,} entries ({counts['reviews']:,} reviews, {counts['pages']:,} pages, "
          f"{counts['observations']:,} comment observations; "
          f"{store_path.stat().st_size / 1e6:,.0f} MB, written in {made:.1f} s)")
    cold, selections, explains, builds = Runs(), Runs(), Runs(), Runs()
    with Store.open(store_path) as store:
        in_range = store.db.execute(
            "SELECT count(*) FROM entries WHERE published >= ? AND published < ?",
            (_iso(start - timedelta(days=7)), _iso(end + timedelta(days=1)))).fetchone()[0]
        print(f"   {week.id}: {in_range:,} entries in the window and the trending look-back")
        cold.time(lambda: choose(config, store, NOW, week))
        print(f"   cold: first selection (analyses the window, keeps it)  {cold.text()}")

        def explain() -> None:
            selection = choose(config, store, NOW, week)
            format_manifest(build_manifest(selection, "(not rendered)", config.site.tz))

        def build() -> None:
            build_issue(config, store, NOW, week)

        build()  # warm-up: templates, CSS
        for _ in range(repeats):
            selections.time(lambda: choose(config, store, NOW, week))
            explains.time(explain)
            builds.time(build)
        tracemalloc.start()
        build()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        store.db.execute("DELETE FROM issue_picks WHERE issue_id = ?", (week.id,))
        store.db.execute("DELETE FROM issues WHERE id = ?", (week.id,))
    print(f"   in process: choose (the selection)        {selections.text()}")
    print(f"   in process: explain (choose + format)     {explains.text()}")
    print(f"   in process: build (+ render, files)       {builds.text()}; "
          f"peak Python allocations {peak / 1e6:.1f} MB")
    cfg = str(folder / "digest.toml")
    now_arg = NOW.astimezone(config.site.tz).strftime("%Y-%m-%dT%H:%M")
    helps, feeds, cli_explains, cli_builds = Runs(), Runs(), Runs(), Runs()
    for _ in range(repeats):  # interleaved: start-ups, explain (unbuilt week), build
        helps.child([str(DIGEST), "--help"])
        feeds.child([str(DIGEST), "--config", cfg, "feeds"])
        cli_explains.child([str(DIGEST), "--config", cfg, "explain", "--week", week.id, "--now", now_arg])
        cli_builds.child([str(DIGEST), "--config", cfg, "build", "--week", week.id, "--now", now_arg])
        with Store.open(store_path) as store:  # unbuild, so the next explain selects again
            store.db.execute("DELETE FROM issues WHERE id = ?", (week.id,))
    print(f"   CLI: digest --help                        {helps.text()}")
    print(f"   CLI: digest feeds (config + store)        {feeds.text()}")
    for name, runs in (("explain", cli_explains), ("build", cli_builds)):
        print(f"   CLI: digest {name:<8}                     {runs.text()}; beyond --help "
              f"{runs.median - helps.median:+.3f} s CPU, beyond feeds {runs.median - feeds.median:+.3f} s")
    return {
        "choose": selections.median, "explain": explains.median, "build": builds.median,
        "cli_explain": cli_explains.median - helps.median, "cli_build": cli_builds.median - helps.median,
        "cli_explain_f": cli_explains.median - feeds.median, "cli_build_f": cli_builds.median - feeds.median,
        "rss": max(cli_builds.rss, cli_explains.rss), "traced": peak / 1e6, "cold": cold.median,
        "in_range": float(in_range),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000,50000,200000", help="entries per store, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--content-kb", type=float, default=6.0, help="HTML of each post (feed content)")
    parser.add_argument("--page-kb", type=float, default=24.0, help="HTML of each cached article page")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep", type=Path, default=None, help="write the stores here and keep them")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 and 5,000 entries, one round")
    args = parser.parse_args(argv)
    sizes = [2000, 5000] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeats = 1 if args.quick else args.repeats
    folder = args.keep or Path(tempfile.mkdtemp(prefix="digest-select-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; stores in {folder}")
    results: dict[int, dict[str, float]] = {}
    try:
        for size in sizes:
            results[size] = measure(size, folder, repeats, args.content_kb, args.page_kb, args.seed)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\n== summary: CPU seconds, medians (load average now {os.getloadavg()[0]:.1f})")
    print(f"{'entries':>9} {'in range':>9} {'choose':>7} {'explain':>8} {'build':>7} "
          f"{'CLI explain':>12} {'CLI build':>10} {'peak RSS':>9} {'traced':>7} {'cold':>7}")
    print(f"{'':>9} {'':>9} {'(in process)':>24} {'(beyond --help / feeds)':>24}")
    for size, r in results.items():
        print(f"{size:>9,} {r['in_range']:>9,.0f} {r['choose']:>7.3f} {r['explain']:>8.3f} {r['build']:>7.3f} "
              f"{r['cli_explain']:>6.2f}/{r['cli_explain_f']:<5.2f} "
              f"{r['cli_build']:>5.2f}/{r['cli_build_f']:<4.2f} "
              f"{r['rss']:>7.0f}MB {r['traced']:>5.1f}MB {r['cold']:>7.2f}")
    for small, big in zip(sizes, sizes[1:], strict=False):
        a, b = results[small], results[big]
        print(f"growth {big:,}/{small:,} entries ({b['in_range'] / a['in_range']:.1f}x in range): "
              + ", ".join(f"{k} {b[k] / a[k]:.2f}x" for k in ("choose", "explain", "build", "cold")))
    if 50000 in results:
        r = results[50000]
        print(f"goal at 50k, <= {GOAL_SECONDS} s beyond start-up: in process explain {r['explain']:.3f} s, "
              f"build {r['build']:.3f} s; CLI beyond `digest feeds` explain {r['cli_explain_f']:.3f} s, "
              f"build {r['cli_build_f']:.3f} s. Peak RSS <= {GOAL_MB} MB: {r['rss']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
