"""Each issue's moves through its states, one row per move (``issue_states``).

The rows are the history the desk and ``digest issue status`` show; the last one is the issue's
state (no row: a draft). A move is written only if the state it was asked from is still the
state, checked in the same ``BEGIN IMMEDIATE`` transaction, so two editors acting at once (the
desk and the CLI) cannot both move an issue from the same state: the second is told what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digest.errors import ApprovalError
from digest.store.connection import Connection, from_iso, iso

DRAFT = "draft"


@dataclass(frozen=True)
class Move:
    seq: int
    action: str
    state: str  # the state the move led to
    by: str
    at: datetime
    comment: str
    built_at: datetime | None  # the build the person saw (an approval is of that build only)


def moves(store: Connection, issue_id: str) -> list[Move]:
    rows = store.db.execute("SELECT * FROM issue_states WHERE issue_id = ? ORDER BY seq", (issue_id,))
    return [Move(r["seq"], r["action"], r["state"], r["by"], from_iso(r["at"]), r["comment"],
                 from_iso(r["built_at"]) if r["built_at"] else None) for r in rows]


def _current(store: Connection, issue_id: str) -> tuple[int, str]:
    row = store.db.execute("SELECT seq, state FROM issue_states WHERE issue_id = ? ORDER BY seq DESC LIMIT 1",
                           (issue_id,)).fetchone()
    return (row[0], row[1]) if row else (0, DRAFT)


def current(store: Connection, issue_id: str) -> str:
    return _current(store, issue_id)[1]


def record_move(
    store: Connection, issue_id: str, *, expected: str | tuple[str, ...], action: str, state: str, by: str,
    at: datetime, comment: str = "", built_at: datetime | None = None,
) -> Move:
    """Append a move from ``expected`` to ``state``; refused when the issue is no longer in ``expected``."""
    wanted = (expected,) if isinstance(expected, str) else expected
    with store.transaction():
        seq, now_in = _current(store, issue_id)
        if now_in not in wanted:
            last = moves(store, issue_id)[-1:]
            who = f" ({last[0].action} by {last[0].by} at {iso(last[0].at)})" if last else ""
            raise ApprovalError(f"{issue_id} is {now_in} now{who}, no longer {_a(wanted[0])}: "
                                f"nothing was changed; look at `digest issue status` and try again")
        store.db.execute(
            "INSERT INTO issue_states(issue_id, seq, action, state, by, at, comment, built_at)"
            " VALUES(?,?,?,?,?,?,?,?)",
            (issue_id, seq + 1, action, state, by, iso(at), comment, iso(built_at) if built_at else None),
        )
    return moves(store, issue_id)[-1]


def _a(state: str) -> str:
    return f"a {state}" if state == DRAFT else state
