"""The archive folder on disk: digest writes only inside it and deletes only what it wrote.

The folder is published as is, and people put their own files in it (an about page, a
robots.txt) or link parts of it elsewhere. So every path is walked from the folder opened
once, one name at a time, without following a link: a folder, page, index, feed or record
that is a symbolic link is refused with an :class:`ArchiveError` naming it, and no file
is ever written or deleted through one (a link swapped in while digest runs is refused as
well, since nothing is opened by its full path). Files are written to a temporary sibling,
fsynced and renamed into place.

``.digest-archive.json`` in the folder records each file digest wrote and the SHA-256 of the
bytes it wrote. A file is deleted only when the record lists it and it still has those
bytes: a page a person added or changed is never deleted, and the run says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import stat
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from digest.errors import ArchiveError

RECORD = ".digest-archive.json"
RECORD_FORMAT = 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")  # one name digest writes (never ".", "..", ".x")
_HASH = re.compile(r"[0-9a-f]{64}")
_MAX_RECORD = 16 * 1024 * 1024
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK  # NONBLOCK: a FIFO must not hang us


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def valid_path(rel: str) -> bool:
    """A path digest itself would write: plain names joined by ``/``, nothing hidden, nothing up."""
    return bool(rel) and all(_NAME.fullmatch(part) for part in rel.split("/"))


class ArchiveFolder:
    """The archive's root folder, opened once; ``record`` maps each file digest wrote to its hash."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.warnings: list[str] = []
        try:
            root.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise ArchiveError(f"cannot create the archive folder {root}: {exc.strerror or exc}") from None
        self._real = os.path.realpath(root)
        self._dirs: dict[str, int] = {"": self._fd}
        try:
            self.record = self._load()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> ArchiveFolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for fd in self._dirs.values():
            os.close(fd)
        self._dirs = {}

    # -- reading and writing ------------------------------------------------------------------------------

    def read(self, rel: str, limit: int | None = None) -> bytes | None:
        """The bytes of ``rel``, or None when there is none; a link or anything but a file is refused."""
        folder, name = self._split(rel)
        dfd = self._dir(folder, create=False)
        if dfd is None:
            return None
        try:
            fd = os.open(name, _READ, dir_fd=dfd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._refuse(rel, exc)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                self._refuse(rel, None)
            if limit is not None and info.st_size > limit:
                raise ArchiveError(f"{self.root / rel} is {info.st_size} bytes, more than digest ever writes "
                                   "there: move it away and run again")
            return handle.read()

    def write(self, rel: str, data: bytes, *, record: bool = True) -> bool:
        """Put ``data`` at ``rel`` atomically; False when it already held exactly that (nothing written)."""
        folder, name = self._split(rel)
        if self.read(rel) == data:
            if record:
                self.record[rel] = sha256(data)
            return False
        dfd = self._dir(folder, create=True)
        assert dfd is not None
        temp = f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644,
                         dir_fd=dfd)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fchmod(handle.fileno(), 0o644)  # readable by the web server, whatever the umask
                    os.fsync(handle.fileno())
                self._no_link(dfd, rel, name)
                os.replace(temp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            except BaseException:
                _unlink(temp, dfd)
                raise
            os.fsync(dfd)
        except OSError as exc:
            path = self.root / rel
            raise ArchiveError(f"cannot write the archive file {path}: {exc.strerror or exc}") from None
        if record:
            self.record[rel] = sha256(data)
        return True

    def recorded(self, folder: str) -> list[str]:
        """The names digest wrote directly in ``folder`` ("" for the root), as the record says."""
        prefix = f"{folder}/" if folder else ""
        return sorted(rel[len(prefix):] for rel in self.record
                      if rel.startswith(prefix) and "/" not in rel[len(prefix):])

    def names(self, folder: str) -> list[str]:
        """Every name in ``folder`` now (without following a link), or none when it does not exist."""
        dfd = self._dir(folder, create=False)
        return sorted(os.listdir(dfd)) if dfd is not None else []

    def delete(self, rel: str) -> bool:
        """Delete ``rel`` if digest wrote it and nobody changed it since; say why not in ``warnings``."""
        recorded = self.record.pop(rel, None)
        path = self.root / rel
        if recorded is None:
            self.warnings.append(f"{path} is not a file digest wrote, so it stays; delete it yourself if it "
                                 "should go (nothing in the archive links it)")
            return False
        try:
            data = self.read(rel)
        except ArchiveError as exc:
            self.warnings.append(f"{exc}; so it stays")
            return False
        if data is None:
            return False
        if sha256(data) != recorded:
            self.warnings.append(f"{path} was changed since digest wrote it, so it stays although its issue "
                                 "left the archive; delete it yourself if it should go (nothing links it)")
            return False
        folder, name = self._split(rel)
        dfd = self._dir(folder, create=False)
        assert dfd is not None
        try:
            os.unlink(name, dir_fd=dfd)
            os.fsync(dfd)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ArchiveError(f"cannot delete the archive file {path}: {exc.strerror or exc}") from None
        return True

    def save(self) -> None:
        """Write the record (atomically, like every file) when it changed."""
        files = {rel: self.record[rel] for rel in sorted(self.record)}
        body = {"format": RECORD_FORMAT, "about": "files digest wrote here and their SHA-256; digest deletes "
                "only these, and only while unchanged", "files": files}
        self.write(RECORD, (json.dumps(body, indent=1) + "\n").encode("utf-8"), record=False)

    # -- paths ------------------------------------------------------------------------------------------------

    def _load(self) -> dict[str, str]:
        data = self.read(RECORD, limit=_MAX_RECORD)
        if data is None:
            return {}
        try:
            files = json.loads(data.decode("utf-8"))["files"]
            if not isinstance(files, dict):
                raise TypeError("its files are not a table")
        except (ValueError, KeyError, TypeError) as exc:
            self.warnings.append(f"{self.root / RECORD} is not a record digest can read ({exc}); until it is "
                                 "written again, digest deletes nothing it wrote before (withdrawn pages stay)")
            return {}
        return {rel: value for rel, value in files.items()  # a hand-edited entry never names "../x"
                if isinstance(rel, str) and valid_path(rel) and isinstance(value, str)
                and _HASH.fullmatch(value)}

    def _split(self, rel: str) -> tuple[str, str]:
        if not valid_path(rel) and rel != RECORD:
            raise ArchiveError(f"{rel!r} is not a path digest writes in the archive folder {self.root}")
        real = os.path.realpath(os.path.join(self._real, rel))
        if os.path.commonpath([real, self._real]) != self._real:
            raise ArchiveError(f"{self.root / rel} leads outside the archive folder {self.root} (to {real}) "
                               "through a symbolic link; digest writes only inside it: replace it with a real "
                               "folder or file (or remove it) and run again")
        folder, _, name = rel.rpartition("/")
        return folder, name

    def _dir(self, folder: str, create: bool) -> int | None:
        """The folder's descriptor, opened name by name from the root without following a link."""
        if folder in self._dirs:
            return self._dirs[folder]
        parent_rel, _, name = folder.rpartition("/")
        parent = self._dir(parent_rel, create)
        if parent is None:
            return None
        try:
            fd = os.open(name, _DIR, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
            try:
                os.mkdir(name, 0o755, dir_fd=parent)
                fd = os.open(name, _DIR, dir_fd=parent)
            except OSError as exc:
                self._refuse(folder, exc)
        except OSError as exc:
            self._refuse(folder, exc)
        self._dirs[folder] = fd
        return fd

    def _no_link(self, dfd: int, rel: str, name: str) -> None:
        try:
            info = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if not stat.S_ISREG(info.st_mode):
            self._refuse(rel, None)

    def _refuse(self, rel: str, exc: OSError | None) -> NoReturn:
        path = self.root / rel
        if path.is_symlink():
            raise ArchiveError(f"{path} is a symbolic link (to {os.readlink(path)}); digest writes only inside "
                               f"{self.root} and never through a link, so it wrote nothing there: replace it "
                               "with a real folder or file (or remove it) and run again")
        what = exc.strerror if exc is not None and exc.strerror else "it is not a regular file or folder"
        raise ArchiveError(f"cannot use {path} in the archive ({what}): move it out of the way and run again")


def _unlink(name: str, dfd: int) -> None:
    try:
        os.unlink(name, dir_fd=dfd)
    except OSError:
        pass
