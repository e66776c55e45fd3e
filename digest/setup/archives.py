"""The site's own archive pages, when its feeds do not reach back as far: the reading half for ``init``.

A feed holds the newest 10 or 20 posts. When the posts carry a review category that has no
feed of its own (a static rebuild of a WordPress blog serves ``/category/x/`` pages and one
feed), the reviews older than the feed are reachable only from that category's HTML listing.
``init`` reads those listings (and the other category listings they link to, since a site
also files reviews under names without "review", a book club), as collect will: post links on
the site's host shaped like the feed's posts. A site whose review categories all have feeds
costs no request here. :mod:`propose` keeps the fewest listings that add reviews.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import urljoin, urlsplit

import lxml.html

from digest.collect.archives import post_shapes
from digest.collect.listing import read_listing
from digest.models import FeedEntry
from digest.setup.found import REVIEW_NAME, FoundFeed
from digest.urls import canonical_url

MAX_LISTINGS = 12  # category listings read at init, the review categories' first
_CATEGORY = re.compile(r"/(?:category|categories)/([^/?#]+)/?$")

ReadPage = Callable[[str], Awaitable[str | None]]


def uncovered_review_categories(feeds: list[FoundFeed]) -> list[str]:
    """Review categories the main feed's posts carry that no feed found serves."""
    main = next((f for f in feeds if f.category is None and f.section is None), None)
    if main is None:
        return []
    served = {(f.category or f.section or "").casefold() for f in feeds}
    names = dict.fromkeys(c for e in main.entries for c in e.categories if REVIEW_NAME.search(c))
    return [n for n in names if n.casefold() not in served]


async def read_archives(read: ReadPage, home_html: str, base: str, feeds: list[FoundFeed],
                        wordpress: bool) -> list[FoundFeed]:
    """The listings of the review categories without a feed, and of the categories they link to."""
    wanted = uncovered_review_categories(feeds)
    main = next((f for f in feeds if f.category is None and f.section is None), None)
    if not wanted or main is None:
        return []
    shapes = post_shapes([e.link for e in main.entries])
    if not shapes:
        return []
    links = category_links(home_html, base)
    queue: dict[str, str] = {}
    for name in wanted:
        url = next((u for u, text in links.items() if text.casefold() == name.casefold()), None)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        if url is None and wordpress and name.isascii() and slug:
            url = urljoin(base, f"category/{slug}/")  # where WordPress serves a category's listing
        if url is not None:
            queue.setdefault(url, name)
    found: list[FoundFeed] = []
    done: set[str] = set()
    while queue and len(done) < MAX_LISTINGS:
        url, name = next(iter(queue.items()))
        del queue[url]
        done.add(url)
        html = await read(url)
        if not html:
            continue
        listing = read_listing(html, url, shapes)
        entries = tuple(FeedEntry(uid=p.url, link=p.url, title=p.title, author=None, categories=(name,),
                                  published=p.published, summary="", content="", comments=None)
                        for p in listing.posts)
        if entries:
            found.append(FoundFeed(url, listing.title or name, entries, category=name))
        if len(found) == 1 or name in wanted:  # the review listings' links to the other categories
            for other, text in category_links(html, url).items():
                if other not in done and other not in queue:
                    queue[other] = text
    return found


def category_links(html: str, base: str) -> dict[str, str]:
    """(listing URL -> name) of the category archive links on a page, on its host, in page order."""
    if not html.strip():
        return {}
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return {}
    found: dict[str, str] = {}
    host = urlsplit(base).netloc
    for anchor in root.iter("a"):
        try:
            url = canonical_url(anchor.get("href") or "", base)
        except ValueError:
            continue
        name = " ".join(anchor.text_content().split())
        parts = urlsplit(url)
        if parts.netloc != host or not _CATEGORY.search(parts.path) or not name or len(name) > 40:
            continue
        found.setdefault(url if url.endswith("/") else url + "/", name)
    return found


def useful_archives(archives: list[FoundFeed], feeds: list[FoundFeed], is_review: Callable[[FeedEntry], bool]
                    ) -> list[tuple[str, str]]:
    """(listing URL, why): the fewest listings that hold the reviews no feed holds, the largest gain first."""
    held = {e.link for f in feeds for e in f.entries}
    newest = len(next((f.entries for f in feeds if f.category is None and f.section is None), ()))
    kept: list[tuple[str, str]] = []
    others = list(archives)
    while True:
        gains = [(a, [e for e in a.entries if is_review(e) and e.link not in held]) for a in others]
        gains = [(a, g) for a, g in gains if g]
        if not gains:
            return kept
        archive, gain = max(gains, key=lambda ag: len(ag[1]))
        dates = sorted(e.published for e in gain if e.published)
        back = f", back to {dates[0]:%Y-%m-%d}" if dates else ""
        kept.append((archive.url, f"The feed holds the {newest} newest posts; the {archive.category!r} archive "
                                  f"page lists {len(gain)} more review{'s' if len(gain) > 1 else ''}{back}, "
                                  "read once by the first collect (then only when it changes)."))
        held |= {e.link for e in archive.entries}
        others.remove(archive)
