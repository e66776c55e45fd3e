"""The collect's analyses made on its parse workers (digest.collect.analyse_ahead).

Each collect runs the real CLI in a fresh interpreter (one thread, so the parse workers are forked)
on a copy of the bundled demo, offline through its [[mirrors]]; the analyses it keeps in the store
are compared with the same analyses made in this process, from the same stored HTML.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.configfile import make_config
from helpers.server import FeedServer
from helpers.wordpress import make_posts, rss
from test_jobs_demo import demo_config

from digest.collect.collector import run_collect
from digest.collect.parsepool import parse_workers
from digest.models import Analysis
from digest.reviews.rules import ReviewRules, analyse_html, analysis_key
from digest.settings.config import load_config
from digest.store.database import Store
from digest.store.heads import analysis_sources, heads_between
from digest.store.lock import open_store

NOW = "2025-05-19T08:00"
COLLECTED_AT = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)
WORKERS = pytest.mark.skipif(parse_workers(7) < 2, reason="one usable core, or not Linux: no parse workers")

_COLLECT = """
import sys
import digest.collect.analyse_ahead as ahead
if sys.argv[1] == "broken":  # every chunk fails on its worker (forked after this)
    def analyse_chunk(*args):
        raise RuntimeError("a reader's bug")
    ahead.analyse_chunk = analyse_chunk
if sys.argv[1] == "small":  # many chunks of a few posts, one at a time on each worker
    ahead.CHUNK, ahead.IN_FLIGHT_PER_WORKER = 7, 1
from digest.cli import main
main(["--config", sys.argv[2], "collect", "--quiet", "--now", sys.argv[3]])
"""


def collected(folder: Path, mode: str = "plain") -> dict[str, tuple[str | None, Analysis | None]]:
    """Collect the demo in ``folder`` in its own process; every entry's kept analysis and its key, by link."""
    folder.mkdir(exist_ok=True)
    config = demo_config(folder)
    done = subprocess.run([sys.executable, "-c", _COLLECT, mode, str(config), NOW], capture_output=True,
                          text=True, cwd=folder, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with open_store(load_config(config).store_path, lock=False) as store:
        return {h.link: (h.analysis_key, h.analysis) for h in heads_between(store, None)}


@WORKERS
def test_the_analyses_made_on_the_workers_are_those_made_in_the_collects_own_process(tmp_path: Path) -> None:
    kept = collected(tmp_path)
    config = load_config(tmp_path / "demo.toml")
    rules = ReviewRules.from_config(config)
    with open_store(config.store_path, lock=False) as store:
        heads = {h.id: h for h in heads_between(store, None) if kept[h.link][1] is not None}
        assert len(heads) > 100  # the demo's reviews, on more than one chunk
        for source in analysis_sources(store, list(heads)):
            here = analyse_html(rules, source.link, source.content, source.summary, source.extras,
                                source.images, source.page_body or None)
            assert kept[source.link] == (analysis_key(rules, heads[source.id]), here), source.link


@WORKERS
def test_a_chunk_that_fails_on_a_worker_is_analysed_by_the_collect_itself(tmp_path: Path) -> None:
    plain = collected(tmp_path / "plain")
    broken = collected(tmp_path / "broken", "broken")
    assert sum(1 for _, analysis in broken.values() if analysis is not None) > 100
    assert broken == plain


@WORKERS
def test_chunks_sent_a_few_at_a_time_give_the_same_analyses(tmp_path: Path) -> None:
    assert collected(tmp_path / "small", "small") == collected(tmp_path / "plain")


def test_meanwhile_runs_once_after_the_feeds_are_stored_and_before_the_collect_ends(
        feed_server: FeedServer, tmp_path: Path) -> None:
    """The run's own work while the collect waits on its analyses (``digest run`` imports its build)."""
    posts = make_posts(6, newest=COLLECTED_AT, categories=("Reviews", "Film"))
    feed_server.feed("/feed/", rss(posts, site=feed_server.base))
    config = make_config(tmp_path, [feed_server.url("/feed/")], reviews={"fetch_pages": "never"})
    seen: list[int] = []
    with Store.open(config.store_path) as store:
        def meanwhile() -> None:
            seen.append(store.db.execute("SELECT count(*) FROM entries").fetchone()[0])

        report = run_collect(config, store, lambda: COLLECTED_AT, meanwhile=meanwhile)
    assert report.outcomes[0].new == 6
    assert seen == [6]
