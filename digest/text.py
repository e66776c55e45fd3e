"""Untrusted text made bounded and honest: length caps on a word boundary, no bidi overrides.

A shared leaf: the collect stage caps what it stores, the email stage what it shows,
with the same rules.
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "TITLE_MAX", "AUTHOR_MAX", "SUMMARY_MAX", "clip", "strip_bidi"]

# Caps on feed fields (characters). A 9 MB title is a hostile or broken post, never a headline.
TITLE_MAX = 300
AUTHOR_MAX = 100
SUMMARY_MAX = 20_000  # raw HTML of the feed's description: enough for any real TL;DR or score line
CONTENT_MAX = 500_000  # raw HTML of the post body: the score reader needs the whole review
# Right-to-left and isolate overrides make a subject or title read differently from what it holds.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ELLIPSIS = "\u2026"


def strip_bidi(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def clip(text: str, limit: int | None) -> str:
    """``text`` at most ``limit`` characters, cut on a word boundary with an ellipsis."""
    if limit is None or len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = len(cut) if text[limit - 1] == " " else cut.rfind(" ")  # the cut may already end a word
    if space >= limit // 2:  # a word boundary not too far back; else cut mid-word
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2013\u2014([{\"'\u201c\u2018") + ELLIPSIS
