"""``run_once`` and ``digest run``: collect, build once, deliver once; overlapping runs are refused."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from test_jobs_support import FakeBuilder, FixedClock, job_config, local

from digest.cli.base import EXIT_LOCKED, EXIT_USER, Context
from digest.cli.job import describe_outcome, run
from digest.errors import LockError
from digest.job.run import RunAction, RunOutcome, locked_store, run_once
from digest.models import CollectReport, FeedOutcome, FeedStatus
from digest.settings.config import Config
from digest.store.database import Store
from digest.weeks import parse_week

HOOK = "/hooks/digest"


def webhook_config(folder: Path, httpserver: HTTPServer) -> Config:
    return job_config(folder, delivery={"method": "webhook"},
                      webhook={"url": f"http://127.0.0.1:{httpserver.port}{HOOK}", "timeout": 2})


def test_collects_then_builds_the_week_that_ended_then_is_a_no_op(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    builder = FakeBuilder()
    clock = FixedClock(local(2025, 5, 19, 8))
    with Store.open(config.store_path) as store:
        first = run_once(config, store, clock, builder=builder)
        assert store.count("entries") == 5 and store.issue("2025-W20") is not None
        clock.advance(hours=2)
        second = run_once(config, store, clock, builder=builder)
    assert builder.calls == [("2025-W20", local(2025, 5, 19, 8))]
    assert first.action == "built" and first.collect is not None and first.delivery is None
    assert first.line().startswith("2025-W20: built; 3 picks (2 top, 1 trending), 0 KB html, 1 warnings; "
                                   "collected 1 feeds, 5 new entries; ")
    assert (second.action, second.collect, second.built_at) == ("already built", None, local(2025, 5, 19, 8))
    assert second.line().startswith("2025-W20: already built at 2025-05-19T08:00-05:00; ")


def test_force_rebuilds_but_a_delivered_issue_is_never_sent_again(
    tmp_path: Path, httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(HOOK).respond_with_data("ok")
    config = webhook_config(tmp_path, httpserver)
    builder = FakeBuilder()
    clock = FixedClock(local(2025, 5, 19, 8))
    with Store.open(config.store_path) as store:
        first = run_once(config, store, clock, collect=False, builder=builder)
        forced = run_once(config, store, clock, collect=False, force=True, builder=builder)
    assert first.delivery is not None and first.delivery.startswith("delivered by webhook HTTP 200")
    assert forced.action == "rebuilt" and builder.built == ["2025-W20", "2025-W20"]
    assert forced.delivery == "already delivered by webhook at 2025-05-19T08:00-05:00"
    assert len(httpserver.log) == 1


def test_an_explicit_week_and_build_only_then_a_later_run_delivers(
    tmp_path: Path, httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(HOOK).respond_with_data("ok")
    config = webhook_config(tmp_path, httpserver)
    builder = FakeBuilder()
    clock = FixedClock(local(2025, 5, 19, 8))
    week = parse_week("2025-W19")
    with Store.open(config.store_path) as store:
        held = run_once(config, store, clock, week=week, collect=False, deliver=False, builder=builder)
        assert held.delivery is None and store.delivered_at("2025-W19", "webhook") is None
        later = run_once(config, store, clock, week=week, collect=False, builder=builder)
        assert store.delivered_at("2025-W19", "webhook") is not None
    assert builder.built == ["2025-W19"] and later.action == "already built"
    assert len(httpserver.log) == 1 and httpserver.log[0][0].headers["X-Digest-Issue"] == "2025-W19"


def test_overlapping_runs_the_second_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    release, started = threading.Event(), threading.Event()
    builder = FakeBuilder(block=release, started=started)

    def first_run() -> None:
        with locked_store(config) as store:
            run_once(config, store, FixedClock(local(2025, 5, 19, 8)), builder=builder)

    worker = threading.Thread(target=first_run)
    worker.start()
    try:
        assert started.wait(5), "the first run never reached the build"
        result = CliRunner().invoke(run, ["--now", "2025-05-19T08:00"], obj=Context(tmp_path / "digest.toml"))
        assert result.exit_code == EXIT_LOCKED
        assert "error: another digest run (pid " in result.output and "wait for it to finish" in result.output
        with pytest.raises(LockError):
            with locked_store(config, wait=0.2):
                pass
        threading.Timer(0.3, release.set).start()
        waited = time.monotonic()
        with locked_store(config, wait=5, poll=0.05) as store:  # a scheduler job waits its turn
            assert time.monotonic() - waited >= 0.2
            assert store.issue("2025-W20") is not None
    finally:
        release.set()
        worker.join()
    assert builder.built == ["2025-W20"]


def test_a_waiting_job_gives_up_when_the_scheduler_stops(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    began = time.monotonic()
    with locked_store(config), pytest.raises(LockError):
        with locked_store(config, wait=30, stop=stop, poll=0.05):
            pass
    assert time.monotonic() - began < 2


def test_cli_run_says_the_issue_was_already_built(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    with Store.open(config.store_path) as store:
        FakeBuilder()(config, store, local(2025, 5, 19, 8), parse_week("2025-W20"))
    result = CliRunner().invoke(run, ["--now", "2025-05-19T09:00"], obj=Context(tmp_path / "digest.toml"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"2025-W20 was already built on Mon 2025-05-19 08:00 CDT ({tmp_path / 'out' / '2025-W20'}); "
        "not building it again (use --force to rebuild)",
        'hand-off: the files above (delivery.method = "files")',
    ]


def test_the_hand_off_line_names_files_only_when_they_are_there(tmp_path: Path) -> None:
    """An issue built earlier whose folder was since removed has no files to hand off: the run says so."""
    config = job_config(tmp_path)
    with Store.open(config.store_path) as store:
        FakeBuilder()(config, store, local(2025, 5, 19, 8), parse_week("2025-W20"))
    out_dir = tmp_path / "out" / "2025-W20"
    shutil.rmtree(out_dir)
    result = CliRunner().invoke(run, ["--now", "2025-05-19T09:00"], obj=Context(tmp_path / "digest.toml"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        f"hand-off: none: the issue's folder {out_dir} is gone (`digest run --force` builds it again)"]


def test_an_issue_that_was_not_built_hands_nothing_off(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    failed = FeedOutcome("Second Screen", "https://secondscreen.example/feed/", FeedStatus.FAILED,
                         error="the network is unreachable (offline?)")
    collect = CollectReport(local(2025, 5, 19, 8), local(2025, 5, 19, 8), (failed,), seconds=0.5)
    lines = describe_outcome(config, RunOutcome("2025-W20", RunAction.NOT_BUILT, 0.5, collect=collect))
    assert len(lines) == 1 and lines[0].startswith("2025-W20: not built: ")
    assert not any("hand-off" in line or "files" in line for line in lines)


def test_cli_run_delivers_a_pending_issue_and_fails_clearly(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(HOOK).respond_with_data("upstream broke", status=502)
    httpserver.expect_ordered_request(HOOK).respond_with_data("ok")
    config = webhook_config(tmp_path, httpserver)
    with Store.open(config.store_path) as store:
        FakeBuilder()(config, store, local(2025, 5, 19, 8), parse_week("2025-W20"))
    runner = CliRunner()
    args = ["--week", "2025-W20"]
    failed = runner.invoke(run, args, obj=Context(tmp_path / "digest.toml"))
    assert failed.exit_code == EXIT_USER
    assert (f"error: delivery of 2025-W20 by webhook failed: the webhook at http://127.0.0.1:{httpserver.port} "
            "failed with HTTP 502 BAD GATEWAY: upstream broke. The issue stays built; the next run will try "
            "again") in failed.output
    retried = runner.invoke(run, args, obj=Context(tmp_path / "digest.toml"))
    assert retried.exit_code == 0 and "delivered by webhook HTTP 200 OK" in retried.output


def test_cli_run_rejects_a_bad_now(tmp_path: Path) -> None:
    job_config(tmp_path)
    result = CliRunner().invoke(run, ["--now", "next monday"], obj=Context(tmp_path / "digest.toml"))
    assert result.exit_code == EXIT_USER
    assert "'next monday' is not a date-time; write it like 2025-05-12T08:00" in result.output
