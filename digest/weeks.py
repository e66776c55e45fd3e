"""ISO weeks in the site's timezone: an issue is ``2025-W19``, Monday to Monday local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from digest.errors import DigestError, UsageError

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)
# Issues exist between these years: feeds' dates before 1990 are discarded as broken, and a week
# near year 1 or 9999 would overflow the date arithmetic (look-backs, the next week).
FIRST_YEAR, LAST_YEAR = 1990, 9990


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def id(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def __str__(self) -> str:
        return self.id

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def window(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local Monday 00:00 to the next local Monday 00:00.

        Built from local midnights, so a week across a DST change is 167 or 169 hours.
        """
        start = datetime.combine(self.monday, time(0), tzinfo=tz)
        end = datetime.combine(self.monday + timedelta(days=7), time(0), tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def previous(self) -> Week:
        return week_of(datetime.combine(self.monday - timedelta(days=7), time(12)))

    def next(self) -> Week:
        return week_of(datetime.combine(self.monday + timedelta(days=7), time(12)))


def week_of(moment: datetime | date, tz: ZoneInfo | None = None) -> Week:
    """The ISO week holding ``moment`` (converted to ``tz`` first when aware)."""
    if isinstance(moment, datetime) and moment.tzinfo is not None and tz is not None:
        moment = moment.astimezone(tz)
    day = moment.date() if isinstance(moment, datetime) else moment
    year, number, _ = day.isocalendar()
    return Week(year, number)


def last_full_week(now: datetime, tz: ZoneInfo) -> Week:
    """The week that most recently ended at ``now`` (the default issue)."""
    return week_of(now, tz).previous()


def parse_week(text: str) -> Week:
    match = _WEEK.match(text.strip())
    if not match:
        raise UsageError(f"{text!r} is not an ISO week; write it like 2025-W19")
    year, number = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(f"{text!r}: digest builds issues for weeks from {FIRST_YEAR} to {LAST_YEAR}")
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise UsageError(f"{text!r}: {year} has no week {number}") from None
    return Week(year, number)


def parse_now(text: str, tz: ZoneInfo) -> datetime:
    """``--now 2025-05-12T08:00``: naive times are the site's local time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{text!r} is not a date-time; write it like 2025-05-12T08:00") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise UsageError(f"{text!r}: digest works with times from {FIRST_YEAR} to {LAST_YEAR}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


# -- issue keys: one string per issue, across editions ---------------------------------------------


def issue_key(week_id: str, edition: str | None = None) -> str:
    """The store's issue id: ``2025-W20`` for the default edition, ``anime/2025-W20`` for another.

    One string keeps every table keyed by ``issue_id`` (issues, picks, deliveries) unchanged,
    and doubles as the issue's path under the output and archive folders.
    """
    return f"{edition}/{week_id}" if edition else week_id


def split_issue_key(key: str) -> tuple[str | None, str]:
    """``anime/2025-W20`` -> ``("anime", "2025-W20")``; a plain week id has no edition (None)."""
    edition, _, week_id = key.rpartition("/")
    return (edition or None), week_id


# -- a week as people read it ----------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def week_label(week: Week) -> str:
    """The one way a week is shown to a person: "May 12–18, 2025", Monday to Sunday.

    Across a month: "Apr 28 – May 4, 2025"; across a year: "Dec 29, 2025 – Jan 4, 2026". Month
    names are English and fixed, not the machine's locale, so every reader sees the same line.
    ISO ids (``2025-W20``) stay where programs read them: file names, ``--week``, JSON.
    """
    first = week.monday
    last = first + timedelta(days=6)
    start, end = f"{_MONTHS[first.month - 1]} {first.day}", f"{_MONTHS[last.month - 1]} {last.day}"
    if first.year != last.year:
        return f"{start}, {first.year} \u2013 {end}, {last.year}"
    if first.month != last.month:
        return f"{start} \u2013 {end}, {last.year}"
    return f"{start}\u2013{last.day}, {last.year}"


def label_or_name(name: str) -> str:
    """A folder or id like ``2025-W20`` as :func:`week_label`; any other name as it is."""
    try:
        return week_label(parse_week(name))
    except DigestError:
        return name
