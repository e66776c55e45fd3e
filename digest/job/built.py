"""A built issue as delivery reads it back from disk: exactly what the build wrote.

Shared by the SMTP/webhook hand-off (:mod:`digest.job.deliver`) and the mailing-service
adapters (:mod:`digest.job.services`), so neither imports the other for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.errors import DeliveryError
from digest.store.database import IssueRecord
from digest.weeks import split_issue_key

__all__ = ["FILES", "BuiltIssue", "load_built"]

FILES = ("digest.html", "digest.txt", "digest.eml", "manifest.json")


@dataclass(frozen=True)
class BuiltIssue:
    """A built issue as the output stage left it on disk."""

    issue_id: str
    built_at: datetime
    out_dir: Path
    subject: str
    html: str
    text: str
    manifest: dict[str, Any]


def load_built(record: IssueRecord) -> BuiltIssue:
    """Read the issue's files; delivery sends exactly what the build wrote."""
    out_dir = Path(record.out_dir)
    missing = [name for name in FILES if not (out_dir / name).is_file()]
    if missing:
        raise DeliveryError(
            f"the files of {record.id} are missing from {out_dir} ({', '.join(missing)}); "
            f"rebuild it with: digest run --week {split_issue_key(record.id)[1]} --force"
        )
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        return BuiltIssue(
            issue_id=record.id, built_at=record.built_at, out_dir=out_dir,
            subject=str(manifest.get("subject") or record.subject),
            html=(out_dir / "digest.html").read_text(encoding="utf-8"),
            text=(out_dir / "digest.txt").read_text(encoding="utf-8"), manifest=manifest,
        )
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"cannot read the built files of {record.id} in {out_dir}: {exc}") from None
