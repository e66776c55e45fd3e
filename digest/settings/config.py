"""Load and validate the TOML config.

A bad value gets one message naming the file, the key and the line, e.g.
``config/digest.toml: collect.read_timeout (line 14): Input should be greater than 0``.
Relative paths in the config are relative to the config file's folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from digest import USER_AGENT
from digest.bounds import (
    DAY_SECONDS,
    HOUR_SECONDS,
    MAX_BYTES,
    MAX_COUNT,
    MAX_DAYS,
    MAX_HOURS,
    MAX_WEIGHT,
    SectionCap,
    allowed_range,
    unusable_paths,
)
from digest.errors import ConfigError
from digest.mailers import address_fault, header_line
from digest.services import service_named
from digest.settings.approval import ApprovalSettings
from digest.settings.edition_tables import ArchiveSettings, EditionSettings, edition_config
from digest.settings.email import EmailSettings
from digest.settings.job import DeliverySettings, ScheduleSettings
from digest.settings.problems import describe_validation_error, message
from digest.settings.tomlfile import describe, read_toml

if TYPE_CHECKING:
    from digest.services import Sender


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

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        """The sender's name when none is set (a From header, a service's from_name): plain text."""
        fault = address_fault(value)
        if fault is not None:
            raise ValueError(fault)
        return value

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
    observation_retention_days: int = Field(default=180, gt=0, le=MAX_DAYS)

    @field_validator("path", mode="before")
    @classmethod
    def _names_a_file(cls, value: Any) -> Any:
        """As text, before ``Path`` drops a trailing slash or turns "" into "." (the config's folder)."""
        if isinstance(value, str):
            text = value.strip()
            if not text:
                raise ValueError('is empty: name the store\'s file, like "var/digest.sqlite"')
            if any(ord(c) < 32 or ord(c) == 127 for c in text):
                raise ValueError("holds a control character: name the store's file, like \"var/digest.sqlite\"")
            if text.endswith(("/", "\\")) or Path(text).name in ("", ".", ".."):
                raise ValueError(f"{value!r} names a folder, not a file: name the store's file in it, "
                                 f'like "{text.rstrip("/")}/digest.sqlite"')
        return value


class CollectSettings(_Strict):
    user_agent: str = USER_AGENT
    connect_timeout: float = Field(default=10.0, gt=0, le=DAY_SECONDS)
    read_timeout: float = Field(default=20.0, gt=0, le=DAY_SECONDS)
    deadline: float = Field(default=60.0, gt=0, le=DAY_SECONDS, description="overall seconds per request")
    max_redirects: int = Field(default=5, ge=0, le=20)
    max_bytes: int = Field(default=10_000_000, gt=0, le=MAX_BYTES)
    concurrency: int = Field(default=4, ge=1, le=64)
    per_host_concurrency: int = Field(default=2, ge=1, le=16)
    per_host_delay: float = Field(default=0.5, ge=0, le=HOUR_SECONDS,
                                  description="seconds between requests to one host")
    backfill_pages: int = Field(default=0, ge=0, le=100)
    backfill_max_age_days: int = Field(default=14, gt=0, le=MAX_DAYS)
    # The site's own archive pages (a category's listing) for posts no feed holds any more.
    backfill_archives: list[str] = []
    archive_max_pages: int = Field(default=5, ge=1, le=100, description="listing pages per archive")
    archive_max_posts: int = Field(default=200, ge=0, le=100_000, description="post pages per collect")
    # Hosts (or host:port) besides the site's and its feeds' that article pages may come from.
    allowed_hosts: list[str] = []
    # Bounds: one hostile or huge feed must not hold a collect for hours.
    max_items_per_feed: int = Field(default=500, ge=1, le=100_000, description="newest first")
    max_page_fetches: int = Field(default=300, ge=0, le=100_000, description="article pages per collect")

    @field_validator("backfill_archives")
    @classmethod
    def _archives(cls, values: list[str]) -> list[str]:
        for value in values:
            if urlsplit(value).scheme not in ("http", "https"):
                raise ValueError(f"{value!r} is not an http(s) address of the site's archive page")
            _check_http_url(value)
        return values

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, values: list[str]) -> list[str]:
        for value in values:
            text = value.strip()
            try:
                parts = urlsplit(text if "://" in text else f"https://{text}/")
                ok = bool(parts.hostname) and (parts.port or 0) >= 0
            except ValueError:
                ok = False
            if not ok or any(c in text for c in " @\\"):
                raise ValueError(f"{value!r} is not a host name like cdn.example.com (or host:port)")
        return values


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


class ReviewSettings(_Strict):
    """What counts as a review, and where to look for its score."""

    categories: list[str] = ["Reviews"]
    title_patterns: list[str] = [r"^\s*REVIEW\s*[:\-–—]"]
    recaps_are_reviews: bool = False
    recap_pattern: str = r"^\s*RECAP\s*[:\-–—]"
    url_patterns: list[str] = []
    scored_posts_are_reviews: bool = False
    score_elements: list[str] = ["review_score"]
    score_selector: str | None = None
    letter_grades: bool = False
    bare_score_best: Literal[5, 10, 100] | None = None
    tldr_max_chars: int = Field(default=220, ge=40, le=2000)
    fetch_pages: Literal["always", "unscored", "never"] = "always"
    page_max_bytes: int = Field(default=3_000_000, gt=0, le=MAX_BYTES)
    page_attempts: int = Field(default=3, ge=1, le=20)
    page_max_age_days: int = Field(default=21, gt=0, le=MAX_DAYS,
                                   description="fetch pages of reviews this recent")
    default_section: str = "Other"

    @field_validator("title_patterns", "url_patterns")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        for value in values:
            _check_regex(value)
        return values

    @field_validator("recap_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return _check_regex(value)

    @field_validator("score_selector")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            from lxml.cssselect import CSSSelector, SelectorError

            try:
                CSSSelector(value)
            except SelectorError as exc:
                raise ValueError(f"not a valid CSS selector: {exc}") from None
        return value


class SectionSettings(_Strict):
    """A newsletter section: the categories (or tags), category feeds and URL folders that mean it.

    A ``feeds`` item matches a feed URL that contains it, so ``/category/anime/``
    works for any host. ``url_patterns`` serve a site that files its posts by folder
    (``/game/``, ``/impressions/``) and tags them with anything but their desk.
    """

    name: str = Field(min_length=1)
    categories: list[str] = []
    feeds: list[str] = []
    url_patterns: list[str] = []

    @field_validator("url_patterns")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        for value in values:
            _check_regex(value)
        return values


# Order is priority: the first section whose categories match wins, so the more
# specific desks come first (an anime film is Anime; a TV adaptation of a game is TV).
DEFAULT_SECTIONS = [
    SectionSettings(name="Anime", categories=["Anime"], feeds=["/category/anime/"]),
    SectionSettings(name="Comics", categories=["Comics", "Comic Books", "Manga"], feeds=["/category/comics/"]),
    SectionSettings(name="TV", categories=["TV", "Television", "K-Dramas"], feeds=["/category/tv/"]),
    SectionSettings(name="Film", categories=["Film", "Movies", "Movie"], feeds=["/category/film/"]),
    SectionSettings(name="Video Games",
                    categories=["Video Games", "Games", "Gaming", "PC", "PS5", "PS4", "Xbox Series X/S",
                                "Xbox One", "Nintendo Switch", "Switch 2", "Tabletop"],
                    feeds=["/category/video-games/"]),
]


class SelectSettings(_Strict):
    """How the issue is chosen: counts, caps, memory, the thin-week guard."""

    top_count: int = Field(default=5, ge=0, le=50)
    trending_count: int = Field(default=4, ge=0, le=50)
    min_score: float | None = Field(default=None, ge=0, le=10)
    max_per_section: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    section_caps: dict[str, SectionCap] = {}
    repeat_weeks: int = Field(default=4, ge=0, le=520)
    min_scored_reviews: int = Field(default=3, ge=0, le=MAX_COUNT)
    build_thin_week: bool = False
    near_misses: int = Field(default=8, ge=0, le=100)
    sections: list[str] | None = Field(default=None, min_length=1, description="only reviews of these sections")
    reader_interest: float = Field(default=0.0, ge=0, le=1)
    reader_interest_issues: int = Field(default=4, ge=1, le=52)
    reader_interest_margin: float = Field(default=0.5, ge=0, le=2)


class TrendingSettings(_Strict):
    """Signals for "trending", each normalised to 0–1, weighted, with time decay."""

    lookback_days: int = Field(default=14, ge=1, le=90)
    half_life_hours: float = Field(default=48.0, gt=0, le=MAX_HOURS)
    comments_weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    site_weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    analytics_weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    site_page: str | None = None
    site_selector: str = ".trending-posts a"
    analytics_csv: Path | None = None

    @field_validator("site_page")
    @classmethod
    def _page(cls, value: str | None) -> str | None:
        return _check_http_url(value) if value is not None else None


class ReportSettings(_Strict):
    """Readers' clicks: how long after the hand-off ``collect`` keeps asking the service for them."""

    days: int = Field(default=7, ge=1, le=90)


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
    reviews: ReviewSettings = ReviewSettings()
    sections: list[SectionSettings] = Field(default_factory=lambda: list(DEFAULT_SECTIONS))
    select: SelectSettings = SelectSettings()
    trending: TrendingSettings = TrendingSettings()
    report: ReportSettings = ReportSettings()
    email: EmailSettings = EmailSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    delivery: DeliverySettings = DeliverySettings()
    approval: ApprovalSettings = ApprovalSettings()
    archive: ArchiveSettings | None = None
    editions: list[EditionSettings] = []
    # Set only in an edition's effective config (``editions.edition_config``), never in the file.
    edition: EditionSettings | None = None
    # Where built issues go; default: out/<config file's name>/ beside the config file.
    output_dir: Path | None = None
    issues_dir: Path = Path("issues")
    # Folder of the config file; relative paths resolve against it.
    base_dir: Path = Path(".")
    # The config file's name without .toml (set by load_config); names the default output folder.
    config_name: str = "digest"

    def output_root(self) -> Path:
        """The one place every command finds this config's issues: ``output_dir``, or
        ``<config folder>/out/<config name>/``, so two configs side by side never share one."""
        if self.output_dir is not None:
            return self.resolve(self.output_dir)
        return self.resolve(Path("out") / self.config_name)

    @model_validator(mode="before")
    @classmethod
    def _email_knows_its_delivery(cls, data: Any) -> Any:
        """Whose merge tags the email may carry depends on who hands it to subscribers: [email] is told
        the delivery method (a service's tags by default, none for smtp/webhook/files)."""
        if not isinstance(data, dict):
            return data
        delivery, email = data.get("delivery"), data.get("email")
        method = delivery.get("method", "files") if isinstance(delivery, dict) else "files"
        email = {} if email is None else email
        if isinstance(email, dict) and isinstance(method, str):
            if "delivery_method" in email:
                raise ValueError("[email] delivery_method is not a key: the delivery path is [delivery] method")
            data = {**data, "email": {**email, "delivery_method": method}}
        return data

    def service_needs(self) -> list[str]:
        """Every setting the chosen service refuses a campaign without (a sender, a reply-to ...) that this
        config does not give. Loading names them at ``[delivery.<service>]``, so `digest check` says it
        before the first run rather than the service on Monday; the hand-off checks again."""
        service = service_named(self.delivery.method)
        table = self.delivery.service
        if service is None or table is None:
            return []
        return [str(need) for need in service.missing(table, self.sender())]

    def sender(self) -> Sender:
        """Who a service campaign is from: the service's own table first, then ``[email]``, then the site."""
        table = self.delivery.service
        email = self.email
        name = (table.from_name if table else None) or email.from_name or self.site.name
        address = (table.from_email if table else None) or email.from_address
        reply_to = (table.reply_to if table else None) or email.reply_to or address
        from digest.services.base import Sender  # with the service client: only when a sender is needed

        return Sender(header_line(name), address, reply_to)

    def resolve(self, path: Path | str) -> Path:
        path = Path(path)
        return path if path.is_absolute() else Path(os.path.normpath(self.base_dir / path))

    @property
    def store_path(self) -> Path:
        return self.resolve(self.store.path)

    @property
    def edition_id(self) -> str | None:
        """The edition's name in issue ids and paths; None for the default edition."""
        return self.edition.name if self.edition is not None else None


def _check_http_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        _ = parts.port  # reading it checks the range
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a usable URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
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
    raw = read_toml(path, text)
    if "edition" in raw:  # only an edition's effective config has one
        raise ConfigError(describe(path, text, ("edition",), "unknown key (editions are [[editions]] tables)"))
    raw["base_dir"] = path.resolve().parent
    raw["config_name"] = path.stem
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, text, exc, _allowed)) from None
    bad = unusable_paths(config)
    if bad:
        raise ConfigError("\n".join(describe(path, text, loc, "holds a control character: write the path "
                                              "without it") for loc in bad))
    store = config.store_path
    if store.is_dir() or store == path.resolve():
        what = "a folder" if store.is_dir() else "this config file"
        raise ConfigError(describe(path, text, ("store", "path"), f"{store} is {what}, not a store file: "
                                   'name a file, like "var/digest.sqlite"'))
    blocker = next((p for p in store.parents if os.path.lexists(p)), None)  # the nearest that exists
    if blocker is not None and not blocker.is_dir():
        what = "a broken symbolic link" if blocker.is_symlink() and not blocker.exists() else "a file"
        raise ConfigError(describe(path, text, ("store", "path"), f"{blocker} is {what}, not a folder, so the "
                                   f"store {store} cannot be made there: name a file in a folder"))
    check_editions(path, text, config)
    return config


def _needs(path: Path, text: str, config: Config, where: tuple[Any, ...] = ()) -> list[str]:
    method = config.delivery.method
    return [describe(path, text, where or ("delivery", method), f"{method} needs {need}")
            for need in config.service_needs()]


def check_editions(path: Path, text: str, config: Config) -> None:
    """Each edition's effective config must validate too; errors point into its ``[[editions]]`` table."""
    problems: list[str] = []
    names: set[str] = set()
    for index, edition in enumerate(config.editions):
        where: tuple[Any, ...] = ("editions", index)
        if edition.name in names:
            problems.append(describe(path, text, (*where, "name"), f"a second edition called {edition.name!r}"))
        names.add(edition.name)
        try:
            effective = edition_config(config, edition)
        except ValidationError as exc:
            problems += [describe(path, text, (*where, *_edition_loc(err["loc"])), message(err, _allowed))
                         for err in exc.errors()]
            continue
        problems += _unknown_sections(path, text, effective, where)
        if effective.service_needs() != config.service_needs():  # the edition's own sender is short
            problems += _needs(path, text, effective, where)
    if not problems:
        problems = _unknown_sections(path, text, config, ())
    problems = _needs(path, text, config) + problems
    if problems:
        raise ConfigError("\n".join(problems))


def _edition_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Where an override lives in the file: ``select.sections`` and ``email.subject`` are shorthands."""
    if loc[:2] == ("select", "sections"):
        return ("sections",)
    if loc[:2] == ("email", "subject"):
        return ("subject",)
    return loc


def _unknown_sections(path: Path, text: str, config: Config, where: tuple[Any, ...]) -> list[str]:
    wanted = config.select.sections or []
    known = [s.name for s in config.sections] + [config.reviews.default_section]
    unknown = [name for name in wanted if name not in known]
    if not unknown:
        return []
    loc = (*where, "sections") if where else ("select", "sections")
    return [describe(path, text, loc, f"unknown section {', '.join(map(repr, unknown))} "
                                      f"(sections: {', '.join(known)})")]


def _allowed(loc: tuple[Any, ...]) -> str | None:
    """The range of the number at ``loc``; in a ``[delivery.<service>]`` table, from that service's own
    model (the config's field names only the shared base, so that unused services are never loaded)."""
    for at, (part, name) in enumerate(zip(loc, loc[1:], strict=False)):
        if part == "delivery" and (service := service_named(str(name))) is not None:
            return allowed_range(service.Settings, loc[at + 2:])
    return allowed_range(Config, loc)

