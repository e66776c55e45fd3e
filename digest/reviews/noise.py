"""Find and remove what on a page is not the review: related and trending lists, sidebars, nav,
footers, comments, and the headings ("Related Posts") that introduce such lists.

Their scores and dates belong to other posts, so they are removed before any heuristic reads the
text (score, TL;DR). Nothing that holds the article body, its title or a review box is removed.
Finding the noise is the costliest part of an analysis on a full page, so it is done in one walk
of the tree that skips what cannot matter (:func:`_find_noise`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree

from digest.reviews.parsing import _BLOCK_TAGS, _SKIP_TAGS, _WS

# Blocks that list OTHER posts or site chrome: their scores and dates must never be read as
# this review's. Removed before any heuristic text search and before looking for a TL;DR.
# One Python pass over the tree (forty CSS selectors cost forty tree walks on a 2 MB page).
_NOISE_TAGS = frozenset({"aside", "nav", "footer", "form"})
_NOISE_CLASS = re.compile(
    r"(?:^|\s)(?:widget|widget-area|sidebar|related|related-posts|jp-relatedposts|yarpp-related"
    r"|crp_related|rp4wp-related-posts|td-related|jeg_postblock|popular-posts|wpp-list"
    r"|comments-area|comment-list|commentlist|post-navigation|nav-links|sharedaddy|sd-sharing"
    r"|menu|site-header)(?=\s|$)|related-|trending|you-may-also|more-stories|newsletter",
    re.IGNORECASE,
)
_NOISE_ID = re.compile(r"^(?:sidebar|secondary|comments|masthead)$|related|trending", re.I)
# Never removed as noise, nor any block holding one: the article body, its title, a review
# box (some themes put it in an <aside>). Cards in a sidebar are <article>s too, so
# "article" alone does not protect.
_KEEP_TAGS = frozenset({"main", "h1"})
_KEEP_CLASS = re.compile(
    r"(?:^|\s)(?:entry-content|post-content|jeg_review_wrap)(?=\s|$)"
    r"|review-total|review-box|review-wrapper|lets-review|rwp-review",
    re.IGNORECASE,
)
_KEEP_PROPS = frozenset({"reviewBody", "articleBody"})


def _is_noise(el: etree._Element) -> bool:
    tag = el.tag
    if tag in _NOISE_TAGS:
        return True
    if tag == "header":
        parent = el.getparent()
        return parent is not None and parent.tag == "body"
    return bool(
        _NOISE_CLASS.search(el.get("class") or "") or _NOISE_ID.search(el.get("id") or "")
    )


def _is_kept(el: etree._Element) -> bool:
    return (
        el.tag in _KEEP_TAGS
        or el.get("itemprop") in _KEEP_PROPS
        or _KEEP_CLASS.search(el.get("class") or "") is not None
    )


_NOISE_HEADING = re.compile(
    r"(?:related|trending)(?:\s+(?:posts?|articles?|reviews?|stories|now|news|content))?"
    r"|(?:popular|recommended|latest|recent|more)\s+(?:posts?|articles?|reviews?|stories|news"
    r"|for you|reading|from [\w .'’-]{1,30})|recommended"
    r"|you (?:may|might) (?:also )?(?:like|enjoy)|read next|also read|further reading"
    r"|more like this|don'?t miss",
    re.IGNORECASE,
)
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HEADINGISH_TAGS = frozenset(_HEADING_TAGS) | {"p", "div", "span", "strong", "b", "header"}
_STOP_CLIMB = frozenset({"body", "html", "article", "main"})


def _remove(el: etree._Element) -> None:
    """Drop an element but keep its tail text attached to the previous node."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + " " + el.tail
        else:
            parent.text = (parent.text or "") + " " + el.tail
    parent.remove(el)


def _short_text(el: etree._Element, limit: int = 240) -> str | None:
    """The element's text if it is short, reading no more than ``limit`` characters."""
    parts, size = [], 0
    for piece in el.itertext():
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return _WS.sub(" ", "".join(parts)).strip()


def _whole_text(el: etree._Element, limit: int = 240) -> str | None:
    """:func:`_short_text` of a block known to be small: libxml2 joins its text nodes (the same
    text ``itertext`` yields) several times faster than iterating over them in Python."""
    text: str = etree.tostring(el, method="text", encoding=str, with_tail=False)
    return " ".join(text.split()) if len(text) <= limit else None


_HEADING_HINT = re.compile(
    r"relat|trend|popul|recomm|latest|recent|more|like|enjoy|read|miss", re.I
)


def _is_heading(el: etree._Element) -> bool:
    """A short block whose whole text is "Related Posts", "TRENDING POSTS", "You May Also Like"."""
    if el.tag not in _HEADINGISH_TAGS or len(el) > 4:
        return False
    return _heading_text(el.text or "" if len(el) == 0 else _short_text(el))


_ASCII_HINT = re.compile(_HEADING_HINT.pattern)  # the same words, for text already lower-cased ASCII


_HEADING_TEXTS: dict[str, bool] = {}  # a block's text -> heading or not: a site's pages repeat their lines


def _heading_text(text: str | None) -> bool:
    """:func:`_is_heading` once the block's text is known (None: longer than 240 characters)."""
    if not text or len(text) > 240:
        return False
    found = _HEADING_TEXTS.get(text)
    if found is None:
        if len(_HEADING_TEXTS) >= 20_000:  # hostile pages cannot grow it without end
            _HEADING_TEXTS.clear()
        found = _HEADING_TEXTS[text] = _reads_as_heading(text)
    return found


def _reads_as_heading(text: str) -> bool:
    if text.isascii():  # _HEADING_HINT's own test, without re.IGNORECASE's case folding (most blocks)
        if not _ASCII_HINT.search(text.lower()):
            return False
    elif not _HEADING_HINT.search(text):  # re.I folds "İ", "ı", "ſ" and the Kelvin sign too
        return False
    text = " ".join(text.split()).rstrip(" :»›→")  # _WS.sub(" ", text).strip(), at a third of the cost
    return len(text) <= 60 and _NOISE_HEADING.fullmatch(text) is not None


def _has_heading(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and next(el.iter(*_HEADING_TAGS), None) is not None


_Found = tuple[set[etree._Element], list[etree._Element], list[etree._Element]]
_SHORT = 240  # _short_text's limit


# The blocks _is_kept names, found by libxml2: by tag, by itemprop, and by class, each distinct class
# value matched once (a page repeats a few dozen values over thousands of elements). The paths go
# through the attribute axis: a predicate on every element ("*[@itemprop]") costs libxml2 more.
_WITH_ITEMPROP = etree.XPath("descendant-or-self::*/@itemprop/..")
_CLASS_VALUES = etree.XPath("descendant-or-self::*/@class")  # smart strings: each knows its element
_CLASS_RULES: dict[str, int] = {}  # class value -> _KEPT | _NOISY: a site's pages share their classes
_KEPT, _NOISY = 1, 2


def _class_rules(value: str) -> int:
    """Which of _KEEP_CLASS and _NOISE_CLASS match ``value``, remembered (a bounded cache)."""
    found = _CLASS_RULES.get(value)
    if found is None:
        found = (_KEPT if _KEEP_CLASS.search(value) else 0) | (_NOISY if _NOISE_CLASS.search(value) else 0)
        if len(value) <= 400:  # hostile pages can neither grow it without end nor fill it with huge values
            if len(_CLASS_RULES) >= 20_000:
                _CLASS_RULES.clear()
            _CLASS_RULES[value] = found
    return found


def class_values(root: etree._Element) -> tuple[list[Any], set[str]]:
    """Every class attribute of ``root``'s tree as a smart string (each knows its element), in document
    order, and the distinct values as plain strings (a smart string holds on to the whole tree)."""
    values = _CLASS_VALUES(root)
    return values, set(map(str, values))


def _kept(root: etree._Element, classes: tuple[list[Any], set[str]]) -> set[etree._Element]:
    """Every block :func:`_is_kept` accepts, with its ancestors: nothing in this set is removed.
    ``classes``: :func:`class_values` of ``root``."""
    found: list[etree._Element] = list(root.iter(*_KEEP_TAGS))
    found += [el for el in _WITH_ITEMPROP(root) if el.get("itemprop") in _KEEP_PROPS]
    values, distinct = classes
    kept_values = {v for v in distinct if _class_rules(v) & _KEPT}
    if kept_values:
        found += [v.getparent() for v in values if v in kept_values]
    keep: set[etree._Element] = set()
    for el in found:
        if el.tag != "body" and el.tag != "html":
            keep.add(el)
            keep.update(el.iterancestors())
    return keep


def _find_noise(root: etree._Element, values: tuple[list[Any], set[str]] | None = None
                ) -> tuple[_Found, list[str]]:
    """What :func:`strip_noise` would remove, found in one walk of the tree: (kept, noise, headings),
    and, in the same walk, the text pieces :func:`text_lines` joins for the tree without that noise
    (right only when no heading was found: a heading's removals are decided after the walk).

    The rules are :func:`_is_kept`, :func:`_is_noise` and :func:`_is_heading`, in document order.
    What is kept is found first (:func:`_kept`), so the walk need not look inside a noise block:
    nothing in it is kept (the block would be), and all of it goes with the block, so noise or a
    heading found in it would change nothing. Nor does it judge a kept block or an ancestor of
    one: neither is ever removed. A heading needs its block's whole text, but only when that is
    short: the walk adds up each open element's text size as it goes (a lower bound: it skips
    noise and does not see a comment's tail), so a block's text is read (by libxml2) only when it
    may be short. Class values repeat on a site's pages: each distinct one is matched once.

    The text pieces are :func:`text_lines`'s, but for a noise block: :func:`_remove` puts its tail,
    when not blank, after a space at the end of the text before it (its previous sibling's tail,
    or its parent's text when it is the first child), so in the pieces it leaves " " + its tail.
    """
    keep = _kept(root, class_values(root) if values is None else values)
    noise: list[etree._Element] = []
    headings: list[tuple[int, etree._Element]] = []
    candidates: dict[etree._Element, int] = {}  # heading-like blocks, neither kept nor noise -> position
    sizes: list[int] = []  # the text size so far of each element the walk is inside of
    push, pop = sizes.append, sizes.pop  # the walk's per-element work is the cost: each lookup counts
    parts: list[str] = []
    append = parts.append
    hidden: etree._Element | None = None  # the element whose text text_lines skips (script, svg...), if in one
    index = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            index += 1
            text = el.text
            push(len(text) if text else 0)
            tag = el.tag
            if tag == "body" or tag == "html" or el in keep:
                pass
            elif _noisy(el, tag, el.get("class") or ""):
                noise.append(el)
                walker.skip_subtree()  # its end comes next
                continue
            elif tag in _HEADINGISH_TAGS:
                children = len(el)
                if children == 0:  # its text is all there is: judged now
                    if text and _heading_text(text):
                        headings.append((index, el))
                elif children <= 4:  # judged at its end, when the walk knows its text's size
                    candidates[el] = index
            if hidden is None:
                if tag in _SKIP_TAGS or not isinstance(tag, str):
                    hidden = el
                else:
                    if tag in _BLOCK_TAGS:
                        append("\n")
                    if text:
                        append(text)
            continue
        size = pop()
        tail = el.tail
        if sizes:
            sizes[-1] += size + len(tail) if tail else size
        position = candidates.pop(el, 0) if candidates else 0
        if position and size <= _SHORT and _heading_text(_whole_text(el)):
            headings.append((position, el))
        if hidden is None:
            if noise and el is noise[-1]:
                if tail and tail.strip():
                    append(" " + tail)
            else:
                if el.tag in _BLOCK_TAGS:
                    append("\n")
                if tail and el is not root:
                    append(tail)
        elif el is hidden:
            hidden = None
            if tail and el is not root:
                append(tail)
    headings.sort(key=lambda found: found[0])  # some found at their ends: put them back in document order
    return (keep, noise, [el for _, el in headings]), parts


def _noisy(el: etree._Element, tag: str, cls: str) -> bool:
    """:func:`_is_noise`, with the class's verdict remembered."""
    if tag in _NOISE_TAGS:
        return True
    if tag == "header":
        parent = el.getparent()
        return parent is not None and parent.tag == "body"
    if cls and _class_rules(cls) & _NOISY:
        return True
    ident = el.get("id")
    return ident is not None and _NOISE_ID.search(ident) is not None


# What an id or class value, a tag or a heading's text needs for _find_noise to find anything.
CLASS_STRINGS = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
_ID_STRINGS = etree.XPath("descendant-or-self::*/@id", smart_strings=False)
# Every match of _NOISE_HEADING, lower-cased, holds a match of this (its alternatives, one by one;
# its \s+ is one space in a heading's normalised text, and whitespace of any length in the raw text).
_HEADING_WORDS = re.compile(
    r"related|trending|recommended|popular\s|latest\s|recent\s|more\s+(?:post|article|review|stories|news"
    r"|for\s+you|reading|from\s|like\s+this)|you\s+(?:may|might)\s|read\s+next|also\s+read|further\s+reading"
    r"|don'?t\s+miss"
)
# Characters re.IGNORECASE matches to an ASCII letter that str.lower() does not lower to one.
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")


def has_noise_tag(root: etree._Element) -> bool:
    """Whether ``root``'s tree holds a noise tag or a ``header`` (stops at the first: a page's nav)."""
    return next(root.iter(*_NOISE_TAGS, "header"), None) is not None


def may_hold_noise(root: etree._Element, classes: set[str]) -> bool:
    """False when :func:`_find_noise` is sure to find nothing in ``root``, proved by libxml2 passes
    and string searches instead of a walk in Python (most feed content holds no noise).

    Noise needs a noise tag (or a ``header``), a class or id its patterns match, or a heading: a
    block whose normalised text fullmatches _NOISE_HEADING. That text is a contiguous piece of the
    document's text (libxml2 joins the same text nodes), so the lower-cased document text holds a
    match of _HEADING_WORDS (whitespace of any length where the heading has one space). Unsure (İ,
    ı, ſ, the Kelvin sign, which re.IGNORECASE folds differently from str.lower): True.
    ``classes``: the distinct class values of ``root``'s tree (:data:`CLASS_STRINGS`).
    """
    if has_noise_tag(root):
        return True
    if any(_class_rules(value) & _NOISY for value in classes):
        return True
    if any(_NOISE_ID.search(value) for value in _ID_STRINGS(root)):
        return True
    text: str = etree.tostring(root, method="text", encoding=str)
    if any(char in text for char in _FOLDS_TO_ASCII):
        return True
    return _HEADING_WORDS.search(text.lower()) is not None


def strip_noise(root: etree._Element) -> etree._Element:
    """Remove related/trending/popular lists, sidebars, widgets, nav, footer and comments.

    Works in place and returns ``root``. A heading such as "Related Posts" or "TRENDING
    POSTS" goes with the siblings that follow it, up to the next heading or review box.
    Nothing that holds the article body, its ``h1`` or a review box is removed.
    """
    return _strip(root, _find_noise(root)[0])


def _strip(root: etree._Element, found: _Found) -> etree._Element:
    """:func:`strip_noise` with what :func:`_find_noise` found in ``root``."""
    keep, noise, headings = found
    for el in noise:
        if el not in keep:
            _remove(el)
    for heading in headings:
        if heading in keep or heading.getparent() is None:
            continue
        node = heading
        while node.getnext() is None:
            parent = node.getparent()
            if parent is None or parent.tag in _STOP_CLIMB or parent in keep:
                break
            node = parent
        # A real heading (h2-h6) owns everything up to the next heading; a bold line or a
        # <p> ("<p>Related</p><ul>…</ul>") only the block right after it.
        budget = 10_000 if heading.tag in _HEADING_TAGS else 1
        sibling = node.getnext()
        while budget and sibling is not None and sibling not in keep and not _has_heading(sibling):
            following = sibling.getnext()
            _remove(sibling)
            sibling, budget = following, budget - 1
        _remove(node if node not in keep else heading)
    return root


def cleaned_copy(root: etree._Element) -> etree._Element:
    """A deep copy of ``root`` with noise stripped, leaving the original untouched."""
    return strip_noise(copy.deepcopy(root))
