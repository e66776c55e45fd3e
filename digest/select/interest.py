"""Reader interest: what readers clicked in the last issues, as one small, capped, explained nudge.

Off by default (``[select] reader_interest = 0``): then nothing here is read or called and the
selection is the one digest made before. With a weight, each section's picks over the last
``reader_interest_issues`` issues are compared with the issues' average pick (its *lift*: 1.0 is an
average pick, 2.0 twice as clicked). A section clicked more than average gets a boost, never a penalty:

    nudge = margin * min(1, weight * max(lift - 1, 0))

added to a review's score (top list; ``margin`` in score points) or trend score (trending list;
``margin / 10``, the trend score being 0-1). So a review can pass another only when that one's score
is higher by less than the margin. The lift of a section is measured among picks of the same kind
(top or trending) when it had some, else among all its picks.

The lift needs no delivered count: each issue's picks are compared with that issue's own average pick,
so an issue whose service gives no delivered count weighs the same as one that does. The click-through
shown beside it (clicks / delivered) is given only when every issue counted has a delivered count.

The floor (:func:`with_floor`): a section that has a pick without the nudge keeps at least one with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from digest.clicks.report import choose_source, clicks_of
from digest.models import Pick, PickKind
from digest.store.clicks import ClickRow

TOP, TRENDING = "top", "trending"


def kind_of(kind: str | None) -> str:
    """A pinned pick sits in the top list: its clicks count as the top list's."""
    return TRENDING if kind == TRENDING else TOP


@dataclass(frozen=True)
class Interest:
    """One group's picks (a section, a kind, or a section within a kind) over the issues counted."""

    picks: int
    clicks: int
    lift: float  # clicks per pick over the issues' average pick: 1.0 is average
    click_through: float | None  # clicks / delivered per pick; None when a delivered count is unknown


@dataclass(frozen=True)
class ReaderInterest:
    """The click aggregates the select stage is given (read by ``gather_candidates``), and the settings."""

    weight: float
    margin: float  # in score points (0-10); the trending list's is margin / 10
    issues: tuple[str, ...]  # the issues counted, oldest first
    overall: Interest
    sections: Mapping[str, Interest]
    kinds: Mapping[str, Interest]
    cells: Mapping[tuple[str, str], Interest]  # (section, kind) -> figures

    def figure(self, section: str, kind: str) -> Interest | None:
        return self.cells.get((section, kind)) or self.sections.get(section)

    def share(self, section: str, kind: str) -> float:
        """0-1: how much of the margin the section gets; 0 for an unknown or under-clicked section."""
        found = self.figure(section, kind)
        return 0.0 if found is None else min(1.0, self.weight * max(found.lift - 1.0, 0.0))

    def scale(self, kind: str) -> float:
        return self.margin if kind == TOP else self.margin / 10

    def nudge(self, section: str, kind: str) -> float:
        return round(self.scale(kind) * self.share(section, kind), 4)

    def explain(self, section: str, kind: str) -> str:
        """The numbers behind a section's nudge, for the pick's reasons."""
        found = self.figure(section, kind)
        assert found is not None
        within = f" {kind} picks" if (section, kind) in self.cells else ""
        span = f"over the last {len(self.issues)} issue{'s' if len(self.issues) != 1 else ''}"
        if found.click_through is not None and self.overall.click_through is not None:
            figures = (f"{section}{within} click-through {found.click_through:.1%} {span} "
                       f"vs {self.overall.click_through:.1%} overall")
        else:
            figures = (f"{section}{within} {found.clicks / found.picks:.1f} clicks per pick {span} "
                       f"vs {self.overall.clicks / self.overall.picks:.1f} overall (delivered count unknown)")
        nudge, scale = self.nudge(section, kind), self.scale(kind)
        return f"{figures}, +{nudge:g} (capped at {scale:g}, reader_interest = {self.weight:g})"


def _figures(rows: Sequence[tuple[ClickRow, float]]) -> Interest:
    clicks = sum(clicks_of(r) or 0 for r, _ in rows)
    delivered = [r.delivered for r, _ in rows]
    known = [d for d in delivered if d]
    rate = round(clicks / sum(known), 4) if known and len(known) == len(delivered) else None
    return Interest(len(rows), clicks, round(sum(s for _, s in rows) / len(rows), 4), rate)


def reader_interest(issues: Iterable[tuple[str, Sequence[ClickRow]]], weight: float, margin: float
                    ) -> ReaderInterest | None:
    """The figures from each issue's stored rows (a service's before the analytics export's); None when
    no issue has a clicked pick to compare with."""
    counted: list[str] = []
    shared: list[tuple[ClickRow, float]] = []  # each pick row, and its clicks over its issue's average
    for issue_id, rows in issues:
        source = choose_source(rows)
        picks = [r for r in rows if r.source == source and r.review_uid is not None]
        average = sum(clicks_of(r) or 0 for r in picks) / len(picks) if picks else 0.0
        if average <= 0:
            continue  # nobody clicked a pick: nothing to compare with
        counted.append(issue_id)
        shared.extend((r, (clicks_of(r) or 0) / average) for r in picks)
    if not shared:
        return None

    def grouped(key: Callable[[ClickRow], str | tuple[str, str] | None]) -> dict[object, Interest]:
        groups: dict[object, list[tuple[ClickRow, float]]] = {}
        for row, share in shared:
            name = key(row)
            if name is not None:
                groups.setdefault(name, []).append((row, share))
        return {name: _figures(rows) for name, rows in groups.items()}

    sections = grouped(lambda r: r.section)
    cells = grouped(lambda r: (r.section, kind_of(r.kind)) if r.section else None)
    return ReaderInterest(weight, margin, tuple(counted), _figures(shared),
                          {str(k): v for k, v in sections.items()},
                          {str(k): v for k, v in grouped(lambda r: kind_of(r.kind)).items()},
                          {k: v for k, v in cells.items() if isinstance(k, tuple)})


def with_floor(choose: Callable[[Mapping[str, float]], tuple[Pick, ...]], baseline: tuple[Pick, ...],
               nudges: dict[str, float], elsewhere: Callable[[], set[str]] = set
               ) -> tuple[tuple[Pick, ...], set[str], dict[str, float]]:
    """``choose(nudges)``, then the floor: while a section the baseline (no nudge) gave a pick is left
    with none (and has none in the other list, ``elsewhere``), the lowest-placed pick that came in only
    by its nudge loses that nudge, and the choice is made again.

    Each round takes one nudge away, so it ends; with none left the choice is the baseline, which has
    the section. Nothing is raised: a pick the floor keeps sits where its own score puts it. Returns
    the picks, the uids of the baseline picks the floor brought back, and the nudges applied.
    """
    kept: set[str] = set()
    nudges = dict(nudges)
    had = {p.review.section for p in baseline}
    before = {p.review.uid for p in baseline}
    picks = choose(nudges)
    while True:
        starved = had - {p.review.section for p in picks} - elsewhere()
        intruders = [p for p in picks if p.review.uid not in before and nudges.get(p.review.uid, 0.0) > 0]
        if not starved or not intruders:
            break
        nudges[intruders[-1].review.uid] = 0.0
        kept |= {p.review.uid for p in baseline if p.review.section in starved}
        picks = choose(nudges)
    return picks, kept & {p.review.uid for p in picks}, nudges


def annotate(picks: tuple[Pick, ...], baseline: tuple[Pick, ...], interest: ReaderInterest,
             kind: str, kept: set[str], applied: Mapping[str, float]) -> tuple[Pick, ...]:
    """Each pick the nudge touched says so, with the numbers; a changed choice says it changed."""
    before = {p.review.uid: p.position for p in baseline}
    out = []
    for pick in picks:
        if pick.kind == PickKind.PINNED:
            out.append(pick)
            continue
        extra: list[str] = []
        section = pick.review.section
        what = "trending order" if kind == TRENDING else "top list"
        if pick.review.uid in kept:
            extra.append(f"kept by the section floor: the reader-interest nudge would have left {section} "
                         f"with no {kind} pick")
        elif applied.get(pick.review.uid, 0.0) > 0:
            was = before.get(pick.review.uid)
            if was is None:
                change = f"{what} nudged (in by reader interest; without it this pick is not in)"
            elif was != pick.position:
                change = f"{what} nudged (position {pick.position}, {was} without reader interest)"
            else:
                change = "reader interest nudged it, without changing its place"
            extra.append(f"{change}: {interest.explain(section, kind)}")
        out.append(Pick(pick.kind, pick.position, pick.review, pick.reasons + tuple(extra),
                        pick.signals, pick.trend_score))
    return tuple(out)
