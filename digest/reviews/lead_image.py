"""The image shown next to a review: the feed's media hints, the page's og:image, or the content's
first picture, as a clean absolute https URL."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from digest.models import ImageHint
from digest.reviews.document import Document
from digest.reviews.parsing import _WS

MAX_URL_CHARS = 2048
_FEED_SOURCES = ("media:content", "media:thumbnail", "enclosure")
_TRACKER = re.compile(
    r"feedburner\.com|feedproxy\.google\.com|feeds\.wordpress\.com|stats\.wordpress\.com"
    r"|pixel\.wp\.com|gravatar\.com|/images/core/emoji/|/wp-includes/images/smilies/"
    r"|doubleclick\.net|google-analytics\.com|/_/stat\b|/stat\?|/pixel\b|/beacon\b"
    r"|\b(?:blank|spacer|transparent)\.gif|gd-star-rating/gfx",
    re.IGNORECASE,
)
_MIN_SIDE = 50  # known width or height below this: an icon, a star, a button
_LAZY_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-orig-file")


def _https_url(raw: str, base_url: str) -> str | None:
    """Resolve ``raw`` against ``base_url`` and keep it only if it is a clean https URL.

    An image is resolved for the lead, then again for its sizes: the answers are remembered, for
    URLs of a sane length only (a hostile feed's megabyte-long ones would fill the memory).
    """
    if len(raw) <= 2 * MAX_URL_CHARS and len(base_url) <= 2 * MAX_URL_CHARS:
        return _remembered_https_url(raw, base_url)
    return _resolved_https_url(raw, base_url)


@lru_cache(maxsize=1024)
def _remembered_https_url(raw: str, base_url: str) -> str | None:
    return _resolved_https_url(raw, base_url)


def _resolved_https_url(raw: str, base_url: str) -> str | None:
    """:func:`_https_url`, worked out.

    We never upgrade ``http://`` (the host may not serve TLS, and mail clients block mixed
    content); ``data:`` URIs are dropped (many mail clients refuse them). A protocol-relative
    ``//host/x`` is taken as https: it names no scheme, so https is as valid as the page's.
    """
    raw = raw.strip()
    if not raw or len(raw) > MAX_URL_CHARS or raw.lower().startswith("data:"):
        return None
    url = "https:" + raw if raw.startswith("//") else urljoin(base_url or "", raw)
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or _WS.search(url):
        return None
    return url


def _dim(value: object) -> int | None:
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,5})(?:px)?\s*", value)
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    return None


def _usable(hint: ImageHint, base_url: str) -> ImageHint | None:
    url = _https_url(hint.url, base_url)
    if url is None or _TRACKER.search(url):
        return None
    sides = [side for side in (hint.width, hint.height) if side is not None]
    if any(side < _MIN_SIDE for side in sides):
        return None
    return ImageHint(url=url, source=hint.source, width=hint.width, height=hint.height)


def _og_image(page: Document, base_url: str) -> ImageHint | None:
    root = page.root
    if root is None:
        return None
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or "").strip().lower()
        if key and key not in meta and el.get("content"):
            meta[key] = el.get("content", "")
    for key in ("og:image:secure_url", "og:image", "og:image:url", "twitter:image"):
        if key in meta:
            hint = ImageHint(
                url=meta[key],
                source="og:image",
                width=_dim(meta.get("og:image:width")) if key != "twitter:image" else None,
                height=_dim(meta.get("og:image:height")) if key != "twitter:image" else None,
            )
            found = _usable(hint, base_url)
            if found is not None:
                return found
    return None


def _content_images(content: Document) -> Iterator[ImageHint]:
    root = content.root
    if root is None:
        return
    for img in root.iter("img"):
        for attr in _LAZY_ATTRS:
            src = (img.get(attr) or "").strip()
            if src and not src.lower().startswith("data:"):
                yield ImageHint(
                    url=src,
                    source="content",
                    width=_dim(img.get("width")),
                    height=_dim(img.get("height")),
                )
                break


def lead_image(
    images: Sequence[ImageHint], content_html: str, page_html: str | None, base_url: str
) -> ImageHint | None:
    """Pick the image to show next to a review, as an absolute https URL.

    Order: the feed's media:content / media:thumbnail / image enclosure hints (the largest
    known width wins, ties keep feed order), then the page's ``og:image`` with its declared
    size, then the first content ``<img>``. Tracking pixels, avatars, emoji and icons under
    50 px are skipped; http and data: URLs are dropped (see ``_https_url``).
    """
    return lead_image_of(images, Document(content_html), Document(page_html), base_url)


def lead_image_of(
    images: Sequence[ImageHint], content: Document, page: Document, base_url: str
) -> ImageHint | None:
    """:func:`lead_image` over documents already parsed."""
    feed = [h for h in (_usable(h, base_url) for h in images if h.source in _FEED_SOURCES) if h]
    if feed:
        return max(feed, key=lambda h: h.width or 0)  # max() keeps the first of equal widths
    og = _og_image(page, base_url)
    if og is not None:
        return og
    others = [h for h in images if h.source not in _FEED_SOURCES]
    for hint in list(_content_images(content)) + others:
        found = _usable(hint, base_url)
        if found is not None:
            return found
    return None
