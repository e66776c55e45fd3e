"""Select: the week's top-scored and trending reviews, the way an editor would, with reasons.

:func:`gather_candidates` reads what it needs from the store (the only I/O);
:func:`select_issue` is a pure function of those candidates, the editor's
choices and ``now``, so the same store and the same ``now`` give the same issue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from digest.errors import ConfigError, ThinWeekError
from digest.models import NearMiss, Pick, PickKind, Review, Selection, SignalName
from digest.reviews.rules import ReviewRules, review_by_link, reviews_between
from digest.select.analytics import ExportAfterNow, read_analytics
from digest.select.editor import EditorChoices
from digest.select.edits import arrange, move, said_moves
from digest.select.stale import empty_week_hint
from digest.select.trending import TrendInputs, trends
from digest.settings.config import Config
from digest.store.database import Store
from digest.store.heads import comment_histories
from digest.weeks import Week, issue_key, parse_week

if TYPE_CHECKING:  # reader interest is loaded only when it is on ([select] reader_interest)
    from digest.select.interest import ReaderInterest


@dataclass(frozen=True)
class Candidates:
    week: Week
    window: tuple[datetime, datetime]
    reviews: tuple[Review, ...]  # reviews published in the window
    trend_pool: tuple[Review, ...]  # reviews published in the trending look-back
    pinned: Mapping[str, Review]  # link -> review, for pins outside the window
    featured: Mapping[str, str]  # uid -> the recent issue that featured it
    trend_inputs: TrendInputs
    warnings: tuple[str, ...] = ()
    missing_signals: Mapping[str, str] = field(default_factory=dict)  # signal -> why it is missing
    unseen: str | None = None  # the window's reviews first collected after ``now``, said for the editor
    empty_hint: str | None = None  # no posts this week and only older ones stored: the week they hold
    interest: ReaderInterest | None = None  # readers' clicks in the last issues; None: off or none stored


def trend_moment(now: datetime, window_end: datetime) -> datetime:
    """Trending is measured "now", but an old week rebuilt later is measured as it was."""
    return min(now, window_end + timedelta(days=1))


def gather_candidates(
    config: Config, store: Store, week: Week, now: datetime, choices: EditorChoices | None = None
) -> Candidates:
    rules = ReviewRules.from_config(config)
    start, end = week.window(config.site.tz)
    as_of = trend_moment(now, end)
    lookback = as_of - timedelta(days=config.trending.lookback_days)
    # The window and the trending look-back overlap: read each entry once, its HTML not at all
    # (the stored analyses are read; only a missing or stale one is analysed, then kept).
    since, until = min(start, lookback), max(end, as_of)
    stored = reviews_between(store, rules, since, until, reviews_only=True)
    history = comment_histories(store, (r.entry_id for r in stored), as_of)
    only = set(config.select.sections or ())  # an edition of some sections
    stored = [r for r in stored if not only or r.section in only]
    reviews = known_at(stored, history, now)
    known = {r.entry_id for r in reviews}
    in_window = [r for r in reviews if start <= r.published < end]
    pool = [r for r in reviews if lookback <= r.published < as_of]
    pinned: dict[str, Review] = {}
    for pin in choices.pins if choices else ():
        found = review_by_link(store, rules, pin.url)
        if found is not None:
            # A pin is the editor's own choice: kept even when first seen after ``now``.
            seen = comment_histories(store, [found.entry_id], as_of).get(found.entry_id, [])
            pinned[pin.url] = _counted(found, seen, now)
    first = week
    for _ in range(config.select.repeat_weeks):
        first = first.previous()
    # Each edition remembers only its own issues: keys of one edition share a prefix, so they form a range.
    edition = config.edition_id
    featured = (store.featured_between(issue_key(first.id, edition), issue_key(week.id, edition))
                if config.select.repeat_weeks else {})
    warnings: list[str] = []
    missing: dict[str, str] = {}  # signal -> why it is missing, with since when
    tz = config.site.tz
    later = sum(1 for r in stored if start <= r.published < end and r.entry_id not in known)
    unseen = None
    if later:
        unseen = (f"{later} review{'s' if later > 1 else ''} of this week first collected after "
                  f"{_day(now, tz)} (this build's --now) left out; a later --now, or none, includes them")
        warnings.append(unseen)
    site_list: tuple[datetime, tuple[str, ...]] | None = None
    if not config.trending.site_page:
        missing["site"] = "the site's trending list is not configured (trending.site_page)"
    else:
        snapshot = store.trending_snapshot(config.trending.site_page, as_of)
        if snapshot is None:
            list_read = store.trending_first_read(config.trending.site_page)
            if list_read is None:
                missing["site"] = "the site's trending list has never been read (collect reads it)"
            else:
                missing["site"] = (f"the site's trending list was first read on {_day(list_read, tz)}, after "
                                   f"{_day(as_of, tz)}, the moment this week's trending is measured at")
            warnings.append(f"trending: {missing['site']}")
        else:
            site_list = (snapshot[0], tuple(snapshot[1]))
    analytics = None
    if config.trending.analytics_csv is None:
        missing["analytics"] = "no analytics export configured (trending.analytics_csv)"
    else:
        try:
            analytics = read_analytics(config.resolve(config.trending.analytics_csv), config.site.url, now)
        except ExportAfterNow as exc:
            missing["analytics"] = (f"the analytics export was written on {_day(exc.written, tz)}, after "
                                    f"{_day(now, tz)} (this build's --now), so its views were not known then")
            warnings.append(f"analytics signal left out: {config.resolve(config.trending.analytics_csv)}: "
                            f"{missing['analytics']}; a later --now, or none, includes it")
        except ConfigError as exc:
            warnings.append(f"analytics signal left out: {exc}")
            missing["analytics"] = f"the analytics export could not be read ({exc})"
    pool_history = {r.entry_id: tuple(history.get(r.entry_id, ())) for r in pool}
    moments = sorted(t for points in pool_history.values() for t, _ in points if t <= as_of)
    if not pool:
        missing["comments"] = (f"no reviews published in the {config.trending.lookback_days} days "
                               f"before {_day(as_of, tz)}")
    elif not any(r.comments is not None for r in stored if lookback <= r.published < as_of):
        missing["comments"] = "the feeds give no comment counts (no slash:comments)"
    elif len(set(moments)) < 2:
        first_read = f" (first on {_day(moments[0], tz)})" if moments else ""
        missing["comments"] = (f"comment counts were read by fewer than two collects before "
                               f"{_day(as_of, tz)}{first_read}")
    return Candidates(
        week=week, window=(start, end), reviews=tuple(in_window), trend_pool=tuple(pool),
        pinned=pinned, featured=featured,
        trend_inputs=TrendInputs(as_of, pool_history, site_list, analytics),
        warnings=tuple(warnings), missing_signals=missing, unseen=unseen,
        empty_hint=None if in_window or later else empty_week_hint(config, store, week),
        interest=_interest(config, store, week),
    )


def _interest(config: Config, store: Store, week: Week) -> ReaderInterest | None:
    """The last issues' clicks when ``[select] reader_interest`` is on (None: off, and nothing read)."""
    if not config.select.reader_interest:
        return None
    from digest.select.interest_choice import read_interest

    return read_interest(config, store, week)


def known_at(
    reviews: Sequence[Review], history: Mapping[int, Sequence[tuple[datetime, int]]], now: datetime
) -> list[Review]:
    """The reviews as digest knew them at ``now``: those first seen later are left out, and each
    one's comment count is the last read by then (None when none was), not today's.

    A build with --now is then the week the editor would have got: a post that turned up in a
    later collect, or a count that jumped later, can neither enter nor reorder a replayed issue.
    """
    return [_counted(r, history.get(r.entry_id, ()), now) for r in reviews
            if r.first_seen is None or r.first_seen <= now]


def _counted(review: Review, seen: Sequence[tuple[datetime, int]], now: datetime) -> Review:
    counts = [count for moment, count in seen if moment <= now]
    count = counts[-1] if counts else None
    return review if count == review.comments else replace(review, comments=count)


def _day(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M")


def _rank_key(review: Review, nudge: float = 0.0) -> tuple[float, int, float, str]:
    """Higher score (plus the reader-interest nudge, when on), then more comments, then newer; the uid
    makes it total."""
    score = review.score.value if review.score else -1.0
    return (-(score + nudge) if nudge else -score, -(review.comments or 0), -review.published.timestamp(),
            review.uid)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def select_issue(
    config: Config, candidates: Candidates, choices: EditorChoices, now: datetime
) -> Selection:
    settings = config.select
    moved: dict[str, str] = {}  # uid -> the section the editor moved it from
    candidates = replace(candidates, reviews=move(candidates.reviews, choices, moved),
                         trend_pool=move(candidates.trend_pool, choices, moved),
                         pinned=dict(zip(candidates.pinned,
                                         move(tuple(candidates.pinned.values()), choices, moved), strict=True)))
    scored = [r for r in candidates.reviews if r.score is not None]
    warnings = list(candidates.warnings)
    misses: list[NearMiss] = []
    rules = _Exclusions(set(choices.drops), candidates.featured, settings.repeat_weeks)
    pinned = _pins(choices, candidates, rules.dropped, warnings)
    # The message below offers pinning as a way out, so scored pins from outside the window count.
    window_uids = {r.uid for r in scored}
    extra = sum(1 for _, r in pinned if r.score is not None and r.uid not in window_uids)
    selection_id = issue_key(candidates.week.id, config.edition_id)
    if len(scored) + extra < settings.min_scored_reviews and not settings.build_thin_week:
        if not candidates.reviews and not extra and candidates.empty_hint:  # a stale store, not a thin week
            raise ThinWeekError(f"{selection_id}: no posts this week; {candidates.empty_hint}")
        pins_note = f" and {extra} pinned from other weeks" if extra else ""
        raise ThinWeekError(
            f"{selection_id}: only {len(scored)} scored review{'s' if len(scored) != 1 else ''} this week"
            f"{pins_note} (at least {settings.min_scored_reviews} needed). Set select.build_thin_week = true, "
            "lower select.min_scored_reviews, or pin reviews, to build anyway."
            + (f" ({candidates.unseen}.)" if candidates.unseen else "")
        )
    if candidates.interest is not None and settings.reader_interest:
        from digest.select.interest_choice import choose_with_interest

        top, trending, available = choose_with_interest(
            candidates.interest, (*scored, *candidates.trend_pool), misses,
            lambda nudges, out: _choose_top(config, scored, pinned, rules, out, nudges),
            lambda chosen, nudges, out: _choose_trending(config, candidates, chosen, rules, out, nudges))
    else:
        top = _choose_top(config, scored, pinned, rules, misses)
        trending, available = _choose_trending(config, candidates, {p.review.uid for p in top}, rules, misses)
    chosen = {p.review.uid for p in top}
    trending_note = _trending_note(config, candidates, available, len(trending))
    top, trending = arrange(top, trending, choices, moved, rules.dropped, warnings)
    chosen |= {p.review.uid for p in trending}
    for review in candidates.reviews:
        if review.score is None and review.uid not in chosen:
            misses.append(NearMiss(review, f"unscored: {review.unscored_reason or 'no score found'}"))
    start, end = candidates.window
    return Selection(
        issue_id=selection_id, window_start=start, window_end=end, now=now,
        top=top, trending=trending,
        near_misses=tuple(m for m in said_moves(_dedupe(misses), moved)
                          if m.review.uid not in chosen)[: settings.near_misses],
        note_markdown=choices.note, signals_available=available,
        scored_reviews=len(scored), warnings=tuple(warnings), trending_note=trending_note,
        private_note_markdown=choices.private_note,
    )


def _trending_note(config: Config, candidates: Candidates, available: tuple[str, ...],
                   picked: int) -> str | None:
    """Why trending has fewer picks than asked: the missing signals and since when, or what excluded them."""
    wanted = config.select.trending_count
    if picked >= wanted:
        return None
    if wanted == 0:
        return None
    weights = {"comments": config.trending.comments_weight, "site": config.trending.site_weight,
               "analytics": config.trending.analytics_weight}
    missing = []
    for name in (n for n in weights if n not in available):
        why = candidates.missing_signals.get(name)
        if weights[name] == 0:
            why = f"turned off (trending.{name}_weight = 0)"
        missing.append(f"{name}: {why or 'no review in the look-back had it'}")
    head = f"{picked} of {wanted} trending picks"
    if not available:
        return f"{head}: no trending signal available. " + "; ".join(missing)
    tail = f" (missing: {'; '.join(missing)})" if missing else ""
    return (f"{head}: only {picked} review(s) in the last {config.trending.lookback_days} days had a trending "
            f"signal ({', '.join(available)}) and were not already picked or excluded{tail}")


@dataclass(frozen=True)
class _Exclusions:
    dropped: set[str]
    featured: Mapping[str, str]
    repeat_weeks: int

    def reason(self, review: Review) -> str | None:
        if review.link in self.dropped or review.uid in self.dropped:
            return "dropped by the editor"
        issue = self.featured.get(review.uid)
        if issue is not None:
            return f"featured in {issue} (not repeated for {self.repeat_weeks} weeks)"
        return None


def _pins(
    choices: EditorChoices, candidates: Candidates, dropped: set[str], warnings: list[str]
) -> list[tuple[int | None, Review]]:
    pinned: list[tuple[int | None, Review]] = []
    for pin in choices.pins:
        review = candidates.pinned.get(pin.url)
        if review is None:
            warnings.append(f"pinned URL is not in the store: {pin.url}")
        elif pin.url in dropped or review.link in dropped or review.uid in dropped:
            warnings.append(f"pinned and dropped: {pin.url}; the drop wins")
        elif any(r.uid == review.uid for _, r in pinned):
            warnings.append(f"pinned twice: {pin.url}; the first pin counts")
        else:
            pinned.append((pin.position, review))
    return pinned


def _choose_top(
    config: Config, scored: list[Review], pinned: list[tuple[int | None, Review]],
    rules: _Exclusions, misses: list[NearMiss], nudges: Mapping[str, float] | None = None,
) -> tuple[Pick, ...]:
    """The N best scores, section caps with backfill from the next best, pins forced in."""
    settings = config.select
    pinned_uids = {r.uid for _, r in pinned}
    ranked = sorted(scored, key=lambda r: _rank_key(r, nudges.get(r.uid, 0.0))) if nudges else sorted(
        scored, key=_rank_key)
    chosen: list[tuple[Review, list[str]]] = []
    per_section: dict[str, int] = {}
    slots = max(settings.top_count - len(pinned), 0)
    # Reasons speak of the rank by score: the reader-interest nudge (when on) says its own part.
    by_score = {r.uid: n for n, r in enumerate(sorted(scored, key=_rank_key), 1)} if nudges else {}
    for rank, review in enumerate(ranked, 1):
        rank = by_score.get(review.uid, rank)
        assert review.score is not None
        if review.uid in pinned_uids:
            continue
        why_not = rules.reason(review)
        if why_not is None and settings.min_score is not None and review.score.value < settings.min_score:
            why_not = f"score {review.score.value:g} is under the minimum {settings.min_score:g}"
        cap = settings.section_caps.get(review.section, settings.max_per_section)
        full = cap is not None and per_section.get(review.section, 0) >= cap
        if why_not is None and len(chosen) < slots and full:
            why_not = f"section cap: already {cap} from {review.section}"
        if why_not is None and len(chosen) >= slots:
            why_not = f"below the cut: {_ordinal(rank)} by score ({review.score.value:g}/10)"
        if why_not is not None:
            misses.append(NearMiss(review, why_not))
            continue
        per_section[review.section] = per_section.get(review.section, 0) + 1
        chosen.append((review, _top_reasons(review, rank, ranked)))
    ordered: list[tuple[PickKind, Review, list[str]]] = [(PickKind.TOP, r, why) for r, why in chosen]
    # Pins without a position lead the list (in the order given); then each positioned pin is
    # inserted at its slot in ascending order, so no later insert can push it off its position.
    unplaced = [r for position, r in pinned if position is None]
    placed = sorted(((p, r) for p, r in pinned if p is not None), key=lambda p: p[0])
    for index, review in enumerate(unplaced):
        ordered.insert(index, (PickKind.PINNED, review, _pin_reasons(review, None)))
    last = -1
    for position, review in placed:
        last = min(max(position - 1, last + 1), len(ordered))
        ordered.insert(last, (PickKind.PINNED, review, _pin_reasons(review, position)))
    return tuple(
        Pick(kind, position, review, tuple(reasons))
        for position, (kind, review, reasons) in enumerate(ordered, 1)
    )


def _pin_reasons(review: Review, position: int | None) -> list[str]:
    reasons = ["pinned by the editor" + (f" at position {position}" if position else "")]
    if review.score is not None:
        reasons.append(f"score {review.score.value:g}/10")
    return reasons


def _choose_trending(
    config: Config, candidates: Candidates, chosen: set[str], rules: _Exclusions, misses: list[NearMiss],
    nudges: Mapping[str, float] | None = None,
) -> tuple[tuple[Pick, ...], tuple[SignalName, ...]]:
    """The M most talked-about reviews not already in the top list."""
    count = config.select.trending_count
    trend_by_id, available = trends(candidates.trend_pool, candidates.trend_inputs, config.trending)
    pool = [r for r in candidates.trend_pool if r.uid not in chosen]
    if nudges:  # the reader-interest nudge, capped, added to the trend score (off: the order of before)
        pool.sort(key=lambda r: (-(trend_by_id[r.entry_id].score + nudges.get(r.uid, 0.0)),
                                 -r.published.timestamp(), r.uid))
    else:
        pool.sort(key=lambda r: (-trend_by_id[r.entry_id].score, -r.published.timestamp(), r.uid))
    missing = [name for name in SignalName if name not in available]
    trending: list[Pick] = []
    for review in pool:
        trend = trend_by_id[review.entry_id]
        if trend.score <= 0:
            continue
        why_not = rules.reason(review)
        if why_not is not None:
            misses.append(NearMiss(review, f"trending, but {why_not}"))
            continue
        if len(trending) >= count:
            misses.append(NearMiss(review, f"trending below the cut (trend score {trend.score:.2f})"))
            continue
        rank = len(trending) + 1
        reasons = [f"{_ordinal(rank)} most talked-about (trend score {trend.score:.2f})"]
        if nudges:  # the order is the nudged one: "most talked-about" would not be true of it
            added = nudges.get(review.uid, 0.0)
            reasons = [f"{_ordinal(rank)} in the trending order (trend score {trend.score:.2f}"
                       + (f" + {added:g} reader interest)" if added else ")")]
        reasons += [s.detail for s in trend.signals]
        if missing:
            reasons.append("signals not available: " + ", ".join(missing))
        trending.append(Pick(PickKind.TRENDING, rank, review, tuple(reasons), trend.signals, trend.score))
    return tuple(trending), available


def _top_reasons(review: Review, rank: int, ranked: list[Review]) -> list[str]:
    assert review.score is not None
    value = review.score.value
    reasons = [
        "highest score of the week" if rank == 1 else f"{_ordinal(rank)} highest score of the week",
        f"scored {value:g}/10 (\u201c{review.score.raw}\u201d, found in {review.score.source})",
    ]
    tied = [r for r in ranked if r is not review and r.score is not None and r.score.value == value]
    if tied:
        reasons.append(
            f"tied at {value:g} with {len(tied)} other{'s' if len(tied) > 1 else ''}; "
            f"ties go to more comments ({review.comments or 0}), then the newer review"
        )
    return reasons


def _dedupe(misses: list[NearMiss]) -> list[NearMiss]:
    seen: set[str] = set()
    out = []
    for miss in misses:
        if miss.review.uid not in seen:
            seen.add(miss.review.uid)
            out.append(miss)
    return out


__all__ = ["Candidates", "gather_candidates", "known_at", "parse_week", "select_issue", "trend_moment"]
