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

import calendar
import io
import re
import xml.sax
import xml.sax.expatreader
import xml.sax.handler
import xml.sax.xmlreader
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
import feedparser.api
from lxml import etree

from digest.collect.repair import lost_origlinks, origlinks_of, utf8_overrules
from digest.errors import ErrorKind, FeedParseError
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


# Where a collect parses (worker processes or a thread) is digest.collect.parsepool, which does not
# import this module: the collect's own process never loads feedparser when its workers parse.
