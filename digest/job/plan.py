"""The schedule as the editor reads it: each job's next run times (``check``, ``schedule --show``).

Kept apart from the scheduler so ``digest check`` loads APScheduler's cron trigger only, not the
scheduler, its executors or the pipeline's stages.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from apscheduler.triggers.base import BaseTrigger

from digest.cron import cron_trigger, fire_times

if TYPE_CHECKING:
    from digest.settings.config import Config


def local(moment: datetime, tz: tzinfo) -> str:
    """``Mon 2025-05-19 08:00 CDT``, normalised (APScheduler may hand back a wall time in a DST gap)."""
    return moment.astimezone(UTC).astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")


def configured_triggers(config: Config) -> dict[str, BaseTrigger]:
    tz = config.site.tz
    jobs = {"collect": config.schedule.collect, "build": config.schedule.build}
    return {name: cron_trigger(expr, tz) for name, expr in jobs.items() if expr is not None}


def describe_plan(config: Config, now: datetime, count: int = 5) -> list[str]:
    """``digest schedule --show``: the next fire times of each job, and what is due now."""
    tz = config.site.tz
    lines = []
    for name, trigger in configured_triggers(config).items():
        expr = getattr(config.schedule, name)
        times = ", ".join(local(t, tz) for t in fire_times(trigger, now, count))
        lines.append(f"{name} ({expr!r}, {config.site.timezone}): {times or 'never'}")
    return lines
