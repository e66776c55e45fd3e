"""``[delivery.notify]``: a short "draft ready" note to the editors, by mail and/or a webhook post.

It carries what an editor needs before approving: the subject, where to approve, the picks,
and the pre-send findings (the build's warnings, the lint warnings, what the service itself
says of the draft). Passwords and secrets come from environment variables and never appear in
a message.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any

from digest.errors import DeliveryError
from digest.job import smtp, webhook
from digest.mail.lint import format_finding, lint_html
from digest.mail.serialise import serialise, set_subject
from digest.mailers import header_line
from digest.settings.config import Config
from digest.settings.job import NotifySettings, SmtpSettings, WebhookSettings

if TYPE_CHECKING:
    from digest.job.built import BuiltIssue


def findings_of(config: Config, built: BuiltIssue, service_findings: tuple[str, ...]) -> list[str]:
    """Everything worth a look before sending: build warnings, lint warnings, the service's checklist."""
    lint = [
        format_finding(f) for f in lint_html(built.html, config.email.merge_tags) if f.severity == "warning"
    ]
    return [str(w) for w in built.manifest.get("warnings") or []] + lint + list(service_findings)


def note_text(config: Config, built: BuiltIssue, campaign_id: str, url: str, findings: list[str]) -> str:
    service = config.delivery.method
    lines = [
        f"The {built.issue_id} issue of {config.site.name} is a draft in {service}, ready to approve.",
        "",
        f"Subject: {built.subject}",
        f"Approve it: {url}",
        f"Campaign: {campaign_id}",
        "",
        "Picks:",
    ]
    picks: list[dict[str, Any]] = list(built.manifest.get("picks") or [])
    for pick in picks:
        score = f" ({pick['score']:g}/10)" if isinstance(pick.get("score"), int | float) else ""
        lines.append(
            f"  {pick.get('position', '?')}. [{pick.get('kind', '')}] {pick.get('title', '')}{score} "
            f"{pick.get('url', '')}"
        )
    if not picks:
        lines.append("  (none listed)")
    lines += ["", "Before sending, check:" if findings else "Nothing was flagged before sending."]
    lines += [f"  - {f}" for f in findings]
    lines += ["", "digest never sends the issue itself: approve and send it in the service."]
    return "\n".join(lines) + "\n"


def notify_ready(
    config: Config,
    settings: NotifySettings,
    built: BuiltIssue,
    campaign_id: str,
    url: str,
    service_findings: tuple[str, ...],
    now: datetime,
) -> str:
    """Send the note by every configured route; return what happened or raise DeliveryError."""
    findings = findings_of(config, built, service_findings)
    text = note_text(config, built, campaign_id, url, findings)
    subject = header_line(f"Draft ready to approve: {built.subject}")
    done = []
    if settings.smtp is not None:
        done.append(_mail(settings.smtp, built.issue_id, subject, text, now))
    if settings.webhook is not None:
        payload = {
            "event": "draft_ready",
            "issue": built.issue_id,
            "service": config.delivery.method,
            "campaign_id": campaign_id,
            "url": url,
            "subject": built.subject,
            "findings": findings,
            "picks": [
                {k: p.get(k) for k in ("position", "kind", "title", "url", "score")}
                for p in built.manifest.get("picks") or []
            ],
        }
        done.append(_post(settings.webhook, payload))
    return "; ".join(done)


def _mail(settings: SmtpSettings, issue_id: str, subject: str, text: str, now: datetime) -> str:
    password = os.environ.get(settings.password_env or "", "") if settings.username else None
    if settings.username and not password:
        raise DeliveryError(
            f"the environment variable {settings.password_env} (named by "
            "delivery.notify.smtp.password_env) is not set"
        )
    message = EmailMessage(policy=SMTP)
    set_subject(message, subject)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(
        "digest-notify", parseaddr(settings.sender)[1].rpartition("@")[2] or None
    )
    message.set_content(text)
    raw = serialise(message, f"the draft-ready notice of {issue_id}", subject=subject)  # refused: nothing sent
    recipients = [addr for _, addr in getaddresses(settings.to)]
    # A 250 to the notice is the end: what QUIT meets is no failure, or the next run sends it twice.
    refused = smtp.hand_over(settings, password, raw, parseaddr(settings.sender)[1], recipients,
                             key="delivery.notify.smtp")
    return f"notified {', '.join(recipients)}{refused}"


def _post(settings: WebhookSettings, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    detail = webhook.post(settings, body, table="delivery.notify.webhook", label="the notify webhook",
                          what="the notice")
    return f"posted to {webhook.origin(settings.url)} ({detail.partition(' from ')[0]})"
