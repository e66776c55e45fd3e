"""The desk's build writer: a change's issue is shown composed at once and written a moment later.

A desk change is checked, saved to the issue file and composed (chosen, rendered, judged: everything
that can refuse it) on the change's path; the email the editor sees is that composed issue, served
from memory. Writing it as ``digest build`` does (the folder all or nothing, the web page, the store's
record, the archive) waits for the desk to be quiet for :data:`QUIET` seconds, in one background thread,
so it never competes with the next email for the CPU; SpamAssassin's check follows it (digest.desk.spam).

Nothing that reads the built issue sees it half-way: every move of the issue's state, the hand-off and
the archive buttons first :meth:`BuildWriter.settle` (the write, now, without the quiet), and the page
reads the composed report until the write is done. A write is skipped when the issue file is no longer
the one composed from (someone else changed it: their build is theirs). A write that fails (the disk is
full) is said on the page and refuses every later move until a change or ``digest build`` writes the
issue; the issue file keeps the change, so nothing the editor did is lost.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.desk.spam import SpamWorker
from digest.desk.worker import LatestWorker, store_lock
from digest.errors import DigestError
from digest.job.build import ComposedIssue, write_composed
from digest.mail.archive import update_archive
from digest.settings.config import Config
from digest.store.database import Store

QUIET = 0.2  # seconds without a change before the newest one's build is written


def file_version(path: Path) -> str:
    """The version a form carries: the SHA-256 of the issue file's bytes, "" when there is none."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


@dataclass(frozen=True)
class _Write:
    composed: ComposedIssue
    issue_path: Path
    version: str  # the issue file's version it was composed from


class BuildWriter:
    """Writes the newest composed issue; ``hold`` is the desk's lock on the store, ``base`` the config."""

    def __init__(self, hold: threading.Lock, base: Config, spam: SpamWorker, quiet: float = QUIET) -> None:
        self._hold = hold
        self._base = base
        self._spam = spam
        self._pending: _Write | None = None  # composed, not written yet: what the email shows meanwhile
        self.error: str | None = None  # why the last write failed (None: it did not); refuses every move
        self.warning: str | None = None  # what failed after the write (the archive): said, refuses nothing
        self._worker: LatestWorker[_Write] = LatestWorker(self._write, quiet, "desk-build-writer")

    def submit(self, composed: ComposedIssue, issue_path: Path, version: str) -> None:
        """Write ``composed`` once the desk is quiet; the caller holds ``hold`` (the change's own)."""
        job = _Write(composed, issue_path, version)
        self._pending = job
        self._worker.submit(job)

    @property
    def pending(self) -> ComposedIssue | None:
        """The composed issue the folder does not hold yet (None: the folder is the desk's last change)."""
        job = self._pending
        return job.composed if job is not None else None

    def pending_report(self) -> dict[str, Any] | None:
        """The pending issue's pre-send report, as the manifest will hold it."""
        job = self._pending
        return job.composed.report.to_json() if job is not None else None

    def wait(self, timeout: float | None = None) -> bool:
        """Until what is pending is written, after its quiet (False when ``timeout`` ran out first)."""
        return self._worker.wait(timeout)

    def settle(self) -> None:
        """Write what is pending now; raise DigestError when the build could not be written."""
        self._worker.wait(hurry=True)
        if self.error is not None:
            raise DigestError(f"{self.error}; nothing else was done: fix that, then make a change or run "
                              "digest build, and try again")

    def close(self) -> None:
        """Write what is pending, then stop."""
        self._worker.close(finish=True)

    def _write(self, job: _Write) -> None:
        with self._hold:
            if self._pending is not job:  # a newer change came while this one waited: it is written instead
                return
            try:
                self._write_locked(job)
            except Exception as exc:  # a bug, not the editor's: said on the page, logged with its traceback
                self.error = _unwritten(job, f"{type(exc).__name__}: {exc}")
                raise
            finally:
                self._pending = None if self._pending is job else self._pending

    def _write_locked(self, job: _Write) -> None:
        if file_version(job.issue_path) != job.version:
            self.error = None  # changed by someone else since: their build (or the next change) writes it
            return
        lock = store_lock(self._base.store_path, self._worker.closed)
        if lock is None:
            self.error = _unwritten(job, "another digest run held the store for a minute")
            return
        try:
            with Store.open(self._base.store_path) as store:
                try:
                    result = write_composed(store, job.composed)
                except DigestError as exc:
                    self.error = _unwritten(job, str(exc))
                    return
                self.error = self.warning = None
                try:
                    update_archive(self._base, store)
                except DigestError as exc:
                    self.warning = (f"{job.composed.issue_id} is built, but the web archive was not updated: "
                                    f"{exc}")
        finally:
            lock.release()
        if any(c.status == "pending" for c in result.report.checks):
            self._spam.submit(job.composed.config, result.out_dir)  # SpamAssassin after the files


def _unwritten(job: _Write, why: str) -> str:
    """What the page and every refused move say when a change's build could not be written."""
    return (f"{job.composed.issue_id}: the change is saved in {job.issue_path} but its build was not "
            f"written: {why}")
