"""A service's click report as the issue's stored rows: one per pick (zero when nobody clicked it), one
per other link, URLs that are the same pick summed.

The picks come from the store (``issue_picks``: uid, link, kind, position); their section and score from
the built issue's manifest.json, matched by link. A manifest that is gone or unreadable only leaves
those two empty: the counts are still kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digest.clicks.mapping import link_key, match, matcher
from digest.errors import DigestError, UsageError
from digest.services.clicks import ClickReport, LinkClicks
from digest.store import clicks as stored
from digest.store.clicks import ClickRow
from digest.store.database import Store


@dataclass(frozen=True)
class IssuePick:
    uid: str
    link: str
    kind: str
    position: int
    section: str | None
    score: float | None


def _manifest_facts(out_dir: str) -> dict[str, tuple[str | None, float | None]]:
    """``link_key -> (section, score)`` from the issue's manifest.json; empty when it cannot be read."""
    try:
        manifest = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))
        picks = manifest["picks"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    facts: dict[str, tuple[str | None, float | None]] = {}
    for pick in picks if isinstance(picks, list) else []:
        if isinstance(pick, dict) and isinstance(pick.get("url"), str):
            section, score = pick.get("section"), pick.get("score")
            facts[link_key(pick["url"])] = (section if isinstance(section, str) else None,
                                            float(score) if isinstance(score, int | float) else None)
    return facts


def issue_picks(store: Store, issue_id: str) -> list[IssuePick]:
    """The built issue's picks with their section and score; a UsageError when it was never built."""
    record = store.issue(issue_id)
    if record is None:
        raise UsageError(f"no issue {issue_id} in the store: clicks are kept per built issue; "
                         f"build it first (`digest build --week ...`)")
    facts = _manifest_facts(record.out_dir)
    return [IssuePick(uid, link, kind, position, *facts.get(link_key(link), (None, None)))
            for uid, link, kind, position in stored.issue_picks(store, issue_id)]


def _add(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b


def _check(report: ClickReport) -> None:
    """A service's answer is untrusted: a negative count is refused before anything is replaced."""
    counts = [(c.url, n) for c in report.links for n in (c.unique, c.total) if n is not None]
    counts += [("delivered", report.delivered)] if report.delivered is not None else []
    for what, count in counts:
        if count < 0:
            raise DigestError(f"{report.service}'s click report for campaign {report.campaign_id} gives "
                              f"{count} for {what[:200]!r}: not stored (the counts kept before stand)")


def rows_for(issue_id: str, report: ClickReport, picks: list[IssuePick], period: tuple[datetime, datetime],
             fetched_at: datetime) -> list[ClickRow]:
    """Stored rows for ``report``: every pick (0 clicks when unreported, None where the service never
    gives that figure), then each other link, URLs mapping to the same place summed."""
    _check(report)
    table = matcher((p.uid, p.link) for p in picks)
    summed: dict[tuple[str | None, str], LinkClicks] = {}
    for link in report.links:
        found = match(link.url, table)
        key = (found.uid, found.link)
        before = summed.get(key)
        summed[key] = link if before is None else LinkClicks(
            found.link, _add(before.unique, link.unique), _add(before.total, link.total))
    gives_unique = any(c.unique is not None for c in report.links)
    gives_total = any(c.total is not None for c in report.links)
    zero_unique, zero_total = (0 if gives_unique else None), (0 if gives_total else None)
    by_uid = {uid: counts for (uid, _), counts in summed.items() if uid is not None}

    def row(link: str, pick: IssuePick | None, unique: int | None, total: int | None) -> ClickRow:
        return ClickRow(issue_id, report.service, link, pick.uid if pick else None,
                        pick.position if pick else None, pick.section if pick else None,
                        pick.kind if pick else None, pick.score if pick else None, unique, total,
                        report.delivered, period[0], period[1], fetched_at)

    rows = []
    canonical = dict(table.values())
    for pick in picks:
        counts = by_uid.get(pick.uid)
        rows.append(row(canonical[pick.uid], pick, counts.unique if counts else zero_unique,
                        counts.total if counts else zero_total))
    others = sorted((link, c) for (uid, link), c in summed.items() if uid is None)
    rows.extend(row(link, None, c.unique, c.total) for link, c in others)
    return rows


def record_report(store: Store, issue_id: str, report: ClickReport, period: tuple[datetime, datetime],
                  now: datetime) -> list[ClickRow]:
    """Store a service's report for a built issue, in place of what that service said before."""
    rows = rows_for(issue_id, report, issue_picks(store, issue_id), period, now)
    stored.replace_clicks(store, issue_id, report.service, rows)
    return rows
