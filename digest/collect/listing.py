"""Read a site's own HTML listing pages (a category archive, a blog index): post links and the next page.

A listing page is untrusted text: it never chooses a host, a scheme or a header. Only
links on the listing's own host, over http(s), whose path has the shape of the site's
posts (the shape of the feed's items, e.g. ``/YYYY/MM/DD/slug/``) are taken; the menu,
sidebar, header and footer are left out, since their "recent posts" belong to no listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from digest.reviews.extract import parse_html
from digest.urls import canonical_url

# Page furniture: links there are the site's menu, its sidebar widgets and its footer, not the listing.
_CHROME = frozenset({"nav", "aside", "header", "footer"})
_DATED = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/")
_NEXT_TEXT = re.compile(r"^\W*(?:older|next|previous)\s+(?:posts|entries|page)\b|^\W*(?:next|older)\W*$"
                        r"|^\s*(?:»|›|→)\s*$", re.I)
_PAGED = re.compile(r"/page/\d+/?$|[?&](?:paged?|p)=\d+$")
MAX_LISTING_LINKS = 2000  # one page of a listing holds a few hundred posts at most


@dataclass(frozen=True)
class ListedPost:
    """One post a listing page links to: its address and the words the listing gives it."""

    url: str
    title: str
    published: datetime | None  # from a /YYYY/MM/DD/ permalink, the only date a listing gives reliably


@dataclass(frozen=True)
class Listing:
    title: str  # the page's own heading ("Category: Game Reviews")
    posts: tuple[ListedPost, ...]
    next_url: str | None  # the next (older) page of this listing, on its own host
    truncated: bool = False  # more post links than MAX_LISTING_LINKS: the rest were not read
    skipped: int = 0  # links of the listing itself that leave the site's host or http(s): never followed
    skipped_example: str = ""


def link_shape(url: str) -> str:
    """The shape of a post address: digits folded, the slug (last folder) a wildcard.

    ``/2016/03/11/review-until-dawn/`` -> ``/#/#/#/*/``; ``/reviews/dune/`` -> ``/reviews/*/``.
    Two posts of one site share it; a category, tag, page or menu link does not.
    """
    path = urlsplit(url).path
    slash = path.endswith("/")
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "/"
    shaped = ["#" if p.isdigit() else p.lower() for p in parts[:-1]] + ["*"]
    return "/" + "/".join(shaped) + ("/" if slash else "")


def permalink_date(url: str) -> datetime | None:
    """The date a WordPress-style permalink carries (``/2016/03/11/slug/``), at midnight UTC."""
    match = _DATED.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    except ValueError:
        return None


def same_host(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return a.scheme in ("http", "https") and (a.hostname or "") == (b.hostname or "") and a.port == b.port


def read_listing(html: str, base: str, shapes: frozenset[str]) -> Listing:
    """The post links of one listing page (page order, once each) and its next page, if any."""
    root = parse_html(html)
    if root is None:
        return Listing("", (), None)
    heading = next(iter(root.iter("h1")), None)
    title = " ".join(heading.text_content().split())[:200] if heading is not None else ""
    posts: dict[str, ListedPost] = {}
    next_url: str | None = None
    truncated = False
    skipped: list[str] = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            url = canonical_url(href, base)
        except ValueError:  # "http://[::1" and other unparsable addresses
            continue
        if not same_host(url, base):  # another host, javascript:, data: ...: never followed
            scheme = urlsplit(url).scheme.lower()
            if not in_chrome(anchor) and scheme not in ("mailto", "tel") \
                    and (scheme not in ("http", "https") or link_shape(url) in shapes):
                skipped.append(href)
            continue
        text = " ".join(anchor.text_content().split())
        rel = (anchor.get("rel") or "").lower().split()
        # rel="next" says so itself; "Older posts" is believed only for a paged address (/page/2/).
        if next_url is None and url != canonical_url(base) and ("next" in rel or (
                _PAGED.search(url) and (anchor.get("data-next") is not None or _NEXT_TEXT.search(text)))):
            next_url = url
            continue
        if in_chrome(anchor) or link_shape(url) not in shapes or url in posts:
            continue
        if len(posts) >= MAX_LISTING_LINKS:
            truncated = True
            break
        posts[url] = ListedPost(url, (anchor.get("title") or text)[:300], permalink_date(url))
    if next_url is None:  # <link rel="next"> in the head, as WordPress and Yoast write it
        for link in root.iter("link"):
            href = link.get("href")
            if href and "next" in (link.get("rel") or "").lower().split():
                try:
                    url = canonical_url(href, base)
                except ValueError:
                    continue
                if same_host(url, base) and url != canonical_url(base):
                    next_url = url
                    break
    return Listing(title, tuple(posts.values()), next_url, truncated, len(skipped),
                   skipped[0] if skipped else "")


def in_chrome(element: object) -> bool:
    node = getattr(element, "getparent", lambda: None)()
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag.lower() in _CHROME or (node.get("id") or "").lower() in ("sidebar", "menu", "footer"):
            return True
        node = node.getparent()
    return False
