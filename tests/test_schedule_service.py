"""The scheduler as a running service: real APScheduler, real signals, real processes (each < 5 s)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from helpers.server import FeedServer, Reply
from helpers.wordpress import WordPressSite, make_posts
from test_jobs_support import FixedClock, job_config, local

from digest.cli.base import EXIT_LOCKED
from digest.errors import LockError
from digest.job.schedule import DigestScheduler

LAUNCH = (
    "import sys; from pathlib import Path; from digest.cli.base import Context; "
    "from digest.cli.job import schedule; "
    "schedule.main(sys.argv[2:], obj=Context(Path(sys.argv[1])), prog_name='digest schedule')"
)
QUIET = {"collect": "0 0 1 1 *", "build": "0 0 1 1 *", "misfire_grace_time": 1}  # nothing fires or is due


def test_a_near_future_trigger_fires_and_the_job_logs_one_line(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    ran = threading.Event()
    lines: list[str] = []

    class Scheduler(DigestScheduler):
        def tick(self, job: str) -> str:
            lines.append(super().tick(job))
            ran.set()
            return lines[-1]

    began = time.monotonic()
    start = datetime.now(UTC) + timedelta(seconds=0.3)
    scheduler = Scheduler(config, clock=FixedClock(local(2025, 5, 21, 12)),  # a Wednesday: nothing due
                          triggers={"collect": IntervalTrigger(seconds=60, start_date=start)})
    assert scheduler.start().action == "none"
    try:
        assert ran.wait(4), "the job did not fire"
    finally:
        scheduler.shutdown()
    assert time.monotonic() - began >= 0.25
    assert len(lines) == 1
    assert lines[0].startswith("collect: collected 1 feeds, 5 new entries; "
                               "no build was due in the last 12 hours; ")


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="needs signals")
def test_sigterm_lets_the_running_job_finish_then_exits(tmp_path: Path) -> None:
    with FeedServer() as server:
        feed = WordPressSite(make_posts(3, newest=datetime(2025, 5, 16, tzinfo=UTC))).page(1) or b""
        url = server.route("/feed/", Reply(body=feed, delay=1.0,
                                           headers={"Content-Type": "application/rss+xml"}))
        config = job_config(tmp_path, feeds=[url], schedule={"lock_wait": 0})
        lines: list[str] = []

        class Scheduler(DigestScheduler):
            def tick(self, job: str) -> str:
                lines.append(super().tick(job))
                return lines[-1]

        soon = datetime.now(UTC) + timedelta(seconds=0.2)
        scheduler = Scheduler(config, clock=FixedClock(local(2025, 5, 21, 12)),
                              triggers={"collect": IntervalTrigger(seconds=60, start_date=soon)})

        def terminate_mid_job() -> None:
            deadline = time.monotonic() + 4
            while not server.requests_to("/feed/") and time.monotonic() < deadline:
                time.sleep(0.02)
            os.kill(os.getpid(), signal.SIGTERM)

        before = signal.getsignal(signal.SIGTERM)
        killer = threading.Thread(target=terminate_mid_job)
        killer.start()
        started = time.monotonic()
        scheduler.serve(poll=0.05)
        killer.join()
    assert lines and lines[0].startswith("collect: collected 1 feeds, 3 new entries")  # it finished
    assert 0.9 < time.monotonic() - started < 4
    assert scheduler.finished.is_set()
    assert signal.getsignal(signal.SIGTERM) == before  # handlers restored


def test_second_scheduler_process_is_refused_and_sigterm_stops_the_first(tmp_path: Path) -> None:
    config_path = Path(job_config(tmp_path, schedule=QUIET).base_dir) / "digest.toml"
    first = subprocess.Popen([sys.executable, "-c", LAUNCH, str(config_path)], stderr=subprocess.PIPE,
                             text=True, cwd=tmp_path)
    try:
        _read_until(first, "scheduler started for Example Reviews (America/Chicago)")
        second = subprocess.run([sys.executable, "-c", LAUNCH, str(config_path)], capture_output=True,
                                text=True, timeout=20, cwd=tmp_path)
        assert second.returncode == EXIT_LOCKED
        assert f"a digest scheduler (pid {first.pid}) is already running for" in second.stderr
        with pytest.raises(LockError):  # an in-process one is refused too
            DigestScheduler(job_config(tmp_path, schedule=QUIET)).start()
        first.send_signal(signal.SIGTERM)
        assert first.wait(10) == 0
        assert first.stderr is not None
        rest = first.stderr.read()
        assert "SIGTERM: finishing the current job, then exiting" in rest
        assert "scheduler stopped" in rest
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def _read_until(process: subprocess.Popen[str], text: str, timeout: float = 15) -> str:
    """Read the process's stderr line by line until ``text`` appears (bounded, via a reader thread)."""
    assert process.stderr is not None
    stream = process.stderr
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    seen = ""
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen += line
        if text in line or not line:
            break
        threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    assert text in seen, f"never saw {text!r}; stderr so far:\n{seen}"
    return seen
