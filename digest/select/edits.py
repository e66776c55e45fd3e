"""The editor's order, section moves and blurbs: checked against the store (the command line's and the
desk's word), then applied to the week's selection.

A move happens before the choice, so the section caps judge a moved review in its new section (as
they judge every review); the order and the blurbs are applied to the picks chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.errors import UsageError
from digest.models import NearMiss, Pick, Review
from digest.select.edit_rules import TWICE, blurb_fault, blurb_text, order_slots, section_fault, twice
from digest.select.editor import (
    Candidate,
    EditorChoices,
    check_flags,
    closest,
    issue_version,
    load_editor_choices,
    resolve_urls,
    save_flags,
)
from digest.settings.config import Config
from digest.store.database import Store
from digest.weeks import Week, issue_key


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_edits` kept: the file (None: nothing to keep), what was said, the issue's
    choices now and the file's version (for the next write)."""

    path: Path | None
    notes: list[str]
    choices: EditorChoices
    version: str


def record_edits(config: Config, store: Store, week: Week, flags: EditorChoices, *,
                 expected_version: str | None = None, whole: bool = False) -> Recorded:
    """An editor's change to ``week``'s issue (``config``: the edition's), checked as ``digest build``
    checks its flags (:func:`check_edits`, a UsageError naming the flag) and kept in the issue file:
    merged with it, or, with ``whole``, as the issue's whole choices (how an edit is undone).
    ``expected_version`` (:func:`issue_version` when the editor read it) refuses a write over a change
    made since (:class:`EditConflict`). The desk's one way to change an issue, as ``build``'s."""
    named = flags.pins or flags.drops or flags.order or flags.sections or flags.blurbs
    stored = stored_reviews(config, store, week) if named else {}
    issue_id = issue_key(week.id, config.edition_id)
    flags, notes = check_edits(config, flags, stored, week.id)
    path = save_flags(config, issue_id, flags, expected_version, whole)
    return Recorded(path, notes, load_editor_choices(config, issue_id), issue_version(config, issue_id))


def stored_reviews(config: Config, store: Store, week: Week) -> dict[str, Candidate]:
    """Every stored review by canonical URL, marked in or out of ``week``: what pins may name."""
    from digest.reviews.rules import ReviewRules, reviews_between
    from digest.store.heads import heads_between

    rules = ReviewRules.from_config(config)
    start, end = week.window(config.site.tz)
    if config.reviews.scored_posts_are_reviews:  # a post's own score can make it a review: as the build sees it
        found = [(r.link, r.published) for r in reviews_between(store, rules, None, None, reviews_only=True)]
    else:
        found = [(h.link, h.published) for h in heads_between(store, None, None, keep=rules.is_review)]
    return {link: Candidate(link, published, start <= published < end) for link, published in found}


def check_edits(config: Config, flags: EditorChoices, stored: dict[str, Candidate], week_id: str,
                tz: ZoneInfo | None = None) -> tuple[EditorChoices, list[str]]:
    """:func:`check_flags` for pins and drops, then the order, sections and blurbs: each URL must be a
    stored review, an order has no URL twice and no more than the top picks, a section is one of the
    config's, a blurb fits ``reviews.tldr_max_chars``. A refusal is a UsageError naming the flag."""
    flags = resolve_urls(flags, stored)
    flags, notes = check_flags(flags, stored, week_id, config.select.top_count, tz or config.site.tz)
    if flags.order is not None:
        slots = order_slots(config, len(flags.pins))
        for position, url in enumerate(flags.order, 1):
            _stored("--order", url, stored)
            if position > slots:
                raise UsageError(f"--order {url}: position {position} is out of range; "
                                 f"positions run from 1 to {slots} (the top picks)")
        repeated = twice(flags.order)
        if repeated is not None:
            raise UsageError(f"--order {repeated}: {TWICE}")
    for url, name in flags.sections:
        _stored("--section", url, stored)
        fault = section_fault(name, config) if name else None
        if fault:
            raise UsageError(f"--section {url}={name}: {fault}")
    blurbs = []
    for url, text in flags.blurbs:
        _stored("--blurb", url, stored)
        text = blurb_text(text)
        fault = blurb_fault(text, config)
        if fault:
            raise UsageError(f"--blurb {url}: {fault}")
        blurbs.append((url, text))
    return replace(flags, blurbs=tuple(blurbs)), notes


def _stored(flag: str, url: str, stored: dict[str, Candidate]) -> None:
    if url not in stored:
        raise UsageError(f"{flag} {url}: not a stored review{closest(url, stored)}")


def parse_pair(flag: str, text: str, last: bool = False) -> tuple[str, str]:
    """``URL=VALUE`` from the command line: split at the first ``=`` (the last with ``last``)."""
    from digest.urls import canonical_url

    url, sep, value = text.rpartition("=") if last else text.partition("=")
    if not sep or not url.strip():
        raise UsageError(f"{flag} {text}: give URL={'NAME' if last else 'TEXT'}")
    return canonical_url(url.strip()), value.strip()


# -- applied to the selection ----------------------------------------------------------------------


def _named(review: Review, table: dict[str, str]) -> str | None:
    return table.get(review.link, table.get(review.uid))


def move(reviews: tuple[Review, ...], choices: EditorChoices, moved: dict[str, str]) -> tuple[Review, ...]:
    """The reviews with the editor's sections; ``moved`` gets each moved review's former section."""
    table = dict(choices.sections)
    if not table:
        return reviews
    out = []
    for review in reviews:
        section = _named(review, table)
        if section is not None and section != review.section:
            moved.setdefault(review.uid, review.section)
            review = replace(review, section=section)
        out.append(review)
    return tuple(out)


def arrange(top: tuple[Pick, ...], trending: tuple[Pick, ...], choices: EditorChoices, moved: dict[str, str],
            dropped: set[str], warnings: list[str]) -> tuple[tuple[Pick, ...], tuple[Pick, ...]]:
    """The top picks in the editor's order (listed first, then the rest as selected), every pick with
    its blurb, and each edit said among its reasons (``digest explain``)."""
    if choices.order:
        index = {url: i for i, url in enumerate(choices.order)}
        listed = sorted((p for p in top if _rank(p, index) is not None), key=lambda p: _rank(p, index) or 0)
        here = {p.review.link for p in top} | {p.review.uid for p in top}
        for url in choices.order:
            if url not in here and url not in dropped:
                warnings.append(f"ordered but not among the top picks: {url} (pin it to bring it in)")
        rest = [p for p in top if _rank(p, index) is None]
        top = tuple(_placed(p, n) for n, p in enumerate(listed + rest, 1))
    blurbs = dict(choices.blurbs)
    shown = {key for p in top + trending for key in (p.review.link, p.review.uid)}
    warnings += [f"blurb for a review that is not a pick: {url} (pin it to show it)"
                 for url in blurbs if url not in shown and url not in dropped]
    return (tuple(_edited(p, blurbs, moved) for p in top), tuple(_edited(p, blurbs, moved) for p in trending))


def _rank(pick: Pick, index: dict[str, int]) -> int | None:
    found = index.get(pick.review.link, index.get(pick.review.uid))
    return found


def _placed(pick: Pick, position: int) -> Pick:
    if position == pick.position:
        return pick
    why = f"placed at No. {position} by the editor (No. {pick.position} as selected)"
    return replace(pick, position=position, reasons=(why, *pick.reasons))


def _edited(pick: Pick, blurbs: dict[str, str], moved: dict[str, str]) -> Pick:
    reasons = list(pick.reasons)
    review = pick.review
    if review.uid in moved:
        reasons.append(f"moved by the editor from {moved[review.uid]} to {review.section}")
    blurb = _named(review, blurbs)
    if blurb:
        review = replace(review, tldr=blurb)
        reasons.append("TL;DR written by the editor")
    if review is pick.review and len(reasons) == len(pick.reasons):
        return pick
    return replace(pick, review=review, reasons=tuple(reasons))


def said_moves(misses: list[NearMiss], moved: dict[str, str]) -> list[NearMiss]:
    """Each near-miss the editor moved, saying so: a move can be why it lost (a full section)."""
    return [replace(m, reason=f"{m.reason} (moved there by the editor from {moved[m.review.uid]})")
            if m.review.uid in moved else m for m in misses]
