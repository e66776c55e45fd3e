"""Load and validate the TOML config.

A bad value gets one message naming the file, the key and the line, e.g.
``config/digest.toml: collect.read_timeout (line 14): Input should be greater than 0``.
Relative paths in the config are relative to the config file's folder.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from digest.errors import ConfigError

DEFAULT_CONFIG = Path("config/digest.toml")
USER_AGENT = "digest/0.1 (newsletter digest builder; +https://github.com/digest-newsletter/digest)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteSettings(_Strict):
    name: str = Field(min_length=1)
    url: str
    timezone: str = "UTC"

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _check_http_url(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like 'America/Chicago')") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class StoreSettings(_Strict):
    path: Path = Path("var/digest.sqlite")
    observation_retention_days: int = Field(default=180, gt=0)


class CollectSettings(_Strict):
    user_agent: str = USER_AGENT
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    deadline: float = Field(default=60.0, gt=0, description="overall seconds per request")
    max_redirects: int = Field(default=5, ge=0, le=20)
    max_bytes: int = Field(default=10_000_000, gt=0)
    concurrency: int = Field(default=4, ge=1, le=64)
    per_host_concurrency: int = Field(default=2, ge=1, le=16)
    per_host_delay: float = Field(default=0.5, ge=0, description="seconds between requests to one host")
    backfill_pages: int = Field(default=0, ge=0, le=100)
    backfill_max_age_days: int = Field(default=14, gt=0)


class FeedSettings(_Strict):
    url: str
    name: str = ""
    backfill_pages: int | None = Field(default=None, ge=0, le=100)

    @field_validator("url")
    @classmethod
    def _source(cls, value: str) -> str:
        if urlsplit(value).scheme in ("http", "https"):
            return _check_http_url(value)
        if value.startswith("file:") or "://" not in value:
            return value  # a local file; resolved against the config folder
        raise ValueError(f"{value!r} is neither an http(s) URL nor a local file")

    @property
    def label(self) -> str:
        return self.name or self.url


class MirrorSettings(_Strict):
    """Answer requests for ``host`` from files under ``root`` (offline demo)."""

    host: str
    root: Path


class Config(_Strict):
    site: SiteSettings
    store: StoreSettings = StoreSettings()
    collect: CollectSettings = CollectSettings()
    feeds: list[FeedSettings] = Field(min_length=1)
    mirrors: list[MirrorSettings] = []
    # Folder of the config file; relative paths resolve against it.
    base_dir: Path = Path(".")

    def resolve(self, path: Path | str) -> Path:
        path = Path(path)
        return path if path.is_absolute() else self.base_dir / path

    @property
    def store_path(self) -> Path:
        return self.resolve(self.store.path)


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def load_config(path: Path | str) -> Config:
    """Read, parse and validate ``path``; raise ConfigError with file/key/line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    raw["base_dir"] = path.resolve().parent
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, text, exc)) from None


def _describe(path: Path, text: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = _dotted(loc)
        line = _line_of(text, loc)
        where = f"{key} (line {line})" if line else key
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key (check the spelling)"
        elif err["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{path}: {where}: {message}")
    return "\n".join(lines)


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number of the key at ``loc`` in the TOML text."""
    lines = text.splitlines()
    start = 0
    table: list[str] = []
    keys = [p for p in loc]
    # Walk table headers: [a], [[a]] with an index, then the final key.
    while keys and len(keys) > 1:
        name = keys.pop(0)
        index = keys.pop(0) if keys and isinstance(keys[0], int) else None
        table.append(str(name))
        header = ".".join(table)
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(header)}\s*\]\]?\s*(#.*)?$")
        seen = -1
        found = None
        for number in range(start, len(lines)):
            if pattern.match(lines[number]):
                seen += 1
                if index is None or seen == index:
                    found = number
                    break
        if found is None:
            return None
        start = found + 1
        if index is not None:
            table = []  # inside an array of tables, keys restart
    if not keys:
        return start or None
    key = re.compile(rf"^\s*{re.escape(str(keys[0]))}\s*=")
    for number in range(start, len(lines)):
        if number > start and lines[number].lstrip().startswith("[") and start:
            break
        if key.match(lines[number]):
            return number + 1
    return start or None
