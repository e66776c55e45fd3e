"""Cron triggers: crontab lines read the way cron reads them, on APScheduler 3's trigger.

A shared leaf: the settings validate cron strings with it and the scheduler runs them, so it
imports only APScheduler's trigger module (not the scheduler, its executors or the stages).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

__all__ = ["LeadTrigger", "WallClockCronTrigger", "cron_trigger", "crontab_weekdays", "fire_times",
           "last_fire_time"]

_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class WallClockCronTrigger(CronTrigger):  # type: ignore[misc]  # APScheduler 3 ships no types
    """A cron trigger that, like cron, runs a fixed-hour job once when autumn repeats that hour.

    APScheduler 3 fires ``30 1 * * *`` at both 01:30s of a fall-back night; jobs whose
    hour field is a wildcard or step (``*/3``) keep both, since real time passed.
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while fire is not None and self._repeated_wall_time(fire):
            fire = super().get_next_fire_time(fire, fire)
        return fire

    def _repeated_wall_time(self, fire: datetime) -> bool:
        hour = next(str(f) for f in self.fields if f.name == "hour")
        return (not hour.startswith("*") and fire.fold == 1
                and fire.replace(fold=0).utcoffset() != fire.utcoffset())


class LeadTrigger(BaseTrigger):  # type: ignore[misc]
    """Fires ``lead`` before each fire time of ``trigger`` (in real time, so a DST change between the
    two moves nothing): the scheduler readies a job's slow part before the job starts."""

    def __init__(self, trigger: BaseTrigger, lead: timedelta) -> None:
        self.trigger = trigger
        self.lead = lead

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        previous = previous_fire_time + self.lead if previous_fire_time is not None else None
        fire: datetime | None = self.trigger.get_next_fire_time(previous, now + self.lead)
        return fire.astimezone(UTC) - self.lead if fire is not None else None

    def __str__(self) -> str:
        return f"{self.lead.total_seconds():g} s before {self.trigger}"


def crontab_weekdays(field: str) -> str:
    """Crontab's day-of-week numbers (0 and 7 are Sunday) as names.

    APScheduler 3 counts 0 as Monday (its issue #286), which would silently move a
    ``0 8 * * 1`` build to Tuesday; names mean the same to both.
    """
    out: list[str] = []
    for part in field.lower().split(","):
        body, _, step_text = part.partition("/")
        if body != "*" and not body.replace("-", "").isdigit():
            out.append(part)  # names (mon, mon-fri) mean the same in both
            continue
        if body == "*" and not step_text:
            out.append("*")
            continue
        low, _, high = body.partition("-")
        first, last = (0, 6) if body == "*" else (int(low), int(high or (6 if step_text else low)))
        step = int(step_text) if step_text else 1
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last and step > 0):
            raise ValueError(f"day of week {part!r} must use 0-7 (0 and 7 are Sunday) or names")
        out.extend(_DAYS[n % 7] for n in range(first, last + 1, step))
    return ",".join(dict.fromkeys(out))


def cron_trigger(expression: str, timezone: tzinfo | str) -> WallClockCronTrigger:
    """A standard 5-field crontab line (minute hour day month weekday) in ``timezone``."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return WallClockCronTrigger(minute=minute, hour=hour, day=day, month=month,
                                day_of_week=crontab_weekdays(weekday), timezone=timezone)


def fire_times(trigger: BaseTrigger, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times at or after ``after`` (for ``--show`` and tests)."""
    times: list[datetime] = []
    fire = trigger.get_next_fire_time(None, after)
    while fire is not None and len(times) < count:
        times.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return times


def last_fire_time(trigger: BaseTrigger, now: datetime, within: timedelta) -> datetime | None:
    """The latest fire time in ``[now - within, now]``: the run that should have happened."""
    last = None
    fire = trigger.get_next_fire_time(None, now - within)
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire)
    return last
