"""The desk's SpamAssassin worker: the check a desk change leaves pending, run off the change's path.

A desk change builds the email with its spam check "pending" (digest.job.spam) so the editor sees it at
once; this worker then runs SpamAssassin on that build's .eml in one background thread and fills the
result in. One check at a time, and only the newest build's: a change made while a check runs replaces
whatever was waiting, and a result is written only while the folder still holds the .eml it judged.
A check starts once the desk has been quiet for ``quiet`` seconds: while an editor makes change after
change, each would be superseded by the next, and SpamAssassin (a second or more of a core) would only
slow the next change's email down.
The write takes the desk session's lock (so no desk change is half-way through) and the store lock (so
no other process is rebuilding); a hand-off that comes first finishes the check itself.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from digest.errors import LockError
from digest.job.spam import eml_hash, record_check, run_check
from digest.mail.output import EML
from digest.mail.report import Check
from digest.settings.config import Config
from digest.store.lock import StoreLock

log = logging.getLogger(__name__)
LOCK_WAIT = 60.0  # seconds to wait for another process's store lock before leaving the check pending
LOCK_POLL = 0.05
QUIET = 1.0  # seconds without a change before a check starts


@dataclass(frozen=True)
class _Job:
    config: Config
    out_dir: Path
    eml: bytes


class SpamWorker:
    """Runs the newest pending spam check; ``hold`` is the desk session's lock, ``store_path`` its store."""

    def __init__(self, hold: threading.Lock, store_path: Path, quiet: float = QUIET) -> None:
        self._hold = hold
        self._quiet = quiet
        self._store_path = store_path
        self._changed = threading.Condition()
        self._waiting: _Job | None = None
        self._running = False
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, config: Config, out_dir: Path) -> None:
        """Check the build now in ``out_dir`` (its .eml is read here, as built), after any check running."""
        job = _Job(config, out_dir, (out_dir / EML).read_bytes())
        with self._changed:
            self._waiting = job  # an older job still waiting is superseded: its build is gone
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="desk-spamassassin", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Until no check is waiting or running (False when ``timeout`` ran out first)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._waiting is None and not self._running, timeout)

    def close(self) -> None:
        """Stop after the check running, if any; what is still waiting stays pending (a hand-off runs it)."""
        self._closed.set()
        with self._changed:
            self._waiting = None
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting is not None or self._closed.is_set())
                if self._closed.is_set():
                    self._running = False
                    self._changed.notify_all()
                    return
                job, self._waiting, self._running = self._waiting, None, True
                # until the desk is quiet: a newer change in the meantime replaces this job
                while not self._closed.is_set() and self._changed.wait_for(
                        lambda: self._waiting is not None or self._closed.is_set(), self._quiet):
                    if self._waiting is not None:
                        job, self._waiting = self._waiting, None
                if self._closed.is_set():
                    self._running = False
                    self._changed.notify_all()
                    return
            try:
                assert job is not None
                self._write(job, run_check(job.config, job.eml, background=True))
            except Exception:  # the check stays pending; the hand-off runs it again and says what fails
                log.exception("the background SpamAssassin check of %s failed", job.out_dir if job else "?")
            finally:
                with self._changed:
                    self._running = False
                    self._changed.notify_all()

    def _write(self, job: _Job, check: Check) -> None:
        checked = eml_hash(job.eml)
        with self._hold:
            lock = StoreLock(self._store_path)
            waited = 0.0
            while True:
                try:
                    lock.acquire()
                    break
                except LockError:  # a `digest build` or a hand-off in another process: it is brief
                    if waited >= LOCK_WAIT or self._closed.wait(LOCK_POLL):
                        return
                    waited += LOCK_POLL
            try:
                record_check(job.out_dir, checked, check)
            finally:
                lock.release()
