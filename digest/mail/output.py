"""Output stage: write an issue folder atomically, and build the .eml.

The four files are written into a temporary sibling folder, fsynced, and the
folder is swapped into place in one step (Linux ``renameat2(RENAME_EXCHANGE)``;
elsewhere two renames with the old folder parked beside it). A reader, the
mailing service's importer or a crash therefore sees the old issue or the new
one, never half of one.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from digest.errors import DigestError, LintError
from digest.mail.manifest import Manifest, dumps
from digest.mail.serialise import serialise, set_subject
from digest.mailers import header_line
from digest.models import RenderedIssue, Selection
from digest.settings.config import Config

HTML, TEXT, EML, MANIFEST = "digest.html", "digest.txt", "digest.eml", "manifest.json"
WEB = "web.html"  # the archive's version of the email (no merge tags, no tracking); only with [archive]
FILES = (HTML, TEXT, EML, MANIFEST)


def write_issue(
    config: Config, out_dir: Path, selection: Selection, rendered: RenderedIssue, manifest: Manifest,
    now: datetime, extra: Mapping[str, str] | None = None, eml: bytes | None = None,
) -> list[Path]:
    """Write digest.html/.txt/.eml and manifest.json (and ``extra`` text files) into ``out_dir``,
    all or nothing. ``eml`` is the message the pre-send report judged; built here when not given."""
    out_dir = Path(out_dir)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _sweep(parent, out_dir.name)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except OSError as exc:
        raise DigestError(f"cannot create the issue folder under {parent}: {exc.strerror or exc}") from None
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the issue folder is meant to be read
        write_text(staging / HTML, rendered.html)
        write_text(staging / TEXT, rendered.text)
        write_bytes(staging / EML, eml if eml is not None else build_eml(config, rendered, now))
        write_manifest(staging / MANIFEST, manifest)
        for name, content in (extra or {}).items():
            write_text(staging / name, content)
        _fsync_dir(staging)
        _swap_into_place(staging, out_dir)
        _fsync_dir(parent)
    except OSError as exc:
        raise DigestError(f"cannot write the issue to {out_dir}: {exc.strerror or exc} "
                          "(the previous issue folder, if any, is untouched)") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already on success
    return [out_dir / name for name in (*FILES, *(extra or {}))]


def write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_manifest(path: Path, manifest: Manifest) -> None:
    write_text(path, dumps(manifest))


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sweep(parent: Path, name: str) -> None:
    """Remove what a crashed earlier write of this issue left behind. A parked old issue whose
    replacement never arrived (the issue's name is free) is the issue: it goes back, never away."""
    target = parent / name
    for parked in sorted(parent.glob(f".{name}.old-*")):
        if parked.is_dir() and not os.path.lexists(target):
            try:
                os.rename(parked, target)
            except OSError:
                pass  # left parked, and kept: the name is still free
    for stale in parent.glob(f".{name}.*-*"):
        kind = stale.name.split(".")[-1]
        replaced = kind.startswith("old-") and os.path.lexists(target)
        if stale.is_dir() and (kind.startswith("tmp-") or replaced):
            shutil.rmtree(stale, ignore_errors=True)


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise DigestError(f"{out_dir} exists and is not a folder; move it away first")
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        return  # staging now holds the old issue; the caller removes it
    parked = out_dir.parent / f".{out_dir.name}.old-{secrets.token_hex(4)}"
    os.rename(out_dir, parked)
    try:
        os.rename(staging, out_dir)
    except OSError as exc:
        try:
            os.rename(parked, out_dir)
        except OSError:
            raise DigestError(
                f"cannot write the issue to {out_dir}: {exc.strerror or exc}, and the previous issue could not "
                f"be moved back: it is whole in {parked} (the next build of this issue moves it back, or "
                f"rename it to {out_dir.name} yourself)") from None
        raise
    shutil.rmtree(parked, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux ≥ 3.15); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


# -- the .eml ----------------------------------------------------------------------------------------


def sender(config: Config) -> Address:
    settings = config.email
    host = (urlsplit(config.site.url).hostname or "localhost").removeprefix("www.")
    address = settings.from_address or f"newsletter@{host}"
    return Address(settings.from_name or config.site.name, addr_spec=address)


def list_unsubscribe(config: Config) -> list[str]:
    """RFC 2369 targets: the unsubscribe link when it is an https or mailto: URL (never a merge tag: a
    header is not substituted) and a mailto."""
    settings = config.email
    targets = []
    if settings.unsubscribe and settings.unsubscribe.startswith(("https://", "mailto:")):
        targets.append(settings.unsubscribe)
    if settings.list_unsubscribe_mailto:
        targets.append(f"mailto:{settings.list_unsubscribe_mailto}?subject=unsubscribe")
    return targets


def build_message(
    config: Config, rendered: RenderedIssue, now: datetime, *, to: str | Sequence[str] | None = None,
    subject_prefix: str = "", from_: str | Address | None = None, message_id: str | None = None,
) -> tuple[EmailMessage, str]:
    """The issue as one multipart/alternative message (text first, HTML preferred), and its Subject.

    ``from_`` and ``message_id`` replace the config's sender and a fresh id (an SMTP relay's sender,
    a stable id per build). The subject goes through ``header_line`` here too: an issue built by an
    older digest may carry an encoded word in its stored subject.
    """
    message = EmailMessage(policy=SMTP)
    sender_ = sender(config) if from_ is None else from_
    subject = header_line(subject_prefix + rendered.subject)
    set_subject(message, subject)
    message["From"] = sender_
    if to:
        message["To"] = to if isinstance(to, str) else ", ".join(to)
    if config.email.reply_to:
        message["Reply-To"] = config.email.reply_to
    message["Date"] = format_datetime(now if now.tzinfo else now.replace(tzinfo=UTC))
    domain = sender_.domain if isinstance(sender_, Address) else parseaddr(sender_)[1].rpartition("@")[2]
    message["Message-ID"] = message_id or make_msgid(idstring=rendered.issue_id, domain=domain or "localhost")
    targets = list_unsubscribe(config)
    if targets:
        message["List-Unsubscribe"] = ", ".join(f"<{t}>" for t in targets)
        if any(t.startswith("https://") for t in targets):
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message["X-Digest-Issue"] = rendered.issue_id
    message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message, subject


def build_eml(config: Config, rendered: RenderedIssue, now: datetime, *, to: str | Sequence[str] | None = None,
              subject_prefix: str = "") -> bytes:
    """The issue's .eml, CRLF line ends, read back and refused (LintError) unless it holds what was built."""
    message, subject = build_message(config, rendered, now, to=to, subject_prefix=subject_prefix)
    return serialise(message, f"the {rendered.issue_id} email", subject=subject, error=LintError)
