"""The collect's analyses, made on its parse workers rather than in its own process.

A collect analyses every review it stored (score, TL;DR, lead image: about 1 ms a post, a
few hundred ms for a first collect of a few feeds) after its feeds are in, when the parse
workers sit idle and this process is the only one working. Here the stale analyses are split
into chunks and made on the workers, on every core at once, then kept in the store; the
collect's own :func:`digest.reviews.rules.fresh_analyses` then finds them fresh and only
reads them (issue 23). The analysis is the same function on the same stored HTML, so the
results are the same as made here. Anything that stops a chunk (a broken pool, an error in
the readers) leaves its entries stale: ``fresh_analyses`` makes them in this process, as
before, and raises there what it would have raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from digest.reviews.rules import ReviewRules, analyse_source, split_stale
from digest.store.heads import AnalysisSource, EntryHead, analysis_sources, save_analyses

if TYPE_CHECKING:
    from digest.collect.parsepool import ParsePool
    from digest.models import Analysis
    from digest.settings.config import ReviewSettings, SectionSettings
    from digest.store.database import Store

AHEAD_MIN = 16  # fewer stale analyses than this are made in the collect's own process (not worth a hop)
IN_FLIGHT_PER_WORKER = 2  # chunks sent ahead a worker: a core is never idle waiting for the next
CHUNK = 25  # posts at most a chunk: the HTML held here in flight stays small (peak memory)


def analyse_chunk(settings: ReviewSettings, sections: tuple[SectionSettings, ...],
                  sources: Sequence[AnalysisSource]) -> list[tuple[int, Analysis]]:
    """Runs on a worker: the analyses of ``sources``, as ``fresh_analyses`` would make them."""
    rules = ReviewRules(settings, sections)
    return [(source.id, analyse_source(rules, source)) for source in sources]


async def analyse_ahead(pool: ParsePool, store: Store, rules: ReviewRules, heads: Sequence[EntryHead],
                        meanwhile: Callable[[], object] = lambda: None) -> bool:
    """Make and keep the stale analyses of ``heads`` on the pool's workers; True when any were kept
    (the caller reads its heads again to see them). ``meanwhile`` runs here while the workers analyse.
    At most :data:`IN_FLIGHT_PER_WORKER` chunks a worker are read from the store and sent at a time,
    so this process's memory stays flat however many posts came in."""
    if not pool.in_processes:
        return False
    stale = split_stale(rules, heads)[1]
    if len(stale) < AHEAD_MIN:
        return False
    ids = list(stale)
    size = min(CHUNK, max(1, -(-len(ids) // (max(pool.workers, 1) * IN_FLIGHT_PER_WORKER))))
    chunks = iter([ids[start:start + size] for start in range(0, len(ids), size)])

    def send(part: list[int]) -> asyncio.Future[list[tuple[int, Analysis]]] | None:
        return pool.submit(analyse_chunk, rules.settings, rules.sections, list(analysis_sources(store, part)))

    window = deque(f for f in map(send, itertools.islice(chunks, max(pool.workers, 1) * IN_FLIGHT_PER_WORKER))
                   if f is not None)
    meanwhile()  # the chunks are on their way: the workers go on while this process is busy
    kept = False
    while window:
        # An exception (a broken pool, a reader's error) leaves that chunk to fresh_analyses.
        (part,) = await asyncio.gather(window.popleft(), return_exceptions=True)
        following = next(chunks, None)
        if following is not None and (sent := send(following)) is not None:
            window.append(sent)
        if isinstance(part, list) and part:
            with contextlib.suppress(sqlite3.OperationalError):  # a cache: fresh_analyses makes the rest
                save_analyses(store, [(entry_id, stale[entry_id], analysis) for entry_id, analysis in part])
                kept = True
    return kept
