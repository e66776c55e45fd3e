"""Parse fetched feed bytes with feedparser and normalise each entry.

We never render feed HTML as markup, so sanitising whole bodies (feedparser's
default, and most of its cost) buys nothing: it is turned off, and the raw
HTML is kept for the reviews stage, which reads it as hostile text.

Speed (see bench/ingest.py): feedparser stays the parser, but runs its own SAX
handler on an expat reader that buffers text, so a post body reaches it in a
few pieces instead of one call per line; and a collect parses on worker
processes (:class:`ParsePool`) because feedparser is pure Python and holds the GIL.
"""

from __future__ import annotations

import asyncio
import calendar
import io
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import xml.sax
import xml.sax.expatreader
import xml.sax.handler
import xml.sax.xmlreader
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any

import feedparser
import feedparser.api
from lxml import etree

from digest.collect.repair import lost_origlinks, origlinks_of, utf8_overrules
from digest.errors import ErrorKind, FeedParseError
from digest.mail.child import die_with_parent
from digest.models import FeedEntry, ImageHint, ParsedFeed
from digest.text import AUTHOR_MAX, CONTENT_MAX, SUMMARY_MAX, TITLE_MAX, clip, strip_bidi
from digest.urls import canonical_url, is_http

# Entry keys feedparser fills from well-known elements; anything else is an extra.
_KNOWN_KEYS = frozenset(
    {"author", "author_detail", "authors", "comments", "content", "contributors", "created",
     "created_parsed", "enclosures", "expired", "expired_parsed", "feedburner_origlink", "guidislink",
     "id", "license", "link", "links", "media_content", "media_credit", "media_thumbnail",
     "media_player", "media_keywords", "media_rating", "media_title", "media_description",
     "published", "published_parsed", "publisher", "publisher_detail", "slash_comments", "source",
     "subtitle", "subtitle_detail", "summary", "summary_detail", "tags", "title", "title_detail",
     "updated", "updated_parsed", "wfw_commentrss", "href", "rights", "rights_detail",
     "thr_total", "georss_point", "where", "dc_identifier", "itunes_explicit", "itunes_duration",
     "itunes_keywords", "itunes_subtitle", "itunes_summary", "itunes_author", "itunes_image",
     "image", "dc_subject", "dc_language", "language", "format", "post-id", "post_id"}
)
_HTML_START = re.compile(
    rb"^(\xef\xbb\xbf)?\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S
)
_XML_BOM = b"\xef\xbb\xbf"


def parse_feed(content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Parse one feed document; raise FeedParseError when it is not a feed."""
    if not content.strip():
        raise FeedParseError("the response is empty", kind=ErrorKind.EMPTY)
    if _HTML_START.match(content[:2048]):
        raise FeedParseError(
            "got an HTML web page, not a feed (is the feed URL right?)", kind=ErrorKind.HTML
        )
    # Whitespace before the XML declaration makes a document ill-formed and
    # sends feedparser to its slow loose parser; real WordPress feeds do it.
    body = content
    if body.startswith(_XML_BOM):
        body = body[len(_XML_BOM):]
    body = body.lstrip()
    body, headers, recoded = utf8_overrules(body, headers)
    parsed = _feedparser_parse(body, dict(headers))
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        reason = _bozo_text(parsed) or "no RSS or Atom structure found"
        raise FeedParseError(f"not a feed: {reason}", kind=ErrorKind.NOT_A_FEED)
    warning = recoded
    if parsed.get("bozo"):
        note = f"feed is not well-formed, read it leniently: {_bozo_text(parsed)}"
        warning = f"{warning}; {note}" if warning else note
    base = parsed.feed.get("link") or url
    recovered = _attribute_extras(body) if _has_attribute_extras(parsed.entries) else None
    origlinks = origlinks_of(body) if lost_origlinks(body, parsed.entries) else {}
    entries = []
    skipped = 0
    for index, raw in enumerate(parsed.entries):
        if origlinks and not raw.get("feedburner_origlink"):
            keys = ((raw.get("id") or "").strip(), (raw.get("link") or "").strip())
            found = next((origlinks[k] for k in keys if k in origlinks), None)
            if found:
                raw["feedburner_origlink"] = found
        try:
            entry = _normalise(raw, base, recovered[index] if recovered and index < len(recovered) else None)
        except ValueError:  # an unusable link (e.g. a broken IPv6 host): lose the item, not the feed
            skipped += 1
            continue
        if entry is not None:
            entries.append(entry)
    if skipped:
        note = f"skipped {skipped} item{'s' if skipped > 1 else ''} with an unusable link"
        warning = f"{warning}; {note}" if warning else note
    return ParsedFeed(
        title=_text(parsed.feed.get("title")),
        link=parsed.feed.get("link"),
        entries=tuple(entries),
        warning=warning,
    )


# --------------------------------------------------------------------------- feedparser, buffered


class _BufferedExpatReader(xml.sax.expatreader.ExpatParser):
    """The SAX reader feedparser would get, but expat hands over text in large runs.

    Unbuffered, expat reports character data line by line (and around every
    character reference), and each piece costs feedparser a Python call. Its
    handler only joins the pieces, so the result is the same.
    """

    def reset(self) -> None:
        super().reset()
        expat = self._parser  # type: ignore[attr-defined]  # set by reset(), stdlib since 2.0
        expat.buffer_text = True
        expat.buffer_size = 1 << 16


def _expat_is_feedparsers_reader() -> bool:
    """True when feedparser's own choice of SAX reader is expat (no drv_libxml2 installed)."""
    try:
        reader = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
        api = feedparser.api
        # Everything _feedparser_parse uses; a feedparser that moved them gets the plain path.
        for name in ("convert_to_utf8", "replace_doctype", "make_safe_absolute_uri", "StrictFeedParser",
                     "LooseFeedParser", "FeedParserDict"):
            getattr(api, name)
    except (AttributeError, xml.sax.SAXException):
        return False
    return type(reader) is xml.sax.expatreader.ExpatParser and bool(getattr(api, "_XML_AVAILABLE", False))


_BUFFERED = _expat_is_feedparsers_reader()


def _feedparser_parse(body: bytes, headers: dict[str, str]) -> Any:
    """``feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False,
    resolve_relative_uris=False)``, step for step as feedparser.api.parse does it for bytes.

    Bytes go in wrapped, never bare: ``feedparser.parse`` tries a bare string as a file
    name first, so a response body naming a local file would be read from disk.
    """
    if not _BUFFERED:
        return feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False,
                                resolve_relative_uris=False)
    api = feedparser.api
    result = api.FeedParserDict(bozo=False, entries=[], feed=api.FeedParserDict(), headers={})
    result["headers"].update(headers)
    data = api.convert_to_utf8(result["headers"], body, result)
    use_strict_parser = bool(result["encoding"])
    result["version"], data, entities = api.replace_doctype(data)
    contentloc = result["headers"].get("content-location", "")
    href = result.get("href", "")
    baseuri = api.make_safe_absolute_uri(href, contentloc) or api.make_safe_absolute_uri(contentloc) or href
    baselang = result["headers"].get("content-language", None)
    if isinstance(baselang, bytes):
        baselang = baselang.decode("utf-8", "ignore")
    handler: Any = None
    if use_strict_parser:
        handler = api.StrictFeedParser(baseuri, baselang, "utf-8")
        handler.resolve_relative_uris = False
        handler.sanitize_html = False
        reader = _BufferedExpatReader()
        reader.setFeature(xml.sax.handler.feature_namespaces, 1)
        try:
            reader.setFeature(xml.sax.handler.feature_external_ges, 0)
        except xml.sax.SAXNotSupportedException:
            pass
        reader.setContentHandler(handler)
        reader.setErrorHandler(handler)
        source = xml.sax.xmlreader.InputSource()
        source.setByteStream(io.BytesIO(data))
        try:
            reader.parse(source)
        except xml.sax.SAXException as exc:
            result["bozo"] = 1
            result["bozo_exception"] = handler.exc or exc
            use_strict_parser = False
    if not use_strict_parser:
        handler = api.LooseFeedParser(baseuri, baselang, "utf-8", entities)
        handler.resolve_relative_uris = False
        handler.sanitize_html = False
        handler.feed(data.decode("utf-8", "replace"))
    result["feed"] = handler.feeddata
    result["entries"] = handler.entries
    result["version"] = result["version"] or handler.version
    result["namespaces"] = handler.namespaces_in_use
    return result


# --------------------------------------------------------------------------- normalising


def _bozo_text(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return ""
    text = str(getattr(exc, "getMessage", lambda: exc)()) or type(exc).__name__
    line = getattr(exc, "getLineNumber", lambda: None)()
    return f"{text} (line {line})" if line else text


def _normalise(raw: Any, base: str, recovered: dict[str, str] | None) -> FeedEntry | None:
    link = raw.get("feedburner_origlink") or raw.get("link") or ""
    link = canonical_url(link, base) if link else ""
    guid = (raw.get("id") or "").strip()
    if raw.get("feedburner_origlink") and raw.get("guidislink"):
        guid = ""  # a FeedBurner proxy link is no identity
    uid = canonical_url(guid) if guid and is_http(guid) else guid
    uid = uid or link
    if not uid:
        return None  # no guid and no link: nothing stable to call it by
    content_list = raw.get("content") or []
    content = "".join(c.get("value", "") for c in content_list if c.get("type") != "text/plain")
    content = content or (content_list[0].get("value", "") if content_list else "")
    return FeedEntry(
        uid=uid,
        link=link,
        title=clip(strip_bidi(_text(raw.get("title"))), TITLE_MAX),
        author=clip(_text(raw.get("author")), AUTHOR_MAX) or None,
        categories=_categories(raw.get("tags") or []),
        published=_when(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary=(raw.get("summary") or "")[:SUMMARY_MAX],
        content=content[:CONTENT_MAX],
        comments=_int(raw.get("slash_comments") or raw.get("thr_total")),
        images=_images(raw, base),
        extras=_extras(raw, recovered),
    )


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _categories(tags: list[Any]) -> tuple[str, ...]:
    seen: list[str] = []
    folded: set[str] = set()  # the first spelling of a category wins, whatever its case
    for tag in tags:
        term = _text(tag.get("term") or tag.get("label"))
        if term and term.lower() not in folded:
            seen.append(term)
            folded.add(term.lower())
    return tuple(seen)


def _when(struct: Any) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _images(raw: Any, base: str) -> tuple[ImageHint, ...]:
    hints: list[ImageHint] = []
    for key, source in (("media_content", "media:content"), ("media_thumbnail", "media:thumbnail")):
        for item in raw.get(key) or []:
            url = item.get("url") or ""
            medium, kind = item.get("medium", ""), item.get("type", "")
            if medium and medium != "image" or kind and not kind.startswith("image/"):
                continue
            _add_image(hints, url, source, base, item.get("width"), item.get("height"))
    for enclosure in raw.get("enclosures") or []:
        if (enclosure.get("type") or "").startswith("image/"):
            _add_image(hints, enclosure.get("href") or "", "enclosure", base, None, None)
    return tuple(hints)


def _add_image(
    hints: list[ImageHint], url: str, source: str, base: str, width: Any, height: Any
) -> None:
    if not url:
        return
    absolute = canonical_url(url, base)
    if is_http(absolute) and all(h.url != absolute for h in hints):
        hints.append(ImageHint(absolute, source, _int(width), _int(height)))


def _extras(raw: Any, recovered: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for key, value in raw.items():
        if key in _KNOWN_KEYS or key.endswith("_detail") or key.endswith("_parsed"):
            continue
        if isinstance(value, str) and value.strip():
            found[key] = value.strip()[:1000]
    if recovered:
        found.update(recovered)
    return tuple(sorted(found.items()))


def _has_attribute_extras(entries: list[Any]) -> bool:
    """feedparser keeps only the attributes of an unknown element that has any."""
    return any(
        isinstance(value, dict) and key not in _KNOWN_KEYS
        for entry in entries
        for key, value in entry.items()
    )


_KNOWN_NAMESPACES = frozenset(
    {"http://purl.org/rss/1.0/modules/content/", "http://purl.org/dc/elements/1.1/",
     "http://purl.org/rss/1.0/modules/slash/", "http://wellformedweb.org/CommentAPI/",
     "http://search.yahoo.com/mrss/", "http://www.w3.org/2005/Atom",
     "http://rssnamespace.org/feedburner/ext/1.0", "http://www.itunes.com/dtds/podcast-1.0.dtd",
     "http://purl.org/rss/1.0/modules/syndication/", "http://purl.org/syndication/thread/1.0",
     "http://www.georss.org/georss"}
)
_ITEM_TAGS = ("item", "{http://www.w3.org/2005/Atom}entry", "{http://purl.org/rss/1.0/}item")


def _attribute_extras(body: bytes) -> list[dict[str, str]]:
    """Text and attributes of namespaced item children, one dict per item, in order."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    items: list[dict[str, str]] = []
    for item in root.iter(*_ITEM_TAGS):
        extras: dict[str, str] = {}
        for child in item:
            if not isinstance(child.tag, str) or not child.prefix:
                continue
            if etree.QName(child).namespace in _KNOWN_NAMESPACES:
                continue
            key = f"{child.prefix}_{etree.QName(child).localname}".lower()
            if key in _KNOWN_KEYS:
                continue
            extras[key] = " ".join((child.text or "").split())[:1000]
            for name, value in child.attrib.items():
                extras[f"{key}@{etree.QName(name).localname}"] = value[:200]
        items.append(extras)
    return items


# --------------------------------------------------------------------------- where a collect parses

ParseFunction = Callable[[bytes, Mapping[str, str], str], ParsedFeed]


def parse_workers(feeds: int) -> int:
    """Worker processes for a collect of ``feeds`` feeds: one per usable core; 0 (a thread) for one
    feed or one core, and off Linux, where this module does not fork."""
    if not sys.platform.startswith("linux"):
        return 0
    workers = min(feeds, len(os.sched_getaffinity(0)))
    return workers if workers >= 2 else 0


def _parse_in_worker(content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    return parse_feed(content, headers, url)  # looked up per call, so a test's stand-in is used


def _ready() -> None:
    """A no-op task, submitted to start a fork pool's workers at once."""


def _start_worker(parent: int) -> None:
    """Runs first in every worker: die with the collect, and leave Ctrl-C to it."""
    # Ctrl-C reaches the whole process group; the collect answers it by shutting the pool down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()  # the kernel kills this worker the moment the collect dies, even by SIGKILL
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Fallback for the death signal: a worker never outlives its collect for long."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class ParsePool:
    """Where one collect runs :func:`parse_feed`: on worker processes, or on a thread.

    feedparser is pure Python. On threads, parses share one core and hold the GIL
    the event loop needs to fetch and store (every sqlite call then waits up to a
    switch interval to get it back). Worker processes parse beside the loop and on
    every core; the frozen ParsedFeed comes back pickled, equal to a local call.

    Workers are forked, and only when it is safe: on Linux, from a process with a
    single thread (the CLI), all at once when the pool is made, before any request
    has started. Elsewhere (a scheduler's thread, several threads) parsing stays on
    a thread, as before: fork with threads can deadlock, and spawned workers re-import
    the main module, which costs as much as they save on a collect. A worker dies
    with its collect (Linux death signal), so a killed run leaves no process behind.

    A worker that dies mid-parse (killed, out of memory, a crash in C code) breaks
    the pool and every parse queued on it. The pool is replaced, and each of those
    feeds is parsed again alone in a fresh process: only the feed that crashes again
    fails, with a FeedParseError of kind ``crash``; the others come back as usual.
    """

    def __init__(self, workers: int, parse: ParseFunction = _parse_in_worker) -> None:
        self.workers = workers
        self._parse = parse
        self._pool: ProcessPoolExecutor | None = None
        self._retries = asyncio.Semaphore(max(workers, 1))
        if workers > 0 and threading.active_count() == 1:
            try:
                self._pool = self._new_pool(workers)
            except OSError:  # no process to be had (a limit on processes or memory): use a thread
                self._pool = None

    @classmethod
    def for_feeds(cls, count: int) -> ParsePool:
        return cls(parse_workers(count))

    @property
    def in_processes(self) -> bool:
        return self._pool is not None

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def parse(self, content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
        pool = self._pool
        if pool is None:
            return await asyncio.to_thread(self._parse, content, headers, url)
        loop = asyncio.get_running_loop()
        plain = dict(headers)
        try:
            return await loop.run_in_executor(pool, self._parse, content, plain, url)
        except BrokenProcessPool:
            if self._pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                try:
                    self._pool = self._new_pool(self.workers)
                except OSError:
                    self._pool = None
        async with self._retries:
            try:
                alone = self._new_pool(1)
            except OSError as exc:
                raise FeedParseError(f"the feed parser crashed, and could not be restarted: {exc}",
                                     kind=ErrorKind.CRASH) from None
            try:
                return await loop.run_in_executor(alone, self._parse, content, plain, url)
            except BrokenProcessPool:
                raise FeedParseError(
                    "the feed parser crashed on this feed (out of memory, or a bug in a parser library)",
                    kind=ErrorKind.CRASH,
                ) from None
            finally:
                alone.shutdown(wait=False)

    @staticmethod
    def _new_pool(workers: int) -> ProcessPoolExecutor:
        """Forked workers when this process has one thread; else (replacing a crashed pool,
        whose threads may still run) spawned ones, slower to start but safe."""
        method = "fork" if threading.active_count() == 1 else "spawn"
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context(method),
            initializer=_start_worker, initargs=(os.getpid(),),
        )
        if method == "fork":
            pool.submit(_ready)  # forks every worker now, while this is the only thread
        return pool
