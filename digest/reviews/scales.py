"""Scores whose scale the text does not state: a bare "Score: 4.5" and a drawn star widget.

A bare number says nothing of its best, so it is never read on its own: the site's scale is
inferred once, from the range of every review's verdict line and the words its pages use, shown
to the editor with that evidence (init), and read only when ``reviews.bare_score_best`` holds
it. A star widget states its scale in its own markup: it draws as many stars as its best.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from digest.reviews.document import Document
from digest.reviews.score_model import NUM, Score, make_score, to_decimal

__all__ = ["BARE_LINE", "BareScale", "bare_scale", "star_widget"]

# The whole line is the verdict: "Score: 4.5", 'Score: "3.0"', "Rating - 4". Nothing else on it,
# so neither prose ("a score of 4 in the charts") nor a date or a count can match.
BARE_LINE = re.compile(rf"\s*(?:score|rating)\s*[:=\-–—]\s*[\"“”'‘’]?(?P<v>{NUM})[\"“”'‘’]?\s*", re.I)
_WORDS = re.compile(r"\bout\s+of\s+(?P<a>5|10|100)\b|\b(?P<b>5|10)[\s-]+stars?\b|/\s?(?P<c>5|10|100)\b", re.I)
_BESTS = (5, 10, 100)


@dataclass(frozen=True)
class BareScale:
    best: int
    evidence: str  # what was seen, for the editor: pages, range, steps, words

    def __str__(self) -> str:
        return f"out of {self.best}: {self.evidence}"


def bare_lines(lines: list[str]) -> list[Decimal]:
    """The values of the lines that are nothing but a bare labelled number."""
    values = []
    for line in lines:
        match = BARE_LINE.fullmatch(line)
        value = to_decimal(match["v"]) if match else None
        if value is not None:
            values.append(value)
    return values


def bare_scale(pages: list[str]) -> BareScale | None:
    """The scale of a site whose reviews end with a bare "Score: N", or None.

    Needs at least three pages that carry exactly one such line (a habit, not an accident).
    The best is the smallest of 5, 10, 100 that holds every value seen, unless the pages' own
    words ("out of 10", "5 stars", "/10") name one larger scale that holds them all.
    """
    values: list[Decimal] = []
    words: Counter[int] = Counter()
    for html in pages:
        doc = Document(html)
        found = bare_lines(doc.stripped_lines)
        if len(found) == 1:
            values.append(found[0])
            text = " ".join(doc.stripped_lines)
            words.update({int(next(g for g in m.groups() if g)) for m in _WORDS.finditer(text)})
    if len(values) < 3:
        return None
    low, high = min(values), max(values)
    fits = [b for b in _BESTS if high <= b]
    if not fits:
        return None
    best = fits[0]
    said = [b for b, n in words.items() if b in fits and n >= len(values) // 2 + 1]
    if len(said) == 1:
        best = said[0]
    steps = "half points" if any(v % 1 for v in values) else "whole numbers"
    told = f"; the pages say {', '.join(f'/{b}' for b in said)}" if said else "; no page states a scale"
    evidence = (f"{len(values)} of {len(pages)} pages carry one bare verdict line "
                f"('Score: {values[0]}'), values {low}–{high} in {steps}, never above {best}{told}")
    return BareScale(best, evidence)


_STAR_CLASS = re.compile(r"\bstar", re.I)


def star_widget(root: etree._Element, excluded: Callable[[etree._Element], bool]) -> Score | None:
    """``<div class="star-rating" data-rating="3.5">`` holding its 4, 5 or 10 star elements.

    The best is the number of stars the widget draws, so the scale is the site's own. Several
    widgets with different values (a list of films) are ambiguous: None. ``excluded`` says
    which widgets are readers' averages.
    """
    found: set[tuple[Decimal, int]] = set()
    for el in root.iterfind(".//*[@data-rating]"):
        if not _STAR_CLASS.search(el.get("class") or "") or excluded(el):
            continue
        value = to_decimal(el.get("data-rating"))
        stars = sum(1 for d in el.iter("*") if d is not el and _STAR_CLASS.search(d.get("class") or ""))
        if value is not None and stars in (4, 5, 10) and value <= stars:
            found.add((value, stars))
    if len(found) != 1:
        return None
    value, stars = found.pop()
    return make_score(value, stars, f"{value} of {stars} stars", "stars", source="page-text")
