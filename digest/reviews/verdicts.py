"""Verdicts a review page writes with no label, read only when the labelled readers found none.

Two shapes, each taken only when the post holds no other score-like fraction:

* a bold score that closes the post's last text paragraph ("... a true spectacle. **9/10**"):
  a review ends with its verdict, and a score with nothing after it in the body is that;
* of exactly two named score lines ("Blood-C: 9/10", "Blood C The Last Dark: 6/10"), the one
  whose name is the post's own subject (its title without "Review:"): a review scores what it
  reviews, and a second, differently named line scores something else. The title must reach
  the reader cleanly (``og:title`` or the page's only ``h1``) and match the name exactly once,
  compared loosely (case, spaces and punctuation ignored); otherwise the post stays unscored.

Pure functions over lxml trees; the trees are only read.
"""

from __future__ import annotations

import re

from lxml import etree

from digest.reviews.parsing import text_lines
from digest.reviews.score_model import END, FRACTION, NUM, Score, make_score

__all__ = ["unlabelled_verdict"]

_BESTS = frozenset({5, 10, 100})
_ANY_BESTS = frozenset({4, 5, 10, 20, 100})  # what counts as another score in the post
_OUT_OF = re.compile(rf"(?<![\w.,/])(?:{NUM})\s+out\s+of\s+(?P<b>\d{{1,3}}){END}", re.I)
_QUOTED = frozenset({"blockquote", "q", "li", "td", "th", "table", "figure", "figcaption", "aside",
                     "cite"})
_NAMED = re.compile(rf"(?P<name>[^\W\d_][^:]{{0,58}}?)(?::|\s[-–—])\s*(?P<v>{NUM})\s*/\s*(?P<b>\d{{1,3}})")
_KIND = r"(?:(?:game|film|movie|anime|manga|book|album|tv|series|show)\s+)?"
_REVIEW_PREFIX = re.compile(rf"^\s*{_KIND}reviews?\s*[:\-–—|]\s*", re.I)  # "Review: ", "Game review - "
_REVIEW_SUFFIX = re.compile(rf"(?:\s*[:\-–—|(\[]\s*|\s+){_KIND}reviews?\s*[)\]]?\s*$", re.I)  # " (Review)"


def unlabelled_verdict(region: etree._Element, root: etree._Element) -> Score | None:
    """The verdict of a page whose text the labelled readers found no score in, or None.

    ``region`` is the article's cleaned main region, ``root`` the whole page (for its title).
    """
    lines = text_lines(region)
    fractions = [m for line in lines for m in FRACTION.finditer(line) if int(m["b"]) in _ANY_BESTS]
    if any(int(m["b"]) in _ANY_BESTS for line in lines for m in _OUT_OF.finditer(line)):
        return None
    if len(fractions) == 1:
        return _closing_bold(region)
    if len(fractions) == 2:
        return _named_subject(lines, _subjects(root))
    return None


def _visible(el: etree._Element) -> str:
    return " ".join(text_lines(el)) if isinstance(el.tag, str) else ""


def _text_after(el: etree._Element, stop: etree._Element) -> str:
    """The visible text after ``el`` up to the end of its ancestor ``stop``."""
    parts: list[str] = []
    node = el
    while node is not stop and node is not None:
        parts.append(node.tail or "")
        for sibling in node.itersiblings():
            parts += [_visible(sibling), sibling.tail or ""]
        node = node.getparent()
    return "".join(parts).strip()


def _closing_bold(region: etree._Element) -> Score | None:
    """A bold fraction with no text after it in its paragraph, nor after that paragraph in the
    block that holds it (the post's body); never in a quotation, list or table."""
    for bold in region.iter("strong", "b"):
        core = _visible(bold).strip(" .!")
        match = FRACTION.fullmatch(core)
        if match is None or int(match["b"]) not in _BESTS:
            continue
        paragraph = next((a for a in bold.iterancestors() if a.tag == "p"), None)
        if paragraph is None or paragraph.getparent() is None:
            continue
        if any(a.tag in _QUOTED for a in _ancestors(bold, region)) or _text_after(bold, paragraph):
            continue
        if _text_after(paragraph, paragraph.getparent()):
            continue
        return make_score(match["v"], match["b"], core, source="page-text")
    return None


def _ancestors(el: etree._Element, stop: etree._Element) -> list[etree._Element]:
    """``el``'s ancestors below ``stop``."""
    out: list[etree._Element] = []
    for ancestor in el.iterancestors():
        if ancestor is stop:
            break
        out.append(ancestor)
    return out


def _subjects(root: etree._Element) -> set[str]:
    """The post's subject, loosely: its ``og:title`` and its only ``h1``, "Review:" removed."""
    titles = [m.get("content") or "" for m in root.iter("meta") if m.get("property") == "og:title"]
    headings = list(root.iter("h1"))
    titles += [_visible(headings[0])] if len(headings) == 1 else []
    subjects = {_loose(_REVIEW_SUFFIX.sub("", _REVIEW_PREFIX.sub("", t))) for t in titles}
    return {s for s in subjects if s}


def _loose(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _named_subject(lines: list[str], subjects: set[str]) -> Score | None:
    """Of exactly two lines that are each a name and a score, the one named as the subject."""
    named = [m for m in (_NAMED.fullmatch(line) for line in lines) if m and int(m["b"]) in _BESTS]
    if len(named) != 2 or not subjects:
        return None  # with the caller's count, these two are the post's only scores
    mine = [m for m in named if _loose(m["name"]) in subjects]
    if len(mine) != 1:
        return None
    return make_score(mine[0]["v"], mine[0]["b"], mine[0].group(0), source="page-text")
