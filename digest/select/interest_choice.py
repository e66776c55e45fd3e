"""Reader interest in the selection: read the last issues' click aggregates, then choose with the nudge.

:func:`read_interest` is the gather side (the store); :func:`choose_with_interest` is pure: it makes
the choice without the nudge first (the baseline), then with it and the floor, and says in each pick's
and near-miss's reasons what the nudge changed, with the numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from digest.models import NearMiss, Pick, Review, SignalName
from digest.select.interest import TOP, TRENDING, ReaderInterest, annotate, reader_interest, with_floor
from digest.settings.config import Config
from digest.store.clicks import clicks, issues_with_clicks
from digest.store.database import Store
from digest.weeks import Week, issue_key, split_issue_key

ChooseTop = Callable[[Mapping[str, float] | None, list[NearMiss]], tuple[Pick, ...]]
ChooseTrending = Callable[[set[str], Mapping[str, float] | None, list[NearMiss]],
                          tuple[tuple[Pick, ...], tuple[SignalName, ...]]]


def read_interest(config: Config, store: Store, week: Week) -> ReaderInterest | None:
    """The click aggregates of this edition's last ``reader_interest_issues`` issues before ``week``."""
    settings = config.select
    edition, current = config.edition_id, issue_key(week.id, config.edition_id)
    before = [i for i in issues_with_clicks(store) if split_issue_key(i)[0] == edition and i < current]
    last = before[-settings.reader_interest_issues:]
    return reader_interest(((i, clicks(store, i)) for i in last), settings.reader_interest,
                           settings.reader_interest_margin)


def _said(misses: list[NearMiss], baseline: tuple[Pick, ...], kind: str) -> list[NearMiss]:
    was = {p.review.uid: p.position for p in baseline}
    return [replace(m, reason=f"{m.reason}; {kind} pick {was[m.review.uid]} without the reader-interest nudge")
            if m.review.uid in was else m for m in misses]


def choose_with_interest(
    interest: ReaderInterest, reviews: Iterable[Review], misses: list[NearMiss],
    choose_top: ChooseTop, choose_trending: ChooseTrending,
) -> tuple[tuple[Pick, ...], tuple[Pick, ...], tuple[SignalName, ...]]:
    """The top and trending picks with the nudge and the floor, each touched pick explained."""
    pool = list(reviews)
    scratch: list[NearMiss] = []
    base_top = choose_top(None, scratch)
    base_trending, _ = choose_trending({p.review.uid for p in base_top}, None, scratch)
    top_misses: list[NearMiss] = []

    def top_choice(nudges: Mapping[str, float]) -> tuple[Pick, ...]:
        top_misses.clear()
        return choose_top(nudges, top_misses)

    top_nudges = {r.uid: interest.nudge(r.section, TOP) for r in pool}
    top, top_kept, top_applied = with_floor(top_choice, base_top, top_nudges)
    chosen = {p.review.uid for p in top}
    trend_misses: list[NearMiss] = []
    available: list[tuple[SignalName, ...]] = [()]

    def trend_choice(nudges: Mapping[str, float]) -> tuple[Pick, ...]:
        trend_misses.clear()
        picks, available[0] = choose_trending(chosen, nudges, trend_misses)
        return picks

    trend_nudges = {r.uid: interest.nudge(r.section, TRENDING) for r in pool}
    trending, trend_kept, trend_applied = with_floor(trend_choice, base_trending, trend_nudges,
                                      lambda: {p.review.section for p in top})
    # A review the nudge kept out of trending may already be a top near-miss: the first reason is shown.
    out = {p.review.uid for p in trending}
    lost = tuple(p for p in base_trending if p.review.uid not in out)
    misses.extend(_said(_said(top_misses, base_top, TOP) + trend_misses, lost, TRENDING))
    return (annotate(top, base_top, interest, TOP, top_kept, top_applied),
            annotate(trending, base_trending, interest, TRENDING, trend_kept, trend_applied), available[0])
