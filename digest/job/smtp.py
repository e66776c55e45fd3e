"""One SMTP session, for every message the job sends: the issue, a test send, the draft-ready notice.

``smtplib``'s timeout bounds each read and write alone: a server that answers one byte every few
seconds resets it forever, holding the run and the store lock. Here a watchdog also shuts the
session's socket down at an overall deadline (``deadline`` seconds from the start), whatever the
session is doing (greeting, EHLO, STARTTLS, login, DATA), so the blocked call returns at once and
the session ends with :class:`DeadlineExceeded`.

Acceptance is the server's 250 to DATA: ``accepted`` runs right then, before QUIT, and nothing
that happens after it (a refused QUIT, a dropped connection, the deadline) is a failure, so a
message the server took is recorded once and never sent again.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable

from digest.errors import DeliveryError
from digest.outbound import redact
from digest.settings.job import SmtpSettings

log = logging.getLogger(__name__)

Refused = dict[str, tuple[int, bytes]]


class DeadlineExceeded(TimeoutError):
    """The session had not finished when its overall deadline came: the message was not accepted."""


class Unsendable(smtplib.SMTPException):
    """What smtplib refuses before it speaks (a line break in an address, a password that is not
    ASCII) as ValueError or UnicodeError: a user's setting, reported as one, never a traceback."""


class _Watchdog:
    """Shuts the client's socket down at ``end`` (monotonic), so a blocked read or write returns."""

    def __init__(self, client: smtplib.SMTP, seconds: float) -> None:
        self.client = client
        self.expired = False
        self._done = False
        self._lock = threading.Lock()
        self._timer = self._arm(max(0.0, seconds))

    def _arm(self, seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, self._expire)
        timer.daemon = True
        return timer

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
            self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sock = getattr(self.client, "sock", None)
            if not isinstance(sock, socket.socket):  # still connecting: look again until there is one
                self._timer = self._arm(0.05)
                self._timer.start()
                return
            try:  # the plain socket's shutdown, also for an SSLSocket: it only ends the fd's traffic
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


def send(
    settings: SmtpSettings, password: str | None, raw: bytes, sender: str, recipients: list[str],
    accepted: Callable[[Refused], None] | None = None, *, key: str = "delivery.smtp",
) -> Refused:
    """Send ``raw`` (the very bytes that were checked) in one session; return the refused recipients.

    Raises ``smtplib.SMTPException`` or ``OSError`` as smtplib does, and :class:`DeadlineExceeded`
    when ``settings.deadline`` passed first (named as ``key``.deadline). ``accepted`` runs after the
    250 to DATA, before QUIT.
    """
    started = time.monotonic()
    context = ssl.create_default_context()
    client: smtplib.SMTP = (
        smtplib.SMTP_SSL(timeout=settings.timeout, context=context) if settings.security == "tls"
        else smtplib.SMTP(timeout=settings.timeout)
    )
    # smtplib keeps the host for TLS (the certificate's name) only when its constructor connects; this
    # one connects under the watchdog, so it is set here, as the constructor would.
    setattr(client, "_host", settings.host)  # noqa: B010
    with _Watchdog(client, settings.deadline) as watchdog:
        try:
            client.connect(settings.host, settings.effective_port)
            client.ehlo()
            if settings.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if settings.username and password is not None:
                _login(client, settings, password, key)
            try:
                refused = client.sendmail(sender, recipients, raw)
            except ValueError as exc:  # smtplib refuses CR/LF in a command before sending it
                raise Unsendable(f"an address has a line break or control character in it ({exc}); "
                                 f"check {key}.from, {key}.to and --to") from None
        except BaseException as exc:
            client.close()
            if watchdog.expired and isinstance(exc, OSError | smtplib.SMTPException):
                raise DeadlineExceeded(
                    f"the session had not finished after {time.monotonic() - started:.0f} s "
                    f"({key}.deadline is {settings.deadline:g} s)") from None
            raise
        if accepted is not None:
            accepted(refused)
        try:
            client.quit()
        except (OSError, smtplib.SMTPException) as exc:
            log.info("closing the SMTP session after acceptance failed (harmless): %s", exc)
        finally:
            client.close()
    return refused


def hand_over(
    settings: SmtpSettings, password: str | None, raw: bytes, sender: str, recipients: list[str],
    accepted: Callable[[str], None] | None = None, *, key: str = "delivery.smtp",
) -> str:
    """:func:`send`, its failure a DeliveryError naming the server and what it said, password redacted.

    Returns (and hands ``accepted`` at the 250 to DATA) the recipients the server refused while
    taking the message for the others, as "; refused: a (550 ...)", or "" when it took them all.
    The issue's hand-off, its test send and the draft-ready notice all send through here.
    """
    server = f"the mail server {settings.host}:{settings.effective_port}"
    noted: list[str] = []

    def taken(refused: Refused) -> None:
        note = ""
        if refused:
            each = (f"{addr} ({code} {text(msg)})" for addr, (code, msg) in refused.items())
            refusals = redact("; ".join(each), password)
            log.warning("%s refused some recipients: %s", server, refusals)
            note = f"; refused: {refusals}"
        noted.append(note)
        if accepted is not None:
            accepted(note)

    try:
        send(settings, password, raw, sender, recipients, taken, key=key)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(redact(reason(exc, server, settings), password)) from None
    return noted[0]


def _login(client: smtplib.SMTP, settings: SmtpSettings, password: str, key: str) -> None:
    """Log in; a user name or password smtplib cannot send (it encodes AUTH as ASCII) is Unsendable."""
    try:
        client.login(settings.username or "", password)
    except UnicodeError:
        client.close()
        raise Unsendable(
            f"the password in ${settings.password_env} (or {key}.username) is not ASCII, and SMTP AUTH "
            "PLAIN/LOGIN as digest sends it is ASCII only; use an ASCII password (an app password)"
        ) from None


def reason(exc: BaseException, server: str, settings: SmtpSettings) -> str:
    """Why the session failed, in an editor's words, the server's answers decoded (not ``repr``'d bytes,
    which would show a password the server quoted in an escaped form ``redact`` cannot find)."""
    if isinstance(exc, DeadlineExceeded):
        return f"{server} was too slow: {exc}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"{server} rejected the login for {settings.username!r} ({exc.smtp_code} "
                f"{text(exc.smtp_error)}); check the password in ${settings.password_env}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{addr} ({code} {text(msg)})" for addr, (code, msg) in exc.recipients.items())
        return f"{server} refused every recipient: {refused}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"{server} refused the sender {exc.sender} ({exc.smtp_code} {text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPDataError):
        return f"{server} refused the message ({exc.smtp_code} {text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPConnectError):
        return f"{server} refused the connection ({exc.smtp_code} {text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{server} answered {exc.smtp_code} {text(exc.smtp_error)}"
    if isinstance(exc, Unsendable):
        return f"nothing was sent to {server}: {exc}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        hint = ' (set security = "tls" or "none")' if "STARTTLS" in str(exc) else ""
        return f"{server} does not support what we asked: {exc}{hint}"
    if isinstance(exc, TimeoutError) or (
        # smtplib reports a read timeout as "Connection unexpectedly closed: timed out"
        isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError)
    ):
        return f"{server} did not answer within {settings.timeout:g} seconds"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{server} closed the connection before it accepted the message"
    if isinstance(exc, ConnectionRefusedError):
        return f"{server} refused the connection (is the host and port right, and is the server running?)"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the mail server {settings.host!r} (the name does not resolve)"
    if isinstance(exc, ssl.SSLError):
        return f"the TLS handshake with {server} failed ({exc.reason or exc}); check security and port"
    if isinstance(exc, OSError):
        return f"cannot talk to {server}: {exc.strerror or exc}"
    return f"{server}: {exc}"


def text(value: bytes | str) -> str:
    """A server's answer as text: decoded, never ``repr``'d."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
