"""Editions and the web archive: several newsletters from one store. (``[[editions]]``, ``[archive]``)

The config itself is the *default* edition (the weekly best of everything, issue ids
like ``2025-W20``). Each ``[[editions]]`` table is another newsletter built from the same
store: the base config with the edition's overrides applied (its sections, counts,
subject, branding, templates and delivery), with issue ids like ``anime/2025-W20``.
An edition's effective config is an ordinary :class:`~digest.settings.config.Config`, so
every stage builds it unchanged; ``config.edition`` is its table (None for the default)
and ``config.edition_id`` its name in issue ids and paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from digest.weeks import issue_key

if TYPE_CHECKING:
    from digest.settings.config import Config

DEFAULT_EDITION = "default"
# Tables an edition may override; anything else (feeds, store, schedule) is shared by every edition.
OVERRIDABLE = ("select", "trending", "email", "delivery", "archive")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArchiveSettings(_Strict):
    """The static web archive: a page per published issue, an index and an Atom feed."""

    dir: Path | None = Field(default=None, description="the archive folder (relative to the config's folder; "
                             "default: archive/<config name>/ there); another edition's pages go in "
                             "<dir>/<edition>/")
    base_url: str | None = Field(default=None, description="https address the folder is served at; the email's "
                                 "\"View in your browser\" then links the issue's page")
    title: str | None = Field(default=None, min_length=1, max_length=120,
                              description="the index's and feed's title (default: the site's name)")
    publish: Literal["on-delivery", "on-build"] = Field(
        default="on-delivery", description="when an issue appears: once delivered by SMTP or webhook, or at "
        "build (`digest archive publish` any time)")
    feed_entries: int = Field(default=50, ge=1, le=1000, description="issues in the Atom feed, newest first")

    @field_validator("base_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{value!r} is not an https URL of a folder (the archive's address)")
        return value if value.endswith("/") else value + "/"


class EditionSettings(_Strict):
    """One ``[[editions]]`` table: a name and what differs from the base config."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$",
                      description="lower-case letters, digits and dashes; used in issue ids and paths")
    title: str | None = Field(default=None, min_length=1, max_length=80,
                              description="what readers call it (archive, preview); default: site: edition")
    sections: list[str] | None = Field(default=None, min_length=1, description="only reviews of these sections")
    subject: str | None = Field(default=None, min_length=1, max_length=300,
                                description="a one-line Jinja template for the subject")
    select: dict[str, Any] = Field(default={}, description="[select] keys that differ (top_count and so on)")
    trending: dict[str, Any] = Field(default={}, description="[trending] keys that differ")
    email: dict[str, Any] = Field(default={}, description="[email] keys that differ: branding, templates_dir")
    delivery: dict[str, Any] = Field(default={}, description="[delivery] keys that differ: method, its table")
    archive: dict[str, Any] = Field(default={}, description="[archive] title, publish or feed_entries")

    @field_validator("name")
    @classmethod
    def _not_default(cls, value: str) -> str:
        if value == DEFAULT_EDITION:
            raise ValueError(f'"{DEFAULT_EDITION}" is the base config\'s own edition; pick another name')
        return value

    @field_validator("archive")
    @classmethod
    def _archive_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        shared = sorted(set(value) & {"dir", "base_url"})
        if shared:  # every edition lives in <dir>/<edition>/, so the top index can link them all
            raise ValueError(f"{', '.join(shared)} is shared by every edition; set it in [archive] "
                             f"(an edition's pages go in its own sub-folder)")
        return value

    def overrides(self) -> dict[str, Any]:
        """The edition as a partial config, ready to merge over the base config's values."""
        out: dict[str, Any] = {name: dict(getattr(self, name)) for name in OVERRIDABLE if getattr(self, name)}
        if self.sections is not None:
            out.setdefault("select", {})["sections"] = list(self.sections)
        if self.subject is not None:
            out.setdefault("email", {})["subject"] = self.subject
        return out


def merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``, table by table (a value that is not a table replaces)."""
    out = dict(base)
    for key, value in extra.items():
        current = out.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            out[key] = merge(current, value)
        else:
            out[key] = value
    return out


def edition_config(config: Config, edition: EditionSettings) -> Config:
    """The edition's effective config; raises pydantic's ValidationError (locations as in a config file)."""
    data = config.model_dump(exclude={"editions", "edition"}, by_alias=True)  # [delivery.smtp] from
    merged = merge(data, edition.overrides())
    return type(config).model_validate({**merged, "editions": [], "edition": edition})


def all_editions(config: Config) -> list[Config]:
    """Every edition's effective config, the default one first (built and delivered in this order)."""
    if config.edition is not None:
        return [config]
    return [config] + [edition_config(config, e) for e in config.editions]


def pick_edition(config: Config, name: str | None) -> Config:
    """The edition called ``name`` (None or "default": the base config)."""
    if name is None or name == DEFAULT_EDITION:
        return config
    for edition in config.editions:
        if edition.name == name:
            return edition_config(config, edition)
    from digest.errors import ConfigError

    known = ", ".join([DEFAULT_EDITION] + [e.name for e in config.editions])
    raise ConfigError(f"no edition called {name!r} (editions: {known})")


def edition_name(config: Config) -> str:
    return config.edition_id or DEFAULT_EDITION


def edition_title(config: Config) -> str:
    """What readers call the edition: its title, else the site's name (with the edition's)."""
    if config.edition is None:
        return config.site.name
    return config.edition.title or f"{config.site.name}: {config.edition.name}"


def issue_dir(config: Config, week_id: str) -> Path:
    """Where an issue's files go: ``<output>/<week>/``, or ``<output>/<edition>/<week>/`` for an edition."""
    return config.output_root() / issue_key(week_id, config.edition_id)


def edition_root(config: Config) -> Path:
    """The folder holding this edition's issue folders (``config.output_root()`` for the default)."""
    root = config.output_root()
    return root / config.edition_id if config.edition_id else root


def archive_dir(config: Config) -> Path | None:
    """This edition's archive folder (``<archive>/`` or ``<archive>/<edition>/``), or None without one."""
    if config.archive is None:
        return None
    # Like the outputs, one folder per config by default, so two configs side by side never share one.
    root = config.resolve(config.archive.dir or Path("archive") / config.config_name)
    return root / config.edition_id if config.edition_id else root


def archive_url(config: Config, week_id: str) -> str | None:
    """The issue's archive page on the web ("view in browser"), when ``archive.base_url`` is set."""
    if config.archive is None or config.archive.base_url is None:
        return None
    return f"{config.archive.base_url}{issue_key(week_id, config.edition_id)}.html"
