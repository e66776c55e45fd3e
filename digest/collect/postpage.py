"""Build the entry a feed would have given for a post, from the post's own page.

Used for posts the site lists on its archive pages but no feed holds any more. The page
says what its feed item would: its title (``og:title``, JSON-LD ``headline``, the ``<h1>``),
its date (``article:published_time``, JSON-LD ``datePublished``, ``<time datetime>``, else
the ``/YYYY/MM/DD/`` of its permalink), its categories (links ``rel="category tag"`` or to
``/category/<slug>/`` inside the article) and its text (the article body). The entry's link
is the address we fetched, never one the page names: page text does not choose addresses.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from digest.collect.listing import in_chrome, permalink_date
from digest.models import FeedEntry
from digest.reviews.extract import parse_html
from digest.urls import canonical_url

# Where generators put a post's body, most specific first.
_BODY = ('[itemprop="articleBody"]', ".entry-content", ".post-content", ".article-content", ".post-body",
         ".entry", "article", "main")
_CATEGORY_PATH = re.compile(r"/(?:category|categories)/[^/]+/?$")
_SITE_SUFFIX = re.compile(r"\s+[-–—|·]\s+[^-–—|·]{1,60}$")  # "Title – Site name" in <title>


def entry_from_page(html: str, url: str) -> FeedEntry | None:
    """The post on this page as a feed entry; None when the page has no title and no body."""
    root = parse_html(html)
    if root is None:
        return None
    ld = _json_ld(root)
    title = _meta(root, "og:title") or _text(ld.get("headline")) or _h1(root) or _title_tag(root)
    found = _first(root, ("article",))
    article = found if found is not None else root
    body = _first(article, _BODY)
    if body is None:
        body = _first(root, _BODY)
    content = _inner_html(body) if body is not None else ""
    if not title and not content:
        return None
    published = (_date(_meta(root, "article:published_time")) or _date(_text(ld.get("datePublished")))
                 or _time_datetime(article) or permalink_date(url))
    author = _meta(root, "article:author") or _author(ld.get("author"))
    description = _meta(root, "og:description") or _meta(root, "description")
    return FeedEntry(
        uid=url, link=url, title=title[:500], author=author[:200] or None,
        categories=_categories(article, url), published=published,
        summary=description[:2000], content=content, comments=None,
    )


def _first(root: etree._Element, selectors: tuple[str, ...]) -> lxml.html.HtmlElement | None:
    from lxml.cssselect import CSSSelector

    for selector in selectors:
        found = CSSSelector(selector)(root)
        if found:
            return found[0]
    return None


def _meta(root: etree._Element, name: str) -> str:
    for meta in root.iter("meta"):
        if name in ((meta.get("property") or "").lower(), (meta.get("name") or "").lower()):
            return " ".join((meta.get("content") or "").split())
    return ""


def _h1(root: etree._Element) -> str:
    heading = next(iter(root.iter("h1")), None)
    return " ".join(heading.text_content().split()) if heading is not None else ""


def _title_tag(root: etree._Element) -> str:
    tag = next(iter(root.iter("title")), None)
    text = " ".join(tag.text_content().split()) if tag is not None else ""
    return _SITE_SUFFIX.sub("", text)


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _author(value: object) -> str:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("name")
    return _text(value)


def _json_ld(root: etree._Element) -> dict[str, object]:
    """The page's Article/BlogPosting/Review node, if it has one."""
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or ""):
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
        for node in nodes if isinstance(nodes, list) else []:
            kind = node.get("@type") if isinstance(node, dict) else None
            kinds = kind if isinstance(kind, list) else [kind]
            if isinstance(node, dict) and any(k in ("Article", "BlogPosting", "NewsArticle", "Review")
                                              for k in kinds):
                return node
    return {}


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _time_datetime(root: etree._Element) -> datetime | None:
    for tag in root.iter("time"):
        found = _date(tag.get("datetime") or "")
        if found is not None:
            return found
    return None


def _categories(article: etree._Element, url: str) -> tuple[str, ...]:
    """The post's own categories: ``rel="category"`` links, else links to category archives, in the article."""
    found: list[str] = []
    for anchor in article.iter("a"):
        rel = (anchor.get("rel") or "").lower().split()
        href = canonical_url(anchor.get("href") or "", url)
        if "category" not in rel and not (_CATEGORY_PATH.search(urlsplit(href).path) and not in_chrome(anchor)):
            continue
        name = " ".join(anchor.text_content().split())
        if name and len(name) <= 80 and name not in found:
            found.append(name)
    return tuple(found[:20])


def _inner_html(element: lxml.html.HtmlElement) -> str:
    parts = [element.text or ""] if element.text else []
    for child in element:
        parts.append(lxml.html.tostring(child, encoding="unicode"))
    return "".join(parts)
