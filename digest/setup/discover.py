"""Look at a site the way an editor would, before there is any config: the I/O half of ``digest init``.

Reads the home page, finds the feeds (``<link rel="alternate">``, then the usual
places of WordPress, Ghost, Hugo and others), the category or tag feeds that the
site's own links point to, a few article pages of recent posts, and WordPress's
REST index (for the site's timezone). Everything goes through the collect
stage's fetcher, so mirrors (the offline demo, tests) answer exactly as they
do for ``collect``. What it found is returned as plain data; :mod:`propose`
decides.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html

from digest.collect.feeds import parse_feed
from digest.collect.fetch import PAGE_ACCEPT, Fetcher
from digest.errors import DigestError, SourceError
from digest.settings.config import CollectSettings
from digest.setup.found import REVIEW_NAME, FoundFeed
from digest.urls import canonical_url, is_http

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml", "application/xml")
# Where generators put the main feed when the home page does not say.
COMMON_FEEDS = ("feed/", "rss/", "index.xml", "feed.xml", "atom.xml", "rss.xml")
# Archive links on a home page, and the feed each generator serves for one.
_ARCHIVE = re.compile(r"/(category|tag|tags|categories|topics?)/([^/?#]+)/?$")
_ARCHIVE_FEED = {"category": "feed/", "tag": "rss/", "tags": "index.xml", "categories": "index.xml",
                 "topic": "feed/", "topics": "feed/"}
MAX_ARCHIVES = 24
# A URL section's feed, named as the main feed is (relative to the home): Hugo, WordPress, Ghost.
_SECTION_FEED = ("index.xml", "feed/", "rss/")
MAX_SECTIONS = 4
MAX_REVIEW_CATEGORIES = 3
MAX_PAGES = 8
# Publication stamps with the offset the site wrote: RSS dates, Atom/Dublin Core ISO dates, and on
# article pages schema.org's datePublished, Open Graph's published_time and <time datetime>.
_RFC822_DATE = re.compile(r"<(?:pubDate|dc:date)>\s*([A-Za-z]{3},[^<]{10,40}?)\s*</", re.I)
_ISO_DATE = re.compile(r"(?:<(?:published|updated|dc:date)>"
                       r"|(?:published_time|datePublished)\"?\s*(?:content=|:)\s*\""
                       r"|<time[^>]*\sdatetime=\"?)"
                       r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))")


@dataclass
class Survey:
    """Everything ``init`` read from the site."""

    url: str
    home_html: str
    feeds: list[FoundFeed] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # article URL -> HTML
    wp_index: dict[str, object] | None = None
    tried: list[tuple[str, str]] = field(default_factory=list)  # (url, why it was not used)
    feed_dates: list[datetime] = field(default_factory=list)  # the feeds' post dates, each with its own offset
    archives: list[FoundFeed] = field(default_factory=list)  # listing pages of review categories with no feed
    requests: int = 0


PickPages = Callable[[list[FoundFeed]], list[str]]


def survey_site(url: str, mirrors: dict[str, Path], pick: PickPages,
                settings: CollectSettings | None = None) -> Survey:
    """Read the site; ``pick`` chooses, from the feeds found, the article pages worth reading."""
    return asyncio.run(_survey(url, mirrors, pick, settings or CollectSettings(per_host_delay=0.2)))


async def _survey(url: str, mirrors: dict[str, Path], pick: PickPages, settings: CollectSettings) -> Survey:
    home_url = url if url.endswith("/") else url + "/"
    async with Fetcher(settings, mirrors={h.lower(): p for h, p in mirrors.items()}) as fetcher:
        reader = _Reader(fetcher)
        home = await reader.page(home_url)
        if home is None:
            raise DigestError(f"cannot read the home page {home_url}: {reader.survey_error}")
        survey = Survey(home_url, home)
        reader.survey = survey
        document = lxml.html.fromstring(home) if home.strip() else None
        announced = _announced_feeds(document, home_url) if document is not None else []
        for feed_url in announced:
            found = await reader.feed(feed_url)
            if found is not None and all(f.url != found.url for f in survey.feeds):
                survey.feeds.append(found)
        if not survey.feeds:
            # Nothing announced, or what the home page announces is not there (a static copy
            # that renamed it): the generators' usual places, the first that answers.
            for feed_url in (urljoin(home_url, path) for path in COMMON_FEEDS):
                found = await reader.feed(feed_url)
                if found is not None:
                    survey.feeds.append(found)
                    break
        archives = _archive_links(document, home_url) if document is not None else []
        results = await asyncio.gather(*(reader.feed(feed, name) for feed, name in archives))
        seen = {f.url for f in survey.feeds}
        for found in results:
            if found is not None and found.url not in seen:
                seen.add(found.url)
                survey.feeds.append(found)
        if not survey.feeds:
            raise DigestError(f"no feed found at {home_url}: tried {', '.join(u for u, _ in survey.tried)}")
        extra = _section_feeds(document, home_url, survey.feeds) if document is not None else []
        extra += _review_category_feeds(home, home_url, survey.feeds)
        results = await asyncio.gather(*(reader.feed(feed, name, section) for feed, name, section in extra))
        for found in results:
            if found is not None and found.url not in seen:
                seen.add(found.url)
                survey.feeds.append(found)
        survey.wp_index = await reader.json(urljoin(home_url, "wp-json/"))
        from digest.setup.archives import read_archives  # lazily: only a site with archives reads them

        wordpress = survey.wp_index is not None or "wp-content" in home
        survey.archives = await read_archives(reader.page, home, home_url, survey.feeds, wordpress)
        # The archives' reviews too: their pages are all init can read of them (a listing has no text).
        picked = pick(survey.feeds + survey.archives)
        recent = [link for link in picked if _same_site(link, home_url)][:MAX_PAGES]
        pages = await asyncio.gather(*(reader.page(link) for link in recent))
        survey.pages = {link: html for link, html in zip(recent, pages, strict=True) if html}
        return survey


class _Reader:
    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.survey: Survey | None = None
        self.survey_error = ""

    def _note(self, url: str, why: str) -> None:
        if self.survey is not None:
            self.survey.tried.append((url, why))
        self.survey_error = why

    async def _get(self, url: str, accept: str | None = None) -> tuple[bytes, dict[str, str], str] | None:
        if self.survey is not None:
            self.survey.requests += 1
        try:
            result = await (self.fetcher.fetch(url, accept=accept) if accept else self.fetcher.fetch(url))
        except SourceError as exc:
            self._note(url, str(exc))
            return None
        return result.content, result.headers, result.final_url

    async def page(self, url: str) -> str | None:
        got = await self._get(url, PAGE_ACCEPT)
        return got[0].decode("utf-8", errors="replace") if got else None

    async def feed(self, url: str, category: str | None = None, section: bool = False) -> FoundFeed | None:
        got = await self._get(url)
        if got is None:
            return None
        try:
            parsed = parse_feed(*got)
        except SourceError as exc:
            self._note(url, str(exc))
            return None
        if not parsed.entries:
            self._note(url, "a feed with no posts")
            return None
        if self.survey is not None:  # the parser keeps UTC only; the offset tells the site's zone
            self.survey.feed_dates.extend(dates_carried(got[0].decode("utf-8", errors="replace")))
        if section:
            return FoundFeed(url, parsed.title, parsed.entries, None, category)
        return FoundFeed(url, parsed.title, parsed.entries, category)

    async def json(self, url: str) -> dict[str, object] | None:
        got = await self._get(url, "application/json")
        if got is None:
            return None
        try:
            data = json.loads(got[0])
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


def dates_carried(text: str) -> list[datetime]:
    """Every publication date in a feed or page with the UTC offset its site wrote on it.

    Years before 1990 are a generator's zero date (Hugo writes 0001-01-01 for undated pages), not a
    post, so they say nothing of the site's zone and are left out.
    """
    found: list[datetime] = []
    head = text[:2_000_000]
    for raw in _RFC822_DATE.findall(head):
        try:
            found.append(parsedate_to_datetime(raw.strip()))
        except (TypeError, ValueError, IndexError):
            continue
    for raw in _ISO_DATE.findall(head):
        try:
            found.append(datetime.fromisoformat(raw.replace(" ", "T").replace("Z", "+00:00")))
        except ValueError:
            continue
    return [d for d in found if d.tzinfo is not None and 1990 <= d.year < 2100]


def _announced_feeds(document: lxml.html.HtmlElement, base: str) -> list[str]:
    """``<link rel="alternate" type="application/rss+xml">`` hrefs, without comment feeds."""
    found: list[str] = []
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        href = link.get("href")
        if "alternate" not in rel or kind not in FEED_TYPES or not href:
            continue
        title = (link.get("title") or "").lower()
        url = urljoin(base, href)
        if "comment" in title or "/comments/" in url or not is_http(url) or not _same_site(url, base):
            continue
        if url not in found:
            found.append(url)
    return found


def _archive_links(document: lxml.html.HtmlElement, base: str) -> list[tuple[str, str]]:
    """(feed URL, name) for the site's category/tag links, in page order."""
    found: dict[str, str] = {}
    for anchor in document.iter("a"):
        href = anchor.get("href")
        if not href:
            continue
        url = canonical_url(href, base)
        match = _ARCHIVE.search(urlsplit(url).path)
        if not match or not _same_site(url, base):
            continue
        name = " ".join(anchor.text_content().split())
        if not name or len(name) > 40:
            continue
        folder = url if url.endswith("/") else url + "/"
        feed = urljoin(folder, _ARCHIVE_FEED[match.group(1).lower()])
        found.setdefault(feed, name)
        if len(found) >= MAX_ARCHIVES:
            break
    return list(found.items())


def _section_feeds(document: lxml.html.HtmlElement, base: str,
                   feeds: list[FoundFeed]) -> list[tuple[str, str, bool]]:
    """(feed URL, name, True) for the URL sections the main feed's posts live in (Hugo's /reviews/).

    A section is a folder right under the home that holds posts of the main feed; the menu's
    link to it names it. Its feed is where the main feed is, relative to the section: Hugo's
    ``/reviews/index.xml`` beside ``/index.xml``. A section feed can hold posts the main feed
    has dropped (a capped main feed), so it is read; :mod:`propose` keeps it only if it does.
    """
    main = next((f for f in feeds if f.category is None), None)
    home_path = urlsplit(base).path
    if main is None or not main.url.startswith(base):
        return []
    suffix = main.url[len(base):]
    if suffix not in _SECTION_FEED:
        return []
    posts: dict[str, int] = {}
    for entry in main.entries:
        path = urlsplit(entry.link).path
        if not _same_site(entry.link, base) or not path.startswith(home_path):
            continue
        parts = [p for p in path[len(home_path):].split("/") if p]
        if len(parts) >= 2 and not parts[0].isdigit() and not _ARCHIVE.search(f"/{parts[0]}/x"):
            posts[parts[0]] = posts.get(parts[0], 0) + 1
    menu: dict[str, str] = {}
    for anchor in document.iter("a"):
        href = anchor.get("href")
        if not href or not _same_site(canonical_url(href, base), base):
            continue
        path = urlsplit(canonical_url(href, base)).path
        name = " ".join(anchor.text_content().split())
        folder = path[len(home_path):].strip("/") if path.startswith(home_path) else ""
        if folder in posts and name and len(name) <= 40:
            menu.setdefault(folder, name)
    wanted = [s for s in posts if s in menu or posts[s] >= 2]
    wanted.sort(key=lambda s: (s not in menu, -posts[s]))
    return [(urljoin(base, f"{s}/{suffix}"), menu.get(s, s.replace("-", " ").title()), True)
            for s in wanted[:MAX_SECTIONS]]


def _review_category_feeds(home: str, base: str, feeds: list[FoundFeed]) -> list[tuple[str, str, bool]]:
    """(feed URL, name, False) of WordPress categories named for reviews that the posts carry but
    no link on the home page led to: WordPress serves each at ``/category/<slug>/feed/``."""
    main = next((f for f in feeds if f.category is None), None)
    wordpress = "wp-content" in home or re.search(r'name="generator"[^>]+WordPress', home)
    if main is None or not wordpress or not main.url.rstrip("/").endswith("/feed"):
        return []
    known = {f.url for f in feeds} | {(f.category or "").casefold() for f in feeds}
    found: list[tuple[str, str, bool]] = []
    for name in dict.fromkeys(c for e in main.entries for c in e.categories):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        url = urljoin(base, f"category/{slug}/feed/")
        if not REVIEW_NAME.search(name) or not name.isascii() or not slug or url in known \
                or name.casefold() in known:
            continue
        found.append((url, name, False))
    return found[:MAX_REVIEW_CATEGORIES]


def _same_site(url: str, base: str) -> bool:
    def bare(host: str) -> str:
        return host.lower().removeprefix("www.")

    return bare(urlsplit(url).netloc) == bare(urlsplit(base).netloc)
