"""A collect in a forked child process, so the run that asked for it never holds the collect's stack.

The collect needs httpx, httpcore, h11, anyio, asyncio, ssl (libssl and libcrypto), certifi, the parse
pool and the fetched feeds; the build that follows needs Jinja, premailer, cssutils and the mail modules.
Never at the same time, yet in one process both stay loaded, so its peak memory is their sum (issue 23:
about 68 MiB on bench/run.py's 6 x 50 corpus, the goal 60). ``digest run`` therefore forks before
anything imports the collect's stack (``digest collect`` does not: it has no build to make after its
collect, so its peak would not fall): the child opens its own Store on the same file (an SQLite
connection never crosses a fork), collects exactly as in-process, and sends what the caller would
have heard (each ``on_feed`` and progress call, then the CollectReport, or the DigestError that
stopped it) back over a pipe, pickled; then it leaves with ``os._exit`` (the parent's atexit
handlers, buffers and SpamAssassin started ahead are the parent's alone). The parent replays every
message on its own callbacks, in order, so what is printed (terminal lines, JSON) is the same.

The child dies with the parent (the kernel's death signal), ignores Ctrl-C (the parent, hearing it,
kills the child and waits for it: it waits on the child's pipe beside a wake-up pipe for signals,
``_Wake``, so that no Ctrl-C is lost between Python's checks for signals), and a child that dies
without an answer (a signal, a crash, out of memory) is a CollectError naming the step. Every feed
is written in its own SQLite transaction, so a child killed mid-write leaves the store as it was
before that feed.

Only on Linux, and only from a process with a single thread (fork with threads can deadlock): elsewhere
``can_fork`` is False and the caller collects in-process.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import select
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from digest.errors import CollectError, DigestError
from digest.mail.child import die_with_parent

if TYPE_CHECKING:
    from digest.collect.collector import CollectProgress, ProgressCallback
    from digest.models import CollectReport
    from digest.settings.config import Config
    from digest.store.database import Store

Clock = Callable[[], datetime]


def can_fork() -> bool:
    """Linux, and this process has no other thread."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def collect_in_child(
    config: Config, now: Clock, *, backfill_pages: int | None = None, on_feed: ProgressCallback | None = None,
    progress: CollectProgress | None = None, store_path: Path | None = None,
) -> CollectReport:
    """``run_collect`` on the store at ``store_path`` (default ``config.store_path``), in a forked child.

    The caller holds the store lock and is in no transaction."""
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here may be written twice
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    read, write = os.pipe()
    parent = os.getpid()
    wake = _Wake.open()  # before the fork: a Ctrl-C that comes during it must be heard too
    # The objects made so far leave the collector's sight in both processes, so that neither process's
    # garbage collection writes to every page the two share (each write copies the page: less shared).
    gc.freeze()
    pid = 0
    try:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            _child(parent, write, config, store_path or config.store_path, now, backfill_pages, (read, wake))
        os.close(write)
        with io.BufferedReader(_Answers(read, wake)) as answers:
            answer = _replay(answers, on_feed, progress)
    except BaseException:  # Ctrl-C, or an error in a callback: the child goes too
        if pid > 0:
            _kill(pid)
        raise
    finally:
        gc.unfreeze()
        if wake is not None:
            wake.close()
    _, status = os.waitpid(pid, 0)
    if answer is None:
        raise CollectError(f"the collect stopped without finishing: its process {_death(status)}; the feeds "
                           "stored before that are kept (each in its own transaction): run it again")
    kind, value = answer
    if kind == "report":
        report: CollectReport = value
        return report
    if kind == "error":
        raise _rebuilt(*value)
    raise CollectError(f"the collect failed unexpectedly; please report it:\n{value}")


class _Wake:
    """Ctrl-C for a process that waits on its child's answers: ``signal.set_wakeup_fd``'s pipe.

    Python raises KeyboardInterrupt only where it checks for signals, between bytecodes or when a system
    call is interrupted. A SIGINT that comes after the last check and before the read of the child's pipe
    has begun (the run preempted there, on a loaded machine) leaves the read blocked, the interrupt
    pending, for as long as the child sends nothing: a child waiting on a silent server, 30 s and more. A
    SIGINT that comes during ``os.fork`` is raised in the interpreter's after-fork callbacks (logging's),
    which print it and drop it. Either way the signal's number is written to this pipe, which the reader
    waits on beside the child's; it raises KeyboardInterrupt itself when Python has dropped it."""

    def __init__(self, read: int, write: int, previous: int) -> None:
        self.read, self._write, self._previous = read, write, previous
        self._owner = os.getpid()

    @classmethod
    def open(cls) -> _Wake | None:
        """None outside the main thread (signals are handled there alone) or when no pipe is to be had."""
        if threading.current_thread() is not threading.main_thread():
            return None
        try:
            read, write = os.pipe()
        except OSError:
            return None
        os.set_blocking(read, False)
        os.set_blocking(write, False)
        return cls(read, write, signal.set_wakeup_fd(write, warn_on_full_buffer=False))

    def heard_ctrl_c(self) -> bool:
        """Empty the pipe: did a SIGINT come?"""
        heard = False
        while True:
            try:
                numbers = os.read(self.read, 512)
            except BlockingIOError:
                return heard
            if not numbers:
                return heard
            heard = heard or signal.SIGINT in numbers

    def close(self) -> None:
        if os.getpid() == self._owner:
            signal.set_wakeup_fd(self._previous)
        else:  # the child: the parent's pipe is not its own
            signal.set_wakeup_fd(-1)
        os.close(self.read)
        os.close(self._write)


class _Answers(io.RawIOBase):
    """The child's pipe, read only once readable, or until Ctrl-C is heard on ``wake``."""

    def __init__(self, fd: int, wake: _Wake | None) -> None:
        super().__init__()
        self._fd, self._wake = fd, wake

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wake = self._wake
        while wake is not None:
            ready, _, _ = select.select([self._fd, wake.read], [], [])
            if wake.read in ready and wake.heard_ctrl_c():
                os.kill(os.getpid(), 0)  # runs the signal handlers Python still holds: KeyboardInterrupt
                if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                    raise KeyboardInterrupt  # Python dropped it (in os.fork): Ctrl-C all the same
            if self._fd in ready:
                break
        data = os.read(self._fd, len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def _replay(answers: IO[bytes], on_feed: ProgressCallback | None,
            progress: CollectProgress | None) -> tuple[str, Any] | None:
    """Hand each message of the child to the caller's callbacks; the final answer, or None if there was
    none (the child died)."""
    while True:
        try:
            kind, value = pickle.load(answers)
        except (EOFError, pickle.UnpicklingError):
            return None
        if kind in ("report", "error", "crash"):
            return kind, value
        if kind == "on_feed":
            if on_feed is not None:
                on_feed(value)
        elif progress is not None:
            getattr(progress, kind)(*value)


def _child(parent: int, write: int, config: Config, path: Path, now: Clock, backfill_pages: int | None,
           parents: tuple[int, _Wake | None]) -> None:
    """The forked collect: answers through ``write`` and leaves by ``os._exit``, whatever happens; ``parents``:
    the parent's end of the pipe and its wake-up pipe, closed here."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent hears Ctrl-C and kills this process
        read, wake = parents
        os.close(read)
        if wake is not None:
            wake.close()
        die_with_parent()
        if os.getppid() != parent:  # it died before the death signal was asked for
            os._exit(1)
        with os.fdopen(write, "wb") as pipe:

            def send(kind: str, value: object) -> None:
                pickle.dump((kind, value), pipe, protocol=pickle.HIGHEST_PROTOCOL)
                pipe.flush()

            try:
                send(*_collect(config, path, now, backfill_pages, send))
                code = 0
            except DigestError as exc:
                send("error", ([c.__name__ for c in type(exc).__mro__ if c.__module__ == "digest.errors"],
                               str(exc)))
            except Exception:
                send("crash", traceback.format_exc())
    finally:
        os._exit(code)


def _collect(config: Config, path: Path, now: Clock, backfill_pages: int | None,
             send: Callable[[str, object], None]) -> tuple[str, object]:
    from digest.collect.collector import run_collect
    from digest.store.database import Store

    with Store.open(path) as store:
        report = run_collect(config, store, now, backfill_pages=backfill_pages,
                             on_feed=lambda outcome: send("on_feed", outcome), progress=_Relay(send))
    return "report", report


class _Relay:
    """The child's CollectProgress: each call becomes a message the parent replays."""

    def __init__(self, send: Callable[[str, object], None]) -> None:
        self._send = send

    def feeds(self, total: int) -> None:
        self._send("feeds", (total,))

    def feed_done(self, outcome: object) -> None:
        self._send("feed_done", (outcome,))

    def pages(self, total: int) -> None:
        self._send("pages", (total,))

    def page_done(self, url: str, error: str | None) -> None:
        self._send("page_done", (url, error))


def _rebuilt(names: list[str], message: str) -> DigestError:
    """The child's DigestError as the nearest class of digest.errors it is (the CLI's exit code and
    kind follow the class) that takes a message alone; a class from elsewhere (digest.collect.policy's
    OffSite) is not imported here, where the collect's modules are not loaded: its base stands in."""
    import digest.errors

    for name in names:
        kind = getattr(digest.errors, name, None)
        if isinstance(kind, type) and issubclass(kind, DigestError):
            try:
                return kind(message)
            except TypeError:
                continue
    return DigestError(message)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        why = " (out of memory?)" if number == signal.SIGKILL else ""
        return f"was killed by signal {name}{why}"
    return f"exited with status {os.waitstatus_to_exitcode(status)} without an answer"


def collect_apart(
    config: Config, store: Store, now: Clock, *, backfill_pages: int | None = None,
    progress: CollectProgress | None = None, meanwhile: Callable[[], object] | None = None,
) -> CollectReport:
    """The CLI's collect: in a forked child where ``can_fork``, else ``run_collect`` here on ``store``
    (``meanwhile`` then runs while the parse workers analyse, as ``run_collect`` says).

    The child's way runs ``meanwhile`` (``digest run``'s build imports) once the child has ended, not
    during the collect: this process would then hold the build's stack while the child and its parse
    workers hold the collect's, and the tree's real footprint (the sum of its PSS) would grow by about
    12 MiB on bench/run.py's 6 x 50 for about 0.08 s of wall time (bench/README.md, issue 23)."""
    if can_fork():
        report = collect_in_child(config, now, backfill_pages=backfill_pages, progress=progress,
                                  store_path=store.path)
        if meanwhile is not None:
            meanwhile()
        return report
    from digest.collect.collector import run_collect

    return run_collect(config, store, now, backfill_pages=backfill_pages, progress=progress,
                       meanwhile=meanwhile)
