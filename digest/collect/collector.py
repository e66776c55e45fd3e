"""Collect: fetch every configured feed, parse it, and store what came in.

Feeds are fetched concurrently; one feed's failure never stops the others.
Each feed (its first page plus any backfill pages) is written in a single
transaction together with its new validators, so a kill mid-run leaves the
store as it was before that feed, and the next run picks up cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from digest.collect.analyse_ahead import analyse_ahead
from digest.collect.fetch import Fetcher
from digest.collect.pages import fetch_pages, pages_to_fetch, snapshot_trending
from digest.collect.policy import FetchPolicy
from digest.errors import FetchError, SourceError
from digest.models import CollectReport, FeedEntry, FeedOutcome, FeedStatus, FetchResult
from digest.reviews.rules import ReviewRules, fresh_analyses, review_heads
from digest.settings.config import Config, FeedSettings
from digest.store.database import Store
from digest.store.heads import EntryHead, heads_between, heads_by_ids
from digest.urls import is_http

if TYPE_CHECKING:
    from collections.abc import Mapping

    from digest.collect.parsepool import ParsePool
    from digest.models import ParsedFeed

ProgressCallback = Callable[[FeedOutcome], None]
Clock = Callable[[], datetime]


class CollectProgress(Protocol):
    """What a progress display hears from a collect (the CLI draws it; tests record it)."""

    def feeds(self, total: int) -> None: ...
    def feed_done(self, outcome: FeedOutcome) -> None: ...
    def pages(self, total: int) -> None: ...
    def page_done(self, url: str, error: str | None) -> None: ...


class Parser(Protocol):
    async def parse(self, content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed: ...


class _ParseOnDemand:
    """For a collect that will most likely parse nothing (every feed has validators, so most
    answer 304): feedparser is loaded when a feed first sends a body, and parses on a thread."""

    def __init__(self) -> None:
        self._pool: ParsePool | None = None

    async def parse(self, content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
        if self._pool is None:
            from digest.collect.parsepool import ParsePool

            self._pool = ParsePool(0)
        return await self._pool.parse(content, headers, url)


@dataclass(frozen=True)
class _Gathered:
    """What one feed produced before anything is written."""

    feed: FeedSettings
    first: FetchResult | None
    entries: tuple[FeedEntry, ...]
    pages: int
    warning: str | None


def paged_url(url: str, page: int) -> str:
    """WordPress's paged feed: ``/feed/?paged=2``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "paged"]
    query.append(("paged", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def run_collect(
    config: Config,
    store: Store,
    now: Clock,
    *,
    backfill_pages: int | None = None,
    on_feed: ProgressCallback | None = None,
    progress: CollectProgress | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> CollectReport:
    """Synchronous entry point; see :func:`collect`."""
    return asyncio.run(collect(config, store, now, backfill_pages=backfill_pages, on_feed=on_feed,
                               progress=progress, meanwhile=meanwhile))


async def collect(
    config: Config,
    store: Store,
    now: Clock,
    *,
    backfill_pages: int | None = None,
    on_feed: ProgressCallback | None = None,
    progress: CollectProgress | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> CollectReport:
    """Collect every feed, then analyse what came in and fetch the article pages it needs.

    ``meanwhile``: the caller's own work, run once in this process after the feeds are stored, while
    the parse workers make the analyses (``digest run`` imports its build then: this process would
    otherwise only wait)."""
    started = now()
    pending_work = [meanwhile] if meanwhile is not None else []

    def idle() -> None:
        while pending_work:
            pending_work.pop()()

    clock = time.monotonic()  # real seconds, even when ``now`` is a fixed --now
    if progress is not None:
        progress.feeds(len(config.feeds))
    mirrors = {m.host.lower(): config.resolve(m.root) for m in config.mirrors}
    outcomes: list[FeedOutcome] = []
    policy = FetchPolicy.from_config(config)
    async with Fetcher(config.collect, mirrors=mirrors, base_dir=config.base_dir, policy=policy) as fetcher:

        changed: list[int] = []

        async def one(feed: FeedSettings, parser: Parser) -> FeedOutcome:
            outcome = await _collect_feed(config, store, fetcher, parser, feed, now, backfill_pages, changed)
            if on_feed is not None:
                on_feed(outcome)
            if progress is not None:
                progress.feed_done(outcome)
            return outcome

        # Parsing is CPU-bound pure Python: worker processes, one per core, when several feeds will
        # send a body. A feed with stored validators most often answers 304 and needs no parsing:
        # a re-collect where nothing changed forks no workers and loads no feed parser (the few
        # feeds that did change parse on a thread).
        likely = _likely_bodies(store, config.feeds)
        with contextlib.ExitStack() as stack:
            pool: ParsePool | None = None
            if likely >= 2:
                from digest.collect.parsepool import ParsePool

                pool = stack.enter_context(ParsePool.for_feeds(likely))
            parser: Parser = pool if pool is not None else _ParseOnDemand()
            outcomes = list(await asyncio.gather(*(one(f, parser) for f in config.feeds)))
            # Then the site's own archive pages, for the posts the feeds no longer hold (after the feeds:
            # what a feed gave is not read again, and the feeds' posts say what a post address looks like).
            if config.collect.backfill_archives:
                from digest.collect.archives import collect_archives

                for archive in await collect_archives(config, store, fetcher, now):
                    outcomes.append(archive.outcome)
                    changed.extend(archive.changed_ids)
                    if progress is not None:
                        progress.feed_done(archive.outcome)
            # Analyse what came in, once: the page pass and every later build read the kept analyses.
            # The page pass looks only at recent reviews whose page is still worth a try (a collect
            # where nothing changed finds few or none), with their analyses brought up to date. The
            # parse workers, idle by now, make the analyses (digest.collect.analyse_ahead).
            rules = ReviewRules.from_config(config)
            since = now() - timedelta(days=config.reviews.page_max_age_days)

            def heads() -> tuple[list[EntryHead], list[EntryHead]]:
                pending = heads_between(store, since, keep=rules.is_review,
                                        page_attempts=config.reviews.page_attempts)
                pending_ids = {h.id for h in pending}
                others = [i for i in changed if i not in pending_ids]
                return pending, review_heads(rules, heads_by_ids(store, others))

            pending, others = heads()
            if pool is not None and await analyse_ahead(pool, store, rules, pending + others, idle):
                pending, others = heads()  # with the analyses just kept
            idle()  # when the analyses did not go to the workers
            analyses = fresh_analyses(store, rules, pending + others)
            # Second pass: article pages of recent reviews, for scores the feed lacks.
            wanted = pages_to_fetch(pending, analyses, rules)
            pages = await fetch_pages(config, store, fetcher, wanted, now,
                                      on_page=progress.page_done if progress is not None else None,
                                      on_total=progress.pages if progress is not None else None)
            fetched = review_heads(rules, heads_by_ids(store, pages.fetched_ids))
            if pool is not None and await analyse_ahead(pool, store, rules, fetched):
                fetched = review_heads(rules, heads_by_ids(store, pages.fetched_ids))
            fresh_analyses(store, rules, fetched)
        trending_count, trending_error = await snapshot_trending(config, store, fetcher, now())
    return CollectReport(
        started=started, finished=now(), outcomes=tuple(outcomes),
        pages_fetched=pages.fetched, page_failures=pages.failures,
        page_skipped=pages.skipped, pages_deferred=pages.deferred,
        trending_links=trending_count, trending_error=trending_error,
        seconds=time.monotonic() - clock,
    )


async def _collect_feed(
    config: Config,
    store: Store,
    fetcher: Fetcher,
    parser: Parser,
    feed: FeedSettings,
    now: Clock,
    backfill_pages: int | None,
    changed: list[int],
) -> FeedOutcome:
    depth = backfill_pages if backfill_pages is not None else feed.backfill_pages
    if depth is None:
        depth = config.collect.backfill_pages
    try:
        gathered = await _gather(config, store, fetcher, parser, feed, depth, now)
    except SourceError as exc:
        message = str(exc)
        store.record_failure(feed.url, feed.name, now(), message)
        return FeedOutcome(feed.label, feed.url, FeedStatus.FAILED, error=message)
    except Exception as exc:  # a bug on one feed's input must not sink the others
        # e.g. a hostile <link> makes urlsplit raise ValueError inside parse_feed; left to
        # asyncio.gather it aborted the whole collect and lost every other feed's outcome.
        message = f"unexpected error reading this feed ({type(exc).__name__}: {exc}); please report it"
        store.record_failure(feed.url, feed.name, now(), message)
        return FeedOutcome(feed.label, feed.url, FeedStatus.FAILED, error=message)
    moment = now()
    first = gathered.first
    with store.transaction():
        if first is None or first.not_modified:
            state = store.feed_state(feed.url)
            store.record_success(
                feed.url, feed.name, moment,
                state.etag if state else None, state.last_modified if state else None,
            )
            return FeedOutcome(feed.label, feed.url, FeedStatus.NOT_MODIFIED, pages=0)
        counts = store.save_entries(feed.url, gathered.entries, moment)
        store.record_success(feed.url, feed.name, moment, first.etag, first.last_modified)
    changed.extend(counts.changed_ids)
    return FeedOutcome(
        feed.label, feed.url, FeedStatus.OK,
        new=counts.new, updated=counts.updated, unchanged=counts.unchanged,
        pages=gathered.pages, warning=gathered.warning,
    )


async def _gather(
    config: Config, store: Store, fetcher: Fetcher, parser: Parser, feed: FeedSettings, depth: int,
    now: Clock,
) -> _Gathered:
    state = store.feed_state(feed.url)
    first = await fetcher.fetch(
        feed.url,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        feed=True,
    )
    if first.not_modified:
        return _Gathered(feed, first, (), 0, None)
    cap = config.collect.max_items_per_feed
    from digest.collect.repair import cap_items  # lxml: only for a feed that sent a body

    content, items = cap_items(first.content, cap)
    parsed = await parser.parse(content, first.headers, first.final_url)
    entries: dict[str, FeedEntry] = {e.uid: e for e in parsed.entries[:cap]}
    warnings = [parsed.warning] if parsed.warning else []
    if not parsed.entries:
        warnings.append(empty_feed_hint(parsed.title))
    elif parsed.title.lower().startswith("comments"):
        warnings.append(f"its title is {parsed.title[:80]!r}: is this a comments feed, not the posts?")
    if items > cap:
        warnings.append(f"kept the newest {cap} of {items} items (collect.max_items_per_feed)")
        depth = 0  # a feed this long needs no backfill
    pages = 1
    new_uids = set(entries) - store.known_uids(entries)
    oldest_wanted = now() - timedelta(days=config.collect.backfill_max_age_days)
    reached_age_limit = _reaches_back_past(parsed.entries, oldest_wanted)
    # Backfill only while pages keep bringing posts the store has never seen, and
    # not beyond a page that already reaches back past the age limit.
    while (depth > 0 and pages <= depth and new_uids and not reached_age_limit and is_http(feed.url)
           and len(entries) < cap):
        page_url = paged_url(feed.url, pages + 1)
        try:
            result = await fetcher.fetch(page_url, feed=True)
            page = await parser.parse(cap_items(result.content, cap)[0], result.headers, result.final_url)
        except FetchError as exc:
            if exc.status != 404:
                warnings.append(f"backfill stopped at page {pages + 1}: {exc}")
            break
        except SourceError as exc:
            warnings.append(f"backfill stopped at page {pages + 1}: {exc}")
            break
        fresh = [e for e in page.entries if e.uid not in entries][: max(cap - len(entries), 0)]
        new_uids = {e.uid for e in fresh} - store.known_uids(e.uid for e in fresh)
        for entry in fresh:
            entries[entry.uid] = entry
        pages += 1
        reached_age_limit = _reaches_back_past(page.entries, oldest_wanted)
    kept, undated = sane_dates(tuple(entries.values()), now())
    if undated:
        warnings.append(f"{undated} item{'s' if undated > 1 else ''} dated before {EARLIEST.year} or in the "
                        "future: treated as undated (dated when first seen)")
    return _Gathered(feed, first, kept, pages, "; ".join(warnings) or None)


EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)


def sane_dates(entries: tuple[FeedEntry, ...], now: datetime) -> tuple[tuple[FeedEntry, ...], int]:
    """Published dates outside [1990, now + 2 days] are a broken feed, not news: drop them.

    A post "published" in year 1 or 2999 would otherwise sit outside every issue, or
    overflow date arithmetic; undated, the store dates it when it was first seen.
    """
    latest = now + FUTURE_SLACK
    out, dropped = [], 0
    for entry in entries:
        if entry.published is not None and not EARLIEST <= entry.published <= latest:
            entry = replace(entry, published=None)
            dropped += 1
        out.append(entry)
    return tuple(out), dropped


def empty_feed_hint(title: str) -> str:
    """0 items is rarely right: say what it usually means."""
    if title.lower().startswith("comments"):
        return f"the feed has 0 items, and its title is {title[:80]!r}: is this a comments feed?"
    return ("the feed has 0 items (is this a comments feed, an empty category, "
            "or the wrong URL?)")


def _likely_bodies(store: Store, feeds: list[FeedSettings]) -> int:
    """Feeds that will send a body: those we hold no validators for (new, or never given any)."""
    states = [store.feed_state(f.url) for f in feeds]
    return sum(1 for s in states if s is None or not (s.etag or s.last_modified))


def _reaches_back_past(entries: tuple[FeedEntry, ...], oldest_wanted: datetime) -> bool:
    """Does this page hold a post older than the backfill age limit?

    Feed pages run newest first, so every page after such a page is older still:
    reading it would fetch and store only posts outside the backfill window.
    """
    return any(e.published is not None and e.published < oldest_wanted for e in entries)

