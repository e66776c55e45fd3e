"""Trending says why it is short or empty (which signal was missing, since when), in the build
and run summaries and in ``explain``, which always has a trending section."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from helpers.configfile import write_config
from helpers.server import FeedServer
from helpers.wordpress import make_posts, rss

from digest.cli import main

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


def cli(path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(path), *args])
    return result.exit_code, result.output


def test_no_signal_at_all_is_explained_signal_by_signal(feed_server: FeedServer, tmp_path: Path) -> None:
    posts = make_posts(10, newest=NOW, comments=lambda n: None, categories=("Reviews", "Film"))
    feed_server.feed("/feed/", rss(posts, site=feed_server.base))
    path = write_config(tmp_path, [feed_server.url("/feed/")])
    assert cli(path, "collect", "--now", "2024-05-20T07:00", "-q")[0] == 0
    code, out = cli(path, "build", "--now", "2024-05-20T08:00")
    assert code == 0, out
    why = ("0 of 4 trending picks: no trending signal available. comments: the feeds give no comment counts "
           "(no slash:comments); site: the site's trending list is not configured (trending.site_page); "
           "analytics: no analytics export configured (trending.analytics_csv)")
    assert f"trending: {why}" in out.splitlines()
    code, out = cli(path, "explain")
    assert "trending: 0 picks" in out.splitlines()
    assert f"  why not more: {why}" in out.splitlines()
    code, out = cli(path, "run", "--now", "2024-05-20T08:00", "--force")
    assert code == 0 and f"  trending: {why}" in out.splitlines()


def test_a_list_read_after_the_week_is_not_called_missing(demo: Path) -> None:
    """Right after a collect that read the site's list, an older week must not say "no snapshot yet"."""
    # The demo collected once, on 2025-05-19: a build of W19 sees that collect (a --now before it
    # would see nothing), and measures W19's trending a day after the week, when no list was read yet.
    code, out = cli(demo, "explain", "--week", "2025-W19", "--now", "2025-05-19T08:00")
    assert code == 0, out
    assert "no snapshot" not in out
    assert ("warning: trending: the site's trending list was first read on Mon 2025-05-19 07:00, after "
            "Tue 2025-05-13 00:00, the moment this week's trending is measured at") in out.splitlines()
    code, out = cli(demo, "build", "--now", "2025-05-19T08:00")
    assert code == 0 and "warning: trending" not in out and "trending:" not in out  # four picks, list read
    explained = cli(demo, "explain")[1].splitlines()
    assert "trending: 4 picks from comments, site" in explained
    assert not any(line.startswith("  why not more") for line in explained)


def test_a_weight_of_zero_is_said(demo: Path) -> None:
    weights = "[trending]\ncomments_weight = 0\nsite_weight = 0\n"
    text = demo.read_text(encoding="utf-8").replace("[trending]\n", weights)
    demo.write_text(text, encoding="utf-8")
    code, out = cli(demo, "build", "--now", "2025-05-19T08:00")
    assert code == 0, out
    assert ("trending: 0 of 4 trending picks: no trending signal available. comments: turned off "
            "(trending.comments_weight = 0); site: turned off (trending.site_weight = 0); analytics: no "
            "analytics export configured (trending.analytics_csv)") in out.splitlines()
