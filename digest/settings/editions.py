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

from pathlib import Path

from digest.settings.config import Config
from digest.settings.edition_tables import (
    DEFAULT_EDITION,
    OVERRIDABLE,
    ArchiveSettings,
    EditionSettings,
    edition_config,
    merge,
)
from digest.weeks import issue_key

__all__ = [
    "DEFAULT_EDITION", "OVERRIDABLE", "ArchiveSettings", "EditionSettings", "all_editions", "archive_dir",
    "archive_url", "edition_config", "edition_name", "edition_root", "edition_title", "issue_dir", "merge",
    "pick_edition",
]

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


def counts_clicks(config: Config) -> bool:
    """Does any edition have readers' clicks to read after a collect: handed off through a mailing service
    (its report API), or with the site's analytics export and UTM-tagged links?"""
    return any(e.delivery.is_service or (e.trending.analytics_csv is not None and bool(e.email.utm_source))
               for e in all_editions(config))
