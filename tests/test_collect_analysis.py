"""Collect analyses what it stores, once; a re-collect where nothing changed reads and fetches no more.

A WordPress-like server on 127.0.0.1 answers the feed, the review pages and the site's trending
page, each with an ETag, and 304 to a request that sends it back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from helpers.configfile import Clock, write_config
from helpers.server import FeedServer, Reply, Seen
from helpers.wordpress import make_posts, rss

from digest.collect.collector import run_collect
from digest.settings.config import load_config
from digest.store.database import Store

PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>The whole review.</p><div class="review-total-box">7/10</div></article></body></html>"""


def _etagged(body: bytes, etag: str, content_type: str) -> object:
    def answer(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == etag:
            return Reply(status=304, headers={"ETag": etag})
        return Reply(body=body, headers={"ETag": etag, "Content-Type": content_type})

    return answer


def _site(server: FeedServer, clock: Clock, tmp_path: Path):
    posts = make_posts(4, newest=clock() - timedelta(hours=2), categories=("Reviews", "Film"))
    # Two reviews carry their score in the feed; two only on their article page.
    unscored = "<p>Our verdict, on the page.</p>"
    posts = [p if i % 2 == 0 else replace(p, body=unscored) for i, p in enumerate(posts)]
    news = make_posts(1, newest=clock() - timedelta(hours=1), first_id=5000, categories=("News",),
                      title="News {n}: a trailer")[0]
    everything = [news, *posts]
    server.route("/feed/", _etagged(rss(everything, site=server.base), '"feed-v1"', "application/rss+xml"))
    for post in everything:
        path = post.permalink(server.base)[len(server.base):]
        server.route(path, _etagged(PAGE.format(title=post.title).encode(), f'"{post.id}"', "text/html"))
    trending = "".join(f'<li><a href="{p.link(server.base)}">{p.title}</a></li>' for p in posts[:3])
    server.route("/", _etagged(f'<ol class="trending">{trending}</ol>'.encode(), '"t1"', "text/html"))
    path = write_config(tmp_path, [server.url("/feed/")], reviews={"fetch_pages": "unscored"})
    path.write_text(path.read_text() + f'\n[trending]\nsite_page = "{server.base}/"\n'
                    'site_selector = "ol.trending a"\n', encoding="utf-8")
    return load_config(path), posts, news


def _analyses(store: Store) -> dict[str, tuple[str, float | None, str | None]]:
    rows = store.db.execute("SELECT e.link, a.key, a.score_value, a.score_source FROM analyses a"
                            " JOIN entries e ON e.id = a.entry_id")
    return {link: (key, score, source) for link, key, score, source in rows}


def test_collect_keeps_analyses_and_a_re_collect_of_an_unchanged_site_reads_nothing_again(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    config, posts, news = _site(feed_server, clock, tmp_path)

    first = run_collect(config, store, clock)

    kept = _analyses(store)
    assert set(kept) == {p.link(feed_server.base) for p in posts}  # the news post is not analysed
    by_link = {p.link(feed_server.base): p for p in posts}
    feed_scored = {link for link, (_, _, source) in kept.items() if source == "feed-text"}
    page_scored = {link for link, (_, _, source) in kept.items() if source == "page-text"}
    assert feed_scored == {link for link, p in by_link.items() if "Score:" in p.body}
    assert {kept[link][1] for link in page_scored} == {7.0} and len(page_scored) == 2
    # Only the reviews without a score in the feed had their page fetched.
    fetched = {feed_server.base + s.path for s in feed_server.requests if s.path.startswith("/20")}
    assert fetched == page_scored and first.pages_fetched == 2 and first.trending_links == 3

    before = len(feed_server.requests)
    clock.moment += timedelta(hours=3)
    again = run_collect(config, store, clock)

    later = feed_server.requests[before:]
    assert sorted(s.path for s in later) == ["/", "/feed/"]  # no page, nothing read twice
    assert {s.headers.get("if-none-match") for s in later} == {'"feed-v1"', '"t1"'}
    assert [o.status for o in again.outcomes] == ["not-modified"] and again.pages_fetched == 0
    assert _analyses(store) == kept
    # The unchanged trending list counts as seen now, so its weight does not decay.
    snapshot = store.trending_snapshot(f"{feed_server.base}/", clock())
    assert snapshot is not None and snapshot[0] == clock().replace(microsecond=0)
    assert snapshot[1] == [p.link(feed_server.base) for p in posts[:3]]
    assert news.link(feed_server.base) not in kept


def test_a_feed_that_changes_after_its_validators_are_kept_is_parsed_and_analysed(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    config, posts, _ = _site(feed_server, clock, tmp_path)
    run_collect(config, store, clock)
    kept = _analyses(store)

    # One new review: the feed now answers with a new body and a new ETag; one post was edited.
    fresh = make_posts(1, newest=clock(), first_id=9000, categories=("Reviews", "TV"),
                       title="Review {n}: A New Season")[0]
    edited = replace(posts[0], body=posts[0].body.replace("Score:", "Rating:").replace("/10", ".5/10"))
    feed = rss([fresh, edited, *posts[1:]], site=feed_server.base)
    feed_server.route("/feed/", _etagged(feed, '"feed-v2"', "application/rss+xml"))
    clock.moment += timedelta(hours=3)
    again = run_collect(config, store, clock)

    assert [(o.status, o.new, o.updated) for o in again.outcomes] == [("ok", 1, 1)]
    now_kept = _analyses(store)
    new_link, edited_link = fresh.link(feed_server.base), edited.link(feed_server.base)
    assert now_kept[new_link][2] == "feed-text"
    assert now_kept[edited_link][0] != kept[edited_link][0]  # re-analysed: the content changed
    assert now_kept[edited_link][1] == float(f"{edited.body.split('Rating: ')[1].split('/')[0]}")
    assert {link: row for link, row in now_kept.items() if link not in (new_link, edited_link)} == {
        link: row for link, row in kept.items() if link != edited_link}


def test_a_failing_page_is_tried_again_up_to_the_limit_then_left(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    config, posts, _ = _site(feed_server, clock, tmp_path)
    broken = posts[1]  # no score in the feed: its page is wanted
    path = broken.permalink(feed_server.base)[len(feed_server.base):]
    feed_server.route(path, Reply(status=500, body=b"oops"))

    for _ in range(config.reviews.page_attempts + 2):
        report = run_collect(config, store, clock)
        clock.moment += timedelta(hours=3)

    tries = [s for s in feed_server.requests if s.path == path]
    assert len(tries) == config.reviews.page_attempts
    assert report.pages_fetched == 0 and report.page_failures == ()
    assert store.page_attempt(broken.link(feed_server.base)) == (False, config.reviews.page_attempts)
