"""One feed's failure never stops the others: each failure is reported with its feed and reason,
and feed health (last success, last error, failures in a row) is kept in the store."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES
from helpers.configfile import Clock, make_config
from helpers.server import RSS_TYPE, FeedServer, Reply, unused_port
from helpers.wordpress import SITE, Post, make_posts, rss

from digest.collect.collector import run_collect
from digest.store.database import Store

HOSTILE_ITEM = Post(9001, "A post whose link is not a URL", None)


def hostile_feed(clock: Clock) -> bytes:
    """A feed with one item whose <link> is not parseable as a URL (an unclosed IPv6 bracket)."""
    body = rss([HOSTILE_ITEM, *make_posts(2, newest=clock(), first_id=9100)]).decode()
    return body.replace(f"<link>{HOSTILE_ITEM.link(SITE)}</link>", "<link>http://[2001:db8::1/review/</link>").encode()


def test_failing_feeds_are_reported_and_the_others_stored(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    films = feed_server.feed("/category/film/feed/", rss(make_posts(5, newest=clock(), first_id=100)))
    games = feed_server.feed("/category/games/feed/", rss(make_posts(4, newest=clock(), first_id=200)))
    error_page = Reply(500, b"<h1>Error</h1>", {"Content-Type": "text/html"})
    broken = feed_server.route("/category/tv/feed/", error_page)
    html = feed_server.feed("/reviews/", (FIXTURES / "wordpress_home_page.html").read_bytes(),
                            content_type="text/html; charset=UTF-8")
    garbage = feed_server.feed("/category/anime/feed/", b"\x1f\x8b\x08\x00 not really gzip \xff\xfe" * 40)
    slow = feed_server.feed("/category/comics/feed/", rss(make_posts(3, newest=clock())), delay=3.0)
    hostile = feed_server.feed("/category/music/feed/", hostile_feed(clock))
    feeds = [
        {"name": "Films", "url": films},
        {"name": "Gone", "url": feed_server.url("/category/gone/feed/")},
        {"name": "TV", "url": broken},
        {"name": "Games", "url": games},
        {"name": "Home page", "url": html},
        {"name": "Anime", "url": garbage},
        {"name": "Comics", "url": slow},
        {"name": "Down", "url": f"http://127.0.0.1:{unused_port()}/feed/"},
        {"name": "Music", "url": hostile},
    ]
    config = make_config(tmp_path, feeds, read_timeout=0.5)

    report = run_collect(config, store, clock)

    by_name = {o.name: o for o in report.outcomes}
    assert [o.name for o in report.outcomes] == [f["name"] for f in feeds]
    assert (by_name["Films"].status, by_name["Films"].new) == ("ok", 5)
    assert (by_name["Games"].status, by_name["Games"].new) == ("ok", 4)
    # The hostile feed loses only its one unusable item, with a warning saying so.
    assert (by_name["Music"].status, by_name["Music"].new) == ("ok", 2)
    assert by_name["Music"].warning is not None and "unusable link" in by_name["Music"].warning
    assert store.count("entries") == 11
    expected = {
        "Gone": "HTTP 404 Not Found",
        "TV": "HTTP 500 Internal Server Error",
        "Home page": "HTML web page, not a feed",
        "Anime": "not a feed",
        "Comics": "stopped sending data for 0.5s",
        "Down": "connection refused",
    }
    assert {o.name for o in report.failed} == set(expected)
    assert not report.all_failed
    for name, reason in expected.items():
        outcome = by_name[name]
        assert outcome.error is not None and reason in outcome.error, (name, outcome.error)
        assert outcome.new == 0

    # Feed health, as `digest feeds` shows it.
    for feed in feeds:
        state = store.feed_state(feed["url"])
        assert state is not None, feed
        assert state.name == feed["name"]
        assert state.last_attempt == clock()
        if feed["name"] in expected:
            assert state.consecutive_failures == 1
            assert state.last_success is None
            assert state.last_error == by_name[feed["name"]].error
            assert state.last_error_at == clock()
        else:
            assert state.consecutive_failures == 0
            assert state.last_success == clock()


def test_consecutive_failures_count_up_and_reset_on_success(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    body = rss(make_posts(3, newest=clock()))
    healthy = [False]

    def flaky(_seen: object) -> Reply:
        if healthy[0]:
            return Reply(body=body, headers={"Content-Type": RSS_TYPE})
        return Reply(503, b"Service Unavailable", {"Content-Type": "text/plain"})

    url = feed_server.route("/feed/", flaky)
    config = make_config(tmp_path, [{"url": url, "name": "Main"}])
    first_failure = clock()
    for _ in range(3):
        (outcome,) = run_collect(config, store, clock).outcomes
        assert outcome.status == "failed"
        clock.advance(hours=1)
    state = store.feed_state(url)
    assert state is not None
    assert state.consecutive_failures == 3
    assert state.last_error is not None and "HTTP 503 Service Unavailable" in state.last_error
    assert state.last_error_at is not None and state.last_error_at > first_failure
    assert state.last_success is None

    healthy[0] = True
    good_at = clock()
    (outcome,) = run_collect(config, store, clock).outcomes
    assert (outcome.status, outcome.new) == ("ok", 3)
    state = store.feed_state(url)
    assert state is not None
    assert state.consecutive_failures == 0
    assert state.last_success == clock()

    healthy[0] = False
    clock.advance(hours=1)
    run_collect(config, store, clock)
    state = store.feed_state(url)
    assert state is not None
    assert state.consecutive_failures == 1  # counted again from zero
    assert state.last_success == good_at  # kept from the good run
    assert store.count("entries") == 3  # a failed run removes nothing


def test_every_feed_failing_is_all_failed(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    config = make_config(tmp_path, [feed_server.url("/a/feed/"), feed_server.url("/b/feed/")])
    report = run_collect(config, store, clock)
    assert report.all_failed
    assert all("HTTP 404" in (o.error or "") for o in report.outcomes)


def test_one_unparseable_link_does_not_cost_the_feeds_other_items(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    url = feed_server.feed("/feed/", hostile_feed(clock))
    (outcome,) = run_collect(make_config(tmp_path, [url]), store, clock).outcomes
    assert outcome.status == "ok", outcome.error
    assert outcome.new >= 2


def test_an_html_page_with_a_byte_order_mark_is_still_called_a_web_page(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    page = b"\xef\xbb\xbf" + (FIXTURES / "wordpress_home_page.html").read_bytes().lstrip()
    url = feed_server.feed("/feed/", page, content_type="text/html; charset=UTF-8")
    (outcome,) = run_collect(make_config(tmp_path, [url]), store, clock).outcomes
    assert outcome.error is not None and "HTML web page, not a feed" in outcome.error
