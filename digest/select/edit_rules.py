"""The rules an editor's order, section moves and blurbs obey, worded once for the issue file, the
command line and the desk (each adds where the value came from: a file's key and line, or a flag)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from digest.settings.config import Config


def known_sections(config: Config) -> list[str]:
    """The sections a pick may be shown in: the config's, then the default one."""
    names = [s.name for s in config.sections]
    return names + [n for n in [config.reviews.default_section] if n not in names]


def section_fault(name: str, config: Config) -> str | None:
    known = known_sections(config)
    if name in known:
        return None
    return f"unknown section {name!r} (sections: {', '.join(known)})"


def blurb_text(text: str) -> str:
    """A blurb is one paragraph of plain text: a control character is a space, and every run of
    whitespace (newlines too) is one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def blurb_fault(text: str, config: Config) -> str | None:
    """Too long for the TL;DR it replaces (it is never cut: the editor wrote every word of it)."""
    most = config.reviews.tldr_max_chars
    if len(text) <= most:
        return None
    return f"{len(text)} characters; at most {most} (reviews.tldr_max_chars)"


def order_slots(config: Config, pins: int) -> int:
    """Positions an order may name: the top picks (more when more reviews are pinned)."""
    return max(config.select.top_count, pins)


def twice(order: Sequence[str]) -> str | None:
    """The first URL an order lists twice."""
    seen: set[str] = set()
    for url in order:
        if url in seen:
            return url
        seen.add(url)
    return None


TWICE = "listed twice; each pick has one position"
