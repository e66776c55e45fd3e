"""``digest schedule``: collect often, build weekly, deliver after the build.

APScheduler 3.x in the site's timezone, one worker thread, so jobs never run
at once. Every job is the same *tick*: take the store lock, collect, then ask
the store what is due (:func:`due_work`) and do it. Because the store is the
memory, a build missed while the machine was off is caught up at start-up (or
by the next collect) if still within ``misfire_grace_time``, and an issue is
never built twice, whoever (scheduler, cron, an editor) built it first.

The pre-send check's SpamAssassin needs about a second to compile its rules:
a job fires :data:`SPAM_LEAD` before each build to start it, and a tick that
will build starts it before its collect if none waits (digest.mail.spamcheck).

Locking: the store lock is held per tick, not for the scheduler's lifetime,
so an editor can still run ``digest run`` or ``digest collect`` between jobs
(a tick waits up to ``lock_wait`` seconds for such a run). A second scheduler
on the same store is refused at start-up by ``<store>.scheduler.lock``, held
for as long as the scheduler runs.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Literal

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from digest.collect.collector import run_collect
from digest.cron import LeadTrigger, cron_trigger, last_fire_time
from digest.errors import DigestError, LockError, ThinWeekError
from digest.job.clicks import collect_clicks
from digest.job.plan import configured_triggers, local
from digest.job.run import Builder, Clock, collect_summary, locked_store, run_editions, stale_reason
from digest.mail.spamcheck import ahead_count, park, started_ahead, stop_parked
from digest.settings.config import Config
from digest.settings.editions import all_editions, edition_name
from digest.store.database import Store
from digest.store.lock import StoreLock
from digest.weeks import Week, issue_key, last_full_week

log = logging.getLogger(__name__)

# How long before the build job fires its SpamAssassin starts (park): enough for the rules to compile
# (about a second; several on a slow or busy machine), short enough that the idle process is brief.
SPAM_LEAD = timedelta(seconds=30)


def utcnow() -> datetime:
    return datetime.now(UTC)





# -- what is due ---------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """What the store says the schedule still owes: a build, a delivery, or nothing."""

    action: Literal["build", "deliver", "none"]
    week: Week | None
    fire_time: datetime | None
    reason: str
    editions: tuple[str, ...] = ()  # the editions that still owe the action (or all, when none is owed)


def due_work(config: Config, store: Store, now: datetime) -> Due:
    """Decide from the build schedule and the store alone, so restarts and manual runs agree.

    The issue owed is the one for the latest build fire time within the grace period;
    it is due if the store has not built it, or built but (with ``deliver_after_build``)
    not delivered it, in any edition (each edition is checked on its own).
    """
    schedule = config.schedule
    if schedule.build is None:
        return Due("none", None, None, "no build schedule")
    tz = config.site.tz
    grace = timedelta(seconds=schedule.misfire_grace_time)
    fire = last_fire_time(cron_trigger(schedule.build, tz), now, grace)
    if fire is None:
        return Due("none", None, None, f"no build was due in the last {_span(grace)}")
    week = last_full_week(fire, tz)
    editions = all_editions(config)
    unbuilt, undelivered = [], []
    for edition in editions:
        issue_id = issue_key(week.id, edition.edition_id)
        method = edition.delivery.method
        owed = method != "files" and schedule.deliver_after_build
        if store.issue(issue_id) is None:
            unbuilt.append((edition_name(edition), issue_id))
        elif owed and store.delivered_at(issue_id, method) is None:
            undelivered.append((edition_name(edition), f"{issue_id} by {method}"))
    if unbuilt:
        return Due("build", week, fire, f"the build of {_list(unbuilt)} was due at {local(fire, tz)}",
                   tuple(name for name, _ in unbuilt))
    if undelivered:
        return Due("deliver", week, fire, f"{_list(undelivered)}: built but not yet delivered",
                   tuple(name for name, _ in undelivered))
    names = tuple(edition_name(e) for e in editions)
    delivering = any(e.delivery.method != "files" for e in editions) and schedule.deliver_after_build
    issues = _list([(name, issue_key(week.id, e.edition_id)) for name, e in zip(names, editions, strict=True)])
    return Due("none", week, fire, f"{issues} {'is' if len(names) == 1 else 'are'} built"
               + (" and delivered" if delivering else ""), names)


def _list(items: list[tuple[str, str]]) -> str:
    return ", ".join(text for _, text in items)


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hours" if hours >= 1 else f"{delta.total_seconds():g} seconds"


# -- the scheduler -------------------------------------------------------------


def scheduler_lock(store_path: Path) -> StoreLock:
    """``<store>.scheduler.lock``: one scheduler per store, for the scheduler's whole life."""
    return StoreLock(store_path.with_name(store_path.name + ".scheduler"))


class DigestScheduler:
    """APScheduler wired to ticks; ``serve()`` runs until SIGTERM/SIGINT, finishing the current job."""

    def __init__(self, config: Config, *, clock: Clock = utcnow, builder: Builder | None = None,
                 triggers: dict[str, BaseTrigger] | None = None) -> None:
        self.config = config
        self.clock = clock
        self.builder = builder
        self.stop_event = threading.Event()
        self.finished = threading.Event()
        self.triggers = triggers if triggers is not None else configured_triggers(config)
        self._lock = scheduler_lock(config.store_path)
        self._scheduler = BackgroundScheduler(
            timezone=config.site.tz,
            executors={"default": ThreadPoolExecutor(max_workers=1)},  # one job at a time
            job_defaults={"max_instances": 1, "coalesce": True,
                          "misfire_grace_time": config.schedule.misfire_grace_time},
        )

    def start(self) -> Due:
        """Refuse if another scheduler runs; add the jobs; catch up a missed build now."""
        try:
            self._lock.acquire()
        except LockError:
            holder = _read(self._lock.path) or "unknown"
            raise LockError(
                f"a digest scheduler (pid {holder}) is already running for {self.config.store_path}; "
                "only one may run per store (stop it first, e.g. systemctl stop digest)"
            ) from None
        try:
            with Store.open(self.config.store_path) as store:
                due = due_work(self.config, store, self.clock())
            for name, trigger in self.triggers.items():
                self._scheduler.add_job(self.tick, trigger, args=[name], id=name, name=name)
            if "build" in self.triggers:
                self._scheduler.add_job(self.ready_spam_checks, LeadTrigger(self.triggers["build"], SPAM_LEAD),
                                        id="build-spamassassin", name="build-spamassassin",
                                        misfire_grace_time=int(SPAM_LEAD.total_seconds()))
            if due.action != "none":
                log.info("catching up: %s", due.reason)
                self._scheduler.add_job(self.tick, "date", args=["catch-up"], id="catch-up", name="catch-up")
            self._scheduler.start()
        except BaseException:
            self._lock.release()
            raise
        log.info("%s", self.describe())
        return due

    def describe(self) -> str:
        tz = self.config.site.tz
        jobs = []
        for name, trigger in self.triggers.items():
            fire = trigger.get_next_fire_time(None, self.clock())
            jobs.append(f"{name} next {local(fire, tz) if fire else 'never'}")
        method = self.config.delivery.method
        deliver = (f"deliver by {method} after build" if method != "files" and
                   self.config.schedule.deliver_after_build else "no automatic delivery")
        if self.config.editions:
            deliver += "; editions " + ", ".join(edition_name(e) for e in all_editions(self.config))
        return (f"scheduler started for {self.config.site.name} ({self.config.site.timezone}), "
                f"pid {os.getpid()}: {'; '.join(jobs) or 'no jobs'}; {deliver}")

    def shutdown(self) -> None:
        """Stop taking jobs, wait for the running one to finish, release the scheduler lock."""
        self.stop_event.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        stop_parked()
        self._lock.release()
        self.finished.set()

    def serve(self, poll: float = 1.0) -> None:
        """Run until SIGTERM or SIGINT; a second signal exits at once (the store is crash-safe)."""
        def on_signal(signum: int, _frame: FrameType | None) -> None:
            name = signal.Signals(signum).name
            if self.stop_event.is_set():
                log.warning("%s again: exiting without waiting for the current job", name)
                os._exit(128 + signum)
            log.info("%s: finishing the current job, then exiting", name)
            self.stop_event.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while not self.stop_event.wait(poll):
                pass
        finally:
            self.shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("scheduler stopped")

    def ready_spam_checks(self) -> None:
        """The job :data:`SPAM_LEAD` before each build: when the build will be due, start its SpamAssassin
        now (digest.mail.spamcheck.park), so that its rules are compiled when the build's tick starts;
        the tick takes it, or stops it if it has no use for it. A store that cannot be read starts none
        (the tick reports why)."""
        if self.stop_event.is_set():
            return
        try:
            with Store.open(self.config.store_path) as store:
                owed = _checks_owed(self.config, store, self.clock() + SPAM_LEAD)
        except DigestError:
            return
        park(owed)

    def tick(self, job: str) -> str:
        """One job: lock, collect, do whatever is due; log (and return) one line. A SpamAssassin readied
        for a build is taken by the tick's build or stopped when the tick ends (skipped, nothing due)."""
        try:
            return self._tick(job)
        finally:
            stop_parked()

    def _tick(self, job: str) -> str:
        if self.stop_event.is_set():  # queued behind the job that was running at SIGTERM
            return _log(logging.INFO, f"{job}: not started: the scheduler is stopping")
        started = time.monotonic()
        config = self.config
        level, name = logging.INFO, job
        try:
            with (locked_store(config, wait=config.schedule.lock_wait, stop=self.stop_event) as store,
                  started_ahead(_checks_owed(config, store, self.clock()))):
                report = run_collect(config, store, self.clock)
                for fetched in collect_clicks(config, store, self.clock()):  # readers' clicks, [report] days
                    _log(logging.INFO if fetched.ok else logging.WARNING, f"{job}: {fetched.line}")
                due = due_work(config, store, self.clock())
                if due.action == "none" or due.week is None:
                    line = f"{job}: {collect_summary(report)}; {due.reason}"
                elif due.action == "build" and report.all_failed:  # a later collect retries
                    level, line = logging.ERROR, f"{job}: {due.week}: not built: {stale_reason(report)}"
                else:
                    name = f"{job}: {due.week}"
                    deliver = due.action == "deliver" or config.schedule.deliver_after_build
                    done = run_editions(config, store, self.clock, week=due.week, collect=False,
                                        deliver=deliver, builder=self.builder, collected=report)
                    done = replace(done, seconds=time.monotonic() - started)
                    if any(not isinstance(f, ThinWeekError) for f in done.failures):
                        level = logging.ERROR
                    elif done.failures or done.delivery_errors:
                        level = logging.WARNING
                    for outcome in done.outcomes:  # each pre-send report, as `digest run` prints it
                        for report_line in outcome.report:
                            log.info("%s", report_line)
                    return _log(level, f"{job}: {done.line()}")
        except ThinWeekError as exc:
            level, line = logging.WARNING, f"{name}: build stopped: {exc}"
        except LockError as exc:
            level, line = logging.WARNING, f"{name}: skipped: {exc}"
        except DigestError as exc:
            level, line = logging.ERROR, f"{name}: failed: {exc}"
        except Exception as exc:  # a bug: keep the scheduler alive, keep the traceback
            log.exception("%s: failed with an unexpected error", name)
            return f"{name}: failed: {exc!r}"
        return _log(level, f"{line}; {time.monotonic() - started:.1f}s")


def _checks_owed(config: Config, store: Store, now: datetime) -> int:
    """SpamAssassin checks to start before a tick's collect: one for each edition whose build is due
    (from the store alone, as the tick decides after its collect) that SpamAssassin checks itself. Its
    rules then compile (about a second) while the collect runs, as in ``digest run``, instead of after
    it; a tick with no build due starts none, and ``run_editions`` corrects the count (a build that does
    not happen, the collect having failed, stops what was started when the tick ends)."""
    due = due_work(config, store, now)
    if due.action != "build":
        return 0
    return ahead_count([e for e in all_editions(config) if edition_name(e) in due.editions])


def _log(level: int, line: str) -> str:
    log.log(level, "%s", line)
    return line


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""
