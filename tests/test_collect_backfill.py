"""Paged backfill against a WordPress-like server: ``/feed/`` and ``/feed/?paged=N``, 404 past the end."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.configfile import Clock, make_config
from helpers.server import FeedServer, Reply, serve_wordpress
from helpers.wordpress import Post, WordPressSite, make_posts

from digest.collect.collector import run_collect
from digest.models import FeedOutcome
from digest.store.database import Store


def site_of(count: int, clock: Clock, *, every: timedelta = timedelta(days=1)) -> WordPressSite:
    return WordPressSite(make_posts(count, newest=clock() - timedelta(hours=1), every=every), per_page=10)


def collect(
    tmp_path: Path, store: Store, clock: Clock, url: str, *, feed: dict[str, Any] | None = None,
    run_pages: int | None = None, **settings: Any,
) -> FeedOutcome:
    settings.setdefault("backfill_max_age_days", 3650)
    config = make_config(tmp_path, [{"url": url, **(feed or {})}], **settings)
    (outcome,) = run_collect(config, store, clock, backfill_pages=run_pages).outcomes
    return outcome


def paged(server: FeedServer) -> list[str]:
    return [p for p in server.paths() if "paged" in p]


def test_first_collect_reads_pages_until_the_404(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    site = site_of(35, clock)
    url = serve_wordpress(feed_server, site)

    outcome = collect(tmp_path, store, clock, url, run_pages=10)

    assert (outcome.status, outcome.pages, outcome.new, outcome.warning) == ("ok", 4, 35, None)
    assert feed_server.paths() == ["/feed/", "/feed/?paged=2", "/feed/?paged=3", "/feed/?paged=4",
                                   "/feed/?paged=5"]
    assert store.count("entries") == 35
    oldest = store.entry_by_uid(site.posts[-1].guid())
    assert oldest is not None and oldest.feeds == (url,)


def test_second_collect_stops_at_the_first_page_with_nothing_new(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    site = site_of(35, clock)
    url = serve_wordpress(feed_server, site)
    collect(tmp_path, store, clock, url, run_pages=10)

    # Two new posts push everything down: page 1 has 2 new + 8 known, page 2 only known posts.
    clock.advance(hours=5)
    site.publish(
        Post(2001, "REVIEW: Second New Film", clock() - timedelta(minutes=5), ("Reviews", "Film")),
        Post(2000, "REVIEW: First New Film", clock() - timedelta(hours=2), ("Reviews", "Film")),
    )
    before = len(feed_server.requests)
    outcome = collect(tmp_path, store, clock, url, run_pages=10)
    assert feed_server.paths()[before:] == ["/feed/", "/feed/?paged=2"]
    assert (outcome.new, outcome.pages) == (2, 2)
    assert store.count("entries") == 37

    # Nothing new at all: page 1 alone.
    clock.advance(hours=5)
    before = len(feed_server.requests)
    outcome = collect(tmp_path, store, clock, url, run_pages=10)
    assert feed_server.paths()[before:] == ["/feed/"]
    assert (outcome.new, outcome.unchanged, outcome.pages) == (0, 10, 1)


@pytest.mark.parametrize(
    ("global_pages", "feed_pages", "run_pages", "expected_pages"),
    [
        (2, None, None, 3),  # collect.backfill_pages: two older pages
        (0, 1, None, 2),  # the feed's own backfill_pages wins over the global one
        (5, 0, None, 1),  # ... also when it turns backfill off
        (5, None, 1, 2),  # `digest collect --backfill 1` wins over both
        (0, None, None, 1),  # default: no backfill
    ],
)
def test_backfill_respects_the_depth(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock,
    global_pages: int, feed_pages: int | None, run_pages: int | None, expected_pages: int,
) -> None:
    url = serve_wordpress(feed_server, site_of(80, clock))
    feed = {"backfill_pages": feed_pages} if feed_pages is not None else {}
    outcome = collect(tmp_path, store, clock, url, feed=feed, run_pages=run_pages, backfill_pages=global_pages)
    assert outcome.pages == expected_pages
    assert outcome.new == 10 * expected_pages
    assert len(paged(feed_server)) == expected_pages - 1


@pytest.mark.parametrize(
    ("every", "expected_pages"),
    [
        (timedelta(days=1), 2),  # page 2 (days 10-19) reaches past 14 days: page 3 is all older
        (timedelta(days=2), 1),  # page 1 (days 0-18) already reaches past 14 days
    ],
)
def test_backfill_stops_at_the_age_limit(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock,
    every: timedelta, expected_pages: int,
) -> None:
    url = serve_wordpress(feed_server, site_of(60, clock, every=every))
    outcome = collect(tmp_path, store, clock, url, run_pages=10, backfill_max_age_days=14)
    assert outcome.pages == expected_pages
    assert len(paged(feed_server)) == expected_pages - 1
    # No page made only of posts older than the limit was fetched or stored.
    cutoff = clock() - timedelta(days=14)
    stored = store.entries()
    assert len(stored) == 10 * expected_pages
    oldest_page = stored[:10]  # entries() runs oldest first
    assert max(e.published for e in oldest_page) >= cutoff


def test_a_failing_page_keeps_the_pages_before_it_with_a_warning(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    url = serve_wordpress(feed_server, site_of(60, clock), replies={3: Reply(500, b"Internal error")})
    outcome = collect(tmp_path, store, clock, url, run_pages=10)

    assert outcome.status == "ok"
    assert (outcome.pages, outcome.new) == (2, 20)
    assert outcome.warning is not None
    assert "page 3" in outcome.warning and "HTTP 500" in outcome.warning
    assert paged(feed_server) == ["/feed/?paged=2", "/feed/?paged=3"]
    assert store.count("entries") == 20
    state = store.feed_state(url)
    assert state is not None and state.consecutive_failures == 0 and state.last_success == clock()


def test_an_html_page_past_the_end_stops_backfill_with_a_warning(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    # Some themes answer 200 with an HTML "nothing found" page instead of a 404.
    page = b"<!DOCTYPE html><html><head><title>Nothing Found</title></head><body></body></html>"
    url = serve_wordpress(feed_server, site_of(15, clock),
                          replies={3: Reply(200, page, {"Content-Type": "text/html; charset=UTF-8"})})
    outcome = collect(tmp_path, store, clock, url, run_pages=10)
    assert (outcome.pages, outcome.new) == (2, 15)
    assert outcome.warning is not None and "page 3" in outcome.warning and "HTML" in outcome.warning


def test_a_feed_that_ignores_paged_does_not_loop(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    site = site_of(10, clock)
    body = site.page(1)
    assert body is not None
    url = feed_server.feed("/feed/", body)
    for number in range(2, 12):
        feed_server.feed(f"/feed/?paged={number}", body)  # same page whatever ?paged says
    outcome = collect(tmp_path, store, clock, url, run_pages=10)
    assert (outcome.pages, outcome.new, outcome.warning) == (2, 10, None)
    assert paged(feed_server) == ["/feed/?paged=2"]


def test_feed_urls_with_a_query_keep_it_when_paged(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    # The "plain permalinks" form of a WordPress feed: /?feed=rss2, paged as /?feed=rss2&paged=2.
    url = serve_wordpress(feed_server, site_of(25, clock), path="/?feed=rss2")
    outcome = collect(tmp_path, store, clock, url, run_pages=10)
    assert (outcome.pages, outcome.new) == (3, 25)
    assert "/?feed=rss2&paged=4" in feed_server.paths()
