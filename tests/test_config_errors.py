"""Bad config files get one clear message naming the file, the key and its line; the CLI shows it
as ``error: ...`` with exit code 2 and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers.configfile import config_text

from digest.errors import ConfigError
from digest.settings.config import load_config

GOOD = """\
# Example Reviews newsletter
[site]
name = "Example Reviews"
url = "https://reviews.example/"
timezone = "America/Chicago"

[store]
path = "var/digest.sqlite"

[collect]
read_timeout = 15
per_host_delay = 1.0
backfill_pages = 2

[[feeds]]
name = "All reviews"
url = "https://reviews.example/category/reviews/feed/"

[[feeds]]
name = "Film"
url = "https://reviews.example/category/film/feed/"
backfill_pages = 0
"""


def line_of(text: str, needle: str, after: str = "") -> int:
    """1-based number of the first line containing ``needle`` (after the line containing ``after``)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def error_for(tmp_path: Path, text: str) -> str:
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_the_good_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(GOOD, encoding="utf-8")
    config = load_config(path)
    assert [f.label for f in config.feeds] == ["All reviews", "Film"]
    assert config.collect.read_timeout == 15
    assert config.feeds[1].backfill_pages == 0
    assert config.store_path == tmp_path / "var" / "digest.sqlite"  # relative to the config's folder


def test_the_test_helper_writes_loadable_configs(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(config_text(["https://reviews.example/feed/", {"url": "feeds/local.xml", "name": "Local"}]))
    config = load_config(path)
    assert config.feeds[1].label == "Local"
    assert config.reviews.fetch_pages == "never"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "digest.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: config file not found"


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    text = GOOD.replace('name = "Film"', 'name = "Film')
    message = error_for(tmp_path, text)
    assert "not valid TOML" in message
    broken = line_of(text, 'name = "Film')
    assert f"line {broken}" in message


def test_unknown_key_names_the_key_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("read_timeout = 15", "read_timout = 15")
    message = error_for(tmp_path, text)
    assert f"collect.read_timout (line {line_of(text, 'read_timout')}): unknown key" in message


def test_bad_value_names_the_key_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("read_timeout = 15", "read_timeout = -1")
    message = error_for(tmp_path, text)
    assert f"collect.read_timeout (line {line_of(text, 'read_timeout')}): " in message
    assert "greater than 0" in message


def test_bad_url_in_the_second_feed_names_its_index_and_line(tmp_path: Path) -> None:
    text = GOOD.replace('url = "https://reviews.example/category/film/feed/"',
                        'url = "ftp://reviews.example/category/film/feed/"')
    message = error_for(tmp_path, text)
    line = line_of(text, "ftp://")
    assert line == line_of(text, "url =", after='name = "Film"')
    assert f"feeds[1].url (line {line}): " in message
    assert "ftp://reviews.example/category/film/feed/" in message
    assert "feeds[0]" not in message


def test_unknown_timezone(tmp_path: Path) -> None:
    text = GOOD.replace("America/Chicago", "Mars/Olympus_Mons")
    message = error_for(tmp_path, text)
    assert f"site.timezone (line {line_of(text, 'timezone')}): " in message
    assert "unknown timezone 'Mars/Olympus_Mons'" in message


def test_a_sections_bad_url_pattern_names_its_index_and_line(tmp_path: Path) -> None:
    text = GOOD + ('\n[[sections]]\nname = "Games"\n\n'
                   '[[sections]]\nname = "Impressions"\nurl_patterns = ["/impressions/("]\n')
    message = error_for(tmp_path, text)
    assert f"sections[1].url_patterns (line {line_of(text, 'url_patterns')}): " in message, message
    assert "not a valid regular expression" in message


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = GOOD.replace("read_timeout = 15", "read_timeout = 0")
    text = text.replace("per_host_delay = 1.0", "per_host_delay = -2")
    message = error_for(tmp_path, text)
    assert len(message.splitlines()) == 2
    assert f"collect.read_timeout (line {line_of(text, 'read_timeout')})" in message
    assert f"collect.per_host_delay (line {line_of(text, 'per_host_delay')})" in message


def test_no_feeds(tmp_path: Path) -> None:
    text = GOOD.split("[[feeds]]")[0]
    message = error_for(tmp_path, text)
    assert "feeds: required key is missing" in message


def test_unknown_table_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("[collect]", "[colect]")
    message = error_for(tmp_path, text)
    assert f"colect (line {line_of(text, '[colect]')}): unknown key" in message


def test_feed_url_with_an_impossible_port_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("https://reviews.example/category/film/feed/", "https://reviews.example:99999/film/feed/")
    message = error_for(tmp_path, text)
    assert f"feeds[1].url (line {line_of(text, '99999')})" in message


def test_cli_reports_a_bad_config_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("read_timeout = 15", "read_timout = 15"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "from digest.cli.main import main; main()", "--config", str(path), "collect"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert f"{path}: collect.read_timout (line 11): unknown key" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "var").exists()  # nothing was created
