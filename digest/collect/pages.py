"""Fetch the article pages of reviews, once each, into the store's page cache.

The big review plugins draw their score box only on the article page, so a
review's page is the last place to look for its score. Pages are fetched
with the collect's fetcher (same politeness and limits, a smaller size cap),
cached with their validators, and retried a few times when they fail.

A page's address comes from the feed, so it is fetched only when it is on the
site's own origins (``digest.collect.policy``): an off-site link is skipped and
reported, never fetched. One collect fetches at most ``collect.max_page_fetches``
pages, oldest first; the rest wait for the next collect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from digest.collect.fetch import PAGE_ACCEPT, Fetcher
from digest.collect.policy import OffSite
from digest.errors import ErrorKind, FetchError
from digest.models import Analysis
from digest.reviews.rules import ReviewRules
from digest.settings.config import Config
from digest.store.database import Store
from digest.store.heads import EntryHead
from digest.urls import canonical_url, is_http


@dataclass(frozen=True)
class PageReport:
    fetched: int = 0
    failed: int = 0
    failures: tuple[tuple[str, str], ...] = ()  # (url, reason)
    skipped: tuple[tuple[str, str], ...] = ()  # (url, reason): off-site, never fetched
    deferred: int = 0  # over this collect's page budget: the next collect fetches them
    fetched_ids: tuple[int, ...] = ()  # entries whose page was stored: their analysis is due


def pages_to_fetch(heads: Sequence[EntryHead], analyses: Mapping[int, Analysis], rules: ReviewRules
                   ) -> list[EntryHead]:
    """Reviews with no cached page, or whose earlier attempts failed (up to the limit).

    The page cache is looked at first, and the stored analysis says whether the feed holds a
    score: a collect where nothing changed reads no HTML at all.
    """
    wanted = []
    for head in heads:
        page = head.page
        if page is not None and (page.ok or page.attempts >= rules.settings.page_attempts):
            continue
        if is_http(head.link) and rules.wants_page(head, analyses.get(head.id)):
            wanted.append(head)
    return wanted


async def fetch_pages(
    config: Config, store: Store, fetcher: Fetcher, entries: Sequence[EntryHead],
    now: Callable[[], datetime], on_page: Callable[[str, str | None], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> PageReport:
    """Fetch the pages (oldest first) up to the collect's budget; off-site links are only reported."""
    limit = config.reviews.page_max_bytes
    skipped: list[tuple[str, str]] = []
    allowed: list[EntryHead] = []
    for entry in sorted(entries, key=lambda e: (e.published, e.link)):
        try:
            if fetcher.policy is None:
                raise OffSite("skipped: no fetch policy", kind=ErrorKind.OFF_SITE)
            fetcher.policy.check_url(entry.link)
        except OffSite as exc:
            skipped.append((entry.link, str(exc)))
            continue
        allowed.append(entry)
    budget = config.collect.max_page_fetches
    chosen, deferred = allowed[:budget], len(allowed) - min(budget, len(allowed))

    async def reported(entry: EntryHead) -> tuple[str, str | None]:
        url, error = await one(entry)
        if on_page is not None:
            on_page(url, error)
        return url, error

    async def one(entry: EntryHead) -> tuple[str, str | None]:
        try:
            result = await fetcher.fetch(entry.link, accept=PAGE_ACCEPT, max_bytes=limit, untrusted=True)
        except FetchError as exc:
            store.save_page(entry.link, now(), error=str(exc))
            return entry.link, str(exc)
        kind = result.headers.get("content-type", "text/html").split(";")[0].strip().lower()
        if kind not in ("text/html", "application/xhtml+xml", ""):
            error = f"not an HTML page (Content-Type {kind})"
            store.save_page(entry.link, now(), error=error)
            return entry.link, error
        body = result.content.decode(_charset(result.headers.get("content-type", "")), errors="replace")
        store.save_page(entry.link, now(), body=body, etag=result.etag, last_modified=result.last_modified)
        return entry.link, None

    if on_total is not None:
        on_total(len(chosen))
    results = await asyncio.gather(*(reported(e) for e in chosen))
    failures = tuple((url, error) for url, error in results if error)
    fetched = tuple(e.id for e, (_, error) in zip(chosen, results, strict=True) if error is None)
    return PageReport(fetched=len(results) - len(failures), failed=len(failures), failures=failures,
                      skipped=tuple(skipped), deferred=deferred, fetched_ids=fetched)


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            candidate = value.strip().strip('"')
            try:
                "".encode(candidate)
            except LookupError:
                break
            return candidate
    return "utf-8"


async def snapshot_trending(
    config: Config, store: Store, fetcher: Fetcher, now: datetime
) -> tuple[int, str | None]:
    """Read the site's own trending list (``trending.site_page`` + selector) into the store.

    Returns (links found, error). A failure is reported, never fatal: the
    trending pick then falls back to the other signals.
    """
    page_url = config.trending.site_page
    if not page_url:
        return 0, None
    etag, last_modified = store.trending_validators(page_url)
    previous = store.trending_snapshot(page_url, now) if etag or last_modified else None
    try:
        result = await fetcher.fetch(
            # The config names this page, as it names the feeds: fetched as given, its redirects kept
            # on the site's origins, and a refused one names the key to set (not "off-site").
            page_url, accept=PAGE_ACCEPT, max_bytes=config.reviews.page_max_bytes, feed=True,
            key="trending.site_page",
            etag=etag if previous else None, last_modified=last_modified if previous else None,
        )
    except FetchError as exc:
        return 0, f"trending list {page_url}: {exc}"
    if result.not_modified and previous is not None:
        # The same list, seen again now: it is as fresh as a list read now (its weight decays
        # from the time it was last seen).
        store.save_trending_snapshot(page_url, now, previous[1])
        return len(previous[1]), None
    html = result.content.decode(_charset(result.headers.get("content-type", "")), errors="replace")
    links = trending_links(html, config.trending.site_selector, result.final_url)
    if not links:
        return 0, f"trending list {page_url}: no links match {config.trending.site_selector!r}"
    store.save_trending_snapshot(page_url, now, links)
    store.save_trending_validators(page_url, result.etag, result.last_modified)
    return len(links), None


def trending_links(html: str, selector: str, base_url: str) -> list[str]:
    """Canonical http(s) links matched by ``selector``, in page order, without repeats."""
    import lxml.html  # only when the page changed: an unchanged one answers 304
    from lxml.cssselect import CSSSelector

    if not html.strip():
        return []
    document = lxml.html.fromstring(html[:3_000_000])
    found: list[str] = []
    for element in CSSSelector(selector)(document):
        anchor = element if element.tag == "a" else next(iter(element.iter("a")), None)
        href = anchor.get("href") if anchor is not None else None
        if href:
            url = canonical_url(href, base_url)
            if is_http(url) and url not in found:
                found.append(url)
    return found
