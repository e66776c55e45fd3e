"""Typed, frozen records passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class FeedStatus(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not-modified"
    FAILED = "failed"


class PickKind(StrEnum):
    TOP = "top"  # among the week's best scores
    PINNED = "pinned"  # forced in by the editor
    TRENDING = "trending"  # most talked-about now


class SignalName(StrEnum):
    COMMENTS = "comments"  # comment growth between collects
    SITE = "site"  # the site's own trending list
    ANALYTICS = "analytics"  # page views from an analytics export


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
    status: FeedStatus
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0
    error: str | None = None
    warning: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == FeedStatus.FAILED


@dataclass(frozen=True)
class CollectReport:
    started: datetime
    finished: datetime
    outcomes: tuple[FeedOutcome, ...] = field(default_factory=tuple)
    pages_fetched: int = 0
    page_failures: tuple[tuple[str, str], ...] = ()  # (article URL, reason)
    page_skipped: tuple[tuple[str, str], ...] = ()  # (article URL, why it was not fetched: off-site)
    pages_deferred: int = 0  # article pages over the collect's budget, left for the next collect
    trending_links: int = 0  # links read from the site's trending list
    trending_error: str | None = None
    seconds: float = 0.0  # measured on a monotonic clock: real even when ``now`` is fixed

    @property
    def failed(self) -> tuple[FeedOutcome, ...]:
        return tuple(o for o in self.outcomes if o.failed)

    @property
    def all_failed(self) -> bool:
        return bool(self.outcomes) and len(self.failed) == len(self.outcomes)


@dataclass(frozen=True)
class ScoreInfo:
    """A review's score normalised to 0–10, with the text and place it came from."""

    value: float
    raw: str
    scale: str
    source: str


@dataclass(frozen=True)
class Analysis:
    """What reading one entry's HTML and its article page found; stored, so it is read once."""

    score: ScoreInfo | None
    tldr: str
    image: ImageHint | None
    image_sizes: tuple[ImageHint, ...] = ()  # every known size of ``image``, smallest first
    # Why a page that shows scores has none of its own ("shows 11 scores of its own items... and no
    # single verdict"); None when it found a score or nothing that looked like one.
    unscored_reason: str | None = None


@dataclass(frozen=True)
class Review:
    """An entry as the reviews stage sees it: review or not, section, score, TL;DR, image.

    A post that is not a review is not analysed (nothing reads its score, TL;DR or image)
    unless the editor pins it: until then its ``tldr`` is empty and ``image`` None.
    """

    entry_id: int
    uid: str
    link: str
    title: str
    author: str | None
    published: datetime
    section: str
    categories: tuple[str, ...]
    is_review: bool
    score: ScoreInfo | None
    unscored_reason: str | None
    tldr: str
    image: ImageHint | None
    comments: int | None
    # Every known size of ``image`` (WordPress srcset, -300x169 names, media:content sizes), smallest
    # first: the email picks the smallest at least twice the width it is shown at.
    image_sizes: tuple[ImageHint, ...] = ()
    # When digest first stored the entry; None when unknown (built by hand). A build with --now
    # offers only what was first seen by then, so a replayed week is the week the editor got.
    first_seen: datetime | None = None


@dataclass(frozen=True)
class Signal:
    """One trending signal for one review: what was observed, its weighted measure, its 0–1 share.

    Exactly one observation is set, by ``name``: ``comments`` gained over ``days``, ``rank`` on the
    site's list, or ``views``. Wording is made from these numbers where it is shown.
    """

    name: SignalName
    raw: float  # the measure the share comes from (decayed growth, rank weight, views)
    normalised: float
    comments: int | None = None  # new comments in the look-back
    days: int | None = None  # the look-back, in days
    rank: int | None = None  # 1-based, on the site's trending list
    views: float | None = None  # page views in the analytics export

    @property
    def detail(self) -> str:
        """The observation as ``digest explain`` and the manifest state it."""
        if self.name == SignalName.COMMENTS:
            return f"+{self.comments} comments in the last {self.days} days"
        if self.name == SignalName.SITE:
            return f"#{self.rank} on the site's trending list"
        return f"{self.views or 0:,.0f} page views"


@dataclass(frozen=True)
class Pick:
    """A review chosen for the issue, and why."""

    kind: PickKind
    position: int  # 1-based within its kind
    review: Review
    reasons: tuple[str, ...]
    signals: tuple[Signal, ...] = ()
    trend_score: float | None = None


@dataclass(frozen=True)
class NearMiss:
    review: Review
    reason: str


@dataclass(frozen=True)
class Selection:
    """Everything the render stage needs, decided by the select stage."""

    issue_id: str  # "2025-W19"
    window_start: datetime  # UTC
    window_end: datetime  # UTC
    now: datetime
    top: tuple[Pick, ...]
    trending: tuple[Pick, ...]
    near_misses: tuple[NearMiss, ...]
    note_markdown: str | None  # the editor's note, Markdown, untrusted-safe rendering required
    signals_available: tuple[SignalName, ...]
    scored_reviews: int
    warnings: tuple[str, ...] = ()
    # Why the trending list is empty or short: which signal was missing, since when. None when full.
    trending_note: str | None = None
    private_note_markdown: str | None = None  # for subscribers only: in the email, never in the web archive

    @property
    def picks(self) -> tuple[Pick, ...]:
        return self.top + self.trending


@dataclass(frozen=True)
class RenderedIssue:
    """The email in every form the output stage writes."""

    issue_id: str
    subject: str
    preheader: str
    html: str  # final, inlined
    text: str
    lint_warnings: tuple[str, ...] = ()
