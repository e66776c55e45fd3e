"""What readers see and hear: scores as a screen reader says them, trending reasons in words.

Pure functions of the select stage's records, kept apart from the templating
so the wording can be read (and tested) on its own.
"""

from __future__ import annotations

import re

from digest.models import Pick, ScoreInfo, SignalName

_RTL = frozenset({"ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ku", "ps", "sd", "ur", "yi"})
_GRADE = re.compile(r"\b([A-F][+\-\u2212\u2013]?)\s*$")


def direction(lang: str) -> str:
    """The text direction for a language tag: "rtl" for Arabic, Hebrew, Persian ..., else "ltr"."""
    return "rtl" if lang.split("-")[0].lower() in _RTL else "ltr"


def spoken_score(score: ScoreInfo | None) -> tuple[str, str, str]:
    """(shown, scale, spoken): "8.5", "/10", "Score: 8.5 out of 10"; grades keep the site's "B+"."""
    if score is None:
        return "", "", ""
    number = f"{score.value:g}"
    grade = _GRADE.search(score.raw) if score.scale == "letter" else None
    if grade:
        letter = grade.group(1).replace("\u2212", "-").replace("\u2013", "-")
        return letter, "", f"Grade: {letter} ({number} out of 10)"
    return number, "/10", f"Score: {number} out of 10"


def trend_why(pick: Pick, site_name: str = "the site") -> str:
    """Why a review trends, in a reader's words, from its signals' numbers (the strongest first)."""
    words = []
    for signal in sorted(pick.signals, key=lambda s: -s.normalised):
        if signal.name == SignalName.COMMENTS:
            count, days = signal.comments or 0, signal.days or 7
            span = "this week" if days <= 7 else f"in the last {days // 7} weeks" if days % 7 == 0 else \
                f"in the last {days} days"
            words.append(f"{count:,} new comment{'s' * (count != 1)} {span}")
        elif signal.name == SignalName.SITE:
            words.append(f"No. {signal.rank} in Trending on {site_name}")
        else:
            words.append(f"read {signal.views or 0:,.0f} times")
    if not words and pick.reasons:
        words.append(pick.reasons[0])
    return " · ".join(words[:3])
