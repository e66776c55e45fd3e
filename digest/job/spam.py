"""A build's SpamAssassin check, finished after the build, and the hand-off's gate on it.

The desk builds with the check left "pending" (``build_issue(spam_pending=True)``) so the editor sees the
email without waiting for SpamAssassin (a second or more); a worker then runs it on that build's .eml and
fills the result into manifest.json. The result is written only while the folder still holds the .eml
that was checked (a newer build supersedes an older check) and the check is still pending, atomically,
as the same JSON a build that ran SpamAssassin itself writes. The store's record (and so the build's
identity, which an approval is of) is not touched: only the report's check and its figure change.

No issue is handed off with its check pending or failed: :func:`require_checked`, called where every
delivery starts (``deliver_issue``), finishes a pending check first and refuses an error-level report.
The writers hold the store lock, as for any write to a built issue.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from digest.errors import DeliveryError, DigestError
from digest.files import replace_file
from digest.mail.manifest import Manifest, dumps, load_manifest
from digest.mail.output import EML, MANIFEST
from digest.mail.report import Check, spam_check, with_spam_check
from digest.settings.config import Config

SPAM = "spamassassin"
_NAMES = {SPAM: "SpamAssassin"}


def eml_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _report(manifest: Manifest) -> dict[str, Any]:
    report = manifest.get("report")
    return report if isinstance(report, dict) else {}


def is_pending(out_dir: Path) -> bool:
    """Does the built issue in ``out_dir`` wait for its SpamAssassin check?"""
    try:
        manifest = load_manifest(out_dir / MANIFEST)
    except DigestError:  # a folder without its files: the delivery's own reading says what is missing
        return False
    checks = _report(manifest).get("checks", [])
    return any(c.get("name") == SPAM and c.get("status") == "pending" for c in checks)


def run_check(config: Config, eml: bytes, *, background: bool = False) -> Check:
    """SpamAssassin on ``eml`` (slow: run it without the store lock held); ``background`` at low
    priority, so the CPU goes to the editor's next change first."""
    return spam_check(eml, config.email.spamassassin, nice=10 if background else 0, spamd=config.email.spamd)


def record_check(out_dir: Path, checked: str, check: Check) -> bool:
    """Fill ``check`` into the manifest when the folder's .eml still hashes to ``checked`` and its check is
    still pending; return whether it was written. The caller holds the store lock."""
    try:
        if eml_hash((out_dir / EML).read_bytes()) != checked or not is_pending(out_dir):
            return False
        manifest = load_manifest(out_dir / MANIFEST)
    except OSError:
        return False  # the folder was swapped or removed since: a newer build has its own check
    manifest["report"] = with_spam_check(_report(manifest), check)
    target = out_dir / MANIFEST
    replace_file(target, dumps(manifest).encode("utf-8"), durable=True, mode=target.stat().st_mode & 0o777)
    return True


def complete(config: Config, out_dir: Path) -> None:
    """Run a pending check now and write it (the caller holds the store lock: nothing rebuilds meanwhile)."""
    if not is_pending(out_dir):
        return
    eml = (out_dir / EML).read_bytes()
    record_check(out_dir, eml_hash(eml), run_check(config, eml))


def require_checked(config: Config, issue_id: str, out_dir: Path) -> None:
    """The hand-off's gate: a pending check is finished first; a report with an error stops it."""
    complete(config, out_dir)
    try:
        manifest = load_manifest(out_dir / MANIFEST)
    except DigestError:
        return  # missing files: the delivery's own reading refuses with what is missing
    failed = [c for c in _report(manifest).get("checks", []) if c.get("status") in ("error", "pending")]
    if not failed:
        return
    edition, _, week = issue_id.rpartition("/")
    where = f"--week {week}" + (f" --edition {edition}" if edition else "")
    lines = [f"  {_NAMES.get(str(c.get('name')), c.get('name'))}: {c.get('status')}, {c.get('summary')}"
             for c in failed]
    raise DeliveryError("\n".join([
        f"{issue_id} fails its pre-send report, so it is not handed off (nothing was sent):", *lines,
        f"  change what it flags (the picks' blurbs, the note) and build it again (the desk, or "
        f"`digest build {where}`); `digest lint` shows the whole report",
    ]))

