"""Processes as /proc shows them: is a pid still running (a zombie is not), waiting for it to go,
killing a run with SIGKILL to see what it leaves behind; a process's children, session, sockets and
ignored signals; and a run that will not end, shown by its processes and its Python stacks."""

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


def children_of(pid: int) -> list[int]:
    try:
        return [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def holds_tcp_port(pid: int, port: int) -> bool:
    """Does ``pid`` hold the IPv4 TCP socket whose local port is ``port``?"""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port:
            inodes.add(f"socket:[{fields[9]}]")
    try:
        held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    except OSError:
        return False
    return bool(inodes & held)


def ignores_sigint(pid: int) -> bool:
    fields = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                  if ":\t" in line)
    return bool(int(fields["SigIgn"], 16) & (1 << (signal.SIGINT - 1)))


def session_processes(leader: int) -> list[str]:
    """The live processes of the session ``leader`` leads (a zombie not yet reaped is not one), each as
    "pid ppid state wchan: command line"."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if entry.name.isdigit() and int(stat[3]) == leader and stat[0] not in ("Z", "X"):
                wchan = (entry / "wchan").read_text()
                command = cmdline(int(entry.name)).replace(b"\0", b" ")[:200]
                found.append(f"{entry.name} ppid {stat[1]} {stat[0]} {wchan}: {command!r}")
        except (OSError, ValueError, IndexError):
            continue
    return sorted(found)


def process_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def exit_or_stacks(run: subprocess.Popen[bytes], timeout: float, stderr: Path, what: str) -> int:
    """``run``'s exit status within ``timeout`` seconds; else an AssertionError that shows the processes
    of its session and the stack of each of its threads (SIGABRT: faulthandler's dump)."""
    try:
        return run.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    tree = session_processes(run.pid)
    os.kill(run.pid, signal.SIGABRT)
    try:
        run.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    raise AssertionError(f"the run did not end within {timeout} s of its {what}; its session's processes:\n"
                         + "\n".join(tree) + "\nits stderr (Python stacks on SIGABRT):\n"
                         + stderr.read_text(errors="replace")[-8000:])


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
