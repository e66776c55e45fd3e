"""Processes as /proc shows them: is a pid still running (a zombie is not), waiting for it to go, and
killing a run with SIGKILL to see what it leaves behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any


def running(pid: int) -> bool:
    """Is ``pid`` a live process (not gone, not a zombie waiting to be reaped)?"""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] not in ("Z", "X")


def gone_within(pid: int, seconds: float) -> bool:
    """Poll until ``pid`` stops running; False if it still runs after ``seconds``."""
    deadline = time.monotonic() + seconds
    while running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def read_pid(path: Path, seconds: float) -> int:
    """The pid a child wrote to ``path`` once it started; fails the test if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = path.read_text(encoding="ascii").strip() if path.is_file() else ""
        if text.isdigit():
            return int(text)
        time.sleep(0.05)
    raise AssertionError(f"no pid in {path} after {seconds} s: the child never started")


def kill_if_running(pid: int) -> None:
    """Cleanup after a failed assertion: never leave a test's own stray process behind."""
    if running(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def sigkill_leaves_nothing(argv: list[str], pidfile: Path, what: str, *, start_within: float = 30,
                           **popen: Any) -> None:
    """Start ``argv`` in a session of its own, wait for the pid that it (or what it started) writes to
    ``pidfile``, SIGKILL the run, and assert that pid is gone within 5 s; never leave either behind."""
    process = subprocess.Popen(argv, start_new_session=True, **popen)
    pid = 0
    try:
        pid = read_pid(pidfile, start_within)
        assert running(pid) and process.poll() is None
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
        assert gone_within(pid, 5), f"{what} outlived the run that started it"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if pid:
            kill_if_running(pid)
