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


def test_an_analytics_export_written_after_now_is_left_out_of_a_replay(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """A replayed build sees only what was known at --now: views exported later are said and left out."""
    import json
    import os

    posts = make_posts(6, newest=NOW, comments=lambda n: None, categories=("Reviews", "Film"))
    feed_server.feed("/feed/", rss(posts, site=feed_server.base))
    path = write_config(tmp_path, [feed_server.url("/feed/")])
    export = tmp_path / "exports" / "ga4-pages.csv"
    export.parent.mkdir()
    export.write_text("Page path,Views\n" + "".join(f"{p.link(feed_server.base)},{900 * (i + 1)}\n"
                                                  for i, p in enumerate(posts[:3])), encoding="utf-8")
    with path.open("a", encoding="utf-8") as out:
        out.write('\n[trending]\nanalytics_csv = "exports/ga4-pages.csv"\n')
    assert cli(path, "collect", "--now", "2024-05-20T07:00", "-q")[0] == 0
    written = datetime(2024, 5, 20, 14, 30, tzinfo=UTC).timestamp()  # 09:30 in Chicago, after the build
    os.utime(export, (written, written))

    code, out = cli(path, "explain", "--json", "--week", "2024-W20", "--now", "2024-05-20T08:00")
    assert code == 0, out
    manifest = json.loads(out)["manifest"]
    assert "analytics" not in manifest["signals_available"]
    said = ("analytics: the analytics export was written on Mon 2024-05-20 09:30, after Mon 2024-05-20 08:00 "
            "(this build's --now), so its views were not known then")
    assert said in manifest["trending_note"]
    warned = f"analytics signal left out: {export}: the analytics export was written on Mon 2024-05-20 09:30"
    assert any(w.startswith(warned) for w in manifest["warnings"]), manifest["warnings"]

    # A --now after the export was written: its views count.
    code, out = cli(path, "explain", "--json", "--week", "2024-W20", "--now", "2024-05-20T10:00")
    assert code == 0, out
    later = json.loads(out)["manifest"]
    assert "analytics" in later["signals_available"]
    assert not any("analytics" in w for w in later["warnings"])


def test_the_note_quotes_the_first_read_of_the_list_not_the_last(demo: Path) -> None:
    """A later collect reads the list again: the note still says when it was first read."""
    code, out = cli(demo, "collect", "--now", "2025-05-26T07:00", "-q")
    assert code == 0, out
    code, out = cli(demo, "explain", "--week", "2025-W19", "--now", "2025-05-27T08:00")
    assert code == 0, out
    assert ("warning: trending: the site's trending list was first read on Mon 2025-05-19 07:00, after "
            "Tue 2025-05-13 00:00, the moment this week's trending is measured at") in out.splitlines()
