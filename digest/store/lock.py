"""A file lock so two runs never work on one store at once."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from digest.errors import LockError, StoreError
from digest.store.disk import write_failure

if TYPE_CHECKING:
    from digest.store.database import Store


class StoreLock:
    """Exclusive, non-blocking ``flock`` on ``<store>.lock``; released on exit or death."""

    def __init__(self, store_path: Path) -> None:
        self.store = store_path
        self.path = store_path.with_name(store_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock; a folder that cannot be made or a disk that refuses the write is the editor's
        StoreError (StoreFullError when full), never a traceback: this is the first write of a run."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self._failure(exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise LockError(
                f"another digest run (pid {holder}) is using {self.path.with_suffix('')}; "
                "wait for it to finish or stop it"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise self._failure(exc) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError as exc:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            raise self._failure(exc) from None
        self._fd = fd

    def _failure(self, exc: OSError) -> StoreError:
        """What the refused lock file means: the disk is full, or its folder is not one."""
        full = write_failure(self.store, exc)
        if full is not None:
            return full
        parent = self.path.parent
        blocker = next((p for p in (parent, *parent.parents) if os.path.lexists(p)), None)
        if blocker is not None and not blocker.is_dir():
            kind = "a broken symbolic link" if blocker.is_symlink() and not blocker.exists() else "not a folder"
            return StoreError(f"{self.store}: cannot make the store's folder: {blocker} is {kind}; set "
                              "[store] path to a file in a folder digest can write to")
        reason = exc.strerror or exc
        return StoreError(f"{self.store}: cannot make the store's lock file {self.path} ({reason}); "
                          "check that its folder exists and digest may write to it, or set [store] path "
                          "to another file")

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


@contextmanager
def open_store(path: Path, *, lock: bool) -> Iterator[Store]:
    """The store at ``path``, with the writers' lock held while it is open when ``lock`` (a command that
    writes); without, a reader that never waits (SQLite's WAL keeps its view consistent)."""
    from digest.store.database import Store

    if lock:
        with StoreLock(path), Store.open(path) as store:
            yield store
    else:
        with Store.open(path) as store:
            yield store
