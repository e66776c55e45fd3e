"""Bounded, honest handling of feeds no one here wrote: huge feeds and titles, impossible dates,
a false charset, malformed FeedBurner items, an empty feed; and ``digest run``'s exit codes when
feeds fail. Real HTTP servers on loopback, real stores, the real command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from helpers.configfile import Clock, config_text, make_config
from helpers.server import FeedServer, Reply, unused_port

from digest.cli.main import main as cli
from digest.collect.collector import run_collect
from digest.collect.feeds import parse_feed
from digest.job.build import build_issue
from digest.settings.config import load_config
from digest.store.database import Store
from digest.weeks import parse_week

HTML = {"Content-Type": "text/html; charset=UTF-8"}
GMAIL_CLIP = 102 * 1024


def item(n: int, link: str, *, title: str | None = None, date: str = "Thu, 16 May 2024 12:00:00 +0000",
         body: str = "<p>A fine review of a fine film.</p><p>Rating: 8/10</p>") -> str:
    return (f"<item><title>{title if title is not None else f'REVIEW: Film {n}'}</title><link>{link}</link>"
            f"<guid isPermaLink=\"false\">post-{n}</guid><pubDate>{date}</pubDate><category>Reviews</category>"
            f"<category>Film</category><description><![CDATA[{body}]]></description></item>")


def rss(items: list[str], *, link: str = "https://reviews.example/", title: str = "Reviews",
        prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (f'{prolog}<rss version="2.0"><channel><title>{title}</title><link>{link}</link>'
            + "".join(items) + "</channel></rss>").encode()


def test_a_100k_item_feed_keeps_its_newest_items_and_defers_pages_past_the_budget(
    feed_server: FeedServer, tmp_path: Path, store: Store, clock: Clock,
) -> None:
    base = feed_server.base
    feed_server.route("/feed/", Reply(200, rss([item(n, f"{base}/p/{n}/") for n in range(100_000)], link=base),
                                      {"Content-Type": "application/rss+xml"}))
    for n in range(200):
        feed_server.route(f"/p/{n}/", Reply(200, b"<html><body><p>Rating: 7/10</p></body></html>", HTML))
    config = make_config(tmp_path, [f"{base}/feed/"], reviews={"fetch_pages": "always"}, max_bytes=40_000_000,
                         max_items_per_feed=150, max_page_fetches=40)

    report = run_collect(config, store, clock)

    outcome = report.outcomes[0]
    assert (outcome.status, outcome.new) == ("ok", 150)
    assert outcome.warning == "kept the newest 150 of 100000 items (collect.max_items_per_feed)"
    assert (report.pages_fetched, report.page_failures, report.pages_deferred) == (40, (), 110)
    assert len(feed_server.requests) == 1 + 40
    again = run_collect(config, store, clock)
    assert (again.pages_fetched, again.pages_deferred) == (40, 70)  # the next collect takes the next 40
    assert len({s.path for s in feed_server.requests if s.path.startswith("/p/")}) == 80


def _build_config(tmp_path: Path, feeds: list[str]) -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir()
    path = folder / "digest.toml"
    path.write_text('output_dir = "../out"\n' + config_text(feeds), encoding="utf-8")
    return path


def test_a_9_mb_title_is_cut_and_the_issue_still_builds_under_the_clip(
    feed_server: FeedServer, tmp_path: Path,
) -> None:
    huge = "Overlong " * 1_100_000  # 9.9 MB
    items = [item(1, "https://reviews.example/p/1/", title=f"REVIEW: {huge}",
                  body=f"<p>Rating: 8/10</p><p>{huge}</p>")]
    items += [item(n, f"https://reviews.example/p/{n}/", date=f"Wed, 15 May 2024 1{n}:00:00 +0000")
              for n in range(2, 6)]
    url = feed_server.feed("/feed/", rss(items))
    config = load_config(_build_config(tmp_path, [url]))
    config = config.model_copy(update={"collect": config.collect.model_copy(update={"max_bytes": 30_000_000})})
    with Store.open(config.store_path) as store:
        run_collect(config, store, Clock(datetime(2024, 5, 20, 12, tzinfo=UTC)))
        titles = [e.title for e in store.entries()]
        result = build_issue(config, store, datetime(2024, 5, 20, 13, tzinfo=UTC), parse_week("2024-W20"))
    assert max(len(t) for t in titles) <= 300 and any(t.endswith("Overlong\u2026") for t in titles)
    html = result.rendered.html
    assert len(html.encode()) < GMAIL_CLIP and len(result.rendered.text.encode()) < GMAIL_CLIP
    assert len(result.selection.picks) == 5 and "Overlong Overlong" in html


def test_dates_out_of_range_are_first_seen_and_a_wild_week_is_a_clear_error(
    feed_server: FeedServer, tmp_path: Path,
) -> None:
    items = [item(1, "https://reviews.example/p/1/", date="Mon, 01 Jan 0001 00:00:00 +0000"),
             item(2, "https://reviews.example/p/2/", date="Fri, 01 Jan 2999 00:00:00 +0000"),
             item(3, "https://reviews.example/p/3/", date="Wed, 01 Jan 1975 00:00:00 +0000")]
    url = feed_server.feed("/feed/", rss(items))
    path = _build_config(tmp_path, [url])
    config = load_config(path)
    seen = datetime(2024, 5, 20, 12, tzinfo=UTC)
    with Store.open(config.store_path) as store:
        report = run_collect(config, store, Clock(seen))
        stored = store.entries()
    assert report.outcomes[0].warning == ("3 items dated before 1990 or in the future: treated as undated "
                                          "(dated when first seen)")
    assert [(e.published, e.published_from_feed) for e in stored] == [(seen, False)] * 3
    runner = CliRunner()
    for week, says in (("0001-W01", "digest builds issues for weeks from 1990 to 9990"),
                       ("9999-W52", "digest builds issues for weeks from 1990 to 9990")):
        result = runner.invoke(cli, ["--config", str(path), "build", "--week", week])
        assert result.exit_code == 2, result.output
        assert says in result.output and "Traceback" not in result.output
    now = runner.invoke(cli, ["--config", str(path), "build", "--now", "0001-01-08T00:00"])
    assert now.exit_code == 2 and "from 1990 to 9990" in now.output


def test_utf8_bytes_overrule_a_legacy_charset_in_the_prolog_with_a_warning() -> None:
    title = "REVIEW: Pokémon Légendes — 9/10 “great”"
    body = rss([item(1, "https://reviews.example/p/1/", title=title)],
               prolog='<?xml version="1.0" encoding="windows-1252"?>')
    parsed = parse_feed(body, {"content-type": "application/rss+xml; charset=ISO-8859-1"}, "https://x/feed")
    assert parsed.entries[0].title == title
    assert parsed.warning == ("the feed says its encoding is 'windows-1252', but its bytes are UTF-8: "
                              "read as UTF-8")
    legacy = rss([item(1, "https://reviews.example/p/1/", title="Pokémon")],
                 prolog='<?xml version="1.0" encoding="windows-1252"?>').decode().encode("cp1252")
    read = parse_feed(legacy, {}, "https://x/feed")  # really windows-1252: read as declared
    assert read.entries[0].title == "Pokémon" and read.warning is None


def test_feedburner_origlink_survives_illegally_nested_items() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>T</title>
<link>https://reviews.example/</link>
<item><title>One</title><link>https://feeds.feedburner.com/~r/site/~3/abc/</link>
<guid isPermaLink="false">https://reviews.example/?p=1</guid><item><title>inner</title></item>
<feedburner:origLink>https://reviews.example/2024/05/one/</feedburner:origLink></item>
<item><title>Two</title><link>https://feeds.feedburner.com/~r/site/~3/def/</link>
<guid isPermaLink="false">https://reviews.example/?p=2</guid>
<feedburner:origLink>https://reviews.example/2024/05/two/</feedburner:origLink></item>
</channel></rss>"""
    parsed = parse_feed(body, {}, "https://reviews.example/feed/")
    assert [e.link for e in parsed.entries] == ["https://reviews.example/2024/05/one/",
                                                "https://reviews.example/2024/05/two/"]


def test_an_empty_feed_is_a_warning_with_a_hint(feed_server: FeedServer, tmp_path: Path, store: Store,
                                                clock: Clock) -> None:
    comments = feed_server.feed("/comments/feed/", rss([], title="Comments for Reviews"))
    empty = feed_server.feed("/category/empty/feed/", rss([], title="Reviews"))
    chatter = feed_server.feed("/comments/2/feed/", rss([item(1, "https://reviews.example/p/1/#comment-9")],
                                                         title="Comments on: Film 1"))
    report = run_collect(make_config(tmp_path, [comments, empty, chatter]), store, clock)
    assert [o.status for o in report.outcomes] == ["ok", "ok", "ok"]
    assert report.outcomes[2].warning == ("its title is 'Comments on: Film 1': is this a comments feed, "
                                          "not the posts?")
    assert report.outcomes[0].warning == ("the feed has 0 items, and its title is 'Comments for Reviews': "
                                          "is this a comments feed?")
    assert report.outcomes[1].warning == ("the feed has 0 items (is this a comments feed, an empty category, "
                                          "or the wrong URL?)")


def test_run_tells_feed_failures_first_and_exits_2_when_all_failed_3_when_some(
    feed_server: FeedServer, tmp_path: Path,
) -> None:
    down = [f"http://127.0.0.1:{unused_port()}/feed/", feed_server.url("/gone/feed/")]
    path = _build_config(tmp_path, down)
    runner = CliRunner()
    args = ["--config", str(path), "run", "--now", "2024-05-20T08:00"]

    failed = runner.invoke(cli, args)
    assert failed.exit_code == 2, failed.output
    lines = failed.output.splitlines()
    assert lines[0] == "collected 2 feeds, 2 failed, 0 new entries"
    assert lines[1].startswith("  feed failed: http://127.0.0.1:") and lines[2].startswith("  feed failed: ")
    assert ("error: 2024-W20 was not built: every feed failed to collect (2 of 2), so the store could not be "
            "refreshed; the issue is not built from stale data (--stale-ok builds it anyway)") in failed.output
    assert not (tmp_path / "out" / "2024-W20").exists()

    stale = runner.invoke(cli, [*args, "--stale-ok"])  # it tries: an empty store is a thin week, and says so
    assert stale.exit_code == 5 and stale.output.splitlines()[0] == "collected 2 feeds, 2 failed, 0 new entries"
    assert "stopped: 2024-W20: no posts this week; the store holds no posts yet" in stale.output

    items = [item(n, f"https://reviews.example/p/{n}/", date=f"Wed, 15 May 2024 1{n}:00:00 +0000")
             for n in range(1, 5)]
    good = feed_server.feed("/feed/", rss(items))
    path.write_text(path.read_text().replace(down[1], good), encoding="utf-8")
    partial = runner.invoke(cli, args)
    assert partial.exit_code == 3, partial.output
    assert partial.output.splitlines()[:2] == ["collected 2 feeds, 1 failed, 4 new entries",
                                               partial.output.splitlines()[1]]
    assert partial.output.splitlines()[1].startswith("  feed failed: ")
    assert "built 2024-W20" in partial.output and (tmp_path / "out" / "2024-W20" / "digest.html").is_file()


def test_clip_cuts_on_a_word_with_an_ellipsis_within_the_limit() -> None:
    from digest.text import clip

    assert clip("A short title", 40) == "A short title"
    assert clip("The quick brown fox jumps over the lazy dog", 20) == "The quick brown fox\u2026"
    assert clip("Supercalifragilisticexpialidocious is long", 12) == "Supercalifr\u2026"  # no word to cut at
    for limit in range(1, 45):
        assert len(clip("The quick brown fox, jumps (over) the lazy dog", limit)) <= limit
