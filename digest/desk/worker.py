"""One background thread that runs the newest of a kind of job once the desk has been quiet.

The desk's work after a change (writing the build, then SpamAssassin's check) is done off the change's
path by such a worker: a job submitted while another waits replaces it (its build is already superseded),
and a job starts only after ``quiet`` seconds without a newer one, so a burst of changes makes one write
and one check, and the CPU goes to the editor's next email first. One job runs at a time.

Its writers hold the desk session's lock and the store lock (:func:`store_lock`), as any write to a built
issue does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from digest.errors import LockError
from digest.store.lock import StoreLock

log = logging.getLogger(__name__)
LOCK_WAIT = 60.0  # seconds to wait for another process's store lock before giving up on a job
LOCK_POLL = 0.05

Job = TypeVar("Job")


class LatestWorker(Generic[Job]):
    """Runs ``work`` on the newest submitted job, after ``quiet`` seconds with no newer one."""

    def __init__(self, work: Callable[[Job], None], quiet: float, name: str) -> None:
        self._work = work
        self._quiet = quiet
        self._name = name
        self._changed = threading.Condition()
        self._waiting: Job | None = None
        self._running = False
        self._quieting = False  # a job is taken and waits for the quiet
        self._hurry = False  # run what waits now, without the quiet (a flush)
        self.closed = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, job: Job) -> None:
        """Run ``job`` once quiet (after any job running); an older job still waiting is dropped."""
        with self._changed:
            self._waiting = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._changed.notify_all()

    @property
    def busy(self) -> bool:
        """Is a job waiting or running?"""
        with self._changed:
            return self._waiting is not None or self._running

    def wait(self, timeout: float | None = None, *, hurry: bool = False) -> bool:
        """Until no job waits or runs (False when ``timeout`` ran out first); ``hurry``: skip the quiet."""
        with self._changed:
            if hurry and (self._waiting is not None or self._quieting):
                self._hurry = True
                self._changed.notify_all()
            return self._changed.wait_for(lambda: self._waiting is None and not self._running, timeout)

    def close(self, *, finish: bool = False) -> None:
        """Stop after the job running; the job waiting is run first with ``finish``, else dropped."""
        if finish:
            self.wait(hurry=True)
        self.closed.set()
        with self._changed:
            self._waiting = None
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _next(self) -> Job | None:
        """The job to run once the desk is quiet (None: closed). Called with the condition held."""
        self._changed.wait_for(lambda: self._waiting is not None or self.closed.is_set())
        if self.closed.is_set():
            return None
        job, self._waiting, self._running, self._quieting = self._waiting, None, True, True
        # until quiet: a newer job in the meantime replaces this one; a flush cuts the wait short
        while not self.closed.is_set() and not self._hurry and self._changed.wait_for(
                lambda: self._waiting is not None or self.closed.is_set() or self._hurry, self._quiet):
            if self._waiting is not None:
                job, self._waiting = self._waiting, None
        self._hurry = self._quieting = False
        if self._waiting is not None:  # came with the flush
            job, self._waiting = self._waiting, None
        return None if self.closed.is_set() else job

    def _loop(self) -> None:
        while True:
            with self._changed:
                job = self._next()
                if job is None:
                    self._running = False
                    self._changed.notify_all()
                    return
            try:
                self._work(job)
            except Exception:  # the job's own code records what failed; this keeps the thread alive
                log.exception("%s: a background job failed", self._name)
            finally:
                with self._changed:
                    self._running = False
                    self._changed.notify_all()


def store_lock(store_path: Path, give_up: threading.Event) -> StoreLock | None:
    """The store's lock, waiting while another process (``digest build``, a hand-off) holds it briefly;
    None after :data:`LOCK_WAIT` seconds or once ``give_up`` is set."""
    lock = StoreLock(store_path)
    waited = 0.0
    while True:
        try:
            lock.acquire()
            return lock
        except LockError:
            if waited >= LOCK_WAIT or give_up.wait(LOCK_POLL):
                return None
            waited += LOCK_POLL
