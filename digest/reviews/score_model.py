"""A review score as a value: normalised to 0–10, with its raw text, scale and source.

Shared by the text, box and structured-data readers (``scores``, ``structured``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Literal

Where = Literal["feed", "page"]

NUM = r"\d{1,3}(?:[.,]\d{1,2})?"
END = r"(?![.,]?\d)(?!\s*/\s*\d)(?![^\W\d_])"  # not 10/10/10, 05/02/2025, 10/9c, 7/10th
FRACTION = re.compile(rf"(?<![\w.,/])(?P<v>{NUM})\s*/\s*(?P<b>\d{{1,3}}){END}")


@dataclass(frozen=True)
class Score:
    value: float  # normalised 0–10, one decimal (round half up)
    raw: str  # the text as found, whitespace tidied, e.g. "Rating - 8/10", "Grade: B+"
    scale: str  # "10", "5", "100", "letter", "stars" (or another best, e.g. "20")
    source: str  # "feed-element", "feed-jsonld", ..., "page-selector", "page-text"


@dataclass(frozen=True)
class Unscored:
    """Why a post that shows scores has none of its own (a ranked list, a round-up, a haul):
    the editor is told this rather than "no score found", which would send them looking for one."""

    reason: str


DEFAULT_LETTER_SCALE: Mapping[str, float] = MappingProxyType(
    {"A+": 10.0, "A": 9.5, "A-": 9.0, "B+": 8.5, "B": 8.0, "B-": 7.5, "C+": 7.0, "C": 6.5,
     "C-": 6.0, "D+": 5.5, "D": 5.0, "D-": 4.5, "F": 0.0}
)  # fmt: skip

WHITESPACE = re.compile(r"\s+")
_TENTH = Decimal("0.1")


def normalise(value: object, best: object, worst: object = None) -> float | None:
    """``value / best * 10``, one decimal, half up; None if out of range.

    A stated ``worst`` only bounds what is valid (``worst <= value <= best``): "4 out of 5"
    is 8/10 to every reader, whether the scale starts at 0 or 1, so it is never subtracted.
    """
    v, b, w = to_decimal(value), to_decimal(best), to_decimal(worst) if worst not in (None, "") else Decimal(0)
    if v is None or b is None or w is None or b <= 0 or b <= w or not w <= v <= b or v < 0:
        return None
    scaled = v / b * 10
    return float(min(max(scaled, Decimal(0)), Decimal(10)).quantize(_TENTH, ROUND_HALF_UP))


def to_decimal(value: object) -> Decimal | None:
    text = "" if isinstance(value, bool) or value is None else str(value).strip()
    text = text.replace(",", ".")  # "7,5" is how half the world writes 7.5
    return Decimal(text) if re.fullmatch(r"-?\d{1,4}(?:\.\d{1,4})?", text) else None


def scale_name(best: object) -> str:
    number = to_decimal(best)
    if number is None:
        return str(best)
    return str(int(number)) if number == number.to_integral_value() else str(number.normalize())


def make_score(v: object, best: object, raw: str, scale: str | None = None, worst: object = None,
          source: str = "") -> Score | None:
    value = normalise(v, best, worst)
    raw = WHITESPACE.sub(" ", raw).strip()[:200]
    return None if value is None else Score(value, raw, scale or scale_name(best), source)


def items_unscored(scores: list[Score]) -> Unscored:
    """What the editor is told about a post of several items' scores: how many, the first few."""
    shown = ", ".join(repr(s.raw) for s in scores[:3]) + (", …" if len(scores) > 3 else "")
    return Unscored(f"shows {len(scores)} scores of its own items ({shown}) and no single verdict:"
                    " a list or round-up has no score of its own")


_PLACES = {"feed": "the feed's text", "page": "the article page"}


def placed_in(found: Score | Unscored | None, where: Where) -> Score | Unscored | None:
    """A text reader's finding, named after where it was read ("page-text"; "the article page shows...")."""
    if isinstance(found, Score):
        return replace(found, source=f"{where}-text")
    return Unscored(f"{_PLACES[where]} {found.reason}") if found is not None else None


def only_score(found: Score | Unscored | None) -> Score | None:
    return found if isinstance(found, Score) else None
