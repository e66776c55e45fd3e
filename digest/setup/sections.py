"""Which sections an issue has, from the site's own filing: pure functions, no I/O.

A site groups its reviews by category feeds, by categories its reviews share ("Game Reviews",
"Anime Reviews"), by category listings only its archive pages show, or by URL folders
(``/game/``, ``/impressions/``); failing all of those, one section named as the site names its
reviews, rather than desks it does not have. Each :class:`Section` counts the reviews behind it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from digest.models import FeedEntry
from digest.setup.found import REVIEW_NAME, FoundFeed


@dataclass(frozen=True)
class Section:
    name: str
    categories: tuple[str, ...]
    feeds: tuple[str, ...]
    reviews: int
    urls: tuple[str, ...] = ()  # URL folders (regular expressions) that put a review here



def propose_sections(feeds: list[FoundFeed], reviews: list[FeedEntry],
                     review_categories: tuple[str, ...]) -> tuple[Section, ...]:
    """A section per category feed that carries reviews; else the categories most reviews share."""
    folded = {c.casefold() for c in review_categories}
    found: list[Section] = []
    for feed in feeds:
        if feed.category is None or feed.category.casefold() in folded or _DEFAULT_BUCKET.search(feed.category):
            continue
        name = feed.category
        # The category feed itself says which posts are in it (Pelican's entries carry only tags).
        members = {e.link for e in feed.entries}
        count = sum(1 for r in reviews
                    if r.link in members or name.casefold() in {c.casefold() for c in r.categories})
        if count:
            found.append(Section(name, (name,), (_archive_path(feed.url),), count))
    if not found and reviews:
        counts = Counter(c for r in reviews for c in set(r.categories) if c.casefold() not in folded)
        least = max(2, len(reviews) // 10)
        found = [Section(c, (c,), (), n) for c, n in counts.most_common(6) if n >= least]
        # Desks split the reviews; tags ("NES", "good") pile up on the same posts.
        if sum(s.reviews for s in found) > 1.25 * sum(1 for r in reviews if _in_any(r, found, [])):
            found = []
        # "Game Reviews" and "Anime Reviews": the site itself files its reviews by kind.
        kinds = Counter(c for r in reviews for c in set(r.categories) if REVIEW_NAME.search(c))
        if len(kinds) >= 2 and not found:
            found = [Section(c, (c,), (), n) for c, n in kinds.most_common(6)]
    covered = sum(1 for r in reviews if _in_any(r, found, feeds))
    # One desk, or desks holding fewer than half the reviews, are tags, not the site's sections.
    if len(found) < 2 or covered * 2 < len(reviews):
        return ()
    # The narrower desk first: a post in Anime and Film is Anime (the first match wins).
    return tuple(sorted(found, key=lambda s: (s.reviews, s.name)))


def unclaimed_desks(sections: tuple[Section, ...], reviews: list[FeedEntry], feeds: list[FoundFeed]
                    ) -> list[Section]:
    """A section per category listing that holds two or more ``reviews`` no proposed section claims.

    ``reviews`` are those only the site's category listings hold: each carries the category of the
    listing it came from, a desk the site itself keeps (a book club among game and anime desks),
    where its reviews would otherwise land in "Other". The feeds' own reviews were weighed already.
    """
    left = [r for r in reviews if not _in_any(r, list(sections), feeds)]
    counts = Counter(c for r in left for c in set(r.categories) if not _DEFAULT_BUCKET.search(c))
    return [Section(c, (c,), (), n) for c, n in counts.most_common(6) if n >= 2]


_FOLDER = re.compile(r"^/([\w-]{2,40})/$")


def folder_desks(urls: tuple[str, ...], reviews: list[FeedEntry], home_html: str, base: str
                 ) -> tuple[Section, ...]:
    """A section per URL folder of the review rule (``/game/``, ``/impressions/``) that holds two or
    more reviews, when there are two or more and they hold at least half the reviews.

    A site that files its reviews in folders and tags them with anything else (Pelican: "NES",
    "good") groups them by those folders; each is named as the site's menu names it.
    """
    folders = [u for u in urls if _FOLDER.match(u)]
    counts = {f: sum(1 for r in reviews if f in urlsplit(r.link).path) for f in folders}
    kept = [f for f in folders if counts[f] >= 2]
    covered = sum(1 for r in reviews if any(f in urlsplit(r.link).path for f in kept))
    if len(kept) < 2 or covered * 2 < len(reviews):
        return ()
    names = _menu_names(home_html, base)
    found = [Section(names.get(f.strip("/").casefold()) or f.strip("/").replace("-", " ").title(), (), (),
                     counts[f], (f,)) for f in kept]
    return tuple(sorted(found, key=lambda s: (s.reviews, s.name)))


def _menu_names(home_html: str, base: str) -> dict[str, str]:
    """(last path segment, without ``.html`` -> link text) of the home page's short links on its host."""
    if not home_html.strip():
        return {}
    try:
        root = lxml.html.fromstring(home_html)
    except (lxml.etree.ParserError, ValueError):
        return {}
    names: dict[str, str] = {}
    host = urlsplit(base).netloc
    for anchor in root.iter("a"):
        parts = urlsplit(urljoin(base, anchor.get("href") or ""))
        text = " ".join(anchor.text_content().split())
        segment = re.sub(r"\.html?$", "", parts.path.rstrip("/").rpartition("/")[2]).casefold()
        if parts.netloc == host and segment and text and len(text) <= 30:
            names.setdefault(segment, text if not text.isupper() else text.title())
    return names


def review_section_name(categories: tuple[str, ...], urls: tuple[str, ...], home_html: str, base: str) -> str:
    """The site's own name for its reviews: its review category, or its menu's link to the review section.

    Used when no taxonomy groups the reviews: one section, called what the site calls them, rather
    than desks the site does not have.
    """
    if len(categories) == 1:
        name = categories[0].strip()
        return name[:1].upper() + name[1:]
    if urls and home_html.strip():
        try:
            root = lxml.html.fromstring(home_html)
        except (lxml.etree.ParserError, ValueError):
            root = None
        for anchor in root.iter("a") if root is not None else ():
            href = urljoin(base, anchor.get("href") or "")
            text = " ".join(anchor.text_content().split())
            path = urlsplit(href).path.rstrip("/") + "/"
            ends = [m.end() for p in urls for m in [re.search(p, path, re.I)] if m]
            if text and len(text) <= 30 and len(path) in ends:  # the section's own index, not a post
                return text if not text.isupper() else text.title()
    return "Reviews"


def _in_any(review: FeedEntry, sections: list[Section], feeds: list[FoundFeed]) -> bool:
    names = {c.casefold() for c in review.categories}
    carried = [f.url for f in feeds if any(e.link == review.link for e in f.entries)]
    return any(c.casefold() in names for s in sections for c in s.categories) \
        or any(pattern in url for s in sections for pattern in s.feeds for url in carried)


# A generator's bucket for posts filed nowhere (WordPress, Pelican): not a desk of the site.
_DEFAULT_BUCKET = re.compile(r"^\s*uncategori[sz]ed\s*$", re.I)
_FEED_NAMES = re.compile(r"/(?:feed|rss|atom)/?$|/(?:index|feed|rss|atom)\.(?:xml|rss|atom)$", re.I)


def _archive_path(url: str) -> str:
    """What names a category feed among the site's feeds, as a section's ``feeds`` item.

    ``/category/anime/feed/`` and ``/tags/x/index.xml`` name their folder (``/category/anime/``);
    Pelican's ``/feeds/game.atom.xml`` is itself the name: its folder holds every feed.
    """
    path = urlsplit(url).path
    match = _FEED_NAMES.search(path)
    folder = path[: match.start() + 1] if match else path
    return folder if folder.count("/") > 2 else path
