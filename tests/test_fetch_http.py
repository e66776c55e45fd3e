"""Fetching over real sockets from a local server: validators, encodings, redirects, status codes,
time and size limits, garbage bodies, the user agent, politeness and concurrency bounds."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from helpers.configfile import FAST_COLLECT, make_config
from helpers.server import RSS_TYPE, FeedServer, Reply, Seen, unused_port
from helpers.wordpress import make_posts, rss
from pytest_httpserver import HTTPServer

from digest.collect.collector import run_collect
from digest.collect.fetch import Fetcher
from digest.errors import ErrorKind, FetchError
from digest.models import FeedOutcome, FetchResult
from digest.settings.config import USER_AGENT, CollectSettings
from digest.store.database import Store

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


def fetch(url: str, **settings: Any) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(CollectSettings(**{**FAST_COLLECT, **settings})) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


def fetch_error(url: str, **settings: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, **settings)
    return caught.value


def collect_one(tmp_path: Path, store: Store, clock: Any, url: str, **collect: Any) -> FeedOutcome:
    config = make_config(tmp_path, [url], **collect)
    (outcome,) = run_collect(config, store, clock).outcomes
    return outcome


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the collect writes for entries (feed health aside)."""
    tables = ("entries", "entry_feeds", "entry_categories", "comment_observations")
    return {t: [tuple(r) for r in store.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in tables}


# -- conditional GET -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "request_header", "value"),
    [
        ("ETag", "if-none-match", '"wp-4f2a9c"'),
        ("Last-Modified", "if-modified-since", "Mon, 20 May 2024 11:58:02 GMT"),
    ],
)
def test_second_collect_sends_the_validator_and_a_304_changes_nothing(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Any,
    validator: str, request_header: str, value: str,
) -> None:
    body = rss(make_posts(5, newest=clock()))

    def answer(seen: Seen) -> Reply:
        if seen.headers.get(request_header) == value:
            return Reply(304, headers={validator: value})
        return Reply(body=body, headers={"Content-Type": RSS_TYPE, validator: value})

    url = feed_server.route("/feed/", answer)
    config = make_config(tmp_path, [url])

    first = run_collect(config, store, clock).outcomes[0]
    assert (first.status, first.new, first.pages) == ("ok", 5, 1)
    state = store.feed_state(url)
    assert state is not None
    assert (state.etag if validator == "ETag" else state.last_modified) == value
    before = dump(store)

    clock.advance(hours=6)
    second = run_collect(config, store, clock).outcomes[0]

    first_request, second_request = feed_server.requests_to("/feed/")
    assert request_header not in first_request.headers
    assert second_request.headers[request_header] == value
    assert (second.status, second.new, second.updated, second.pages) == ("not-modified", 0, 0, 0)
    assert second.error is None
    # Nothing was parsed or stored: no new comment observations at the second time, no row touched.
    assert dump(store) == before
    state = store.feed_state(url)
    assert state is not None
    assert state.last_success == clock()
    assert state.consecutive_failures == 0
    assert (state.etag if validator == "ETag" else state.last_modified) == value


def test_a_changed_feed_after_a_validator_is_read_again(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Any
) -> None:
    posts = make_posts(4, newest=clock())
    versions = {'"v1"': rss(posts[1:]), '"v2"': rss(posts)}  # v2 adds one post on top
    current = ['"v1"']

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == current[0]:
            return Reply(304, headers={"ETag": current[0]})
        return Reply(body=versions[current[0]], headers={"Content-Type": RSS_TYPE, "ETag": current[0]})

    url = feed_server.route("/feed/", answer)
    assert collect_one(tmp_path, store, clock, url).new == 3
    current[0] = '"v2"'
    clock.advance(hours=1)
    outcome = collect_one(tmp_path, store, clock, url)
    assert (outcome.status, outcome.new, outcome.unchanged) == ("ok", 1, 3)
    assert feed_server.requests_to("/feed/")[1].headers["if-none-match"] == '"v1"'
    state = store.feed_state(url)
    assert state is not None and state.etag == '"v2"'


# -- encodings, redirects, statuses ------------------------------------------------------------


def test_gzip_body_is_decoded(feed_server: FeedServer, tmp_path: Path, store: Store, clock: Any) -> None:
    body = rss(make_posts(12, newest=clock()))
    url = feed_server.feed("/feed/", gzip.compress(body), headers={"Content-Encoding": "gzip"})

    result = fetch(url)
    assert result.content == body
    assert "content-encoding" not in result.headers
    assert "gzip" in feed_server.requests[0].headers["accept-encoding"]

    outcome = collect_one(tmp_path, store, clock, url)
    assert (outcome.status, outcome.new) == ("ok", 12)


def test_size_limit_applies_to_the_decompressed_body(feed_server: FeedServer) -> None:
    # 3 MB of XML compresses to a few KB: the declared length is small, the real body is not.
    bomb = gzip.compress(b'<?xml version="1.0"?><rss version="2.0"><channel>' + b" " * 3_000_000)
    url = feed_server.feed("/feed/", bomb, headers={"Content-Encoding": "gzip"})
    error = fetch_error(url, max_bytes=1_000_000)
    assert error.kind == "too-big"
    assert "1 MB limit" in str(error)


def test_a_chain_of_permanent_redirects_is_followed(
    httpserver: HTTPServer, tmp_path: Path, store: Store, clock: Any
) -> None:
    body = rss(make_posts(4, newest=clock()))
    httpserver.expect_request("/feed").respond_with_data("", 301, {"Location": "/feed/"})
    httpserver.expect_request("/feed/").respond_with_data("", 301, {"Location": "/reviews/feed/"})
    httpserver.expect_request("/reviews/feed/").respond_with_data(body, 200, content_type=RSS_TYPE)
    url = httpserver.url_for("/feed")

    result = fetch(url)
    assert result.final_url == httpserver.url_for("/reviews/feed/")
    assert result.url == url
    assert result.content == body

    outcome = collect_one(tmp_path, store, clock, url)
    assert (outcome.status, outcome.new) == ("ok", 4)


def test_a_redirect_loop_fails_naming_redirects(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed/").respond_with_data("", 302, {"Location": "/rss/"})
    httpserver.expect_request("/rss/").respond_with_data("", 302, {"Location": "/feed/"})
    error = fetch_error(httpserver.url_for("/feed/"), max_redirects=4)
    assert error.kind == "redirects"
    assert "more than 4 redirects" in str(error)
    # It gave up after the configured number of hops, not sooner, not never.
    assert len(httpserver.log) == 5


@pytest.mark.parametrize(
    ("status", "words"),
    [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error"), (403, "HTTP 403 Forbidden")],
)
def test_error_status_is_named_in_words(httpserver: HTTPServer, status: int, words: str) -> None:
    httpserver.expect_request("/feed/").respond_with_data("<html>nope</html>", status, content_type="text/html")
    error = fetch_error(httpserver.url_for("/feed/"))
    assert (error.kind, error.status) == (ErrorKind.HTTP, status)
    assert str(error).startswith(words)
    assert ": " in str(error)  # followed by a hint for the editor


@pytest.mark.parametrize(
    ("status", "words"), [(400, "HTTP 400 Bad Request"), (503, "HTTP 503 Service Unavailable")]
)
def test_status_words_do_not_depend_on_the_servers_reason_phrase(
    feed_server: FeedServer, status: int, words: str
) -> None:
    # HTTP/1.1 allows an empty reason phrase (and HTTP/2 has none): the message must still say it.
    url = feed_server.route("/feed/", Reply(status, b"", {"Content-Type": "text/html"}, reason=""))
    error = fetch_error(url)
    assert str(error).startswith(words)


def test_a_truncated_body_is_a_broken_connection(feed_server: FeedServer) -> None:
    body = rss(make_posts(5, newest=NOW))
    url = feed_server.feed("/feed/", body[:700], declared_length=len(body))
    error = fetch_error(url)
    assert error.kind == "protocol"
    assert "broke the connection" in str(error)


def test_connection_refused_is_explained() -> None:
    error = fetch_error(f"http://127.0.0.1:{unused_port()}/feed/")
    assert error.kind == "connect"
    assert "connection refused" in str(error)


def test_a_url_with_an_impossible_port_is_a_fetch_error() -> None:
    # The config accepts it (see test_config_errors.py); the fetcher used to let an
    # ExceptionGroup(OverflowError) from the socket layer escape and abort the whole collect.
    error = fetch_error("http://127.0.0.1:99999/feed/")
    assert error.kind == "bad-url"
    assert "99999" in str(error)


# -- time limits -------------------------------------------------------------------------------


def test_read_timeout(feed_server: FeedServer) -> None:
    url = feed_server.feed("/feed/", rss(make_posts(2, newest=NOW)), delay=2.0)
    error = fetch_error(url, read_timeout=0.3)
    assert error.kind == "timeout"
    assert "stopped sending data for 0.3s" in str(error)


def test_overall_deadline_stops_a_trickling_server(feed_server: FeedServer) -> None:
    # Each byte arrives well within the read timeout, so only the deadline can stop it.
    body = rss(make_posts(2, newest=NOW))
    url = feed_server.feed("/feed/", b"", chunks=(body[i : i + 1] for i in range(len(body))), chunk_delay=0.05)
    error = fetch_error(url, read_timeout=2.0, deadline=0.6)
    assert error.kind == "timeout"
    assert "0.6s deadline" in str(error)


# -- size limits -------------------------------------------------------------------------------


def test_declared_length_over_the_limit_is_refused(feed_server: FeedServer) -> None:
    body = rss(make_posts(60, newest=NOW))
    assert len(body) > 20_000
    url = feed_server.feed("/feed/", body)
    error = fetch_error(url, max_bytes=20_000)
    assert error.kind == "too-big"
    assert "0.02 MB limit" in str(error)
    assert "collect.max_bytes" in str(error)


def test_chunked_body_growing_past_the_limit_is_refused(feed_server: FeedServer) -> None:
    head = rss(make_posts(1, newest=NOW))[:300]
    sent: list[int] = []

    def endless() -> Any:
        yield head
        for _ in range(25_000):  # 100 MB if nobody stops reading
            sent.append(1)
            yield b"<!-- padding -->" * 256

    url = feed_server.feed("/feed/", b"", chunks=endless())
    error = fetch_error(url, max_bytes=50_000)
    assert error.kind == "too-big"
    assert "0.05 MB limit" in str(error)
    assert len(sent) < 25_000  # the client hung up; the server did not get to send it all


# -- bodies that are not feeds ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ((FIXTURES / "wordpress_home_page.html").read_bytes(), "text/html; charset=UTF-8",
         "HTML web page, not a feed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8, RSS_TYPE,
         "not a feed"),
        (b"Error establishing a database connection", "text/plain", "not a feed"),
        (b"", RSS_TYPE, "empty"),
        (b"\n\n   \n", RSS_TYPE, "empty"),
    ],
    ids=["html-page", "binary-garbage", "plain-text", "empty", "blank"],
)
def test_bodies_that_are_not_feeds_fail_with_a_reason(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Any,
    body: bytes, content_type: str, expected: str,
) -> None:
    url = feed_server.feed("/feed/", body, content_type=content_type)
    outcome = collect_one(tmp_path, store, clock, url)
    assert outcome.status == "failed"
    assert outcome.error is not None and expected in outcome.error
    assert store.count("entries") == 0


# -- manners -----------------------------------------------------------------------------------


def test_user_agent_names_the_project(feed_server: FeedServer) -> None:
    url = feed_server.feed("/feed/", rss(make_posts(1, newest=NOW)))
    fetch(url, user_agent=CollectSettings().user_agent)
    agent = feed_server.requests[0].headers["user-agent"]
    assert agent == USER_AGENT
    assert agent.startswith("digest/") and "github.com/digest-newsletter/digest" in agent


def test_configured_user_agent_is_sent(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Any
) -> None:
    agent = "ExampleReviewsDigest/2.0 (+mailto:ed@reviews.example)"
    url = feed_server.feed("/feed/", rss(make_posts(1, newest=clock())))
    collect_one(tmp_path, store, clock, url, user_agent=agent)
    assert feed_server.requests[0].headers["user-agent"] == agent


def test_requests_to_one_host_start_at_least_the_delay_apart(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Any
) -> None:
    delay = 0.3
    urls = [feed_server.feed(f"/category/c{i}/feed/", rss(make_posts(2, newest=clock()))) for i in range(4)]
    config = make_config(tmp_path, urls, per_host_delay=delay, concurrency=4, per_host_concurrency=4)
    report = run_collect(config, store, clock)
    assert not report.failed
    arrivals = sorted(seen.arrived for seen in feed_server.requests)
    assert len(arrivals) == 4
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    # Measured by the server: slack for scheduling jitter on a loaded machine; without the
    # pause the requests arrive within milliseconds of each other.
    assert min(gaps) >= delay - 0.1, gaps


@pytest.mark.parametrize(
    ("concurrency", "per_host"), [(2, 8), (8, 2)], ids=["global-bound", "per-host-bound"]
)
def test_requests_in_flight_never_exceed_the_bound(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Any, concurrency: int, per_host: int
) -> None:
    body = rss(make_posts(2, newest=clock()))

    def crowded(_seen: Seen) -> Reply:
        # Hold the replies until the client has two requests out (it may send them as far apart
        # as a loaded machine makes it), then a while longer for any third to show.
        feed_server.wait_for_in_flight(2)
        return Reply(body=body, headers={"Content-Type": RSS_TYPE}, delay=0.25)

    urls = [feed_server.route(f"/category/c{i}/feed/", crowded) for i in range(6)]
    config = make_config(tmp_path, urls, concurrency=concurrency, per_host_concurrency=per_host)
    report = run_collect(config, store, clock)
    assert not report.failed
    assert len(feed_server.requests) == 6
    assert feed_server.max_in_flight == 2  # bounded, and the bound was actually used
