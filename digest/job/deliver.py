"""Hand a built issue to the mailing service: files (no-op), SMTP, or a webhook.

An issue is delivered exactly once per method (:class:`Acceptance`): the store
records the delivery the moment the service has accepted it (SMTP: the 250
after DATA; webhook: a 2xx), before anything else happens, such as closing the
SMTP session. A crash before acceptance retries; a crash after it does not send
again. A failure before acceptance leaves the issue built but undelivered and
the next run retries. Every failure is a DeliveryError whose
message says, in an editor's words, what the server did (refused, timed out,
rejected the login, answered HTTP 500 ...). Secrets come from environment
variables named in the config and never appear in messages or logs.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid, parseaddr
from pathlib import Path

from digest.errors import DeliveryError
from digest.job.approval import check_hand_off
from digest.job.built import BuiltIssue, load_built, refuse_unresolved_tags
from digest.job.spam import require_checked
from digest.mail.output import build_message
from digest.mail.serialise import serialise
from digest.mailers import address_fault
from digest.models import RenderedIssue
from digest.settings.config import Config
from digest.settings.job import SmtpSettings, WebhookSettings
from digest.store.database import IssueRecord, Store

log = logging.getLogger(__name__)


def deliver_issue(
    config: Config, store: Store, issue_id: str, now: datetime, *, force: bool = False,
) -> str | None:
    """Deliver ``issue_id`` by the configured method unless already done; return what happened.

    Returns None for "files" (the out dir is the hand-off) and the stored detail otherwise. A
    mailing service gets a draft campaign (digest.job.services); ``force`` updates that draft.
    """
    method = config.delivery.method
    if method == "files":
        return None
    record = store.issue(issue_id)
    if record is None:
        raise DeliveryError(f"{issue_id} has not been built yet, so it cannot be delivered")
    check_hand_off(config, store, issue_id, record.built_at)  # [approval] required: approved, this build
    require_checked(config, issue_id, Path(record.out_dir))  # a pending spam check first; none failed
    if config.delivery.is_service:
        from digest.job.services.campaign import deliver_campaign  # imports deliver: load on use

        return deliver_campaign(config, store, load_built(record), now, force=force)
    delivered = store.delivered_at(issue_id, method)
    if delivered is not None:
        return f"already delivered at {delivered.isoformat()}"
    built = load_built(record)
    refuse_unresolved_tags(config, built, f"delivery by {method}")  # built for this path, or not sent
    accepted = Acceptance(lambda detail: store.record_delivery(issue_id, method, now, detail))
    try:
        if method == "smtp":
            assert config.delivery.smtp is not None  # the settings validator guarantees it
            settings = config.delivery.smtp
            detail = send_smtp(config, settings, built, now, message_id=_stable_id(built, settings.sender),
                               on_accepted=accepted)
        else:
            assert config.delivery.webhook is not None
            detail = post_webhook(config.delivery.webhook, built)
    except DeliveryError as exc:
        if accepted.detail is not None:  # accepted and recorded: whatever failed after it is no failure
            return accepted.detail
        raise DeliveryError(
            f"delivery of {issue_id} by {method} failed: {exc}. The issue stays built; "
            "the next run will try again"
        ) from None
    accepted(detail)
    log.info("delivered %s by %s: %s", issue_id, method, detail)
    return detail


class Acceptance:
    """Exactly-once hand-off: call it the moment the service has accepted the issue.

    It records the delivery at once (the store commits), and only once; the caller
    then tidies up (QUIT, closing a connection), where a crash or an error no longer
    matters. Every hand-off (SMTP, webhook, a service API) calls it at its point of
    acceptance and nowhere earlier.
    """

    def __init__(self, record: Callable[[str], None]) -> None:
        self._record = record
        self.detail: str | None = None

    def __call__(self, detail: str) -> None:
        if self.detail is None:
            self._record(detail)
            self.detail = detail


def send_test(
    config: Config, store: Store, to: str, now: datetime, issue_id: str | None = None,
) -> tuple[str, str]:
    """Send the latest (or a given) built issue to one address with [TEST] in the subject; not recorded.

    Returns ``(issue id, detail)``.
    """
    settings = config.delivery.smtp
    if settings is None:
        raise DeliveryError("send-test sends by SMTP, but the config has no [delivery.smtp] table")
    record, built = _test_issue(config, store, to, issue_id)
    try:
        detail = send_smtp(config, settings, built, now, to=[to], subject_prefix="[TEST] ")
    except DeliveryError as exc:
        raise DeliveryError(f"test send of {record.id} failed: {exc}") from None
    return record.id, detail


def _test_issue(config: Config, store: Store, to: str, issue_id: str | None) -> tuple[IssueRecord, BuiltIssue]:
    """What a test send sends, checked: a plain address, a built issue, no merge tag left unresolved."""
    _check_address(to)
    record = store.issue(issue_id) if issue_id else store.latest_issue(config.edition_id)
    if record is None:
        raise DeliveryError(f"{issue_id} has not been built" if issue_id
                            else "no issue has been built yet; run `digest run` first")
    built = load_built(record)
    refuse_unresolved_tags(config, built, "test send")
    return record, built


TEST_FOLDER = "test"  # under the output folder: where a test send without a mail server is written


def write_test(
    config: Config, store: Store, to: str, now: datetime, issue_id: str | None = None,
) -> tuple[str, str]:
    """A test send with no mail server ([delivery.smtp] absent): the [TEST] message as an .eml file.

    The message is the one an SMTP test would send (same headers, same read-back check in
    ``serialise``, same merge-tag guard), written to ``<output>/test/<issue>.eml`` for a mail
    client to open. Returns ``(issue id, the file's path)``.
    """
    record, built = _test_issue(config, store, to, issue_id)
    rendered = RenderedIssue(built.issue_id, built.subject, str(built.manifest.get("preheader", "")),
                             built.html, built.text)
    message, subject = build_message(config, rendered, now, to=to, subject_prefix="[TEST] ")
    raw = serialise(message, f"the {built.issue_id} test email", subject=subject)  # refused: nothing written
    target = config.output_root() / TEST_FOLDER / f"{record.id}.eml"  # the store's key: anime/2025-W20
    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
        staging = Path(name)
        with open(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, target)  # all or nothing; replaces a link at that name, never writes through it
    except OSError as exc:
        if staging is not None:
            staging.unlink(missing_ok=True)
        raise DeliveryError(f"test send of {record.id}: cannot write {target}: {exc.strerror or exc}; "
                            "nothing was written") from None
    return record.id, str(target)


# -- SMTP ----------------------------------------------------------------------


def email_message(
    config: Config, settings: SmtpSettings, built: BuiltIssue, now: datetime, *, to: list[str],
    subject_prefix: str = "", message_id: str | None = None,
) -> tuple[EmailMessage, str]:
    """The built email addressed for this send, and its Subject: To, Date and subject prefix as the
    .eml has them; From and Message-ID are the relay's sender and this send's id."""
    rendered = RenderedIssue(built.issue_id, built.subject, str(built.manifest.get("preheader", "")),
                             built.html, built.text)
    return build_message(config, rendered, now, to=", ".join(to), subject_prefix=subject_prefix,
                         from_=settings.sender,
                         message_id=message_id or make_msgid("digest", _domain(settings.sender)))


def send_smtp(
    config: Config, settings: SmtpSettings, built: BuiltIssue, now: datetime, *,
    to: list[str] | None = None, subject_prefix: str = "", message_id: str | None = None,
    on_accepted: Callable[[str], None] | None = None,
) -> str:
    """Send one message; return "to ...; <message-id>" or raise DeliveryError in plain words.

    ``on_accepted`` gets that detail as soon as the server has accepted the message,
    before the session is closed (see :class:`Acceptance`).
    """
    recipients = to or settings.to
    password = _secret(settings.password_env, "delivery.smtp.password_env") if settings.username else None
    message, subject = email_message(config, settings, built, now, to=recipients, subject_prefix=subject_prefix,
                                     message_id=message_id)
    raw = serialise(message, f"the {built.issue_id} email", subject=subject)  # refused here: nothing sent
    envelope_from = parseaddr(settings.sender)[1]
    envelope_to = [addr for _, addr in getaddresses(recipients)]
    sent = f"to {', '.join(envelope_to)}; {message['Message-ID']}"

    def accepted(refused: str) -> None:
        if on_accepted is not None:
            on_accepted(sent + refused)

    from digest.job import smtp  # the SMTP client only for a config that sends by SMTP

    return sent + smtp.hand_over(settings, password, raw, envelope_from, envelope_to, accepted)


# -- webhook -------------------------------------------------------------------


def webhook_body(built: BuiltIssue) -> bytes:
    """The JSON the webhook receives: ``{issue, subject, html, text, manifest}``."""
    payload = {"issue": built.issue_id, "subject": built.subject, "html": built.html, "text": built.text,
               "manifest": built.manifest}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def post_webhook(settings: WebhookSettings, built: BuiltIssue) -> str:
    """POST the issue; return "HTTP 200 from <origin>" or raise DeliveryError in plain words."""
    headers = {
        "X-Digest-Issue": built.issue_id,
        # Same key for every retry of the same build, so a receiver can drop a duplicate
        # when our earlier attempt timed out after it had already been processed.
        "Idempotency-Key": f"{built.issue_id}-{built.built_at:%Y%m%dT%H%M%S}",
    }
    from digest.job import webhook  # the poster only for a config that posts

    return webhook.post(settings, webhook_body(built), table="delivery.webhook", label="the webhook",
                        what="the issue", headers=headers)


# -- helpers -------------------------------------------------------------------


def _secret(env_name: str | None, key: str) -> str:
    from digest.job.webhook import secret_from

    return secret_from(env_name, key)


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def _stable_id(built: BuiltIssue, sender: str) -> str:
    """One Message-ID per build, so a retried send of the same issue is recognisably the same mail."""
    return f"<digest.{built.issue_id}.{built.built_at:%Y%m%dT%H%M%S}@{_domain(sender)}>"


def _check_address(value: str) -> None:
    fault = address_fault(value)
    if fault:
        raise DeliveryError(f"--to {value!r} {fault}; nothing was sent")
    _, addr = parseaddr(value)
    if "@" not in addr or addr.startswith("@") or addr.endswith("@"):
        raise DeliveryError(f"{value!r} is not an email address")
