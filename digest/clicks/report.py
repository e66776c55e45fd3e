"""What readers clicked in an issue, from its stored rows: pure functions, no store, no clock.

Per pick: clicks (unique when the source gives it, else total) and click-through (unique clicks /
delivered, when both are known), ranked. Then the same clicks by section, by kind, by position and by
score band, and the issue against the average of the issues before it. A group's click-through is its
picks' unique clicks over delivered: one reader who clicks two picks of a section counts twice, which
is why it is shown beside clicks per pick.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from digest.services.clicks import BOTS
from digest.store.clicks import ClickRow

BANDS = ("9-10", "8-9", "7-8", "<7", "unscored")
# A service's own count comes before the site's analytics when both are stored for an issue.
ANALYTICS = "analytics"


def score_band(score: float | None) -> str:
    if score is None:
        return "unscored"
    return "9-10" if score >= 9 else "8-9" if score >= 8 else "7-8" if score >= 7 else "<7"


def clicks_of(row: ClickRow) -> int | None:
    """The figure ranked and summed: unique clicks, or total where the source gives no unique count."""
    return row.unique_clicks if row.unique_clicks is not None else row.total_clicks


def _rate(unique: int | None, delivered: int | None) -> float | None:
    return round(unique / delivered, 4) if unique is not None and delivered else None


def click_through(row: ClickRow) -> float | None:
    """One link's unique clicks over its issue's delivered count, when both are known."""
    return _rate(row.unique_clicks, row.delivered)


@dataclass(frozen=True)
class PickLine:
    rank: int
    position: int | None
    link: str
    section: str | None
    kind: str | None
    score: float | None
    unique: int | None
    total: int | None
    click_through: float | None


@dataclass(frozen=True)
class Group:
    name: str
    picks: int
    clicks: int
    per_pick: float
    click_through: float | None


@dataclass(frozen=True)
class Versus:
    """This issue against the average of ``issues`` (the ones before it with clicks from a source)."""

    issues: tuple[str, ...]
    clicks_per_pick: float | None
    average_clicks_per_pick: float | None
    click_through: float | None
    average_click_through: float | None


@dataclass(frozen=True)
class IssueClicks:
    issue_id: str
    source: str
    delivered: int | None
    picks: tuple[PickLine, ...]
    other_clicks: int
    by_section: tuple[Group, ...]
    by_kind: tuple[Group, ...]
    by_position: tuple[Group, ...]
    by_score: tuple[Group, ...]
    versus: Versus


def choose_source(rows: Sequence[ClickRow]) -> str | None:
    """The source an issue's report reads: its mailing service's, else the site's analytics."""
    sources = sorted({r.source for r in rows}, key=lambda s: (s == ANALYTICS, s))
    return sources[0] if sources else None


def _picks(rows: Sequence[ClickRow]) -> list[ClickRow]:
    return [r for r in rows if r.review_uid is not None]


def _group(rows: Sequence[ClickRow], key: Callable[[ClickRow], str], order: Sequence[str] = ()
           ) -> tuple[Group, ...]:
    groups: dict[str, list[ClickRow]] = {}
    for row in _picks(rows):
        groups.setdefault(key(row), []).append(row)
    names = [n for n in order if n in groups] + sorted(n for n in groups if n not in order)
    result = []
    for name in names:
        members = groups[name]
        clicks = sum(clicks_of(r) or 0 for r in members)
        uniques = [r.unique_clicks for r in members]
        unique = sum(u for u in uniques if u is not None) if all(u is not None for u in uniques) else None
        result.append(Group(name, len(members), clicks, round(clicks / len(members), 2),
                            _rate(unique, members[0].delivered)))
    return tuple(result)


def _issue_figures(rows: Sequence[ClickRow]) -> tuple[float | None, float | None]:
    """(clicks per pick, click-through of the picks) of one issue's rows of one source."""
    picks = _picks(rows)
    if not picks:
        return None, None
    clicks = sum(clicks_of(r) or 0 for r in picks)
    uniques = [r.unique_clicks for r in picks]
    unique = sum(u for u in uniques if u is not None) if all(u is not None for u in uniques) else None
    return round(clicks / len(picks), 2), _rate(unique, picks[0].delivered)


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


@dataclass(frozen=True)
class GroupAverage:
    """A group (a section, a kind) over several issues: the mean of its per-issue figures, over the
    issues it had picks in (a figure unknown in an issue is left out of its mean)."""

    name: str
    issues: int
    per_pick: float | None
    click_through: float | None


def average_groups(per_issue: Sequence[Sequence[Group]]) -> dict[str, GroupAverage]:
    """Each group name's :class:`GroupAverage` over the issues' groups (``by_section``, ``by_kind``...)."""
    seen: dict[str, list[Group]] = {}
    for groups in per_issue:
        for group in groups:
            seen.setdefault(group.name, []).append(group)
    return {name: GroupAverage(name, len(gs), _mean([g.per_pick for g in gs]),
                               _mean([g.click_through for g in gs])) for name, gs in seen.items()}


def issue_clicks(issue_id: str, rows: Sequence[ClickRow], earlier: Sequence[tuple[str, Sequence[ClickRow]]]
                 ) -> IssueClicks | None:
    """The report of one issue's ``rows`` (every source; one is read), against ``earlier`` issues'
    rows; None when no row is stored for it."""
    source = choose_source(rows)
    if source is None:
        return None
    rows = [r for r in rows if r.source == source]
    delivered = next((r.delivered for r in rows if r.delivered is not None), None)
    ranked = sorted(_picks(rows), key=lambda r: (-(clicks_of(r) or 0), r.position or 0, r.link))
    picks = tuple(PickLine(i, r.position, r.link, r.section, r.kind, r.score, r.unique_clicks, r.total_clicks,
                           _rate(r.unique_clicks, delivered)) for i, r in enumerate(ranked, 1))
    other = sum(clicks_of(r) or 0 for r in rows if r.review_uid is None)
    figures = [(issue, _issue_figures([r for r in its if r.source == choose_source(its)]))
               for issue, its in earlier]
    figures = [(issue, f) for issue, f in figures if f[0] is not None]
    per_pick, rate = _issue_figures(rows)
    versus = Versus(tuple(i for i, _ in figures), per_pick, _mean([f[0] for _, f in figures]), rate,
                    _mean([f[1] for _, f in figures]))
    return IssueClicks(
        issue_id, source, delivered, picks, other,
        _group(rows, lambda r: r.section or "(no section)"),
        _group(rows, lambda r: r.kind or "?", ("top", "pinned", "trending")),
        tuple(sorted(_group(rows, lambda r: str(r.position)), key=lambda g: int(g.name))),
        _group(rows, lambda r: score_band(r.score), BANDS),
        versus,
    )


def to_json(report: IssueClicks) -> dict[str, Any]:
    def group(g: Group) -> dict[str, Any]:
        return {"name": g.name, "picks": g.picks, "clicks": g.clicks, "clicks_per_pick": g.per_pick,
                "click_through": g.click_through}

    v = report.versus
    return {
        "issue": report.issue_id, "source": report.source, "delivered": report.delivered,
        "picks": [{"rank": p.rank, "position": p.position, "url": p.link, "section": p.section, "kind": p.kind,
                   "score": p.score, "unique_clicks": p.unique, "total_clicks": p.total,
                   "click_through": p.click_through} for p in report.picks],
        "other_clicks": report.other_clicks,
        "by_section": [group(g) for g in report.by_section], "by_kind": [group(g) for g in report.by_kind],
        "by_position": [group(g) for g in report.by_position], "by_score": [group(g) for g in report.by_score],
        "versus": {"issues": list(v.issues), "clicks_per_pick": v.clicks_per_pick,
                   "average_clicks_per_pick": v.average_clicks_per_pick, "click_through": v.click_through,
                   "average_click_through": v.average_click_through},
        "bots": BOTS.get(report.source),
    }


def _pct(rate: float | None) -> str:
    return f"{rate * 100:.1f}%" if rate is not None else "-"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def format_report(report: IssueClicks) -> list[str]:
    """The report as the terminal shows it."""
    delivered = f"{report.delivered} delivered" if report.delivered is not None else "delivered count unknown"
    bots = BOTS.get(report.source)
    lines = [f"{report.issue_id}: clicks from {report.source}, {delivered}",
             *([f"bot and machine clicks: {bots}"] if bots else []), "",
             "rank  pos  unique  total  click-through  kind      score  section / link"]
    for p in report.picks:
        score = f"{p.score:.1f}" if p.score is not None else "-"
        lines.append(f"{p.rank:>4}  {_count(p.position):>3}  {_count(p.unique):>6}  {_count(p.total):>5}  "
                     f"{_pct(p.click_through):>13}  {p.kind or '-':<8}  {score:>5}  "
                     f"{p.section or '-'}  {p.link}")
    lines.append(f"other links (home, archive, unsubscribe...): {report.other_clicks} clicks")
    for title, groups in (("section", report.by_section), ("kind", report.by_kind),
                          ("position", report.by_position), ("score band", report.by_score)):
        lines += ["", f"by {title}:"]
        lines += [f"  {g.name:<14} {g.picks:>2} picks  {g.clicks:>5} clicks  {g.per_pick:>7.2f} per pick  "
                  f"click-through {_pct(g.click_through)}" for g in groups]
    v = report.versus
    lines.append("")
    if not v.issues:
        lines.append("against earlier issues: none has clicks stored yet")
    else:
        lines.append(f"against the average of the {len(v.issues)} issue(s) before ({', '.join(v.issues)}): "
                     f"{v.clicks_per_pick} vs {v.average_clicks_per_pick} clicks per pick, "
                     f"click-through {_pct(v.click_through)} vs {_pct(v.average_click_through)}")
    return lines
