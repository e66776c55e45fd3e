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
import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from digest.reviews.rules import ReviewRules, analyse_html, analysis_key
from digest.store.heads import AnalysisSource, EntryHead, analysis_sources, save_analyses

if TYPE_CHECKING:
    from digest.collect.parsepool import ParsePool
    from digest.models import Analysis
    from digest.settings.config import ReviewSettings, SectionSettings
    from digest.store.database import Store

AHEAD_MIN = 16  # fewer stale analyses than this are made in the collect's own process (not worth a hop)
CHUNKS_PER_WORKER = 3  # small enough that one slow chunk does not leave a core idle at the end


def analyse_chunk(settings: ReviewSettings, sections: tuple[SectionSettings, ...],
                  sources: Sequence[AnalysisSource]) -> list[tuple[int, Analysis]]:
    """Runs on a worker: the analyses of ``sources``, as ``fresh_analyses`` would make them."""
    rules = ReviewRules(settings, sections)
    return [(s.id, analyse_html(rules, s.link, s.content, s.summary, s.extras, s.images, s.page_body or None))
            for s in sources]


async def analyse_ahead(pool: ParsePool, store: Store, rules: ReviewRules, heads: Sequence[EntryHead],
                        meanwhile: Callable[[], object] = lambda: None) -> bool:
    """Make and keep the stale analyses of ``heads`` on the pool's workers; True when any were kept
    (the caller reads its heads again to see them). ``meanwhile`` runs here while the workers analyse."""
    if not pool.in_processes:
        return False
    stale: dict[int, str] = {}
    for head in heads:
        key = analysis_key(rules, head)
        if not (head.analysis is not None and head.analysis_key == key):
            stale[head.id] = key
    if len(stale) < AHEAD_MIN:
        return False
    sources = list(analysis_sources(store, list(stale)))
    size = max(1, -(-len(sources) // (max(pool.workers, 1) * CHUNKS_PER_WORKER)))
    chunks = [sources[start:start + size] for start in range(0, len(sources), size)]
    sent = [pool.submit(analyse_chunk, rules.settings, rules.sections, chunk) for chunk in chunks]
    meanwhile()  # the chunks are on their way: the workers go on while this process is busy
    # An exception (a broken pool, a reader's error) leaves that chunk to fresh_analyses.
    done = await asyncio.gather(*(future for future in sent if future is not None), return_exceptions=True)
    found = [(entry_id, stale[entry_id], analysis) for part in done if isinstance(part, list)
             for entry_id, analysis in part]
    if not found:
        return False
    with contextlib.suppress(sqlite3.OperationalError):  # a cache: fresh_analyses makes what is not kept
        save_analyses(store, found)
        return True
    return False
