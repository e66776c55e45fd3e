"""Scores from structured data: schema.org JSON-LD, microdata/RDFa, and hReview microformats.

Only a review's own rating counts: ``aggregateRating`` and ``UserReview`` are readers'
votes, and lists of other posts (``itemListElement``) are skipped. Broken JSON-LD is
common and is skipped, never fatal. Several reviews with different scores give None.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import replace
from typing import Any

from lxml import etree

from digest.reviews.parsing import text_lines
from digest.reviews.score_model import FRACTION, Score, Where, make_score, to_decimal

_MAX_JSONLD_CHARS = 1_000_000
_MAX_JSON_NODES = 20_000
_SKIP_KEYS = frozenset({"aggregateRating", "itemListElement"})



def _types(node: Mapping[str, Any]) -> set[str]:
    raw = node.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in items if t}


def _rating(value: object, best: object, worst: object) -> Score | None:
    """Rating fields as found. A missing best is schema.org's default 5, or 10 (then 100)
    when the value is above it: a value of 8 cannot be out of 5."""
    if isinstance(value, str) and "/" in value:
        match = FRACTION.search(value)
        if match:
            return make_score(match["v"], match["b"], value)
    number = to_decimal(value)
    if number is None:
        return None
    if to_decimal(best) is None:
        best = next((b for b in (5, 10, 100) if number <= b), None)
    raw = f"{value}/{best}" + (f" (worst {worst})" if to_decimal(worst) else "")
    return make_score(number, best, raw, worst=worst)


_WRAPPER = re.compile(r"^(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)$")


def _jsonld_nodes(root: etree._Element, needle: str) -> Iterator[dict[str, Any]]:
    """The objects of the page's JSON-LD blocks whose text holds ``needle``: a block without it
    (nor a JSON escape that could spell it) cannot hold what the caller wants, and is not parsed."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = (script.text or "")[:_MAX_JSONLD_CHARS].strip()
        if needle not in text and "\\u" not in text:
            continue
        text = _WRAPPER.sub("", text).strip()
        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; skip it, never fail the page
        stack, seen = [data], 0
        while stack and seen < _MAX_JSON_NODES:
            node = stack.pop()
            seen += 1
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                yield node
                # readers' votes, and lists of OTHER posts, are not this review's score
                stack.extend(v for k, v in node.items() if k not in _SKIP_KEYS)


def _from_jsonld(root: etree._Element) -> Score | None:
    found: list[Score] = []
    for node in _jsonld_nodes(root, "Review"):  # "Review", "CriticReview" and their URLs hold it
        types = _types(node)
        if not types & {"Review", "CriticReview"} or "UserReview" in types:
            continue
        rating = node.get("reviewRating")
        rating = rating[0] if isinstance(rating, list) and rating else rating
        if isinstance(rating, dict) and "AggregateRating" not in _types(rating):
            get = rating.get
            score = _rating(get("ratingValue"), get("bestRating"), get("worstRating"))
            if score is not None:
                found.append(score)
    return only_one(found)


def only_one(found: list[Score]) -> Score | None:
    """One distinct value, or None: several reviews with different scores are ambiguous."""
    return found[0] if found and len({s.value for s in found}) == 1 else None


def _has(attr: str, name: str) -> str:
    """XPath test: ``@attr`` holds the token ``name`` (RDFa may prefix it: "schema:name")."""
    return f"contains(concat(' ', normalize-space(@{attr}), ' '), '{name} ')"


def _value(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    attr = next((a for a in ("content", "value", "title") if el.get(a)), None)
    return el.get(attr) if attr else " ".join(text_lines(el)) or None


# Compiled once (an XPath string is compiled again at every call). Each first asks what the token
# test implies (the attribute, or its raw value holding the word), a cheap test that leaves the
# token test a handful of elements instead of every one.
_PROPS = {name: etree.XPath(f".//*[@itemprop or @property][{_has('itemprop', ' ' + name)}"
                            f" or {_has('property', name)}]")
          for name in ("ratingValue", "bestRating", "worstRating")}
_REVIEW_RATINGS = etree.XPath(
    f"//*[@itemprop or @property][{_has('itemprop', ' reviewRating')} or {_has('property', 'reviewRating')}]")


def _prop(el: etree._Element, name: str) -> str | None:
    hits = _PROPS[name](el)
    return _value(hits[0]) if hits else None


def _from_microdata(root: etree._Element) -> Score | None:
    found: list[Score] = []
    for el in _REVIEW_RATINGS(root):
        scopes = [el, *el.iterancestors()]
        if any(re.search(r"AggregateRating|UserReview", s.get("itemtype") or "") for s in scopes):
            continue
        score = _rating(*(_prop(el, n) for n in ("ratingValue", "bestRating", "worstRating")))
        if score is not None:
            found.append(score)
    return only_one(found)


def _cls(name: str) -> str:
    return _has("class", " " + name)


_PARTS = {name: (etree.XPath(f".//*[contains(@class, '{name}')][{_cls(name)} or {_cls('p-' + name)}]"),
                 etree.XPath(f".//*[contains(@class, '{name}')][{_cls('p-' + name)}]"))
          for name in ("value", "best", "worst")}
_HREVIEWS = etree.XPath(f"//*[contains(@class, 'review')][{_cls('hreview')} or {_cls('h-review')}]")
_RATINGS = etree.XPath(f".//*[contains(@class, 'rating')][{_cls('rating')} or {_cls('p-rating')}]")


def _part(review: etree._Element, rating: etree._Element, name: str) -> str | None:
    in_rating, in_review = _PARTS[name]
    hits = in_rating(rating) or in_review(review)
    return _value(hits[0]) if hits else None


def _from_hreview(root: etree._Element) -> Score | None:
    """Microformats hReview (``.hreview .rating``, default best 5) and h-review (``.p-rating``)."""
    found: list[Score] = []
    for review in _HREVIEWS(root):
        ratings = _RATINGS(review)
        if not ratings:
            continue
        value = _part(review, ratings[0], "value") or _value(ratings[0])
        best, worst = _part(review, ratings[0], "best"), _part(review, ratings[0], "worst")
        score = _rating(value, best, worst)
        if score is not None:
            found.append(score)
    return only_one(found)


def _none(tree: etree._Element) -> None:
    return None


def structured_score(raw: etree._Element, cleaned: etree._Element, where: Where,
                     class_names: Collection[str] | None = None) -> Score | None:
    """JSON-LD reads the whole page (it lives in <head>); the others read it cleaned.

    ``class_names``, when known, holds every class value of ``cleaned`` (perhaps more): without
    "hreview" or "h-review" in one of them, no element is an hReview and that search is not made.
    """
    hreview = class_names is None or any("hreview" in name or "h-review" in name for name in class_names)
    for kind, finder, tree in (("jsonld", _from_jsonld, raw),
                               ("microdata", _from_microdata, cleaned),
                               ("hreview", _from_hreview if hreview else _none, cleaned)):
        found = finder(tree)
        if found is not None:
            return replace(found, source=f"{where}-{kind}")
    return None
