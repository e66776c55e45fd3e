"""Backfill from the site's own archive pages: the posts its feeds no longer hold.

A feed holds the newest 10 or 20 posts; a site's category archive lists all of them. For
each page in ``collect.backfill_archives`` collect reads the listing (and its older pages,
up to ``collect.archive_max_pages``), takes the links on the listing's own host that have the
shape of the site's posts as its feeds give them, and fetches each post it has not stored
(with the collect's politeness, limits and page cache) to build the entry its feed item
would have been (:mod:`digest.collect.postpage`). The page read is kept in the page cache,
so the score pass reads it from there instead of fetching it again.

An archive is a source like a feed: its failure is reported under its address and never
stops the rest; its validators are kept only when every post it listed was dealt with, so
a collect cut short by ``collect.archive_max_posts`` carries on at the next one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from digest.collect.fetch import PAGE_ACCEPT, Fetcher
from digest.collect.listing import ListedPost, link_shape, read_listing
from digest.collect.pages import _charset
from digest.collect.postpage import entry_from_page
from digest.errors import FetchError, SourceError
from digest.models import FeedEntry, FeedOutcome, FeedStatus
from digest.settings.config import Config
from digest.store.database import Store

KEY = "collect.backfill_archives"
MIN_SHAPE = 2  # a post address shape is the site's when at least two stored posts have it


@dataclass(frozen=True)
class ArchiveResult:
    outcome: FeedOutcome
    changed_ids: tuple[int, ...] = ()


@dataclass
class _Budget:
    left: int


def post_shapes(links: list[str]) -> frozenset[str]:
    """The address shapes of the site's posts, learnt from the posts its feeds gave."""
    counts = Counter(link_shape(link) for link in links)
    return frozenset(shape for shape, n in counts.items() if n >= MIN_SHAPE and shape != "/")


async def collect_archives(config: Config, store: Store, fetcher: Fetcher, now: Callable[[], datetime]
                           ) -> list[ArchiveResult]:
    """Read every configured archive page, one after another (they share the post budget)."""
    urls = config.collect.backfill_archives
    if not urls:
        return []
    shapes = post_shapes(store.recent_links(1000))
    budget = _Budget(config.collect.archive_max_posts)
    results = []
    for url in urls:
        try:
            results.append(await _one(config, store, fetcher, url, shapes, budget, now))
        except SourceError as exc:
            message = str(exc)
            store.record_failure(url, url, now(), message)
            results.append(ArchiveResult(FeedOutcome(url, url, FeedStatus.FAILED, error=message)))
        except Exception as exc:  # a bug on one archive's input must not sink the collect
            message = (f"unexpected error reading this archive page ({type(exc).__name__}: {exc}); "
                       "please report it")
            store.record_failure(url, url, now(), message)
            results.append(ArchiveResult(FeedOutcome(url, url, FeedStatus.FAILED, error=message)))
    return results


async def _one(config: Config, store: Store, fetcher: Fetcher, url: str, shapes: frozenset[str],
               budget: _Budget, now: Callable[[], datetime]) -> ArchiveResult:
    settings = config.collect
    limit = config.reviews.page_max_bytes
    if not shapes:
        raise SourceError(f"archive page {url}: no post address shape to look for yet (the feeds gave fewer "
                          "than two posts): nothing read")
    if fetcher.policy is not None:
        fetcher.policy.check_url(url)  # an archive of another site would widen what collect may fetch
    state = store.feed_state(url)
    first = await fetcher.fetch(url, accept=PAGE_ACCEPT, max_bytes=limit, feed=True, key=KEY,
                                etag=state.etag if state else None,
                                last_modified=state.last_modified if state else None)
    if first.not_modified:
        with store.transaction():
            store.record_success(url, url, now(), first.etag, first.last_modified)
        return ArchiveResult(FeedOutcome(url, url, FeedStatus.NOT_MODIFIED))
    warnings: list[str] = []
    listed: dict[str, ListedPost] = {}
    seen = {url}
    page_url, got, pages = url, first, 0
    while True:
        html = got.content.decode(_charset(got.headers.get("content-type", "")), errors="replace")
        listing = read_listing(html, page_url, shapes)
        pages += 1
        for post in listing.posts:
            listed.setdefault(post.url, post)
        if listing.skipped:
            warnings.append(f"page {pages}: ignored {listing.skipped} link{'s' if listing.skipped > 1 else ''} "
                            f"off this site or not http(s) (e.g. {listing.skipped_example[:80]!r})")
        if listing.truncated:
            warnings.append(f"page {pages}: read only its first {len(listing.posts)} post links")
        nxt = listing.next_url
        if nxt is None:
            break
        if nxt in seen:
            warnings.append(f"page {pages} links back to {nxt}, a page already read: stopped (a page loop)")
            break
        if pages >= settings.archive_max_pages:
            warnings.append(f"stopped after {pages} listing pages (collect.archive_max_pages); older: {nxt}")
            break
        seen.add(nxt)
        try:
            got = await fetcher.fetch(nxt, accept=PAGE_ACCEPT, max_bytes=limit, untrusted=True)
        except FetchError as exc:
            warnings.append(f"stopped at listing page {pages + 1} ({nxt}): {exc}")
            break
        page_url = nxt
    oldest = now() - timedelta(days=settings.backfill_max_age_days)
    wanted = [p for p in listed.values()
              if (p.published is None or p.published >= oldest) and store.entry_by_link(p.url) is None
              and not _given_up(store, p.url, config.reviews.page_attempts)]
    chosen = wanted[: max(budget.left, 0)]
    budget.left -= len(chosen)
    deferred = len(wanted) - len(chosen)
    entries, failures = await _posts(config, store, fetcher, chosen, now)
    if deferred:
        warnings.append(f"{deferred} older posts wait for the next collect (collect.archive_max_posts)")
    if failures:
        shown = "; ".join(f"{link}: {why}" for link, why in failures[:3])
        warnings.append(f"{len(failures)} post page{'s' if len(failures) > 1 else ''} failed ({shown}"
                        + (f" and {len(failures) - 3} more" if len(failures) > 3 else "") + ")")
    complete = not deferred and not failures
    with store.transaction():
        counts = store.save_entries(url, entries, now())
        # Validators only once every listed post was dealt with: else the next collect reads the list again.
        store.record_success(url, url, now(), first.etag if complete else None,
                             first.last_modified if complete else None)
    return ArchiveResult(
        FeedOutcome(url, url, FeedStatus.OK, new=counts.new, updated=counts.updated, unchanged=counts.unchanged,
                    pages=pages, warning="; ".join(warnings) or None),
        tuple(counts.changed_ids),
    )


def _given_up(store: Store, url: str, attempts: int) -> bool:
    page = store.page_attempt(url)
    return page is not None and not page[0] and page[1] >= attempts


async def _posts(config: Config, store: Store, fetcher: Fetcher, posts: list[ListedPost],
                 now: Callable[[], datetime]) -> tuple[list[FeedEntry], list[tuple[str, str]]]:
    import asyncio

    async def one(post: ListedPost) -> FeedEntry | str:
        try:
            result = await fetcher.fetch(post.url, accept=PAGE_ACCEPT, max_bytes=config.reviews.page_max_bytes,
                                         untrusted=True)
        except FetchError as exc:
            store.save_page(post.url, now(), error=str(exc))
            return str(exc)
        kind = result.headers.get("content-type", "text/html").split(";")[0].strip().lower()
        if kind not in ("text/html", "application/xhtml+xml", ""):
            error = f"not an HTML page (Content-Type {kind})"
            store.save_page(post.url, now(), error=error)
            return error
        html = result.content.decode(_charset(result.headers.get("content-type", "")), errors="replace")
        entry = entry_from_page(html, post.url)
        if entry is None:
            store.save_page(post.url, now(), error="no post on this page (no title, no text)")
            return "no post on this page (no title, no text)"
        store.save_page(post.url, now(), body=html, etag=result.etag, last_modified=result.last_modified)
        if not entry.title and post.title:
            entry = replace(entry, title=post.title)
        if entry.published is None and post.published is not None:
            entry = replace(entry, published=post.published)
        return entry

    results = await asyncio.gather(*(one(p) for p in posts))
    entries = [r for r in results if isinstance(r, FeedEntry)]
    failures = [(p.url, r) for p, r in zip(posts, results, strict=True) if isinstance(r, str)]
    return entries, failures
