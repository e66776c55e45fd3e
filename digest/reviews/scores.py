"""Find a review's OWN score, normalised to 0–10, in a feed entry or its article page.

Precision comes first: a digest that ranks reviews by an invented score is worse than one
that leaves a review unscored, so every rule here says None when in doubt. Readers' votes
(``aggregateRating``, "20 votes cast", "User Rating") are not the review's score, and the
page's related/trending lists are removed before any text is read (``strip_noise``).
All functions are pure: strings in, frozen ``Score`` out.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from digest.reviews.boxes import BOX_GROUPS, boxes, in_user_box, main_regions
from digest.reviews.document import Document
from digest.reviews.items import scores_items
from digest.reviews.parsing import text_lines
from digest.reviews.scales import BARE_LINE, star_widget
from digest.reviews.score_model import (
    DEFAULT_LETTER_SCALE,
    END,
    FRACTION,
    NUM,
    WHITESPACE,
    Score,
    Unscored,
    Where,
    items_unscored,
    make_score,
    normalise,
    only_score,
    placed_in,
    scale_name,
    to_decimal,
)
from digest.reviews.structured import only_one, structured_score
from digest.reviews.verdicts import unlabelled_verdict

__all__ = [
    "DEFAULT_LETTER_SCALE", "Score", "compile_selector", "find_score", "normalise", "score_from_element",
    "page_score", "score_from_page", "score_from_structured", "score_from_text", "score_of", "Unscored",
]

# --- score text ----------------------------------------------------------------------------

_OUT_OF = re.compile(rf"(?<![\w.,/])(?P<v>{NUM})\s+out\s+of\s+(?P<b>\d{{1,3}}){END}", re.I)
_STARS_WORD = re.compile(r"\s*stars?\b", re.I)
_PERCENT = re.compile(rf"(?<![\w.,/])(?P<v>{NUM})\s*%")
_N_STARS = re.compile(rf"(?<![\w.,/])(?P<v>{NUM})\s+stars?\b", re.I)
_GLYPHS = re.compile(r"[★⭐☆✩½⯪⯨](?:\s?[★⭐☆✩½⯪⯨]){0,11}")
_GLYPH_ORDER = re.compile(r"(?P<full>[★⭐]*)(?P<half>[½⯪⯨]?)(?P<empty>[☆✩]*)")
_LETTER = re.compile(r"(?P<g>[A-DF](?:[+\-−–](?![\w+\-−–])|(?![\w+\-−–])))")
_BARE = re.compile(rf"(?<![\w.,/])(?P<v>{NUM})(?![\w.,/%])")

_LABEL = re.compile(
    r"\b(?P<label>rating|score|grade|rated|(?:verdict|overall|total)(?=\s*[:\-–—|])"
    # A first-person verdict that closes a review: "I give it a 7 out of 10", "I'd give this film 8/10".
    r"|(?:i|we)(?:'d|’d|\s+would|\s+will)?\s+(?:give|giving|rate|rating)\s+(?:it|this(?:\s+\w+)?)(?:\s+an?)?)\b"
    r"(?:\s+is\b)?\s*(?:[:\-–—=|]\s*)?",
    re.I,
)
_BOX_READER = re.compile(r"\b(?:users?|readers?|average|avg|community|visitors?)\b", re.I)
_READER = re.compile(
    _BOX_READER.pattern + r"|\b(?:audience|members?|customers?|imdb|metacritic|metascore"
    r"|rotten|tomatometer|mpaa|esrb|pegi|votes?|goodreads|letterboxd|treklit|amazon|critics?)\b",
    re.I,
)
_VOTES = re.compile(
    r"\b(?:votes?|voters?|voted|bewertungen|stimmen)\b|^\W{0,3}\d[\d,.]*\s+(?:ratings|reviews)\b",
    re.I,
)
_OVERALL = re.compile(r"\b(?:overall|final|total|verdict|our|my)\b", re.I)
_VERDICT_HEADING = re.compile(
    r"\s*(?:(?:my|our)\s+)?(?:overall|total|final(?:\s+(?:score|rating|verdict))?|verdict"
    r"|(?:my|our)\s+(?:score|rating))\s*[:\-–—]?\s*", re.I)
_LABELLED_BESTS = frozenset({4, 5, 10, 20, 100})
_STANDALONE_BESTS = frozenset({5, 10, 100})
_LINE_TRIM = " •·*-–—()[]|:.!,"


@dataclass(frozen=True)
class _Found:
    value: Any
    best: Any
    scale: str
    end: int


def _glyphs(text: str, pos: int, labelled: bool) -> _Found | None:
    """★★★½☆: filled, an optional half, then empty stars; the count of all is the best.
    Filled stars alone ("Rating: ★★★★") say nothing of the best: only a label makes it 5."""
    match = _GLYPHS.match(text, pos)
    parts = _GLYPH_ORDER.fullmatch(match.group(0).replace(" ", "")) if match else None
    if match is None or parts is None:
        return None
    full, half, empty = len(parts["full"]), len(parts["half"]), len(parts["empty"])
    best = full + half + empty if empty or half else 5 if labelled and full <= 5 else 0
    if best not in (4, 5, 10):
        return None
    return _Found(Decimal(full) + Decimal(half) / 2, best, "stars", match.end())


def _expr(text: str, pos: int, *, bests: frozenset[int], labelled: bool, box: bool,
          letters: Mapping[str, float] | None) -> _Found | None:
    """The score expression starting exactly at ``pos``, or None."""
    found = _glyphs(text, pos, labelled)
    if found:
        return found
    for pattern in (FRACTION, _OUT_OF):
        match = pattern.match(text, pos)
        if match and int(match["b"]) in bests:
            stars = _STARS_WORD.match(text, match.end())
            scale = "stars" if stars else scale_name(match["b"])
            return _Found(match["v"], match["b"], scale, stars.end() if stars else match.end())
    if labelled or box:
        match = _PERCENT.match(text, pos)
        if match:
            return _Found(match["v"], 100, "100", match.end())
    if labelled:
        match = _N_STARS.match(text, pos)
        if match:
            return _Found(match["v"], 5, "stars", match.end())
    if letters is not None:
        match = _LETTER.match(text, pos)
        if match:
            grade = match["g"].replace("−", "-").replace("–", "-").upper()
            if grade in letters:
                return _Found(Decimal(str(letters[grade])), 10, "letter", match.end())
    return None


def _prefix_ok(prefix: str) -> bool:
    """The label starts the line, follows ≤3 plain words ("Our final"), or a new sentence."""
    stripped = prefix.strip()
    if not stripped:
        return True
    if len(stripped.split()) <= 3 and not re.search(r"[.!?,;:]", stripped):
        return True
    # "... at best. Final rating: 6.1/10": a new sentence that opens with ≤3 plain words.
    return re.search(r"(?:[.!?…)\]]|\s[-–—|•·])\s+(?:[^\W\d_][\w'’]*\s+){0,3}$", prefix + " ") is not None


def _suffix_ok(suffix: str) -> bool:
    """After the score: nothing, punctuation, a new sentence or a star glyph drawing it
    ("Rating: 3.5/5 ⭐"), never running prose."""
    return re.match(r"\s*(?:$|[.!;)\]/(\-–—|•·,★⭐☆✩]|[A-Z0-9\"“'‘])", suffix) is not None


# Every label _LABEL matches, lower-cased, holds one of these ("rat": rating, rated, rate); a line
# without any has no label, and is not searched (most lines of prose). Unsure (İ, ı, ſ, the Kelvin
# sign, which re.IGNORECASE folds differently from str.lower): searched.
_LABEL_WORDS = ("rat", "scor", "grad", "verdict", "overall", "total", "giv")
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def _may_label(line: str) -> bool:
    low = line.lower()
    return any(word in low for word in _LABEL_WORDS) or _FOLDS_TO_ASCII.search(line) is not None


def _labelled(line: str, nxt: str, letters: Mapping[str, float] | None
              ) -> tuple[Score, bool] | None:
    """The last acceptable labelled score on ``line`` ("Rating - 8/10", "Grade: B+"), and
    whether it is the overall one ("Overall rating", "Final score", "Verdict")."""
    if not _may_label(line):
        return None
    result: tuple[Score, bool] | None = None
    for match in _LABEL.finditer(line):
        prefix = line[: match.start()]
        if not _prefix_ok(prefix) or _READER.search(" ".join(prefix.split()[-3:])):
            continue
        grade = match["label"].lower() == "grade"
        found = _expr(line, match.end(), bests=_LABELLED_BESTS, labelled=True, box=False,
                      letters=letters if grade else None)
        if found is None:
            continue
        suffix = line[found.end :]
        if not _suffix_ok(suffix) or _VOTES.search(suffix[:80]) or _VOTES.search(nxt[:40]):
            continue
        words = re.search(r"(?:^|(?<=\s))((?:[^\W\d_][\w'’]*\s+){1,3})$", prefix)  # "Our final "
        start = match.start() - len(words[1]) if words else match.start()
        score = make_score(found.value, found.best, line[start : found.end], found.scale)
        if score is not None:
            result = (score, _OVERALL.search(prefix[-30:] + match["label"]) is not None)
    return result


def _standalone(line: str, prev: str, nxt: str, bests: frozenset[int], box: bool) -> Score | None:
    """A line that is nothing but a score ("8/10", "★★★★☆", "8.5 out of 10 stars")."""
    core = line.strip(_LINE_TRIM + " ")
    if not core or len(core) > 40 or _VOTES.search(nxt[:40]) or _VOTES.search(line):
        return None
    if prev and len(prev) <= 40 and _READER.search(prev):
        return None  # "User Rating" / "Readers' score" heading right above
    found = _expr(core, 0, bests=bests, labelled=False, box=box, letters=None)
    if found is None or core[found.end :].strip(_LINE_TRIM):
        return None
    return make_score(found.value, found.best, core[: found.end], found.scale)


def _scan(lines: list[str], letters: Mapping[str, float] | None, box: bool = False,
          bare_best: int | None = None) -> Score | Unscored | None:
    """An overall labelled score wins, then any labelled one, then a bare one; within each
    kind the last (reviews end with their score; criteria come before the total).

    A post that scores several items of its own and gives no single verdict (a ranked list,
    a month's round-up, a haul: three labelled or two standalone scores that differ, none of
    them overall) has no score of its own: :class:`Unscored`, saying so. ``bare_best`` is the
    confirmed scale of a site whose verdict line is a bare "Score: 4.5" (:mod:`digest.reviews.scales`).
    """
    overall: Score | None = None
    labelled: list[Score] = []
    standalone: list[Score] = []
    bests = _LABELLED_BESTS if box else _STANDALONE_BESTS
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        found = _labelled(line, nxt, letters)
        if found is None and bare_best is not None:
            bare = BARE_LINE.fullmatch(line)
            score = make_score(bare["v"], bare_best, line, scale_name(bare_best)) if bare else None
            found = (score, False) if score is not None else None
        if found is not None:
            labelled.append(found[0])
            overall = found[0] if found[1] else overall
            continue
        lone = _standalone(line, lines[i - 1] if i else "", nxt, bests, box)
        standalone += [lone] if lone else []
        if lone and i and _VERDICT_HEADING.fullmatch(lines[i - 1]):
            overall = lone  # a table row: "Overall" | "9/10"
    if overall is not None:
        return overall
    if len(labelled) >= 3 and len({s.value for s in labelled}) > 1:
        return items_unscored(labelled)  # each item of a list has its own
    if labelled:
        return labelled[-1]
    if len({s.value for s in standalone}) > 1:
        return items_unscored(standalone)
    return standalone[-1] if standalone else None


def _bare_in_box(el: etree._Element) -> Score | None:
    """A box that holds exactly one number ("8.5", "85%"): /10, or /5 when drawn as stars.

    Text nodes are joined with spaces: ``<span>7.8</span><span>Score</span>`` is two words.
    """
    text = " ".join(text_lines(el, spaced=True))
    if _VOTES.search(text) or _BOX_READER.search(text):
        return None
    numbers = {m["v"] for m in _BARE.finditer(text)}
    if len(numbers) != 1:
        return None
    value = numbers.pop()
    container = el  # the outermost review block within a few levels draws stars, or not
    for depth, ancestor in enumerate(el.iterancestors()):
        if depth >= 6 or ancestor.tag in ("body", "html", "article", "main"):
            break
        if "review" in (ancestor.get("class") or "").lower():
            container = ancestor
    starry = any("star" in (d.get("class") or "").lower() for d in container.iter("*"))
    best = 5 if starry else 10
    return make_score(value, best, value, "stars" if starry else "10")


def _score_in_block(el: etree._Element, letters: Mapping[str, float] | None,
                    bare_best: int | None = None) -> Score | None:
    lines = text_lines(el)
    if not lines or sum(map(len, lines)) > 2000:
        return None
    found = _scan(lines, letters, box=True, bare_best=bare_best)
    return found if isinstance(found, Score) else _bare_in_box(el)


def _own(found: Score | Unscored | None, root: etree._Element) -> Score | Unscored | None:
    """``found`` unless the page rates several items under their headings and ``found`` is no
    overall verdict: then it is one item's (:mod:`digest.reviews.items`), and the post has none."""
    if not isinstance(found, Score) or _OVERALL.search(found.raw) or not scores_items(root):
        return found
    return Unscored("rates several items under headings that each end with the item's score, and gives"
                    " no overall verdict: a list or round-up has no score of its own")


def _text(cleaned: etree._Element, where: Where, letters: Mapping[str, float] | None,
          bare_best: int | None = None) -> Score | Unscored | None:
    for el in list(cleaned.iter("h1", "title")):
        if el.getparent() is not None:
            el.getparent().remove(el)  # titles carry "Top 10", "Episode 12", "9/11"...
    return placed_in(_own(_scan(text_lines(cleaned), letters, bare_best=bare_best), cleaned), where)


def _doc_text(doc: Document, where: Where, letters: Mapping[str, float] | None,
              bare_best: int | None = None) -> Score | Unscored | None:
    """:func:`_text` of ``doc.stripped``: with no title to drop, its shared lines as they are."""
    stripped = doc.stripped
    if stripped is None:
        return None
    if next(stripped.iter("h1", "title"), None) is not None:
        return _text(copy.deepcopy(stripped), where, letters, bare_best)
    return placed_in(_own(_scan(doc.stripped_lines, letters, bare_best=bare_best), stripped), where)


# --- public API ----------------------------------------------------------------------------


def score_from_element(text: str, best: str | None = None) -> Score | None:
    """A plugin's feed element, e.g. ``<review:score best="10">7.5</review:score>``.

    Takes "7.5" (with ``best``), "7.5/10", "4 out of 5", "85%" or "★★★★☆". A number without
    ``best`` is read as out of 10 (the scale of the sites we serve) when it is at most 10.
    """
    core = WHITESPACE.sub(" ", text or "").strip()[:100]
    found = _expr(core, 0, bests=_LABELLED_BESTS, labelled=True, box=True, letters=None)
    if found is not None and not core[found.end :].strip():
        return make_score(found.value, found.best, core, found.scale, source="feed-element")
    number = to_decimal(core)
    if number is None:
        return None
    limit = best if to_decimal(best) is not None else (10 if number <= 10 else None)
    return make_score(number, limit, core, source="feed-element") if limit is not None else None


def score_from_structured(html: str, where: Where) -> Score | None:
    """schema.org JSON-LD ``Review.reviewRating`` (also in ``@graph``, lists, a Product's or
    Movie's ``review``), microdata/RDFa ``reviewRating``, or hReview. ``aggregateRating``
    (readers' votes) and ``UserReview`` are ignored; several different scores give None."""
    doc = Document(html)
    if doc.root is None or doc.stripped is None:
        return None
    return structured_score(doc.root, doc.stripped, where, doc.class_names)


def score_from_text(html: str, where: Where, letter_scale: Mapping[str, float] | None = None,
                    bare_best: int | None = None) -> Score | None:
    """The score as sites write it: "Rating - 8/10", "RATING 8 out of 10", "Score: 85%",
    "★★★★☆", "Grade: B+" (only with ``letter_scale``). Related lists, titles, dates, prose
    fractions and readers' votes are never taken; the last labelled score wins. A bare
    "Score: 4.5" is read only on the scale ``bare_best`` the editor confirmed."""
    cleaned = Document(html).stripped
    return only_score(_text(cleaned, where, letter_scale, bare_best)) if cleaned is not None else None


def compile_selector(selector: str) -> CSSSelector:
    """Compile a configured CSS selector; ValueError with the reason if it is invalid."""
    try:
        return CSSSelector(selector)
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None


def score_from_page(html: str, selector: str | None = None,
                    letter_scale: Mapping[str, float] | None = None, bare_best: int | None = None
                    ) -> Score | None:
    """A review's article page: the configured selector, then structured data, then the
    site's score box (WP Review, Lets Review, Reviewer, JNews...) or star widget, then the
    article text.

    Related/trending lists, sidebars, nav, footer and comments are removed first, for the
    selector too, so another post's badge can never be taken for this review's score.
    """
    compiled = compile_selector(selector) if selector else None
    return only_score(page_score(Document(html), compiled, letter_scale, bare_best))


def page_score(page: Document, compiled: CSSSelector | None,
               letter_scale: Mapping[str, float] | None = None, bare_best: int | None = None
               ) -> Score | Unscored | None:
    """:func:`score_from_page` over a document already parsed (left as it was); a page of
    several items' scores and no verdict gives :class:`Unscored` with the reason.

    Every step reads the shared stripped tree but the text reader, which drops titles: it gets
    a copy of its own only when its region holds one (a copy of a page is not free).
    """
    root, cleaned = page.root, page.stripped
    if root is None or cleaned is None:
        return None
    if compiled is not None:
        for el in compiled(cleaned)[:20]:
            score = _score_in_block(el, letter_scale, bare_best)
            if score is not None:
                return replace(score, source="page-selector")
    score = structured_score(root, cleaned, "page", page.class_names)
    if score is not None:
        return score
    values, removed = page.class_values()  # the boxes are found among them (a pass per selector costs more)
    for group in BOX_GROUPS:
        found_boxes = [box for box in boxes(group, values, cleaned, removed)[:20] if not in_user_box(box)]
        found = [s for s in (_score_in_block(box, letter_scale, bare_best) for box in found_boxes) if s]
        if only_one(found) is not None:
            return replace(found[0], source="page-text")
    widget = star_widget(cleaned, in_user_box)
    if widget is not None:
        return widget
    regions = sorted(main_regions(cleaned), key=lambda el: -len(el.text_content()))
    region = regions[0] if regions else cleaned
    if next(region.iter("h1", "title"), None) is not None:  # the same region, in a copy _text may change
        cleaned = page.stripped_copy()
        assert cleaned is not None
        regions = sorted(main_regions(cleaned), key=lambda el: -len(el.text_content()))
        region = regions[0] if regions else cleaned
    read = _text(region, "page", letter_scale, bare_best)
    if isinstance(read, Score):
        return read
    # No labelled score, or scores that read as a list: the post's own closing or named verdict, if any.
    return unlabelled_verdict(region, root) or read


def find_score(entry_content: str, extras: Mapping[str, str], page_html: str | None, *,
               element_names: tuple[str, ...] = ("review_score",), selector: str | None = None,
               letter_scale: Mapping[str, float] | None = None, bare_best: int | None = None
               ) -> Score | None:
    """Feed element → structured data in content → text in content → the page.

    An element's best may come as ``extras["<name>@best"]`` (or ``"<name>_best"``).
    ``Score.source`` records which one won.
    """
    found = only_score(score_of(Document(entry_content), extras, Document(None),
                                 element_names=element_names, letter_scale=letter_scale, bare_best=bare_best))
    if found is not None or not page_html:
        return found
    return score_from_page(page_html, selector, letter_scale, bare_best)  # compiles the selector only now


def score_of(content: Document, extras: Mapping[str, str], page: Document, *,
             element_names: tuple[str, ...] = ("review_score",), selector: CSSSelector | None = None,
             letter_scale: Mapping[str, float] | None = None, bare_best: int | None = None
             ) -> Score | Unscored | None:
    """:func:`find_score` over documents already parsed; they are left as they were.

    A score anywhere wins over a list seen elsewhere (the feed may hold the items, the page the
    verdict); with none, :class:`Unscored` says why when the feed or the page shows a list.
    """
    for name in element_names:
        if extras.get(name):
            best = extras.get(f"{name}@best") or extras.get(f"{name}_best")
            score = score_from_element(extras[name], best)
            if score is not None:
                return score
    root, stripped = content.root, content.stripped
    in_feed: Score | Unscored | None = None
    if root is not None and stripped is not None:
        in_feed = (structured_score(root, stripped, "feed", content.class_names)
                   or _doc_text(content, "feed", letter_scale, bare_best))
        if isinstance(in_feed, Score):
            return in_feed
    on_page = page_score(page, selector, letter_scale, bare_best) if page.html else None
    return on_page or in_feed
