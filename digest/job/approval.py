"""The issue's states and who moves it between them: draft -> in review -> approved -> handed off.

One set of rules for every edge (``digest issue``, the desk): who may make a move comes from
``[approval]`` (an editor submits; an approver approves, sends back with a comment, or stops the
presses), the move is refused with the state and what is allowed when the issue is not where the
move starts, and each move is kept in the store with who, when (UTC), the comment and the build
the person saw. An approval is of that build only: an issue rebuilt since is not handed off.

The hand-off itself is the job's exactly-once delivery (:func:`digest.job.run.deliver_pending`);
:func:`check_hand_off` is its gate when approval is required and :func:`note_handed_off` records
the move once the delivery is done (or found done), once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digest.errors import ApprovalError, DeliveryError
from digest.job.approval_notice import tell_next
from digest.job.issue_status import (
    APPROVED,
    HANDED_OFF,
    IN_REVIEW,
    IssueStatus,
    said,
    submitter,
    with_article,
)
from digest.settings.approval import Person, Role
from digest.settings.config import Config
from digest.store import campaigns, states
from digest.store.database import Store
from digest.store.states import DRAFT, Move

HAND_OFF = "hand off"
MAX_COMMENT = 4000
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Rule:
    starts: tuple[str, ...]  # the states the move starts from
    leads_to: str
    role: Role
    done: str  # "it cannot be <done>"


ACTIONS: dict[str, Rule] = {
    "submit": Rule((DRAFT,), IN_REVIEW, "editor", "submitted for review"),
    "approve": Rule((IN_REVIEW,), APPROVED, "approver", "approved"),
    "send back": Rule((IN_REVIEW,), DRAFT, "approver", "sent back"),
    "pull": Rule((APPROVED, HANDED_OFF), DRAFT, "approver", "pulled back"),  # stop the presses
}


@dataclass(frozen=True)
class Outcome:
    status: IssueStatus
    move: Move
    notice: str | None  # who was told, or why nobody was
    notice_error: str | None = None  # the move stands; the notice failed


def status(config: Config, store: Store, issue_id: str) -> IssueStatus:
    history = tuple(states.moves(store, issue_id))
    state = history[-1].state if history else DRAFT
    record = store.issue(issue_id)
    allowed = tuple(name for name, rule in ACTIONS.items() if state in rule.starts
                    and (name != "pull" or state != HANDED_OFF or _pullable(config, store, issue_id) is None))
    approved = next((m for m in reversed(history) if m.action == "approve"), None)
    stale = (state in (APPROVED, HANDED_OFF) and approved is not None and record is not None
             and approved.built_at != record.built_at)
    return IssueStatus(issue_id, state, history, allowed, config.approval.required,
                       record.built_at if record else None, stale)


def _pullable(config: Config, store: Store, issue_id: str) -> str | None:
    """Why a handed-off issue cannot come back, or None: only a service draft nobody has sent can."""
    method = config.delivery.method
    if not config.delivery.is_service:
        return (f"{issue_id} was handed off by {method}: a sent email cannot be pulled back"
                if method != "files" else f"{issue_id} was handed off as files; there is nothing to pull back")
    record = campaigns.campaign(store, issue_id, method)
    if record is None:
        return f"{issue_id} has no draft in {method} to pull back"
    if record.state == "final":
        return (f"{issue_id} is {record.remote_status or 'sent or scheduled'} in {method} "
                f"({record.web_url}): it cannot be pulled back from digest")
    return None


def person_named(config: Config, name: str) -> Person:
    people = config.approval.people
    if not people:
        raise ApprovalError("the config names nobody who may move an issue: add [[approval.people]] tables "
                            '(name, email, roles = ["editor"] or ["approver"])')
    person = config.approval.person(name)
    if person is None:
        raise ApprovalError(f"{name} is not in [approval] people ({', '.join(p.name for p in people)}); "
                            "act as one of them")
    return person


def transition(
    config: Config, store: Store, issue_id: str, action: str, by: str, now: datetime, comment: str = "",
    *, notify: bool = True,
) -> Outcome:
    """Make one move as ``by`` (a name from the config); raise ApprovalError saying why it is refused."""
    rule = ACTIONS.get(action)
    if rule is None:
        raise ApprovalError(f"unknown move {action!r}; the moves are {', '.join(ACTIONS)}")
    person = person_named(config, by)
    comment = _clean(comment)
    if not person.has(rule.role):
        allowed = [p.name for p in config.approval.people if p.has(rule.role)]
        raise ApprovalError(f"{by} is not an {rule.role}: only {', '.join(allowed) or 'nobody'} may do "
                            f"that ([approval] people, roles)")
    record = store.issue(issue_id)
    if record is None:
        raise ApprovalError(f"{issue_id} has not been built yet; build it first (`digest build` or "
                            "`digest run --no-deliver`)")
    now_status = status(config, store, issue_id)
    if now_status.state not in rule.starts:
        raise ApprovalError(f"{issue_id} is {with_article(now_status.state)}: it cannot be {rule.done}; "
                            f"allowed now: {', '.join(now_status.allowed) or 'nothing'}")
    if action == "pull" and now_status.state == HANDED_OFF:
        why = _pullable(config, store, issue_id)
        if why is not None:
            raise ApprovalError(why)
    if action == "approve" and config.approval.separate and submitter(now_status.history) == by:
        others = [p.name for p in config.approval.people if p.has("approver") and p.name != by]
        raise ApprovalError(f"{by} submitted it for review, and [approval] separate_approver is on: another "
                            f"approver must approve it ({', '.join(others) or 'add one to [approval] people'})")
    if action == "send back" and not comment:
        raise ApprovalError(f"sending {issue_id} back needs a comment (--comment) saying what to change")
    move = states.record_move(store, issue_id, expected=now_status.state, action=action, state=rule.leads_to,
                              by=by, at=now, comment=comment, built_at=record.built_at)
    after = status(config, store, issue_id)
    if not notify:
        return Outcome(after, move, None)
    try:
        told = tell_next(config, after, move)
    except DeliveryError as exc:
        return Outcome(after, move, None, f"{after.issue_id} is {after.state}, but the notice failed: {exc}")
    return Outcome(after, move, told)


def _clean(comment: str) -> str:
    """A comment is shown in a terminal, the desk and a notice's body: no control characters."""
    text = "".join(c for c in comment if c in "\n\t" or (ord(c) >= 32 and not 127 <= ord(c) < 160
                                                         and c not in _BIDI)).strip()
    if len(text) > MAX_COMMENT:
        raise ApprovalError(f"the comment is {len(text)} characters long; keep it under {MAX_COMMENT}")
    return text


# -- the hand-off ----------------------------------------------------------------------------------


def check_hand_off(config: Config, store: Store, issue_id: str, built_at: datetime) -> None:
    """Refuse the hand-off of an issue that is not approved as built now, when approval is required, or
    when someone moved this issue by hand (submitted it, pulled it back): it is not sent behind their back."""
    now = status(config, store, issue_id)
    by_hand = [m for m in now.history if m.action != HAND_OFF]
    if not config.approval.required and not by_hand:
        return
    week, _, edition = _week_edition(issue_id)
    if now.state not in (APPROVED, HANDED_OFF):
        then = {DRAFT: f"submit it for review (`digest issue submit --week {week}{edition} --as NAME`)",
                IN_REVIEW: f"an approver approves it (`digest issue approve --week {week}{edition} --as NAME`)",
                }.get(now.state, "")
        why = ("[approval] required = true" if config.approval.required
               else f"its last move was {said(by_hand[-1])}")
        raise DeliveryError(f"{issue_id} is {with_article(now.state)}, not approved: {why}, so it is not "
                            f"handed off; {then}")
    approved = next((m for m in reversed(now.history) if m.action == "approve"), None)
    if approved is None:  # handed off before approval was required: that hand-off stands
        return
    if approved.built_at != built_at:
        seen = approved.built_at.isoformat(timespec="minutes") if approved.built_at else "unknown"
        raise DeliveryError(
            f"{issue_id} was rebuilt after it was approved ({said(approved)} was of the build of {seen}; "
            f"built again at {built_at.isoformat(timespec='minutes')}): nothing was handed off; pull it back "
            f"and submit it again (`digest issue pull`, then `digest issue submit --week {week}{edition}`)")


def note_handed_off(config: Config, store: Store, issue_id: str, now: datetime, by: str = "digest run") -> None:
    """The delivery is done (or found done): record the move, once. With approval required, only an
    approved issue moves (the gate let nothing else through); without, any state does."""
    current = states.current(store, issue_id)
    if current == HANDED_OFF or (config.approval.required and current != APPROVED):
        return
    record = store.issue(issue_id)
    states.record_move(store, issue_id, expected=current, action=HAND_OFF, state=HANDED_OFF, by=by, at=now,
                       built_at=record.built_at if record else None)


def _week_edition(issue_id: str) -> tuple[str, str, str]:
    """``anime/2025-W20`` -> ``("2025-W20", "", " --edition anime")``."""
    edition, _, week = issue_id.rpartition("/")
    return week, "", f" --edition {edition}" if edition else ""
