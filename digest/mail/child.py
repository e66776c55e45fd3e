"""Child processes that never outlive the run that started them.

A run killed with SIGKILL cannot clean up: whatever it started must die by the
kernel's hand. On Linux a child asks for that itself, with a parent-death
signal (``prctl(PR_SET_PDEATHSIG, ...)``). That signal is not inherited across
``fork``, so a tool that starts processes of its own (a wrapper script, a
forking daemon) would leave them behind. A tool is therefore started under a
few lines of stdlib Python, a *supervisor* that leads the tool's process group:
it asks for SIGTERM when the run dies, checks the run did not die meanwhile,
starts the tool in its own group, and on that signal kills the whole group,
itself included. It passes the tool's exit status on. (A ``preexec_fn`` is not
safe in a process with threads, and a scheduler's build runs on one.)

The child also gets a process group of its own, so that a timeout, Ctrl-C or an
error here kills it and anything it started, at once; and so that Ctrl-C at the
terminal reaches this process only, which then does the killing.

Off Linux there is no death signal: the child still gets its group and the kill.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# Runs as ``python -I -S -c _SUPERVISOR <parent pid> <binary> <args...>`` as its group's leader; the
# tool inherits stdin, stdout and stderr. Exits as the tool did, or 127 if it could not start. It is a
# child subreaper (``PR_SET_CHILD_SUBREAPER``): whatever the tool leaves behind, even a process that
# left the group with setsid(), becomes its child, so it can find and kill all of it, on the run's
# death, on a timeout (SIGTERM from run_tied) and when the tool exits.
_SUPERVISOR = """\
import ctypes, os, signal, sys
def descendants():
    found, todo = [], [os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as listed:
                kids = [int(k) for k in listed.read().split()]
        except (OSError, ValueError):
            kids = []
        found += kids
        todo += kids
    return found
def finish():
    for _ in range(5):
        left = descendants()
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
def stop(signum, frame):
    finish()
    os.killpg(0, signal.SIGKILL)
signal.signal(signal.SIGTERM, stop)
try:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1)
    libc.prctl(1, signal.SIGTERM)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    stop(0, None)
try:
    pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
except OSError as exc:
    sys.stderr.write(f"cannot start {sys.argv[2]}: {exc}\\n")
    os._exit(127)
while True:
    try:
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        break
    except InterruptedError:
        continue
finish()
if code < 0:
    try:
        signal.signal(-code, signal.SIG_DFL)
    except (OSError, ValueError):
        pass  # SIGKILL and SIGSTOP take no handler: their default action is the only one
    os.kill(os.getpid(), -code)
os._exit(code)
"""


def death_signal_available() -> bool:
    """Does this system kill a child when its parent dies (Linux's parent-death signal)?"""
    return sys.platform.startswith("linux") and bool(sys.executable)


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process the moment its parent dies, even by SIGKILL.

    For a process this one forked (a parse worker, in its pool initializer). False when the
    system has no such signal; the caller then falls back on watching ``os.getppid()``.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        return int(ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)) == 0
    except (OSError, AttributeError):
        return False


def tied_command(argv: Sequence[str]) -> list[str]:
    """``argv`` (its first item an absolute path) started so it dies with this process (on Linux)."""
    if not death_signal_available():
        return list(argv)
    return [sys.executable, "-I", "-S", "-c", _SUPERVISOR, str(os.getpid()), *argv]


def kill_group(pid: int) -> None:
    """SIGKILL the process group ``pid`` leads (a child started here, not yet reaped)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(pid, signal.SIGKILL)
        else:  # pragma: no cover - not POSIX
            os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a tied child now: the supervisor first (SIGTERM: it kills all the tool started, even what left
    the group), then the group; never wait on pipes a stray process may still hold open."""
    if process.returncode is None:  # not reaped: its pid (and group) are still its own
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=2)
        except (subprocess.TimeoutExpired, OSError):
            pass
        if process.returncode is None:
            kill_group(process.pid)
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:
                pass
    process.wait()


def start_tied(argv: Sequence[str]) -> subprocess.Popen[bytes]:
    """Start ``argv`` tied to this process (as ``run_tied`` does), its stdin, stdout and stderr pipes;
    for a tool started ahead of its input. Raises OSError if it cannot start."""
    binary = shutil.which(argv[0])  # checked here: behind the supervisor a failed start is only an exit 127
    if binary is None:
        raise FileNotFoundError(errno.ENOENT, "no such executable", argv[0])
    return subprocess.Popen(tied_command([binary, *argv[1:]]), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, process_group=0 if os.name == "posix" else None)


def stop_tied(process: subprocess.Popen[bytes]) -> None:
    """End a child ``start_tied`` started, with all it started, and reap it."""
    _stop(process)


def finish_tied(process: subprocess.Popen[bytes], argv: Sequence[str], stdin: bytes,
                timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Give a started child its ``stdin`` and wait for its end, as ``run_tied`` (``argv``: its name)."""
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except BaseException as exc:
        _stop(process)
        if isinstance(exc, subprocess.TimeoutExpired):  # said with the tool's own command, not the supervisor's
            raise subprocess.TimeoutExpired(list(argv), timeout) from None
        raise
    return subprocess.CompletedProcess(list(argv), process.returncode, out, err)


def run_tied(argv: Sequence[str], stdin: bytes, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` to its end with ``stdin``, stdout and stderr captured, as ``subprocess.run`` would;
    but in a process group of its own, dying with this process, and killed with its whole group on a
    timeout (``subprocess.TimeoutExpired``), Ctrl-C or any error here. Raises OSError if it cannot start.
    """
    return finish_tied(start_tied(argv), argv, stdin, timeout)
