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

import threading
from dataclasses import dataclass
from pathlib import Path

from digest.desk.worker import LatestWorker, store_lock
from digest.job.spam import eml_hash, record_check, run_check
from digest.mail.output import EML
from digest.settings.config import Config

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
        self._store_path = store_path
        self._worker: LatestWorker[_Job] = LatestWorker(self._check, quiet, "desk-spamassassin")

    def submit(self, config: Config, out_dir: Path) -> None:
        """Check the build now in ``out_dir`` (its .eml is read here, as built), after any check running."""
        self._worker.submit(_Job(config, out_dir, (out_dir / EML).read_bytes()))

    def wait(self, timeout: float | None = None) -> bool:
        """Until no check is waiting or running (False when ``timeout`` ran out first)."""
        return self._worker.wait(timeout)

    def close(self) -> None:
        """Stop after the check running, if any; what is still waiting stays pending (a hand-off runs it)."""
        self._worker.close()

    def _check(self, job: _Job) -> None:
        """SpamAssassin on the job's .eml, without any lock; then its result, under both locks. On any
        failure the check stays pending: the hand-off runs it again and says what fails."""
        check = run_check(job.config, job.eml, background=True)
        with self._hold:
            lock = store_lock(self._store_path, self._worker.closed)
            if lock is None:
                return
            try:
                record_check(job.out_dir, eml_hash(job.eml), check)
            finally:
                lock.release()
