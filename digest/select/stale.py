"""What to say when the week being built has no posts at all, yet the store holds older ones.

A store whose posts all lie in the past (the bundled demo, dated 2025; a site that stopped posting;
a store copied from another machine) builds "the week that just ended" and finds it empty. The usual
thin-week advice (lower the threshold, pin reviews) does not apply there: the editor needs to know
which week the store does hold and the ``--now`` that builds it.
"""

from __future__ import annotations

from datetime import date, timedelta

from digest.settings.config import Config
from digest.store.database import Store
from digest.weeks import Week, week_of

BUILD_HOUR = "08:00"  # the scheduler's default build time, so the suggested --now reads like a real run


def span(week: Week) -> str:
    """The week's days for a reader: "May 12–18, 2025", "Apr 28–May 4, 2025", "Dec 29, 2025–Jan 4, 2026"."""
    first: date = week.monday
    last = first + timedelta(days=6)
    if first.year != last.year:
        return f"{first:%b} {first.day}, {first.year}–{last:%b} {last.day}, {last.year}"
    if first.month != last.month:
        return f"{first:%b} {first.day}–{last:%b} {last.day}, {last.year}"
    return f"{first:%b} {first.day}–{last.day}, {last.year}"


def empty_week_hint(config: Config, store: Store, week: Week) -> str | None:
    """The store's newest week and the ``--now`` that builds it, when every stored post is older than
    ``week``; None when the store has posts in or after ``week`` (a quiet week, not a stale store)."""
    newest = store.newest_published()
    if newest is None:
        return "the store holds no posts yet: run digest collect first"
    tz = config.site.tz
    if newest >= week.window(tz)[0]:
        return None
    held = week_of(newest, tz)
    now = f"{held.next().monday.isoformat()}T{BUILD_HOUR}"
    return (f"the store's newest posts are from {held.id} ({span(held)}), before this week: "
            f"run with --now {now} to build that week (or build --week {held.id})")
