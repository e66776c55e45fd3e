"""The issue's manifest: every pick and near-miss with its reasons, as stable JSON.

Only facts derived from the store and ``now`` go in (no build timestamps, no
paths), with sorted keys, so the same store and ``now`` give the same bytes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NotRequired, TypedDict, cast
from zoneinfo import ZoneInfo

from digest.errors import DigestError
from digest.models import NearMiss, Pick, PickKind, Review, Selection
from digest.settings.editions import DEFAULT_EDITION
from digest.weeks import parse_week, split_issue_key, week_label

SCHEMA = 1


class ReviewFacts(TypedDict):
    title: str
    url: str
    section: str
    author: str | None
    published: str  # ISO 8601, in the site's timezone
    comments: int | None
    score: float | None  # 0–10
    score_raw: str | None  # the text it was read from, e.g. "Rating - 8/10"
    score_source: str | None  # where: "feed-element", "feed-text", "page-jsonld" ...


class SignalFacts(TypedDict):
    name: str  # "comments", "site", "analytics"
    raw: float
    normalised: float
    detail: str  # "+14 comments in the last 7 days", "#2 on the site's trending list" ...


class PickFacts(ReviewFacts):
    kind: str  # "top", "pinned", "trending"
    position: int
    tldr: str
    reasons: list[str]


class TrendingPickFacts(PickFacts):
    trend_score: float | None
    signals: list[SignalFacts]


class MissFacts(ReviewFacts):
    reason: str


class Window(TypedDict):
    start: str
    end: str


class Manifest(TypedDict):
    """manifest.json, as written (keys sorted) and read back."""

    schema: int
    issue: str  # "2025-W19"
    window: Window
    now: str
    subject: str
    preheader: str | None
    scored_reviews: int
    signals_available: list[str]
    note: str | None  # the editor's note, Markdown
    picks: list[PickFacts | TrendingPickFacts]
    near_misses: list[MissFacts]
    warnings: list[str]
    trending_note: NotRequired[str | None]  # why fewer trending picks than asked; older manifests lack it
    edition: NotRequired[str]  # "default" or an [[editions]] name; older manifests lack it
    week: NotRequired[str]  # "2025-W19", without the edition
    private_note: NotRequired[str | None]  # the subscribers-only note: email and explain, never the archive
    report: NotRequired[dict[str, Any]]  # the pre-send report the build printed (digest.mail.report)


def _when(moment: datetime, tz: ZoneInfo | None) -> str:
    """One instant, one text: the same ``now`` given in another zone must not change the bytes."""
    return moment.astimezone(tz or UTC).isoformat()


def _review(review: Review, tz: ZoneInfo | None) -> ReviewFacts:
    return {
        "title": review.title,
        "url": review.link,
        "section": review.section,
        "author": review.author,
        "published": _when(review.published, tz),
        "comments": review.comments,
        "score": review.score.value if review.score else None,
        "score_raw": review.score.raw if review.score else None,
        "score_source": review.score.source if review.score else None,
    }


def _pick(pick: Pick, tz: ZoneInfo | None) -> PickFacts | TrendingPickFacts:
    data = PickFacts(**_review(pick.review, tz), kind=str(pick.kind), position=pick.position,
                     tldr=pick.review.tldr, reasons=list(pick.reasons))
    if pick.kind != PickKind.TRENDING:
        return data
    signals = [SignalFacts(name=str(s.name), raw=s.raw, normalised=s.normalised, detail=s.detail)
               for s in pick.signals]
    return TrendingPickFacts(**data, trend_score=pick.trend_score, signals=signals)


def _miss(miss: NearMiss, tz: ZoneInfo | None) -> MissFacts:
    return {**_review(miss.review, tz), "reason": miss.reason}


def build_manifest(
    selection: Selection, subject: str, tz: ZoneInfo | None = None, preheader: str | None = None
) -> Manifest:
    edition, week_id = split_issue_key(selection.issue_id)
    return {
        "schema": SCHEMA,
        "issue": selection.issue_id,
        "edition": edition or DEFAULT_EDITION,
        "week": week_id,
        "private_note": selection.private_note_markdown,
        "window": {"start": _when(selection.window_start, tz), "end": _when(selection.window_end, tz)},
        "now": _when(selection.now, tz),
        "subject": subject,
        "preheader": preheader,
        "scored_reviews": selection.scored_reviews,
        "signals_available": [str(name) for name in selection.signals_available],
        "note": selection.note_markdown,
        "picks": [_pick(p, tz) for p in selection.picks],
        "near_misses": [_miss(m, tz) for m in selection.near_misses],
        "warnings": list(selection.warnings),
        "trending_note": selection.trending_note,
    }


def dumps(manifest: Manifest) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def load_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DigestError(f"{path}: no manifest (build the issue first: digest build)") from None
    except (OSError, ValueError) as exc:
        raise DigestError(f"{path}: cannot read the manifest: {exc}") from None
    if not isinstance(data, dict) or "picks" not in data:
        raise DigestError(f"{path}: not a digest manifest")
    return cast(Manifest, data)


def format_manifest(manifest: Manifest) -> str:
    """The manifest as the table ``digest explain`` prints, with each review's URL to copy."""
    edition = manifest.get("edition", DEFAULT_EDITION)
    lines = [f"{_week_shown(manifest)}  subject: {manifest['subject']}",
             f"signals available: {', '.join(manifest['signals_available']) or 'none'}; "
             f"{manifest['scored_reviews']} scored reviews in the window; edition {edition}", ""]
    lines.append(f"{'#':>2}  {'kind':<8} {'score':>5}  {'section':<11}  title")
    picks = manifest["picks"]
    for pick in (p for p in picks if p["kind"] != "trending"):
        lines += _pick_lines(pick)
    trending = [p for p in picks if p["kind"] == "trending"]
    lines += ["", f"trending: {len(trending)} pick{'s' * (len(trending) != 1)}"
              + (f" from {', '.join(manifest['signals_available'])}" if manifest["signals_available"] else "")]
    if manifest.get("trending_note"):
        lines.append(f"  why not more: {manifest['trending_note']}")
    for pick in trending:
        lines += _pick_lines(pick)
    if manifest["near_misses"]:
        lines += ["", "near misses:"]
        for miss in manifest["near_misses"]:
            score = f"{miss['score']:.1f}" if miss["score"] is not None else "-"
            lines.append(
                f"    {score:>5}  {miss['section'][:11]:<11}  {miss['title'][:60]}  <- {miss['reason']}"
            )
            lines.append(f"{'':>24}{miss['url']}")
    if manifest.get("note"):
        lines += ["", f"note: {manifest['note']}"]
    if manifest.get("private_note"):
        lines.append(f"private note (email only, never archived): {manifest['private_note']}")
    for warning in manifest.get("warnings", []):
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def _week_shown(manifest: Manifest) -> str:
    """"May 12–18, 2025 (2025-W20)": the week as people read it, and the id ``--week`` takes."""
    issue = str(manifest["issue"])
    try:
        label = week_label(parse_week(split_issue_key(issue)[1]))
    except DigestError:  # a manifest edited by hand: its window's dates are the best there is
        label = f"{manifest['window']['start'][:10]} .. {manifest['window']['end'][:10]}"
    return f"{label} ({issue})"


def _pick_lines(pick: PickFacts) -> list[str]:
    score = f"{pick['score']:.1f}" if pick["score"] is not None else "-"
    lines = [f"{pick['position']:>2}  {pick['kind']:<8} {score:>5}  {pick['section'][:11]:<11}  "
             f"{pick['title'][:72]}", f"{'':>32}{pick['url']}"]
    lines += [f"{'':>30}- {reason}" for reason in pick["reasons"]]
    return lines
