"""Typed, frozen records passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FetchResult:
    """One HTTP (or file) response, after redirects and size checks."""

    url: str
    final_url: str
    status: int  # 200, or 304 when the validators matched
    content: bytes
    headers: dict[str, str]  # lower-cased names
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class ImageHint:
    """A candidate lead image seen in the feed; the reviews stage picks one."""

    url: str
    source: str  # media:content, media:thumbnail, enclosure, content
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class FeedEntry:
    """One post as one feed describes it, normalised.

    ``summary`` and ``content`` are the feed's raw HTML: never rendered as
    markup, only read by later stages. ``extras`` keeps namespaced elements
    feedparser does not know (e.g. a plugin's ``review:score``) as text.
    """

    uid: str
    link: str
    title: str
    author: str | None
    categories: tuple[str, ...]
    published: datetime | None  # timezone-aware UTC; None when the feed has none
    summary: str
    content: str
    comments: int | None
    images: tuple[ImageHint, ...] = ()
    extras: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str | None
    entries: tuple[FeedEntry, ...]
    warning: str | None = None  # a tolerated problem, e.g. recovered malformed XML


@dataclass(frozen=True)
class FeedOutcome:
    """What one collect did with one configured feed."""

    name: str
    url: str
    status: str  # "ok", "not-modified", "failed"
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0
    error: str | None = None
    warning: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass(frozen=True)
class CollectReport:
    started: datetime
    finished: datetime
    outcomes: tuple[FeedOutcome, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[FeedOutcome, ...]:
        return tuple(o for o in self.outcomes if o.failed)

    @property
    def all_failed(self) -> bool:
        return bool(self.outcomes) and len(self.failed) == len(self.outcomes)
