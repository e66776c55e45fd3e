"""An issue's approval state as shown (the desk, ``digest issue status``, the notices): the states'
names, the record of where an issue stands, and who submitted it.

Kept apart from :mod:`digest.job.approval` (the rules of each move) so the notices that a move sends
(:mod:`digest.job.approval_notice`) read the state without importing the rules that send them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.store.states import DRAFT, Move

IN_REVIEW, APPROVED, HANDED_OFF = "in review", "approved", "handed off"


@dataclass(frozen=True)
class IssueStatus:
    issue_id: str
    state: str
    history: tuple[Move, ...]
    allowed: tuple[str, ...]  # the moves the state allows now (whoever makes them)
    required: bool  # [approval] required: no hand-off before approval
    built_at: datetime | None
    stale: bool = False  # approved (or handed off) as an earlier build: this one is not approved

    def document(self) -> dict[str, Any]:
        return {"issue": self.issue_id, "state": self.state, "required": self.required,
                "allowed": list(self.allowed),
                "built_at": self.built_at.isoformat() if self.built_at else None, "stale": self.stale,
                "history": [{"action": m.action, "state": m.state, "by": m.by, "at": m.at.isoformat(),
                             "comment": m.comment, "built_at": m.built_at.isoformat() if m.built_at else None}
                            for m in self.history]}

    def summary(self) -> str:
        """``state: in review (submit by Ana at 2025-05-19T13:00+00:00)``."""
        last = f" ({said(self.history[-1])})" if self.history else ""
        stale = "; rebuilt since it was approved: pull it back and submit it again" if self.stale else ""
        return f"state: {self.state}{last}{stale}"

    def lines(self) -> list[str]:
        lines = [f"{self.issue_id}: {self.summary()}",
                 f"approval: {'required before hand-off' if self.required else 'not required'}"]
        lines += [f"  {m.at.isoformat(timespec='minutes')} {m.action} by {m.by} -> {m.state}"
                  + (f": {m.comment}" if m.comment else "") for m in self.history]
        lines.append(f"allowed now: {', '.join(self.allowed) or 'nothing'}")
        return lines



def said(move: Move) -> str:
    return f"{move.action} by {move.by} at {move.at.isoformat(timespec='minutes')}"


def with_article(state: str) -> str:
    return f"a {state}" if state == DRAFT else state



def submitter(history: tuple[Move, ...] | list[Move]) -> str | None:
    return next((m.by for m in reversed(history) if m.action == "submit"), None)
