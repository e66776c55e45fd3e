"""The desk's reader-clicks panel: last issue's numbers beside this week's candidates.

What helps an editor choose is how each section and kind did last time and over the last few issues,
and, for a candidate that was already in an earlier issue (a trending review carried over), how often
it was clicked there. Every figure comes from :mod:`digest.clicks.report`, the same computation as
``digest report`` (a group's click-through: its picks' unique clicks over delivered; clicks per pick
where the delivered count is unknown). Nothing is shown when no clicks are stored for this edition.

Stored text (sections, links) came from feeds and services: every word is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from digest.clicks.report import (
    GroupAverage,
    IssueClicks,
    average_groups,
    choose_source,
    click_through,
    clicks_of,
    issue_clicks,
)
from digest.desk.session import DeskSession
from digest.models import Review
from digest.reviews.rules import ReviewRules, reviews_in_window
from digest.store import clicks as stored
from digest.store.clicks import ClickRow
from digest.weeks import split_issue_key

LAST = 4  # as ``digest report --last``: the last issues averaged
CSS = """#clicks table { border-collapse: collapse; margin: 0 0 8px; }
#clicks th, #clicks td { padding: 2px 8px; text-align: left; } #clicks thead th { color: #4b5260; }"""


def _pct(rate: float | None) -> str:
    return f"{rate * 100:.1f}%" if rate is not None else "-"


def _figure(rate: float | None, per_pick: float | None, delivered_known: bool) -> str:
    """Click-through when every issue counted has a delivered count, else clicks per pick."""
    if delivered_known:
        return _pct(rate)
    return f"{per_pick:.2f} per pick" if per_pick is not None else "-"


def _table(caption: str, last: Sequence[tuple[str, float, float | None]], average: dict[str, GroupAverage],
           delivered_known: bool, span: int) -> str:
    rows = "".join(
        f'<tr><th scope="row">{escape(name)}</th><td>{escape(_figure(rate, per_pick, delivered_known))}</td>'
        f"<td>{escape(_figure(average[name].click_through, average[name].per_pick, delivered_known))}</td></tr>"
        for name, per_pick, rate in last)
    return (f"<table><caption>{escape(caption)}</caption><thead><tr><th scope=\"col\">{escape(caption)}</th>"
            f'<th scope="col">last issue</th><th scope="col">the last {span} issues</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _carried(reviews: Sequence[Review], earlier: Sequence[tuple[str, Sequence[ClickRow]]]) -> str:
    """Each candidate that was a pick in an earlier issue, with its clicks there."""
    titles = {r.uid: r for r in reviews}
    lines = []
    for issue_id, rows in earlier:
        source = choose_source(rows)
        for row in rows:
            review = titles.get(row.review_uid or "")
            if review is None or row.source != source:
                continue
            rate = click_through(row)
            through = f", click-through {_pct(rate)}" if rate is not None else ""
            lines.append(f'<li><a href="{escape(review.link)}" rel="noreferrer noopener" target="_blank">'
                         f"{escape(review.title)}</a>: in {escape(issue_id)} (#{row.position or '-'} "
                         f"{escape(row.kind or '-')}), {clicks_of(row) or 0} clicks{through}</li>")
    if not lines:
        return ""
    return f"<h3>Candidates already in an earlier issue</h3><ul>{''.join(lines)}</ul>"


def _panel(last: IssueClicks, before: Sequence[IssueClicks], carried: str) -> str:
    reports = [last, *before]
    delivered_known = all(r.delivered for r in reports)
    span = len(reports)
    delivered = f"{last.delivered} delivered" if last.delivered else "delivered count unknown"
    figure = "click-through (unique clicks / delivered)" if delivered_known else "clicks per pick"
    head = (f'<section id="clicks" aria-labelledby="clicks-heading"><h2 id="clicks-heading">What readers '
            f"clicked</h2><p>Last issue: {escape(last.issue_id)}, from {escape(last.source)}, {delivered}; "
            f"beside the average of the last {span} issues with clicks stored. Figure: {figure}, as "
            f"<code>digest report</code> gives it.</p>")
    kinds = _table("kind", [(g.name, g.per_pick, g.click_through) for g in last.by_kind],
                   average_groups([r.by_kind for r in reports]), delivered_known, span)
    sections = _table("section", [(g.name, g.per_pick, g.click_through) for g in last.by_section],
                      average_groups([r.by_section for r in reports]), delivered_known, span)
    return head + kinds + sections + carried + "</section>"


def clicks_panel(session: DeskSession) -> str:
    """The panel for the session's issue, or "" when this edition has no clicks stored before it."""
    config = session.config
    with session.store(lock=False) as store:
        ours = [i for i in stored.issues_with_clicks(store)
                if split_issue_key(i)[0] == config.edition_id and i < session.issue_id]
        if not ours:
            return ""
        earlier = [(i, stored.clicks(store, i)) for i in reversed(ours)]  # newest first
        start, end = session.week.window(config.site.tz)
        reviews = [r for r in reviews_in_window(store, ReviewRules.from_config(config), start, end)
                   if r.is_review]
    reports = [r for r in (issue_clicks(i, rows, ()) for i, rows in earlier[:LAST]) if r is not None]
    if not reports:
        return ""
    return _panel(reports[0], reports[1:], _carried(reviews, earlier))
