"""Honest progress: a progress line on a terminal only, failures summarised by reason and host,
each URL with -v, and real durations even when ``--now`` fixes the clock."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from helpers.configfile import make_config, write_config
from helpers.server import FeedServer, Reply
from helpers.wordpress import make_posts, rss

from digest.cli import main
from digest.cli.output import TerminalProgress
from digest.collect.collector import run_collect
from digest.store.database import Store

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _site(server: FeedServer, broken: int = 3) -> list[str]:
    """A feed of six reviews on the server; the first ``broken`` article pages answer 500, the rest 200."""
    posts = make_posts(6, newest=NOW, categories=("Reviews", "Film"))
    server.feed("/feed/", rss(posts, site=server.base))
    links = [p.permalink(server.base) for p in posts]
    for number, link in enumerate(links):
        path = link.removeprefix(server.base)
        server.route(path, Reply(status=500) if number < broken else Reply(
            body=b"<html><body><article><p>Rating: 7/10</p></article></body></html>",
            headers={"Content-Type": "text/html; charset=utf-8"}))
    return links


def _reviews() -> dict[str, object]:
    return {"fetch_pages": "always", "page_max_age_days": 30, "page_attempts": 1}


def test_the_progress_line_counts_feeds_and_pages_and_names_the_host(feed_server: FeedServer,
                                                                     tmp_path: Path) -> None:
    _site(feed_server)
    config = make_config(tmp_path, [feed_server.url("/feed/")], reviews=_reviews())
    stream = Tty()
    progress = TerminalProgress(stream)
    with Store.open(config.store_path) as store:
        report = run_collect(config, store, lambda: NOW, progress=progress)
    progress.close()
    host = feed_server.base.removeprefix("http://")
    assert progress.line() == f"collecting: feeds 1/1, article pages 6/6 (3 failed); {host}"
    drawn = stream.getvalue()
    assert "\rcollecting: feeds 0/1" in drawn and "feeds 1/1; " in drawn
    assert drawn.endswith("\r")  # the line is wiped at the end, leaving the terminal clean
    assert report.pages_fetched == 3 and len(report.page_failures) == 3


def test_not_on_a_terminal_there_is_no_progress_line() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress.feeds(3)
    progress.page_done("https://a.example/x/", None)
    progress.close()
    assert not progress.enabled and stream.getvalue() == ""


def test_failures_are_summarised_by_reason_and_host_and_listed_with_v(feed_server: FeedServer,
                                                                      tmp_path: Path) -> None:
    links = _site(feed_server)
    path = write_config(tmp_path, [feed_server.url("/feed/")], reviews=_reviews(), per_host_delay=0.2)
    result = CliRunner().invoke(main, ["--config", str(path), "collect", "--now", "2024-05-20T07:00"])
    assert result.exit_code == 0, result.output
    host = feed_server.base.removeprefix("http://")
    lines = result.output.splitlines()
    assert (f"article pages failed: 3 on {host}: HTTP 500 Internal Server Error: the server had an error "
            "(those reviews stay unscored for now; the next collect retries)") in lines
    assert not any(link in result.output for link in links)  # no line per URL without -v
    assert "  (-v lists each failed page)" in lines
    # Seven requests 0.2 s apart to one host take over a second, whatever --now says.
    summary = next(line for line in lines if line.startswith("1 feeds, 0 failed"))
    assert float(summary.rsplit("; ", 1)[1].rstrip("s")) >= 1.0
    assert result.stderr == ""  # CliRunner is no terminal: like cron, no progress line

    for link in links:
        feed_server.route(link.removeprefix(feed_server.base), Reply(status=404))
    with Store.open(tmp_path / "var" / "digest.sqlite") as store:
        store.db.execute("DELETE FROM pages")
        store.db.commit()
    verbose = CliRunner().invoke(main, ["--config", str(path), "collect", "-v", "--now", "2024-05-20T08:00"])
    assert verbose.exit_code == 0, verbose.output
    assert f"article pages failed: 6 on {host}: HTTP 404 Not Found" in verbose.output
    for link in links:
        assert f"  article page failed: {link}: HTTP 404 Not Found" in verbose.output
