"""Replacing a file whole: the one way digest rewrites a file an editor or another process may read.

A temporary file beside the target, then a rename: a reader sees the old bytes or the new, never half of
them, and a failure leaves the target as it was (the temporary file is removed).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_file(path: Path, data: bytes, *, durable: bool = False, mode: int | None = None,
                 times_ns: tuple[int, int] | None = None) -> None:
    """``path`` holds ``data``, whole. ``durable``: on disk before the rename (a crash keeps one or the
    other); ``mode``: these permission bits; ``times_ns``: these access and modification times."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        if times_ns is not None:
            os.utime(tmp, ns=times_ns)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
