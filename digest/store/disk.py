"""What a write the operating system refused means to the editor.

SQLite reports a full disk as ``SQLITE_FULL`` only when a write comes up short; a write that
cannot start (``ENOSPC`` at an offset, ``EFBIG`` past ``ulimit -f``) arrives as a bare
``disk I/O error``. Either way the transaction is rolled back and the file stays whole, so the
message says why (the free space, the limit) and that nothing was lost, instead of a traceback.
"""

from __future__ import annotations

import errno
import resource
import shutil
import sqlite3
from pathlib import Path

from digest.errors import StoreError, StoreFullError

__all__ = ["write_failure"]

_SQLITE_FULL, _SQLITE_IOERR = 13, 10
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
# Below this much free space a failed write is put down to the disk being full.
_NEARLY_FULL = 16 * 1024 * 1024
_MB = 1024 * 1024
_NOTHING_LOST = "nothing was lost (the store is as it was before this write)"


def write_failure(path: Path, exc: BaseException) -> StoreError | None:
    """The editor's error for ``exc`` while writing the store at ``path``; None if it is not about
    the disk (a bug or a lock, left to propagate as it is)."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(exc)
        full = primary == _SQLITE_FULL or "database or disk is full" in text
        refused = full or primary == _SQLITE_IOERR or "disk I/O error" in text
    elif isinstance(exc, OSError):
        full = exc.errno in _FULL_ERRNOS
        refused = full or exc.errno == errno.EIO
    else:
        return None
    if not refused:
        return None
    free = _free_bytes(path)
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if free is not None and free < _NEARLY_FULL:
        return StoreFullError(f"{path}: the disk holding the store is full ({free // _MB} MB free); "
                              f"free some space and run digest again — {_NOTHING_LOST}")
    if limit != resource.RLIM_INFINITY and _largest_file(path) + _MB >= limit:
        room = f"; the disk has {free // _MB} MB free" if free is not None else ""
        return StoreFullError(f"{path}: the store is full: it cannot grow past this process's file-size "
                              f"limit (ulimit -f: {_amount(limit)}{room}); raise the limit and run digest "
                              f"again — {_NOTHING_LOST}")
    if full:
        room = f" ({free // _MB} MB free)" if free is not None else ""
        return StoreFullError(f"{path}: the disk holding the store is full or over its quota{room}; free "
                              f"some space and run digest again — {_NOTHING_LOST}")
    return StoreError(f"{path}: the disk refused a write to the store ({exc}); check the disk and run "
                      f"digest again — {_NOTHING_LOST}")


def _amount(size: int) -> str:
    return f"{size // _MB} MB" if size >= _MB else f"{size // 1024} KB"


def _free_bytes(path: Path) -> int | None:
    for folder in (path.parent, *path.parent.parents):
        try:
            return shutil.disk_usage(folder).free
        except OSError:
            continue
    return None


def _largest_file(path: Path) -> int:
    """The biggest of the store's files: the database, its WAL and its rollback journal."""
    sizes = [0]
    for name in (path.name, path.name + "-wal", path.name + "-journal"):
        try:
            sizes.append(path.with_name(name).stat().st_size)
        except OSError:
            continue
    return max(sizes)
