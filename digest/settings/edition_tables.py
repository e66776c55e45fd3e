"""The ``[[editions]]`` and ``[archive]`` tables, and how an edition's overrides apply to a config.

Kept apart from :mod:`digest.settings.editions` (the helpers over a loaded config) so the root
config model can use these tables without an import cycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

# named where the config file is read before these models load (digest.settings.early)
from digest.settings.early import DEFAULT_EDITION as DEFAULT_EDITION

C = TypeVar("C", bound=BaseModel)
# Tables an edition may override; anything else (feeds, store, schedule) is shared by every edition.
OVERRIDABLE = ("select", "trending", "email", "delivery", "archive")
# A host name or ``*.`` and a domain: nothing that could end or add a directive in a page's policy.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
IMAGE_HOST = re.compile(rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})*")  # matched whole: fullmatch()


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
    allow_image_hosts: list[str] = Field(
        default=[], description="image hosts the archive pages may also show, besides the site's and "
        "email.image_hosts (`*.example.com` covers subdomains); images from any other host are left off the "
        "web pages, and each page's Content-Security-Policy blocks them")

    @field_validator("base_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{value!r} is not an https URL of a folder (the archive's address)")
        return value if value.endswith("/") else value + "/"

    @field_validator("allow_image_hosts")
    @classmethod
    def _host_names(cls, value: list[str]) -> list[str]:
        for host in value:  # each one goes into the pages' Content-Security-Policy as it is
            if not IMAGE_HOST.fullmatch(host):
                raise ValueError(f"{host!r} is not a host name like \"images.example.com\" or "
                                 "\"*.example.com\" (no scheme, path, port or spaces)")
        return [host.lower() for host in value]


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


def edition_config(config: C, edition: EditionSettings) -> C:
    """The edition's effective config; raises pydantic's ValidationError (locations as in a config file)."""
    data = config.model_dump(exclude={"editions", "edition"}, by_alias=True)  # [delivery.smtp] from
    merged = merge(data, edition.overrides())
    return type(config).model_validate({**merged, "editions": [], "edition": edition})


