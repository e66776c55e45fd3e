"""The command line: help for every command, `check`, and collect's exit codes and report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers.configfile import write_config
from helpers.server import FeedServer, Reply
from helpers.wordpress import make_posts, rss

from digest.cli.main import main
from digest.settings.config import USER_AGENT

NOW_TEXT = "2024-05-20T07:00"  # local time in the config's America/Chicago
NOW = datetime(2024, 5, 20, 11, 0, tzinfo=UTC)


def all_commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*path, name))


COMMANDS = list(all_commands(main))


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_there_are_commands() -> None:
    assert {"check", "collect", "feeds", "prune"} <= {path[0] for path, _ in COMMANDS}


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...], command: click.Command) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    assert " ".join(path) in result.output.splitlines()[0]
    summary = " ".join(command.get_short_help_str(limit=200).rstrip(".").split())
    assert summary, f"`digest {' '.join(path)}` has no help text"
    assert summary in " ".join(result.output.split())


def test_top_level_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for path, _ in COMMANDS:
        if len(path) == 1:
            assert f"  {path[0]} " in result.output


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert "0.1" in result.output


def test_check_prints_the_feeds(tmp_path: Path) -> None:
    config = write_config(tmp_path, [
        {"name": "All reviews", "url": "https://reviews.example/category/reviews/feed/", "backfill_pages": 3},
        "https://reviews.example/category/film/feed/",
    ], per_host_delay=0.5)
    result = invoke("--config", str(config), "check")
    assert result.exit_code == 0, result.output
    assert f"config: {config} is valid" in result.output
    assert "site: Example Reviews <https://reviews.example/> (timezone America/Chicago)" in result.output
    assert f"store: {tmp_path / 'var' / 'digest.sqlite'}" in result.output
    assert "collect: 2 feeds" in result.output
    assert "  - All reviews: https://reviews.example/category/reviews/feed/ (backfill 3 pages)" in result.output
    assert "  - https://reviews.example/category/film/feed/: " in result.output
    assert not (tmp_path / "var").exists()  # check touches no store


def test_check_on_a_bad_config_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text("[site]\nname = 'x'\n")
    result = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "feeds: required key is missing" in result.stderr
    assert "Traceback" not in result.output


def sites(server: FeedServer) -> dict[str, str]:
    return {
        "Films": server.feed("/category/film/feed/", rss(make_posts(4, newest=NOW))),
        "Games": server.feed("/category/games/feed/", rss(make_posts(3, newest=NOW, first_id=500))),
        "TV": server.route("/category/tv/feed/", Reply(500, b"oops", {"Content-Type": "text/plain"})),
        "Gone": server.url("/category/gone/feed/"),
    }


@pytest.mark.parametrize(
    ("names", "code"),
    [(["Films", "Games"], 0), (["Films", "TV", "Games", "Gone"], 3), (["TV", "Gone"], 2)],
    ids=["all-ok", "some-failed", "all-failed"],
)
def test_collect_exit_codes(feed_server: FeedServer, tmp_path: Path, names: list[str], code: int) -> None:
    urls = sites(feed_server)
    config = write_config(tmp_path, [{"name": n, "url": urls[n]} for n in names])
    result = CliRunner().invoke(main, ["--config", str(config), "collect", "--now", NOW_TEXT])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    failed = [n for n in names if n in ("TV", "Gone")]
    for name in names:
        row = next(line for line in result.stdout.splitlines() if line.startswith(name))
        assert ("FAILED" in row) == (name in failed), row
    if "TV" in names:
        assert "FAILED: HTTP 500 Internal Server Error" in result.stdout
    if "Gone" in names:
        assert "FAILED: HTTP 404 Not Found" in result.stdout
    new = sum({"Films": 4, "Games": 3}.get(n, 0) for n in names)
    assert f"{len(names)} feeds, {len(failed)} failed, {new} new entries" in result.stdout
    assert all(seen.headers["user-agent"] == USER_AGENT for seen in feed_server.requests)


def test_quiet_collect_prints_only_failures_then_feeds_shows_health(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    urls = sites(feed_server)
    config = write_config(tmp_path, [{"name": n, "url": urls[n]} for n in ("Films", "Gone")])
    for _ in range(2):
        result = CliRunner().invoke(main, ["--config", str(config), "collect", "-q", "--now", NOW_TEXT])
        assert result.exit_code == 3
        assert "Gone" in result.stdout and "Films" not in result.stdout

    health = invoke("--config", str(config), "feeds")
    assert health.exit_code == 0
    lines = health.stdout.splitlines()
    assert lines[0].startswith("Films: last success Mon 2024-05-20 07:00 CDT")  # the site's time
    assert lines[1].startswith("Gone: last success never; 2 failures in a row, last: HTTP 404 Not Found")


def test_feeds_before_any_collect(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "Films", "url": "https://reviews.example/category/film/feed/"}])
    result = invoke("--config", str(config), "feeds")
    assert result.exit_code == 0
    assert result.stdout == "Films: never collected\n"
