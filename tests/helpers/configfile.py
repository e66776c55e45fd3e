"""Write real TOML config files for tests, with fast, test-friendly collect settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from digest.settings.config import Config, load_config

# Quick timeouts and no politeness pause unless a test asks for them.
FAST_COLLECT: dict[str, Any] = {
    "connect_timeout": 2.0,
    "read_timeout": 5.0,
    "deadline": 10.0,
    "per_host_delay": 0.0,
    "concurrency": 8,
    "per_host_concurrency": 8,
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = "".join(f"\\u{ord(c):04x}" if ord(c) < 32 or ord(c) == 127 else c for c in text)
    return f'"{text}"'


# What an email delivered by SMTP, webhook or files needs when no mailer substitutes merge tags.
PLAIN_EMAIL: dict[str, Any] = {
    "unsubscribe_url": "https://reviews.example/newsletter/unsubscribe",
    "postal_address": "Example Reviews, 350 Fifth Avenue, New York, NY 10118",
}


def config_text(
    feeds: Sequence[str | Mapping[str, Any]],
    *,
    store: str = "var/digest.sqlite",
    timezone: str = "America/Chicago",
    reviews: Mapping[str, Any] | None = None,
    email: Mapping[str, Any] | None = PLAIN_EMAIL,
    **collect: Any,
) -> str:
    """A whole config. Article-page fetching is off unless ``reviews`` turns it on: feed items
    link to ``https://reviews.example/...`` and a test must never reach for the internet.
    ``email``: the ``[email]`` table (None: none, for a caller that writes its own)."""
    lines = [
        "[site]",
        'name = "Example Reviews"',
        'url = "https://reviews.example/"',
        f"timezone = {_toml_value(timezone)}",
        "",
        "[store]",
        f"path = {_toml_value(store)}",
        "",
        "[collect]",
    ]
    lines += [f"{key} = {_toml_value(value)}" for key, value in {**FAST_COLLECT, **collect}.items()]
    lines += ["", "[reviews]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in {"fetch_pages": "never", **(reviews or {})}.items()]
    for feed in feeds:
        spec = {"url": feed} if isinstance(feed, str) else dict(feed)
        lines += ["", "[[feeds]]"] + [f"{k} = {_toml_value(v)}" for k, v in spec.items()]
    if email is not None:
        lines += ["", "[email]"] + [f"{k} = {_toml_value(v)}" for k, v in email.items()]
    return "\n".join(lines) + "\n"


def write_config(folder: Path, feeds: Sequence[str | Mapping[str, Any]], **options: Any) -> Path:
    path = folder / "digest.toml"
    path.write_text(config_text(feeds, **options), encoding="utf-8")
    return path


def make_config(folder: Path, feeds: Sequence[str | Mapping[str, Any]], **options: Any) -> Config:
    """Write the file and load it through the real loader."""
    return load_config(write_config(folder, feeds, **options))


class Clock:
    """A settable UTC clock to pass as ``now``."""

    def __init__(self, start: datetime = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


def toml_document(data: Mapping[str, Any]) -> str:
    """``data`` as a TOML file: a table's plain keys, then its sub-tables and arrays of tables,
    as an editor writes them (``[delivery.smtp]``, ``[[feeds]]``)."""
    return "\n".join(_toml_table(data, ())) + "\n"


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else _toml_value(key)


def _toml_inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_inline(v) for v in value) + "]"
    return _toml_value(value)


def _toml_table(data: Mapping[str, Any], where: tuple[str, ...]) -> list[str]:
    lines = [f"{_toml_key(k)} = {_toml_inline(v)}" for k, v in data.items()
             if not isinstance(v, Mapping) and not _is_table_list(v)]
    for key, value in data.items():
        path = (*where, key)
        if isinstance(value, Mapping):
            lines += ["", f"[{'.'.join(map(_toml_key, path))}]", *_toml_table(value, path)]
        elif _is_table_list(value):
            for item in value:
                lines += ["", f"[[{'.'.join(map(_toml_key, path))}]]", *_toml_table(item, path)]
    return lines
