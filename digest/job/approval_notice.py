"""Tell the next person about a move: on submit the approvers, on approve or send back the submitter.

By mail through ``[delivery.notify.smtp]`` (the editors' own relay, when set) or ``[delivery.smtp]``,
and by a post to ``[delivery.notify.webhook]`` when the editors have one (a chat channel's hook).
Every header is the config's own text (the site's name, the people's names and addresses, the issue
id); the comment and the issue's subject, which may carry feed text, are only in the plain-text body.
"""

from __future__ import annotations

import json
import os
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from digest.errors import DeliveryError
from digest.job.issue_status import APPROVED, IN_REVIEW, IssueStatus, submitter
from digest.mail.serialise import serialise, set_subject
from digest.mailers import header_line
from digest.settings.approval import Person
from digest.settings.config import Config
from digest.settings.job import SmtpSettings
from digest.store.states import Move

_WHAT = {"submit": "is in review", "approve": "is approved", "send back": "was sent back",
         "pull": "was pulled back to draft"}


def recipients(config: Config, status: IssueStatus, move: Move) -> list[Person]:
    """Who acts next: the approvers after a submit; the submitter after any other move (never the mover)."""
    people = config.approval.people
    if move.action == "submit":
        chosen = [p for p in people if p.has("approver")]
    else:
        who = submitter(status.history)
        chosen = [p for p in people if p.name == who]
    return [p for p in chosen if p.name != move.by]


def _relay(config: Config) -> tuple[SmtpSettings, str] | None:
    notify = config.delivery.notify
    if notify is not None and notify.smtp is not None:
        return notify.smtp, "delivery.notify.smtp"
    if config.delivery.smtp is not None:
        return config.delivery.smtp, "delivery.smtp"
    return None


def tell_next(config: Config, status: IssueStatus, move: Move) -> str:
    """Tell the next person by every route; return who was told (or why nobody was), or raise DeliveryError."""
    people = recipients(config, status, move)
    if not people:
        return "nobody else to tell"
    notify = config.delivery.notify
    done = [_post(config, status, move, people)] if notify is not None and notify.webhook is not None else []
    relay = _relay(config)
    if relay is None:
        return "; ".join(done) or ("nobody told: the config has no [delivery.smtp] (or [delivery.notify.smtp]) "
                                   "to mail them by")
    done.append(_mail(config, status, move, people, *relay))
    return "; ".join(done)


def _post(config: Config, status: IssueStatus, move: Move, people: list[Person]) -> str:
    assert config.delivery.notify is not None and config.delivery.notify.webhook is not None
    payload = {"event": "issue_state", "issue": status.issue_id, "action": move.action, "state": status.state,
               "by": move.by, "at": move.at.isoformat(), "comment": move.comment,
               "to": [{"name": p.name, "email": p.email} for p in people]}
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    from digest.job import webhook  # only a config that notifies by webhook loads the poster

    detail = webhook.post(config.delivery.notify.webhook, body, table="delivery.notify.webhook",
                          label="the notify webhook", what="the notice")
    return f"posted to {webhook.origin(config.delivery.notify.webhook.url)} ({detail.partition(' from ')[0]})"


def _mail(config: Config, status: IssueStatus, move: Move, people: list[Person], settings: SmtpSettings,
          key: str) -> str:
    password = os.environ.get(settings.password_env or "", "") if settings.username else None
    if settings.username and not password:
        raise DeliveryError(f"the environment variable {settings.password_env} (named by {key}.password_env) "
                            "is not set")
    subject = header_line(f"{config.site.name} {status.issue_id} {_WHAT.get(move.action, move.action)}"
                          f" ({move.action} by {move.by})")
    message = EmailMessage(policy=SMTP)
    set_subject(message, subject)
    message["From"] = settings.sender
    message["To"] = ", ".join(formataddr((p.name, p.email)) for p in people)
    message["Date"] = format_datetime(move.at)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("digest-approval", domain)
    message.set_content(_body(config, status, move))
    raw = serialise(message, f"the notice of {status.issue_id}", subject=subject)
    addresses = [p.email for p in people]
    from digest.job import smtp  # only a config that notifies by mail loads the SMTP client

    refused = smtp.hand_over(settings, password, raw, parseaddr(settings.sender)[1], addresses, key=key)
    return f"told {', '.join(addresses)}{refused}"


def _body(config: Config, status: IssueStatus, move: Move) -> str:
    week, _, edition = status.issue_id.rpartition("/")[::-1]
    where = f"--week {week}" + (f" --edition {edition}" if edition else "")
    lines = [f"{move.by} moved the {status.issue_id} issue of {config.site.name}: {move.action}, "
             f"now {status.state}, at {move.at.isoformat(timespec='minutes')}.", ""]
    if move.comment:
        lines += ["Comment:", *(f"  {line}" for line in move.comment.splitlines()), ""]
    if status.state == IN_REVIEW:
        lines.append(f"Review it: digest issue approve {where} --as NAME (or send-back with --comment)")
    elif status.state == APPROVED:
        lines.append("It is handed off by the next `digest run` (or the desk's hand-off).")
    else:
        lines.append(f"It is a draft again: digest issue submit {where} --as NAME when it is ready.")
    return "\n".join(lines) + "\n"
