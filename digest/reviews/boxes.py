"""Where a page's own score box and main region are, found without a libxml2 pass per selector.

A CSS selector list (``.a, .b, .c``) is a union of one XPath per selector, each a pass of libxml2
over the page that costs several times a walk in Python; the score boxes are found instead among
the page's class values, already read for the noise search, with cssselect's own test of a class
(the value, its XML whitespace normalised, holds `` name `` as a token), and the main region in one
walk. ``tests/test_reviews_one_walk.py`` compares them with the CSS on every corpus page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

# Score boxes of common review plugins (WP Review, Lets Review, Reviewer, JNews, Taqyeem),
# then generic theme classes. Within a group every box must agree: a theme that reuses
# ".review-score" for a card of another post makes the group ambiguous, so it is skipped.
BOX_SELECTORS = (
    ".review-total-box, .lets-review-block__final-score, .lets-review-final-score,"
    " .rwp-overall-score, .jeg_review_wrap .review_score, .review-final-score",
    ".final-score, .total-score, .overall-score, .review-score, .score-box",
)
MAIN_SELECTOR = "article, main, .entry-content, .post-content, #content"  # the article's region

_XML_SPACE = re.compile(r"[ \t\r\n]+")  # normalize-space()'s whitespace, not str.split()'s


def _tokens(value: str) -> list[str]:
    """The names ``.name`` matches in a class value (cssselect: normalize-space, then ' name ')."""
    return _XML_SPACE.split(value)


_Group = tuple[tuple[tuple[str, str | None], ...], Callable[[str], object]]


def _group(css: str) -> _Group:
    """Each selector of a list as (its class, the class of an ancestor it needs, if any), and a pattern
    that finds any of those classes in a raw value (cssselect's first, cheap test)."""
    selectors = []
    for selector in css.split(","):
        names = re.findall(r"\.([\w-]+)", selector)
        selectors.append((names[-1], names[0] if len(names) == 2 else None))
    return tuple(selectors), re.compile("|".join(re.escape(name) for name, _ in selectors)).search


BOX_GROUPS = tuple(_group(css) for css in BOX_SELECTORS)


def _attached(el: etree._Element, root: etree._Element) -> bool:
    """Whether ``el`` is still in ``root``'s tree (not in a block the noise search removed)."""
    ancestors = list(el.iterancestors())
    return (ancestors[-1] if ancestors else el) is root


def boxes(group: _Group, values: list[Any], root: etree._Element, removed: bool) -> list[etree._Element]:
    """What ``group``'s CSS finds in ``root``, in document order: ``values`` are the class values (smart
    strings, in document order) of ``root``'s tree, read before ``removed`` noise left it, if any."""
    found: list[etree._Element] = []
    selectors, search = group
    for value in values:
        if search(value) is None:  # cssselect's first test: the raw value holds a name
            continue
        tokens = _tokens(value)
        el = value.getparent()
        for name, outer in selectors:
            if name in tokens and (outer is None or any(
                    outer in _tokens(up.get("class") or "") for up in el.iterancestors())):
                break
        else:
            continue
        if not removed or _attached(el, root):
            found.append(el)
    return found


def main_regions(root: etree._Element) -> list[etree._Element]:
    """What :data:`MAIN_SELECTOR` finds in ``root``'s tree, in document order, in one walk."""
    found: list[etree._Element] = []
    for el in root.iter(etree.Element):
        tag = el.tag
        if tag == "article" or tag == "main" or el.get("id") == "content":
            found.append(el)
            continue
        value = el.get("class")
        if value and ("entry-content" in value or "post-content" in value):
            tokens = _tokens(value)
            if "entry-content" in tokens or "post-content" in tokens:
                found.append(el)
    return found


def in_user_box(el: etree._Element) -> bool:
    """WP Review and JNews draw readers' averages in the same box markup, nested in these."""
    for depth, node in enumerate((el, *el.iterancestors())):
        if depth > 5 or node.tag in ("body", "article", "main"):
            return False
        if re.search(r"user|reader|visitor|comment|average", node.get("class") or "", re.I):
            return True
    return False


__all__ = ["BOX_GROUPS", "BOX_SELECTORS", "MAIN_SELECTOR", "boxes", "in_user_box", "main_regions"]
