"""What a link preview, a search result and a reader's tab show of an archive page.

A shared archive link is judged by its card (Open Graph, Twitter) and its title before anyone
opens it, so each page names the site, the edition and the week in words ("Second Screen —
Anime, May 5–11, 2025"), says what the week's best review is about, and shows its image when
the page's own policy would load it. Every value here comes from feed text: it goes into the
page only as an attribute or text set through lxml (escaped), scrubbed of merge tags like the
rest of the page, on one line, and cut short.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from digest.mail.web import scrub_text
from digest.mail.web_policy import image_allowed, image_sources
from digest.settings.config import Config
from digest.settings.editions import edition_title

DESCRIPTION_MAX = 160  # what search results and link cards show before they cut it themselves
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str, most: int = DESCRIPTION_MAX) -> str:
    """``text`` on one line, without merge tags or control characters, cut on a word to ``most``."""
    text = " ".join(_CONTROL.sub(" ", scrub_text(text)).split())
    if len(text) <= most:
        return text
    cut = text[: most - 1].rsplit(" ", 1)[0] if " " in text[: most - 1] else text[: most - 1]
    return cut.rstrip(" ,;:.-–—") + "…"


def edition_heading(config: Config) -> str | None:
    """How an edition is named after the site ("Anime Weekly"); None for the default edition."""
    if config.edition is None:
        return None
    return edition_title(config)


def titled(config: Config, tail: str, sep: str = ", ") -> str:
    """``<site> — <edition><sep><tail>``; the edition's title alone when it already names the site."""
    site, edition = config.site.name, edition_heading(config)
    if edition is None:
        return f"{site}{sep}{tail}"
    if edition.casefold().startswith(site.casefold()):
        return f"{edition}{sep}{tail}"
    return f"{site} — {edition}{sep}{tail}"


def description(doc: Any, manifest: dict[str, Any], fallback: str) -> str:
    """The hero review's TL;DR as the page shows it, else the manifest's, else the preheader, else
    ``fallback``."""
    shown = None
    for tldr in doc.xpath('//p[contains(concat(" ", normalize-space(@class), " "), " tldr ")]')[:1]:
        label = "".join(x.text_content() for x in tldr.xpath('.//*[contains(@class, "tldr-label")]'))
        shown = tldr.text_content().replace(label, "", 1) if label else tldr.text_content()
    picks = [p for p in manifest.get("picks") or [] if isinstance(p, dict)]
    hero = next((p for p in picks if p.get("kind") in ("top", "pinned", None)), None)
    for text in (shown, hero.get("tldr") if hero else None, manifest.get("preheader"), fallback):
        line = one_line(str(text or ""))
        if line:
            return line
    return ""


def hero_image(doc: Any, config: Config) -> str | None:
    """The hero's image when the page keeps it: an absolute https URL the page's policy loads."""
    sources = image_sources(config)
    for img in doc.xpath('//img[contains(concat(" ", normalize-space(@class), " "), " hero-img ")]'):
        src = (img.get("src") or "").strip()
        if urlsplit(src).scheme == "https" and image_allowed(src, sources) and not _CONTROL.search(src):
            return str(src)
    return None


def add_head_tags(head: Any, *, title: str, text: str, url: str | None, image: str | None, kind: str,
                  site_name: str) -> None:
    """The title, description and sharing tags, after what the head holds (its policy stays first)."""
    found = head.find("title")
    if found is None:
        found = lxml.html.Element("title")
        head.append(found)
    found.text = title
    metas = [("name", "description", text), ("property", "og:type", kind), ("property", "og:title", title),
             ("property", "og:description", text), ("property", "og:site_name", site_name)]
    if url is not None:
        metas.append(("property", "og:url", url))
    if image is not None:
        metas.append(("property", "og:image", image))
    metas += [("name", "twitter:card", "summary_large_image" if image else "summary"),
              ("name", "twitter:title", title), ("name", "twitter:description", text)]
    if image is not None:
        metas.append(("name", "twitter:image", image))
    for element in head.xpath("meta[@name or @property]"):
        if (element.get("name") or element.get("property") or "").lower() in {m[1] for m in metas}:
            element.drop_tree()  # an editor's template's own, replaced by the archive's
    for attribute, name, content in metas:
        head.append(lxml.html.Element("meta", {attribute: name, "content": content}))


def head_html(*, title: str, text: str, kind: str, site_name: str, url: str | None) -> str:
    """The same tags as :func:`add_head_tags`, as markup for a page made from a string (the index)."""
    head = lxml.html.Element("head")
    add_head_tags(head, title=title, text=text, url=url, image=None, kind=kind, site_name=site_name)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in head)
