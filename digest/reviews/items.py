"""Posts that score several items of their own, each under its heading: a month's films, a ranked list.

"Scream, 2022 - ★★½", "3. Some Album – 8/10": a heading that names an item and ends with that
item's score. Two such headings with different scores make the page a list of items, not one
review with one verdict, so a verdict in the prose under one of them ("I'd give it a 2.5 out of 5
stars") is that item's, never the post's. The heading's own text is what says so, on any site.
"""

from __future__ import annotations

import re

from lxml import etree

from digest.reviews.score_model import NUM, to_decimal

__all__ = ["scores_items"]

_GLYPH_RUN = r"[★⭐☆✩½⯪⯨](?:\s?[★⭐☆✩½⯪⯨]){0,11}"
# The name, then the score at the very end: star glyphs after any space or mark; a fraction or
# "N out of M" only after a separating mark (so "Part 1/3" or "Chapter 2/5" is no item score).
_ITEM = re.compile(
    rf"\S.*?(?:\s(?P<glyphs>{_GLYPH_RUN})"
    rf"|\s?[,:\-–—|]\s*(?P<v>{NUM})\s*(?:/|\s+out\s+of\s+)\s*(?P<b>5|10|100)(?:\s+stars?)?)",
    re.I,
)
_ANCHOR_TRIM = " \t\n#¶§🔗"  # permalink marks themes append to headings (Hugo, Sphinx, Jekyll)


def _item_score(heading: etree._Element) -> str | None:
    text = " ".join("".join(heading.itertext()).split()).rstrip(_ANCHOR_TRIM)
    match = _ITEM.fullmatch(text)
    if match is None:
        return None
    if match["glyphs"]:
        return match["glyphs"].replace(" ", "")
    value, best = to_decimal(match["v"]), int(match["b"])
    return f"{value}/{best}" if value is not None and value <= best else None


def scores_items(root: etree._Element) -> bool:
    """True when two or more headings under ``root`` end with their item's score and the
    scores differ: the page rates a list of items and has no single score of its own."""
    found = {s for h in root.iter("h2", "h3", "h4", "h5", "h6") if (s := _item_score(h)) is not None}
    return len(found) > 1
