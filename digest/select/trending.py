"""Trending: what readers are talking about right now, from signals we can really observe.

Three signals, each normalised to 0–1 across the candidates and weighted in
config; a signal nobody has is left out and the reasons say so.

- comments: comment *growth* between collects (velocity, not the raw count),
  each increase decayed by its age with ``half_life_hours``; a post published
  inside the look-back counts from zero at its publication time.
- site: the site's own "Trending posts" list, rank-weighted (#1 of 5 → 1.0,
  #5 → 0.2), decayed by the snapshot's age.
- analytics: page views from the editors' analytics export (no timestamps,
  so no decay).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from digest.models import Review, Signal, SignalName
from digest.settings.config import TrendingSettings


@dataclass(frozen=True)
class TrendInputs:
    """What the store and the analytics file know, up to ``as_of``."""

    as_of: datetime
    comment_history: Mapping[int, Sequence[tuple[datetime, int]]]  # entry id -> observations
    site_list: tuple[datetime, tuple[str, ...]] | None  # snapshot time, links by rank
    analytics: Mapping[str, float] | None  # canonical URL -> views


@dataclass(frozen=True)
class Trend:
    score: float  # weighted 0–1
    signals: tuple[Signal, ...]


def _decay(age: timedelta, half_life_hours: float) -> float:
    hours = max(age.total_seconds() / 3600, 0.0)
    return float(0.5 ** (hours / half_life_hours))


def comment_growth(
    review: Review, history: Sequence[tuple[datetime, int]], as_of: datetime, settings: TrendingSettings
) -> tuple[float, int] | None:
    """(decayed growth, plain growth) over the look-back, or None when it cannot be measured."""
    since = as_of - timedelta(days=settings.lookback_days)
    points = [(t, c) for t, c in history if t <= as_of]
    if since <= review.published <= as_of:
        points.insert(0, (review.published, 0))
    points = [(t, c) for t, c in points if t >= since]
    if len(points) < 2:
        return None
    decayed, plain = 0.0, 0
    for (_, before), (when, after) in zip(points, points[1:], strict=False):
        grown = max(after - before, 0)
        plain += grown
        decayed += grown * _decay(as_of - when, settings.half_life_hours)
    return decayed, plain


def trends(
    pool: Sequence[Review], inputs: TrendInputs, settings: TrendingSettings
) -> tuple[dict[int, Trend], tuple[SignalName, ...]]:
    """A Trend per review id in ``pool`` and the names of the signals that were available."""
    # Per signal, per review id: the measure to normalise, and the observation it came from.
    raw: dict[SignalName, dict[int, tuple[float, Signal]]] = {name: {} for name in SignalName}
    for review in pool:
        growth = comment_growth(review, inputs.comment_history.get(review.entry_id, ()), inputs.as_of, settings)
        if growth is not None and growth[1] > 0:
            seen = Signal(SignalName.COMMENTS, 0, 0, comments=growth[1], days=settings.lookback_days)
            raw[SignalName.COMMENTS][review.entry_id] = (growth[0], seen)
    if inputs.site_list is not None:
        taken, links = inputs.site_list
        weight = _decay(inputs.as_of - taken, settings.half_life_hours)
        rank_of = {link: rank for rank, link in enumerate(links, 1)}
        for review in pool:
            rank = rank_of.get(review.link)
            if rank is not None:
                share = (len(links) - rank + 1) / len(links)
                seen = Signal(SignalName.SITE, 0, 0, rank=rank)
                raw[SignalName.SITE][review.entry_id] = (share * weight, seen)
    if inputs.analytics is not None:
        for review in pool:
            views = _views(inputs.analytics, review.link)
            if views:
                seen = Signal(SignalName.ANALYTICS, 0, 0, views=views)
                raw[SignalName.ANALYTICS][review.entry_id] = (views, seen)
    weights = {SignalName.COMMENTS: settings.comments_weight, SignalName.SITE: settings.site_weight,
               SignalName.ANALYTICS: settings.analytics_weight}
    available = tuple(
        name for name in SignalName
        if weights[name] > 0 and (raw[name] or _signal_present(name, pool, inputs))
    )
    total_weight = sum(weights[name] for name in available) or 1.0
    result: dict[int, Trend] = {}
    # The site's list is already 0–1 by rank and decayed by the snapshot's age: dividing it by the
    # pool's best would cancel that decay (a two-week-old list would count as much as today's).
    tops = {name: 1.0 if name == SignalName.SITE else max((v for v, _ in raw[name].values()), default=0.0)
            for name in available}
    for review in pool:
        signals, score = [], 0.0
        for name in available:
            top = tops[name]
            observed = raw[name].get(review.entry_id)
            if observed is not None and observed[0] > 0 and top > 0:
                value, seen = observed
                share = value / top
                signals.append(replace(seen, raw=round(value, 4), normalised=round(share, 4)))
                score += weights[name] * share
        result[review.entry_id] = Trend(round(score / total_weight, 4), tuple(signals))
    return result, available


def _views(analytics: Mapping[str, float], link: str) -> float:
    """A page's views, whether the export wrote its path with or without WordPress's final slash."""
    parts = urlsplit(link)
    if parts.query or parts.path in ("", "/"):
        return analytics.get(link, 0.0)
    other = parts.path[:-1] if parts.path.endswith("/") else parts.path + "/"
    return analytics.get(link, 0.0) + analytics.get(urlunsplit(parts._replace(path=other)), 0.0)


def _signal_present(name: SignalName, pool: Sequence[Review], inputs: TrendInputs) -> bool:
    """A signal is available when its source exists, even if no candidate scored on it."""
    if name == SignalName.COMMENTS:
        return any(r.comments is not None for r in pool)
    if name == SignalName.SITE:
        return inputs.site_list is not None
    return inputs.analytics is not None
