"""The scheduler's decisions with a controlled clock: cron across DST, catch-up, no double builds."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.processes import gone_within
from helpers.server import RSS_TYPE, FeedServer, Reply, Seen
from helpers.wordpress import WordPressSite, make_posts
from test_jobs_support import TZ, FakeBuilder, FixedClock, job_config, local

from digest.cli.base import Context
from digest.cli.job import schedule
from digest.cron import LeadTrigger, cron_trigger, crontab_weekdays, fire_times, last_fire_time
from digest.errors import ConfigError, LockError, ThinWeekError
from digest.job.plan import describe_plan
from digest.job.schedule import SPAM_LEAD, DigestScheduler, due_work
from digest.mail import spamcheck
from digest.settings.config import Config
from digest.store.database import Store
from digest.store.lock import StoreLock


def _wall(times: list[datetime]) -> list[str]:
    """Local wall time and UTC of each fire time, normalised as the scheduler logs them."""
    return [t.astimezone(UTC).astimezone(TZ).strftime("%a %d %H:%M %Z")
            + t.astimezone(UTC).strftime(" (%H:%MZ)") for t in times]


# -- cron expressions ------------------------------------------------------------


def test_weekday_numbers_mean_what_they_mean_in_crontab() -> None:
    # APScheduler 3 counts 0 as Monday; crontab counts 0 (and 7) as Sunday.
    assert crontab_weekdays("1") == "mon"
    assert crontab_weekdays("0") == crontab_weekdays("7") == "sun"
    assert crontab_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_weekdays("*/2") == "sun,tue,thu,sat"
    assert crontab_weekdays("mon-fri") == "mon-fri"
    assert crontab_weekdays("*") == "*"
    monday = fire_times(cron_trigger("0 8 * * 1", TZ), local(2025, 5, 14), 1)[0]
    assert monday == local(2025, 5, 19, 8)
    with pytest.raises(ValueError, match="0-7"):
        crontab_weekdays("8")


def test_a_bad_cron_expression_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        job_config(tmp_path, schedule={"build": "0 8 * mon"})
    assert "schedule.build" in str(caught.value) and "5 fields" in str(caught.value)
    assert "(line " in str(caught.value)


def test_jobs_keep_local_time_across_spring_forward() -> None:
    collect = fire_times(cron_trigger("0 */3 * * *", TZ), local(2025, 3, 8, 20), 5)
    assert _wall(collect) == [
        "Sat 08 21:00 CST (03:00Z)", "Sun 09 00:00 CST (06:00Z)",
        "Sun 09 03:00 CDT (08:00Z)",  # only two real hours after midnight: 02:00 never happened
        "Sun 09 06:00 CDT (11:00Z)", "Sun 09 09:00 CDT (14:00Z)",
    ]
    build = fire_times(cron_trigger("0 8 * * mon", TZ), local(2025, 3, 1), 2)
    assert _wall(build) == ["Mon 03 08:00 CST (14:00Z)", "Mon 10 08:00 CDT (13:00Z)"]
    # A job in the skipped hour runs once, at the moment the clocks jump (as cron does).
    nightly = fire_times(cron_trigger("0 2 * * *", TZ), local(2025, 3, 8, 12), 3)
    assert _wall(nightly) == ["Sun 09 03:00 CDT (08:00Z)", "Mon 10 02:00 CDT (07:00Z)",
                              "Tue 11 02:00 CDT (07:00Z)"]


def test_jobs_keep_local_time_across_fall_back() -> None:
    collect = fire_times(cron_trigger("0 */3 * * *", TZ), local(2025, 11, 1, 20), 4)
    assert _wall(collect) == [
        "Sat 01 21:00 CDT (02:00Z)", "Sun 02 00:00 CDT (05:00Z)",
        "Sun 02 03:00 CST (09:00Z)",  # four real hours: 01:00-02:00 happened twice
        "Sun 02 06:00 CST (12:00Z)",
    ]
    build = fire_times(cron_trigger("0 8 * * mon", TZ), local(2025, 10, 25), 2)
    assert _wall(build) == ["Mon 27 08:00 CDT (13:00Z)", "Mon 03 08:00 CST (14:00Z)"]
    # A fixed-time job in the repeated hour runs once; an hourly one runs in both hours.
    nightly = fire_times(cron_trigger("30 1 * * *", TZ), local(2025, 11, 1, 12), 3)
    assert _wall(nightly) == ["Sun 02 01:30 CDT (06:30Z)", "Mon 03 01:30 CST (07:30Z)",
                              "Tue 04 01:30 CST (07:30Z)"]
    hourly = fire_times(cron_trigger("30 * * * *", TZ), local(2025, 11, 2, 0, 45), 3)
    assert _wall(hourly) == ["Sun 02 01:30 CDT (06:30Z)", "Sun 02 01:30 CST (07:30Z)",
                             "Sun 02 02:30 CST (08:30Z)"]


def test_the_lead_trigger_fires_that_long_before_each_build_across_dst() -> None:
    build = cron_trigger("0 8 * * mon", TZ)
    ahead = LeadTrigger(build, timedelta(seconds=30))
    assert _wall(fire_times(ahead, local(2025, 3, 1), 3)) == [
        "Mon 03 07:59 CST (13:59Z)", "Mon 10 07:59 CDT (12:59Z)", "Mon 17 07:59 CDT (12:59Z)"]
    times = fire_times(ahead, local(2025, 3, 1), 3)
    assert [b - a for a, b in zip(times, fire_times(build, local(2025, 3, 1), 3), strict=True)] == [
        timedelta(seconds=30)] * 3
    # Asked in the last 30 seconds before a build, the next lead time is the following week's.
    assert ahead.get_next_fire_time(None, local(2025, 3, 3, 7, 59, 45)) == times[1]


def test_last_fire_time_finds_the_run_that_should_have_happened() -> None:
    build = cron_trigger("0 8 * * mon", TZ)
    twelve_hours = timedelta(hours=12)
    assert last_fire_time(build, local(2025, 5, 19, 10, 30), twelve_hours) == local(2025, 5, 19, 8)
    assert last_fire_time(build, local(2025, 5, 19, 8), twelve_hours) == local(2025, 5, 19, 8)
    assert last_fire_time(build, local(2025, 5, 19, 7, 59), twelve_hours) is None
    assert last_fire_time(build, local(2025, 5, 20, 9), twelve_hours) is None  # a day late: too late
    # The Monday after spring-forward: 08:00 CDT is 13:00Z, and "2 hours ago" is measured in real time.
    assert last_fire_time(build, local(2025, 3, 10, 10), timedelta(hours=2)) == local(2025, 3, 10, 8)


# -- what is due -------------------------------------------------------------------


def test_a_missed_monday_is_due_once_and_then_never_again(tmp_path: Path) -> None:
    config = job_config(tmp_path, schedule={"misfire_grace_time": 12 * 3600})
    builder = FakeBuilder()
    with Store.open(config.store_path) as store:
        assert due_work(config, store, local(2025, 5, 19, 7)).action == "none"
        due = due_work(config, store, local(2025, 5, 19, 11))  # the machine came back at 11:00
        assert (due.action, str(due.week), due.fire_time) == ("build", "2025-W20", local(2025, 5, 19, 8))
        assert "Mon 2025-05-19 08:00 CDT" in due.reason
        late = due_work(config, store, local(2025, 5, 20, 9))  # ...or only on Tuesday: past the grace
        assert late.action == "none" and "12 hours" in late.reason

    clock = FixedClock(local(2025, 5, 19, 11))
    scheduler = DigestScheduler(config, clock=clock, builder=builder, triggers={})
    line = scheduler.tick("catch-up")
    assert builder.built == ["2025-W20"]
    assert line.startswith("catch-up: 2025-W20: built; 3 picks (2 top, 1 trending)")
    assert "1 warnings" in line and "collected 1 feeds" in line
    for later in (local(2025, 5, 19, 12), local(2025, 5, 19, 15)):  # the next collects
        clock.set(later)
        assert "2025-W20 is built" in scheduler.tick("collect")
    assert builder.built == ["2025-W20"]


def watched_config(folder: Path, feed_server: FeedServer) -> tuple[Config, list[tuple[int, ...]]]:
    """A job config whose feed is served by ``feed_server``, and the list to which each fetch of it adds the
    SpamAssassin checks waiting at that moment (``spamcheck.waiting_pids``)."""
    body = WordPressSite(make_posts(5, newest=datetime(2025, 5, 16, 14, tzinfo=UTC))).page(1) or b""
    waiting_at_fetch: list[tuple[int, ...]] = []

    def feed(_seen: Seen) -> Reply:
        waiting_at_fetch.append(spamcheck.waiting_pids())
        return Reply(body=body, headers={"Content-Type": RSS_TYPE})

    return job_config(folder, feeds=[feed_server.route("/feed/", feed)]), waiting_at_fetch


def test_a_tick_that_builds_starts_spamassassin_before_its_collect(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """The weekly build's check compiles its rules (about a second) while the tick collects, as
    ``digest run`` does; a tick with no build due starts none."""
    config, waiting_at_fetch = watched_config(tmp_path, feed_server)
    assert spamcheck.ahead_count([config]) == 1  # the check is on by default, no spamd named
    clock = FixedClock(local(2025, 5, 19, 7))  # Monday before the 08:00 build: a collect only
    scheduler = DigestScheduler(config, clock=clock, builder=FakeBuilder(), triggers={})
    assert "no build was due" in scheduler.tick("collect")
    clock.set(local(2025, 5, 19, 8, 1))
    assert scheduler.tick("build").startswith("build: 2025-W20: built")
    quiet, building = waiting_at_fetch
    assert quiet == () and len(building) == 1, waiting_at_fetch
    assert spamcheck.waiting_pids() == () and gone_within(building[0], 5)  # unused by the stand-in builder


def test_the_builds_spamassassin_is_ready_before_the_build_job_and_the_tick_takes_it(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """The job that fires :data:`SPAM_LEAD` before the build starts the check then; the build's tick uses
    that very process (its rules compiled meanwhile) instead of starting one."""
    config, waiting_at_fetch = watched_config(tmp_path, feed_server)
    clock = FixedClock(local(2025, 5, 19, 8) - SPAM_LEAD)
    scheduler = DigestScheduler(config, clock=clock, builder=FakeBuilder(), triggers={})
    scheduler.ready_spam_checks()
    (parked,) = spamcheck.waiting_pids()
    clock.set(local(2025, 5, 19, 8))
    assert scheduler.tick("build").startswith("build: 2025-W20: built")
    assert waiting_at_fetch == [(parked,)]  # the same process: none started at the tick
    assert spamcheck.waiting_pids() == () and gone_within(parked, 5)
    scheduler.ready_spam_checks()  # the next lead time: already built, nothing to ready
    assert spamcheck.waiting_pids() == ()
    clock.set(local(2025, 5, 26, 8) - SPAM_LEAD)
    scheduler.ready_spam_checks()
    (next_week,) = spamcheck.waiting_pids()
    clock.set(local(2025, 5, 26, 9))
    assert "collect:" in scheduler.tick("collect")  # a tick that builds nothing stops it
    assert spamcheck.waiting_pids() == () and gone_within(next_week, 5)


def test_a_check_readied_for_a_build_that_never_came_stops_with_the_scheduler(tmp_path: Path) -> None:
    config = job_config(tmp_path, schedule={"collect": "off"})
    off = job_config(tmp_path / "off", schedule={"collect": "off"})
    before = FixedClock(local(2025, 5, 19, 7, 59, 30))
    scheduler = RecordingScheduler(config, clock=before, builder=FakeBuilder())
    job = scheduler._scheduler.get_job  # the APScheduler job the lead trigger drives, once started
    scheduler.start()
    try:
        ready = job("build-spamassassin")
        assert ready is not None and isinstance(ready.trigger, LeadTrigger)
        assert ready.next_run_time == job("build").next_run_time - SPAM_LEAD
        scheduler.ready_spam_checks()
        (parked,) = spamcheck.waiting_pids()
    finally:
        scheduler.shutdown()
    assert spamcheck.waiting_pids() == () and gone_within(parked, 5)
    nothing = DigestScheduler(off, clock=before, triggers={"collect": cron_trigger("0 * * * *", TZ)})
    nothing.start()
    try:
        assert nothing._scheduler.get_job("build-spamassassin") is None  # no build scheduled, nothing to ready
    finally:
        nothing.shutdown()


def test_a_failed_build_is_retried_by_the_next_collect_within_the_grace(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    builder = FakeBuilder()
    attempts: list[str] = []

    def thin_then_fine(*args: Any) -> Any:
        attempts.append("try")
        if len(attempts) == 1:
            raise ThinWeekError("only 1 scored review this week (min_scored_reviews is 3)")
        return builder(*args)

    clock = FixedClock(local(2025, 5, 19, 8))
    scheduler = DigestScheduler(config, clock=clock, builder=thin_then_fine, triggers={})
    assert scheduler.tick("build").startswith("build: 2025-W20: build stopped: only 1 scored review")
    clock.set(local(2025, 5, 19, 9))
    assert scheduler.tick("collect").startswith("collect: 2025-W20: built; ")
    scheduler.stop_event.set()  # a job still queued when SIGTERM came does not start
    assert scheduler.tick("collect") == "collect: not started: the scheduler is stopping"
    assert builder.built == ["2025-W20"] and len(attempts) == 2


def test_built_but_undelivered_is_due_for_delivery_only_when_configured(tmp_path: Path) -> None:
    webhook = {"url": "http://127.0.0.1:9/hook", "timeout": 1}
    config = job_config(tmp_path, delivery={"method": "webhook"}, webhook=webhook)
    quiet = job_config(tmp_path / "b", delivery={"method": "webhook"}, webhook=webhook,
                       schedule={"deliver_after_build": False})
    for cfg, expected in ((config, "deliver"), (quiet, "none")):
        with Store.open(cfg.store_path) as store:
            FakeBuilder()(cfg, store, local(2025, 5, 19, 8), due_work(cfg, store, local(2025, 5, 19, 9)).week)
            assert due_work(cfg, store, local(2025, 5, 19, 9)).action == expected


def test_restarting_the_scheduler_does_not_build_twice(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    builder = FakeBuilder()
    clock = FixedClock(local(2025, 5, 19, 9, 30))  # started after the 08:00 build was missed

    first = RecordingScheduler(config, clock=clock, builder=builder, triggers={})
    assert first.start().action == "build"
    assert first.ran.wait(5), "the catch-up job did not run"
    first.shutdown()
    assert builder.built == ["2025-W20"] and first.lines[0].startswith("catch-up: 2025-W20: built")

    clock.advance(minutes=5)  # systemd restarts it
    second = RecordingScheduler(config, clock=clock, builder=builder, triggers={})
    assert second.start().action == "none"
    second.shutdown()
    assert second.lines == [] and builder.built == ["2025-W20"]


def test_a_manual_build_earlier_that_morning_makes_the_scheduled_build_a_no_op(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    builder = FakeBuilder()
    with Store.open(config.store_path) as store:
        builder(config, store, local(2025, 5, 19, 7, 45), due_work(config, store, local(2025, 5, 19, 9)).week)
    scheduler = DigestScheduler(config, clock=FixedClock(local(2025, 5, 19, 8)), builder=builder, triggers={})
    assert "2025-W20 is built" in scheduler.tick("build")
    assert builder.built == ["2025-W20"]


# -- locking --------------------------------------------------------------------------


def test_a_second_scheduler_on_the_same_store_is_refused(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    clock = FixedClock(local(2025, 5, 21, 12))  # nothing due
    first = DigestScheduler(config, clock=clock, triggers={})
    first.start()
    try:
        with pytest.raises(LockError, match=r"a digest scheduler \(pid \d+\) is already running"):
            DigestScheduler(config, clock=clock, triggers={}).start()
        # ...but the running scheduler does not hold the store between jobs: manual runs work.
        with StoreLock(config.store_path):
            pass
    finally:
        first.shutdown()
    DigestScheduler(config, clock=clock, triggers={}).shutdown()  # released: a new one may start


def test_a_job_skips_cleanly_while_a_manual_run_holds_the_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    config = job_config(tmp_path, schedule={"lock_wait": 0})
    builder = FakeBuilder()
    clock = FixedClock(local(2025, 5, 19, 8) - SPAM_LEAD)
    scheduler = DigestScheduler(config, clock=clock, builder=builder, triggers={})
    scheduler.ready_spam_checks()
    (parked,) = spamcheck.waiting_pids()
    clock.set(local(2025, 5, 19, 8))
    with StoreLock(config.store_path), caplog.at_level(logging.INFO, logger="digest.job.schedule"):
        line = scheduler.tick("build")
    assert line.startswith("build: skipped: another digest run (pid ")
    assert builder.built == [] and caplog.records[-1].levelno == logging.WARNING
    # The check readied for it does not idle until the next job: the skipped tick stops it.
    assert spamcheck.waiting_pids() == () and gone_within(parked, 5)
    assert scheduler.tick("collect").startswith("collect: 2025-W20: built")  # the next job catches up


def test_show_lists_next_runs_in_local_time(tmp_path: Path) -> None:
    config = job_config(tmp_path, schedule={"collect": "0 */6 * * *", "build": "0 8 * * 1"})
    lines = describe_plan(config, local(2025, 3, 8, 12), count=3)
    assert lines[0] == ("collect ('0 */6 * * *', America/Chicago): Sat 2025-03-08 12:00 CST, "
                        "Sat 2025-03-08 18:00 CST, Sun 2025-03-09 00:00 CST")
    assert lines[1].startswith("build ('0 8 * * 1', America/Chicago): Mon 2025-03-10 08:00 CDT, "
                               "Mon 2025-03-17 08:00 CDT")


def test_schedule_show_prints_the_plan_without_starting(tmp_path: Path) -> None:
    job_config(tmp_path, schedule={"collect": "off"})
    result = CliRunner().invoke(schedule, ["--show"], obj=Context(tmp_path / "digest.toml"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("build ('0 8 * * mon', America/Chicago): Mon ")
    assert len(lines) == 2 and lines[1].startswith("due now: ")
    nothing = job_config(tmp_path / "b", schedule={"collect": "off", "build": "off"})
    result = CliRunner().invoke(schedule, [], obj=Context(Path(nothing.base_dir) / "digest.toml"))
    assert result.exit_code == 2 and "[schedule] has neither collect nor build; nothing to run" in result.output


class RecordingScheduler(DigestScheduler):
    """The real scheduler, noting each job's line so a test can wait for it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lines: list[str] = []
        self.ran = threading.Event()

    def tick(self, job: str) -> str:
        line = super().tick(job)
        self.lines.append(line)
        self.ran.set()
        return line
