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
from digest.mail.tags import unresolved_tags
from digest.mailers import MAILER_NAMES
from digest.models import RenderedIssue
from digest.settings.config import Config
from digest.store.database import IssueRecord
from digest.weeks import split_issue_key

__all__ = ["FILES", "BuiltIssue", "load_built", "refuse_unresolved_tags"]

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


def refuse_unresolved_tags(config: Config, built: BuiltIssue, how: str) -> None:
    """Stop a hand-off whose built files hold merge tags the *current* config's path leaves as typed.

    The build checks the tags against the config it was built with; an issue built for one mailer
    (files for Mailchimp) and handed off after the config changed (SMTP, or Brevo) would otherwise
    reach every reader with ``*|UNSUB|*`` as typed. ``how`` names the hand-off ("delivery by smtp").
    """
    try:
        eml: bytes | None = (built.out_dir / "digest.eml").read_bytes()
    except OSError:
        eml = None  # load_built found it; a file gone since is read (and reported) by the sender
    rendered = RenderedIssue(built.issue_id, built.subject, str(built.manifest.get("preheader", "")),
                             built.html, built.text)
    found = unresolved_tags(config, rendered, eml)
    if not found:
        return
    settings = config.email
    mailer = settings.merge_mailer
    who = "nothing on this path" if mailer == "plain" else MAILER_NAMES[mailer]
    week = split_issue_key(built.issue_id)[1]
    raise DeliveryError("\n".join([
        f"{how} of {built.issue_id} refused: its built email holds merge tags that {who} substitutes, "
        f"so readers would see them as typed (nothing was sent; merge tags now: "
        f"{settings.describe_merge_tags()}):",
        *(f"  {line}" for line in found),
        f"  it was built for another mailer: rebuild it with `digest run --week {week} --force`, "
        "or set [email] mailer to the service that substitutes them",
    ]))
