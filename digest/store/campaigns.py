"""The draft campaigns digest made in mailing services: one row per issue and service.

The row is written the moment the service answers "created", before anything else is asked of
it, so a run that dies right after still knows the campaign and the next run completes that
same draft instead of making a second. ``issue_id`` is the issue's id as text, whatever its form.

States: ``creating`` (asked the service to create one and had no answer yet: a timeout or a
crash there may have left a campaign behind, so the next run looks for it before creating),
``created`` (exists; content may be missing), ``ready`` (content set and checked), ``final``
(the service reports it sent or scheduled: never touched again).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from digest.store.database import Store, from_iso, iso

State = Literal["creating", "created", "ready", "final"]


@dataclass(frozen=True)
class CampaignRecord:
    issue_id: str
    service: str
    campaign_id: str
    web_url: str
    state: State
    remote_status: str
    created_at: datetime
    updated_at: datetime
    content_built_at: datetime | None


def campaign(store: Store, issue_id: str, service: str) -> CampaignRecord | None:
    row = store.db.execute(
        "SELECT * FROM campaigns WHERE issue_id = ? AND service = ?", (issue_id, service)
    ).fetchone()
    return _record(row) if row is not None else None


def campaigns_of(store: Store, service: str) -> list[CampaignRecord]:
    """Every campaign ``service`` holds for an issue, created ones only (an id to ask about), oldest first."""
    rows = store.db.execute("SELECT * FROM campaigns WHERE service = ? AND state != 'creating' "
                            "AND campaign_id != '' ORDER BY created_at",
                            (service,))
    return [_record(row) for row in rows]


def _record(row: sqlite3.Row) -> CampaignRecord:
    built = row["content_built_at"]
    return CampaignRecord(
        row["issue_id"],
        row["service"],
        row["campaign_id"],
        row["web_url"],
        row["state"],
        row["remote_status"],
        from_iso(row["created_at"]),
        from_iso(row["updated_at"]),
        from_iso(built) if built else None,
    )


def record_creating(store: Store, issue_id: str, service: str, now: datetime) -> None:
    """Mark that a create request is about to be sent (no campaign id yet)."""
    with store.transaction():
        store.db.execute(
            "INSERT OR IGNORE INTO campaigns(issue_id, service, campaign_id, state, created_at, updated_at)"
            " VALUES(?,?,'','creating',?,?)",
            (issue_id, service, iso(now), iso(now)),
        )


def forget_creating(store: Store, issue_id: str, service: str) -> None:
    """The service answered the create with a refusal: no campaign exists, drop the marker."""
    with store.transaction():
        store.db.execute(
            "DELETE FROM campaigns WHERE issue_id = ? AND service = ? AND state = 'creating'",
            (issue_id, service),
        )


def forget(store: Store, issue_id: str, service: str) -> None:
    """The campaign was deleted in the service: drop the row so a new draft can be made (``--force``)."""
    with store.transaction():
        store.db.execute("DELETE FROM campaigns WHERE issue_id = ? AND service = ?", (issue_id, service))


def record_created(
    store: Store, issue_id: str, service: str, campaign_id: str, web_url: str, remote_status: str, now: datetime
) -> CampaignRecord:
    """Remember a campaign the service just created (its content may not be set yet)."""
    with store.transaction():
        store.db.execute(
            "INSERT OR REPLACE INTO campaigns(issue_id, service, campaign_id, web_url, state, remote_status,"
            " created_at, updated_at) VALUES(?,?,?,?,'created',?,?,?)",
            (issue_id, service, campaign_id, web_url, remote_status, iso(now), iso(now)),
        )
    record = campaign(store, issue_id, service)
    assert record is not None
    return record


def record_state(
    store: Store,
    issue_id: str,
    service: str,
    state: State,
    remote_status: str,
    now: datetime,
    *,
    content_built_at: datetime | None = None,
) -> None:
    """Move a campaign to ``state``; ``content_built_at`` says which build its content came from."""
    with store.transaction():
        store.db.execute(
            "UPDATE campaigns SET state = ?, remote_status = ?, updated_at = ?,"
            " content_built_at = COALESCE(?, content_built_at) WHERE issue_id = ? AND service = ?",
            (
                state,
                remote_status,
                iso(now),
                iso(content_built_at) if content_built_at else None,
                issue_id,
                service,
            ),
        )
