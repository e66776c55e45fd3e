"""A configured feed that redirects to another origin is read only when that origin is the site's
or listed in ``collect.allowed_hosts``; every hop of the chain is checked.

Real servers on 127.0.0.1, one origin per port: the site (its feeds), a "moved" host the site's
feed redirects to (as a FeedBurner move does), and a third host a second hop points at. Through
``digest collect`` and ``digest build``: the moved feed's reviews never reach the built email
until the editor allows that host, and the error says which key to set, in which file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.configfile import Clock, make_config, write_config
from helpers.server import FeedServer, Reply
from helpers.wordpress import Post, rss

from digest.cli import main
from digest.collect.collector import run_collect
from digest.collect.policy import Origin, off_site_redirect
from digest.models import FeedStatus
from digest.store.database import Store

REVIEWED = datetime(2024, 5, 16, 15, 0, tzinfo=UTC)  # Thursday of ISO week 2024-W20


def review(post_id: int, title: str, score: int) -> Post:
    return Post(post_id, title, REVIEWED, ("Reviews", "Film"), comments=3,
                body=f"<p>Our verdict on {title}.</p><p><strong>Score: {score}/10</strong></p>")


HOME = review(4101, "Review: The Long Field", 8)
MOVED = review(4102, "Review: Moonwake Harbor", 9)


@pytest.fixture
def moved() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def third() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def port(server: FeedServer) -> str:
    return server.base.rsplit(":", 1)[1]


def cli(path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(path), *args])
    return result.exit_code, result.output


def built_email(tmp_path: Path) -> str:
    found = sorted(tmp_path.glob("out/**/digest.html"))
    assert len(found) == 1, found
    return found[0].read_text(encoding="utf-8")


def test_a_feed_moved_to_another_origin_reaches_the_email_only_once_allowed(
    feed_server: FeedServer, moved: FeedServer, tmp_path: Path
) -> None:
    home = feed_server.feed("/feed/", rss([HOME], site=feed_server.base))
    moved.feed("/feed/", rss([MOVED], site=moved.base))
    movers = feed_server.route("/reviews/feed/", Reply(301, b"", {"Location": moved.url("/feed/")}))
    config = write_config(tmp_path, [home, {"url": movers, "name": "Reviews"}])

    code, out = cli(config, "collect", "--now", "2024-05-20T07:00")

    assert code != 0, out  # one feed failed: a partial collect
    expected = (f"feed {movers} redirected to 127.0.0.1:{port(moved)}, which is not one of the site's "
                f"hosts, so nothing was read from it. If that host serves this site's feed, add "
                f"\"127.0.0.1:{port(moved)}\" to collect.allowed_hosts in {config}; or set this feed's "
                "url to the new address")
    assert expected in out
    assert moved.requests == [], "the off-site host was reached"
    code, out = cli(config, "build", "--now", "2024-05-20T08:00", "--build-thin")
    assert code == 0, out
    html = built_email(tmp_path)
    assert HOME.title in html
    assert MOVED.title not in html and moved.base not in html

    allowed = f"[collect]\nallowed_hosts = [\"127.0.0.1:{port(moved)}\"]\n"
    config.write_text(config.read_text(encoding="utf-8").replace("[collect]\n", allowed), encoding="utf-8")
    code, out = cli(config, "collect", "--now", "2024-05-20T07:30")
    assert code == 0, out
    code, out = cli(config, "build", "--now", "2024-05-20T08:00", "--build-thin")
    assert code == 0, out
    html = built_email(tmp_path)
    assert HOME.title in html and MOVED.title in html


def test_every_hop_is_checked_and_the_other_feeds_carry_on(
    feed_server: FeedServer, moved: FeedServer, third: FeedServer, tmp_path: Path, store: Store,
    clock: Clock,
) -> None:
    """The first hop goes to an allowed host, which sends the feed on to one that is not."""
    home = feed_server.feed("/feed/", rss([HOME], site=feed_server.base))
    chain = feed_server.route("/chain/feed/", Reply(302, b"", {"Location": moved.url("/step/")}))
    moved.route("/step/", Reply(302, b"", {"Location": third.url("/feed/")}))
    third.feed("/feed/", rss([MOVED], site=third.base))
    config = make_config(tmp_path, [home, chain], allowed_hosts=[f"127.0.0.1:{port(moved)}"])

    report = run_collect(config, store, clock)

    outcomes = {o.url: o for o in report.outcomes}
    assert outcomes[home].status is FeedStatus.OK
    assert outcomes[chain].status is FeedStatus.FAILED
    assert f"redirected to 127.0.0.1:{port(third)}, which is not one of the site's hosts" in (
        outcomes[chain].error or "")
    assert [s.path for s in moved.requests] == ["/step/"]
    assert third.requests == []
    titles = {r[0] for r in store.db.execute("SELECT title FROM entries")}
    assert titles == {HOME.title}
    state = store.feed_state(chain)
    assert state is not None and state.consecutive_failures == 1
    assert f"127.0.0.1:{port(third)}" in (state.last_error or "")


def test_a_redirect_on_the_feeds_own_origin_or_another_configured_feed_is_followed(
    feed_server: FeedServer, moved: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    """http→https style moves and a slash added stay on the origin; a configured feed's host is the site's."""
    feed_server.route("/feed", Reply(301, b"", {"Location": feed_server.url("/feed/")}))
    feed_server.feed("/feed/", rss([HOME], site=feed_server.base))
    other = moved.route("/old/", Reply(302, b"", {"Location": feed_server.url("/feed/")}))
    config = make_config(tmp_path, [feed_server.url("/feed"), other])
    report = run_collect(config, store, clock)
    assert [o.status for o in report.outcomes] == [FeedStatus.OK, FeedStatus.OK]


def test_the_backfill_pages_of_a_feed_are_held_to_the_same_rule(
    feed_server: FeedServer, moved: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    newer = [review(4200 + n, f"Review: Film Number {n}", 7) for n in range(3)]
    url = feed_server.feed("/feed/", rss(newer, site=feed_server.base))
    feed_server.route("/feed/?paged=2", Reply(302, b"", {"Location": moved.url("/feed/?paged=2")}))
    moved.feed("/feed/?paged=2", rss([MOVED], site=moved.base))
    config = make_config(tmp_path, [url], backfill_pages=2)
    report = run_collect(config, store, clock)
    (outcome,) = report.outcomes
    assert outcome.status is FeedStatus.OK
    assert f"backfill stopped at page 2: feed {feed_server.url('/feed/?paged=2')} redirected to " in (
        outcome.warning or "")
    assert moved.requests == []
    assert MOVED.title not in {r[0] for r in store.db.execute("SELECT title FROM entries")}


@pytest.mark.parametrize(("feed", "target", "hint"), [
    ("https://reviews.example/feed/", "www.reviews.example", True),
    ("https://www.reviews.example/feed/", "reviews.example", True),
    ("https://reviews.example/feed/", "feeds.feedburner.com", False),
])
def test_www_and_the_bare_domain_are_different_hosts_and_the_message_says_so(
    feed: str, target: str, hint: bool
) -> None:
    message = off_site_redirect(feed, Origin(target, None), Path("/srv/digest/site.toml"))
    assert f"add \"{target}\" to collect.allowed_hosts in /srv/digest/site.toml" in message
    assert ("digest treats www. and the bare domain as different hosts" in message) is hint


def test_a_hostile_location_cannot_shape_the_message() -> None:
    message = off_site_redirect("https://reviews.example/feed/", Origin("evil\nhost\x1b[2J", None),
                                Path("site.toml"))
    assert "\n" not in message and "\x1b" not in message


def test_a_redirected_trending_page_names_the_key_to_set(
    feed_server: FeedServer, moved: FeedServer, tmp_path: Path
) -> None:
    """The trending page is named by the config as the feeds are: its refused redirect says which key."""
    home = feed_server.feed("/feed/", rss([HOME], site=feed_server.base))
    page = feed_server.route("/", Reply(302, b"", {"Location": moved.url("/trending/")}))
    moved.route("/trending/", Reply(200, b"<ol class='trending'><li><a href='/x/'>x</a></li></ol>",
                                    {"Content-Type": "text/html"}))
    config = write_config(tmp_path, [home])
    with config.open("a", encoding="utf-8") as out:
        out.write(f'\n[trending]\nsite_page = "{page}"\nsite_selector = "ol.trending li a"\n')

    code, out = cli(config, "collect", "--now", "2024-05-20T07:00")

    expected = (f"trending.site_page page {page} redirected to 127.0.0.1:{port(moved)}, which is not one of "
                f"the site's hosts, so nothing was read from it. If that host serves this site's page, add "
                f"\"127.0.0.1:{port(moved)}\" to collect.allowed_hosts in {config}; or set trending.site_page "
                "to the new address")
    assert expected in out, out
    assert "redirected off-site" not in out
    assert moved.requests == [], "the off-site host was reached"
