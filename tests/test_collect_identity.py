"""One post is one entry, whatever feed or link it came by; what the store remembers about it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers.configfile import Clock, make_config
from helpers.server import RSS_TYPE, FeedServer, Reply
from helpers.wordpress import SITE, Post, make_posts, rss

from digest.collect.collector import run_collect
from digest.store.database import Store

FEEDBURNER = "p1_wordpress_feedburner_ridingwiththewindowdown_movie_ratings_2012.xml"


def test_a_post_in_two_category_feeds_is_one_entry_with_both_feeds_and_all_categories(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    shared = Post(4242, "REVIEW: The Long Night", clock() - timedelta(hours=3), ("Reviews", "Film"), 12)
    film_only = make_posts(3, newest=clock() - timedelta(days=1), first_id=100, categories=("Reviews", "Film"))
    horror_only = make_posts(2, newest=clock() - timedelta(days=2), first_id=200,
                             categories=("Reviews", "Horror"))
    film = feed_server.feed("/category/film/feed/", rss([shared, *film_only], feed_path="/category/film/feed/"))
    # The horror feed was rendered after an editor added the Horror category to the post.
    horror_copy = replace(shared, categories=("Reviews", "Horror", "Film"))
    horror = feed_server.feed("/category/horror/feed/",
                              rss([horror_copy, *horror_only], feed_path="/category/horror/feed/"))
    config = make_config(tmp_path, [film, horror])

    report = run_collect(config, store, clock)

    assert not report.failed
    assert store.count("entries") == 1 + 3 + 2
    assert sum(o.new for o in report.outcomes) == 6
    entry = store.entry_by_uid(shared.guid())
    assert entry is not None
    assert set(entry.feeds) == {film, horror}
    assert sorted(entry.categories) == ["Film", "Horror", "Reviews"]
    assert entry.comments == 12
    assert len(store.comment_history(entry.id)) == 1  # one observation per collect, not per feed
    only_film = store.entry_by_uid(film_only[0].guid())
    assert only_film is not None and only_film.feeds == (film,)


def test_tracking_parameters_are_stripped_from_links(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    tracking = "utm_source=rss&utm_medium=rss&utm_campaign=review"
    tracked = Post(501, "REVIEW: Tracked", clock(), link_query=tracking)
    kept = Post(502, "REVIEW: Plain link", clock(), link_query="page=2&utm_source=feedly&fbclid=AbC123")
    url = feed_server.feed("/feed/", rss([tracked, kept]))
    run_collect(make_config(tmp_path, [url]), store, clock)

    first = store.entry_by_uid(tracked.guid())
    second = store.entry_by_uid(kept.guid())
    assert first is not None and second is not None
    assert first.link == tracked.permalink()
    assert second.link == kept.permalink() + "?page=2"


def test_items_without_guid_are_one_entry_whatever_the_tracking_parameters(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    # Not WordPress (it always writes a guid): a CMS that identifies items only by their link.
    post = Post(77, "REVIEW: No Guid Here", clock() - timedelta(hours=1))

    def without_guid(query: str) -> bytes:
        text = rss([replace(post, link_query=query)]).decode()
        return text.replace(f'<guid isPermaLink="false">{post.guid()}</guid>', "").encode()

    a = feed_server.feed("/a/feed/", without_guid("utm_source=rss&utm_medium=rss"))
    b = feed_server.feed("/b/feed/", without_guid("utm_source=newsletter&utm_campaign=weekly"))
    run_collect(make_config(tmp_path, [a, b]), store, clock)

    assert store.count("entries") == 1
    entry = store.entry_by_link(post.permalink())
    assert entry is not None
    assert entry.uid == post.permalink()
    assert set(entry.feeds) == {a, b}


def test_feedburner_links_resolve_to_the_original_site(
    real_feeds: Path, feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    url = feed_server.feed("/RidingWithTheWindowDown", (real_feeds / FEEDBURNER).read_bytes(),
                           content_type="text/xml; charset=UTF-8")
    (outcome,) = run_collect(make_config(tmp_path, [url]), store, clock).outcomes
    assert outcome.new == 200
    entry = store.entry_by_uid("http://www.ridingwiththewindowdown.com/?p=2635")
    assert entry is not None
    assert entry.link == "http://www.ridingwiththewindowdown.com/2012/06/05/1184-marketing-mastery-stand-out/"
    assert entry.title == "1184 Marketing Mastery – Stand Out"
    links = [e.link for e in store.entries()]
    assert not [link for link in links if "feedproxy" in link]


def test_a_post_without_pubdate_is_dated_when_first_seen(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    undated = Post(31, "REVIEW: Undated", None, ("Reviews", "TV"), 1)
    dated = Post(32, "REVIEW: Dated", datetime(2024, 5, 19, 9, 30, tzinfo=UTC), ("Reviews", "TV"), 1)
    current = {"posts": [undated, dated]}
    url = feed_server.route("/feed/", lambda _s: Reply(body=rss(current["posts"]),
                                                       headers={"Content-Type": RSS_TYPE}))
    config = make_config(tmp_path, [url])
    first_seen = clock()
    run_collect(config, store, clock)

    entry = store.entry_by_uid(undated.guid())
    assert entry is not None
    assert entry.published == first_seen
    assert entry.published_from_feed is False
    assert entry.first_seen == first_seen
    other = store.entry_by_uid(dated.guid())
    assert other is not None
    assert (other.published, other.published_from_feed) == (dated.published, True)

    # Seen again unchanged, then edited: the first-seen date stays.
    clock.advance(days=2)
    run_collect(config, store, clock)
    current["posts"] = [replace(undated, title="REVIEW: Undated (updated)"), dated]
    clock.advance(days=2)
    (outcome,) = run_collect(config, store, clock).outcomes
    assert outcome.updated == 1
    entry = store.entry_by_uid(undated.guid())
    assert entry is not None
    assert entry.title == "REVIEW: Undated (updated)"
    assert entry.published == first_seen
    assert entry.published_from_feed is False


def test_comment_counts_are_observed_at_every_collect(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    post = Post(61, "REVIEW: Talked About", clock() - timedelta(hours=6), ("Reviews", "Games"), 3)
    quiet = Post(62, "REVIEW: No Comment Count", clock() - timedelta(hours=7), ("Reviews",), None)
    current = {"posts": [post, quiet]}
    url = feed_server.route("/feed/", lambda _s: Reply(body=rss(current["posts"]),
                                                       headers={"Content-Type": RSS_TYPE}))
    config = make_config(tmp_path, [url])

    moments = []
    for count in (3, 3, 5):  # the same count twice is still an observation
        current["posts"] = [replace(post, comments=count), quiet]
        moments.append(clock())
        run_collect(config, store, clock)
        clock.advance(hours=6)

    entry = store.entry_by_uid(post.guid())
    assert entry is not None
    assert store.comment_history(entry.id) == list(zip(moments, (3, 3, 5), strict=True))
    assert entry.comments == 5
    silent = store.entry_by_uid(quiet.guid())
    assert silent is not None
    assert silent.comments is None
    assert store.comment_history(silent.id) == []


def test_a_dateless_copy_does_not_overwrite_a_date_from_another_feed(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    published = datetime(2024, 4, 2, 15, 0, tzinfo=UTC)
    post = Post(71, "REVIEW: Old But Gold", published, ("Reviews", "Film"), 4)
    dated = feed_server.feed("/feed/", rss([post]))
    text = rss([post]).decode()
    undated = feed_server.feed("/podcast/feed/", text.replace(
        text[text.index("\t\t<pubDate>"):text.index("</pubDate>") + len("</pubDate>\n")], "").encode())
    assert b"<pubDate>" not in feed_server.routes["/podcast/feed/"](None).body  # type: ignore[arg-type]

    run_collect(make_config(tmp_path, [dated]), store, clock)
    clock.advance(days=1)
    run_collect(make_config(tmp_path, [undated]), store, clock)  # e.g. the podcast feed, on its own

    entry = store.entry_by_uid(post.guid(SITE))
    assert entry is not None
    assert set(entry.feeds) == {dated, undated}
    assert (entry.published, entry.published_from_feed) == (published, True)
