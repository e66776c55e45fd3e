"""Repairs for feeds as they are found in the wild, around feedparser.

A legacy charset named over UTF-8 bytes, FeedBurner links lost in malformed items, and
documents too long to parse whole: each is fixed on the bytes or from a forgiving parse,
so ``feeds.parse_feed`` stays the one place entries are made.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

_PROLOG_ENCODING = re.compile(rb"""^(<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:\-]+)(["'])""")
_UNICODE_CODECS = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


def utf8_overrules(body: bytes, headers: Mapping[str, str]) -> tuple[bytes, Mapping[str, str], str | None]:
    """UTF-8 bytes win over a prolog or header that names a legacy charset.

    Many feeds say ``windows-1252`` or ``ISO-8859-1`` and send UTF-8; read as declared,
    every accented title is stored as mojibake. Non-ASCII bytes that decode as UTF-8
    are practically never legacy text, so they overrule the claim, with a warning.
    """
    prolog = _PROLOG_ENCODING.match(body[:200])
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    header = next((p.split("=", 1)[1].strip().strip("\"'") for p in content_type.split(";")[1:]
                   if p.strip().lower().startswith("charset=")), None)
    claims = [name for name in (prolog.group(2).decode("ascii") if prolog else None, header)
              if name and _codec(name) not in _UNICODE_CODECS]
    if not claims or body.isascii():
        return body, headers, None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body, headers, None
    if prolog:
        body = prolog.group(1) + b"utf-8" + prolog.group(3) + body[prolog.end():]
    fixed = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    if content_type:
        fixed["content-type"] = content_type.split(";", 1)[0].strip() + "; charset=utf-8"
    return body, fixed, f"the feed says its encoding is {claims[0]!r}, but its bytes are UTF-8: read as UTF-8"


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


_ITEM_START = re.compile(rb"<(?:item|entry)[\s>/]")
_ROOT = re.compile(rb"<([A-Za-z_][\w:.\-]*)")


def cap_items(body: bytes, cap: int) -> tuple[bytes, int]:
    """The document cut after its first ``cap`` items (feeds run newest first), and how many it had.

    Parsing is pure Python: a 100,000-item feed would hold a collect for minutes only to
    keep the newest few hundred. The cut falls where the next item starts, so closing the
    root (and RSS 2.0's channel) leaves a well-formed document.
    """
    starts = [m.start() for m in _ITEM_START.finditer(body)]
    if len(starts) <= cap:
        return body, len(starts)
    root = next((m.group(1) for m in _ROOT.finditer(body[:65536])), b"")
    closing = b"</channel></rss>" if root == b"rss" else b"</" + root + b">"
    return body[: starts[cap]] + closing, len(starts)


_FEEDBURNER = "http://rssnamespace.org/feedburner/ext/1.0"


def lost_origlinks(body: bytes, entries: list[Any]) -> bool:
    """A FeedBurner feed where some entry came out without its origLink (malformed items)."""
    return _FEEDBURNER.encode() in body and any(not e.get("feedburner_origlink") for e in entries)


def origlinks_of(body: bytes) -> dict[str, str]:
    """``feedburner:origLink`` of each item, keyed by its guid and its link, read by a forgiving parser.

    feedparser's lenient mode loses the element when items are illegally nested (an item
    inside an item closes the outer one early); lxml's recovering parser keeps it.
    """
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return {}
    if root is None:
        return {}
    found: dict[str, str] = {}
    for item in root.iter("item"):
        if any(a.tag == "item" for a in item.iterancestors()):
            continue  # a nested item belongs to its outer one
        orig = next(item.iter(f"{{{_FEEDBURNER}}}origLink"), None)
        target = " ".join((orig.text or "").split()) if orig is not None else ""
        if not target:
            continue
        for tag in ("guid", "link"):
            key = item.find(tag)
            if key is not None and (key.text or "").strip():
                found.setdefault(key.text.strip(), target)
    return found
