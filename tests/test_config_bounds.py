"""A config that passes validation never crashes a command.

Every number in the models has an upper bound the code can represent: the first test walks the
models, so a new numeric key without a bound fails it. The largest allowed values then run the
commands that use them. The store path must name a file, and a file nested past reason gets a
message with its line instead of a RecursionError.
"""

from __future__ import annotations

import copy
import math
import subprocess
import sys
import typing
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import annotated_types
import pytest
from helpers.configfile import PLAIN_EMAIL, toml_document
from helpers.server import FeedServer
from helpers.wordpress import make_posts, rss
from pydantic import BaseModel

from digest.bounds import _unwrap
from digest.errors import ConfigError
from digest.settings.config import Config, load_config
from digest.settings.reference import field_annotation

DIGEST = [sys.executable, "-c", "from digest.cli.main import main; main()"]
NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)
NOW_TEXT = "2024-05-20T07:00"  # in America/Chicago

SITE = {"name": "Example Reviews", "url": "https://reviews.example/", "timezone": "America/Chicago"}
FEED = {"name": "All reviews", "url": "https://reviews.example/category/reviews/feed/"}
SMTP = {"host": "smtp.reviews.example", "from": "news@reviews.example", "to": ["editors@reviews.example"]}
WEBHOOK = {"url": "https://hooks.reviews.example/digest"}
# What a table needs besides the key under test to be valid on its own.
TABLES: dict[tuple[Any, ...], Any] = {
    ("delivery", "smtp"): SMTP,
    ("delivery", "notify", "smtp"): SMTP,
    ("delivery", "webhook"): WEBHOOK,
    ("delivery", "notify", "webhook"): WEBHOOK,
    ("delivery", "mailchimp"): {"list_id": "a1b2c3d4e5"},
    ("delivery", "listmonk"): {"base_url": "https://lists.reviews.example", "username": "digest",
                               "list_ids": [3]},
    ("delivery", "brevo"): {"list_ids": [2], "from_email": "news@reviews.example"},
    ("archive",): {"base_url": "https://reviews.example/newsletter/"},
}
HIDDEN = {"base_dir", "config_name", "edition"}  # filled in by the loader, not written in a file

ENORMOUS_INTS = (10**12, 2**64, 10**30, -(10**12))
ENORMOUS_FLOATS = (1e300, math.inf, -math.inf, math.nan)


# -- walking the models --------------------------------------------------------------------------

def _is_number(annotation: Any) -> bool:
    return annotation in (int, float)


def numeric_keys(model: type[BaseModel] = Config, prefix: tuple[Any, ...] = ()
                 ) -> Iterator[tuple[tuple[Any, ...], str, type, list[Any]]]:
    """(location, shape, number type, constraints) of every number a config file can hold:
    ``shape`` is "value", "list" (a list of numbers) or "table" (a table of numbers)."""
    for name, field in model.model_fields.items():
        if name in HIDDEN:
            continue
        key = (*prefix, field.alias or name)
        annotation, inner_meta = _unwrap(field_annotation(field))  # a service table: its own model
        metadata = [*field.metadata, *inner_meta]
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from numeric_keys(annotation, key)
        elif _is_number(annotation):
            yield key, "value", annotation, metadata
        elif origin is list:
            item, item_meta = _unwrap(args[0])
            if isinstance(item, type) and issubclass(item, BaseModel):
                yield from numeric_keys(item, (*key, 0))
            elif _is_number(item):
                yield key, "list", item, item_meta
        elif origin is dict:
            value, value_meta = _unwrap(args[1])
            if _is_number(value):
                yield key, "table", value, value_meta


def _base() -> dict[str, Any]:
    """A config that builds as files: the plain unsubscribe link and address it then needs."""
    return {"site": dict(SITE), "feeds": [dict(FEED)], "email": dict(PLAIN_EMAIL)}


def _put(data: dict[str, Any], loc: tuple[Any, ...], value: Any) -> None:
    """Set ``loc`` in ``data``, creating the tables (and first list items) on the way."""
    here: Any = data
    for part, following in zip(loc, loc[1:], strict=False):
        if isinstance(here, list):
            while len(here) <= part:
                here.append({})
            here = here[part]
            continue
        here = here.setdefault(part, [] if isinstance(following, int) else {})
    if isinstance(here, list):
        here[loc[-1]] = value
    else:
        here[loc[-1]] = value


def config_with(loc: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A valid config whose key at ``loc`` holds ``value`` (with the tables around it filled in)."""
    data = _base()
    for length in range(1, len(loc)):
        table = TABLES.get(tuple(p for p in loc[:length] if not isinstance(p, int)))
        if table is not None:
            _put(data, loc[:length], copy.deepcopy(table))
    _put(data, loc, value)
    return data


def shaped(shape: str, number: Any) -> Any:
    return {"value": number, "list": [number], "table": {"Film": number}}[shape]


def dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def write(tmp_path: Path, data: dict[str, Any], name: str = "digest.toml") -> Path:
    path = tmp_path / name
    path.write_text(toml_document(data), encoding="utf-8")
    return path


def largest(kind: type, metadata: list[Any]) -> Any:
    return next(m.le for m in metadata if isinstance(m, annotated_types.Le))


NUMERIC = list(numeric_keys())


def test_the_walker_finds_the_numbers_of_every_table() -> None:
    found = {dotted(loc) for loc, *_ in NUMERIC}
    for key in ("store.observation_retention_days", "reviews.page_max_age_days", "collect.deadline",
                "feeds[0].backfill_pages", "select.section_caps", "trending.half_life_hours",
                "schedule.misfire_grace_time", "delivery.smtp.timeout", "delivery.notify.webhook.timeout",
                "delivery.kit.tag_ids", "delivery.listmonk.list_ids", "email.logo_width",
                "archive.feed_entries"):
        assert key in found, key
    assert len(found) > 40


@pytest.mark.parametrize(("loc", "shape", "kind", "metadata"), NUMERIC, ids=[dotted(n[0]) for n in NUMERIC])
def test_every_number_has_an_upper_bound_and_an_enormous_value_is_a_config_error(
    tmp_path: Path, loc: tuple[Any, ...], shape: str, kind: type, metadata: list[Any]
) -> None:
    # The context alone is a valid config: the error below is about the value and nothing else.
    top = largest(kind, metadata)  # no upper bound: this fails here
    load_config(write(tmp_path, config_with(loc, shaped(shape, top))))
    above = [int(top) + 1] + [n for n in ENORMOUS_INTS if n > top or n < 0]
    for number in above + list(ENORMOUS_FLOATS if kind is float else ()):
        path = write(tmp_path, config_with(loc, shaped(shape, number)))
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: {dotted(loc)}"), message
        assert "(line " in message, message
        if isinstance(number, int) and number > 0:
            assert "allowed: " in message and "at most" in message or " to " in message, message


def test_an_enormous_number_names_the_key_line_and_allowed_range(tmp_path: Path) -> None:
    data = config_with(("store", "observation_retention_days"), 10**12)
    path = write(tmp_path, data)
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index("observation_retention_days = 1000000000000") + 1
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (f"{path}: store.observation_retention_days (line {line}): Input should be "
                                 "less than or equal to 36500 (allowed: more than 0, at most 36500)")


def digest(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DIGEST, "--config", str(config), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=config.parent)


def test_the_numbers_that_crashed_are_refused_by_every_command(tmp_path: Path) -> None:
    for loc, value in ((("store", "observation_retention_days"), 10**12),
                       (("reviews", "page_max_age_days"), 10**10)):
        path = write(tmp_path, config_with(loc, value))
        for command in ("check", "collect", "prune", "build"):
            result = digest(path, command)
            assert result.returncode == 2, (command, result.stderr)
            assert result.stderr.startswith(f"error: {path}: {dotted(loc)} (line "), result.stderr
            assert "Traceback" not in result.stderr


def test_prune_older_than_an_enormous_age_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, _base())
    result = digest(path, "prune", "--older-than", str(10**12))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "--older-than" in result.stderr


def test_the_largest_allowed_values_run_every_command(feed_server: FeedServer, tmp_path: Path) -> None:
    posts = make_posts(20, newest=NOW - timedelta(days=1), every=timedelta(hours=12),
                       categories=("Reviews", "Film"))
    feed = feed_server.feed("/category/reviews/feed/", rss(posts, feed_path="/category/reviews/feed/"))
    data = _base()
    data["feeds"] = [{"name": "All reviews", "url": feed}]
    for loc, shape, kind, metadata in NUMERIC:
        if loc[0] in ("store", "collect", "reviews", "select", "trending", "schedule", "feeds"):
            _put(data, loc, shaped(shape, largest(kind, metadata)))
    # The article pages are on reviews.example: never reach for the internet from a test. The pause
    # between two requests to one host is waited out, as meant: at its largest (an hour) a test waits.
    data["reviews"]["fetch_pages"] = "never"
    data["collect"]["per_host_delay"] = 0.0
    path = write(tmp_path, data)
    config = load_config(path)
    assert config.store.observation_retention_days == 36_500 and config.reviews.page_max_age_days == 36_500

    for args in (("check",), ("collect", "--now", NOW_TEXT),
                 ("collect", "--now", NOW_TEXT, "--backfill", "100"), ("prune",),
                 ("prune", "--older-than", "36500"), ("build", "--now", NOW_TEXT),
                 ("build", "--now", NOW_TEXT, "--build-thin"), ("reviews", "--now", NOW_TEXT),
                 ("explain", "--now", NOW_TEXT)):
        result = digest(path, *args)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        # 5: a thin week (select.min_scored_reviews is at its largest); --build-thin builds it.
        assert result.returncode == (5 if args[0] == "build" and len(args) == 3 else 0), (args, result.stderr)
        if args[-1] == "--build-thin":
            assert "2024-W20" in result.stdout and "Review 20: The Film Number 20" in \
                (tmp_path / "out" / "digest" / "2024-W20" / "digest.txt").read_text(encoding="utf-8")


# -- the store path names a file -------------------------------------------------------------------

@pytest.mark.parametrize(("store", "why"), [
    ("", "is empty"),
    ("   ", "is empty"),
    ("/", "names a folder"),
    (".", "names a folder"),
    ("..", "names a folder"),
    ("var/", "names a folder"),
    ("var/..", "names a folder"),
    ("var", "is a folder"),  # exists, below
    ("linked", "is a folder"),  # a symlink to a folder
    ("digest.toml", "is this config file"),
    ("var/digest\u0000.sqlite", "control character"),
])
def test_a_store_path_that_is_not_a_file_is_refused_naming_the_key(tmp_path: Path, store: str,
                                                                   why: str) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "var", target_is_directory=True)
    data = _base()
    data["store"] = {"path": store}
    path = write(tmp_path, data)
    line = path.read_text(encoding="utf-8").splitlines().index("[store]") + 2
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: store.path (line {line}): "), message
    assert why in message, message


def test_the_cli_refuses_a_folder_as_the_store_and_creates_nothing(tmp_path: Path) -> None:
    data = _base()
    data["store"] = {"path": "/"}
    path = write(tmp_path, data)
    for command in ("collect", "prune", "build", "feeds"):
        result = digest(path, command)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {path}: store.path (line "), result.stderr
        assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digest.toml"]


def test_a_store_that_became_a_folder_is_a_store_error(tmp_path: Path) -> None:
    from digest.errors import StoreError
    from digest.store.database import Store

    (tmp_path / "digest.sqlite").mkdir()
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path / "digest.sqlite")


# -- nesting past reason ------------------------------------------------------------------------------

NESTINGS = {
    "arrays": lambda depth: "[" * depth + "]" * depth,
    "inline tables": lambda depth: "{ a = " * depth + "1" + " }" * depth,
    "arrays of tables": lambda depth: "[" * depth + "{ b = 1 }" + "]" * depth,
}


@pytest.mark.parametrize("shape", list(NESTINGS))
@pytest.mark.parametrize("depth", [100, 10_000])
def test_absurd_nesting_is_a_config_error_with_its_line(tmp_path: Path, shape: str, depth: int) -> None:
    text = toml_document(_base()) + f"\n[select]\ntop_count = 5\nsection_caps = {NESTINGS[shape](depth)}\n"
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("top_count = 5") + 2
    result = digest(path, "check")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {path}: "), result.stderr
    assert f"(line {line}): " in result.stderr and "nested more than" in result.stderr
    assert "section_caps" in result.stderr


def test_absurd_nesting_in_an_issue_file_is_a_config_error(tmp_path: Path) -> None:
    from digest.select.editor import load_editor_choices

    config = load_config(write(tmp_path, _base()))
    issue = tmp_path / "issues" / "2024-W20.toml"
    issue.parent.mkdir()
    issue.write_text('note = "Big week"\ndrop = ' + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_editor_choices(config, "2024-W20")
    assert str(caught.value).startswith(f"{issue}: drop (line 2): ")


@pytest.mark.parametrize("key", ["output_dir", "issues_dir"])
def test_a_path_with_a_nul_byte_is_a_config_error_not_a_crash_at_build(tmp_path: Path, key: str) -> None:
    data = {key: "out\u0000put", **_base(), "select": {"build_thin_week": True}}
    path = write(tmp_path, data)
    result = digest(path, "build", "--now", NOW_TEXT)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"error: {path}: {key} (line 1): holds a control character"), result.stderr
