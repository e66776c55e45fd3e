"""A real SMTP server on 127.0.0.1 (aiosmtpd) whose behaviour a test can switch between runs.

    inbox = Inbox()
    with smtp_server(inbox) as port:
        ...                      # deliver to 127.0.0.1:port
    inbox.messages               # [(MAIL FROM, RCPT TOs, the DATA bytes as received)]
    inbox.parsed(0)              # the first message, parsed as a mail client would

Modes: ``accept``; ``refuse-rcpt`` (550 to RCPT); ``refuse-data`` (554 to DATA); ``drop`` (the
connection closes at RCPT); ``slow`` (1.5 s before answering DATA); ``close-after-data`` (250 to
DATA, then the connection closes before QUIT); ``refuse-quit`` (250 to DATA, 421 to QUIT and
the connection closes).

``dripping_smtp_server`` is the other kind of hostile peer: a raw socket whose greeting comes one
byte every ``every`` seconds (a multi-line 220, so each byte is a valid, unfinished reply), for
about ``lines * 10 * every`` seconds in all, then a normal session it never gets to.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


@dataclass
class Inbox:
    """An aiosmtpd handler recording every accepted message."""

    mode: str = "accept"
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    quits: int = 0

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        if self.mode == "refuse-rcpt":
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if self.mode == "drop":
            server.transport.close()
            return "250 OK"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.mode == "refuse-data":
            return "554 5.7.1 message rejected as spam"
        if self.mode == "slow":
            await asyncio.sleep(1.5)
        content = envelope.original_content or b""
        self.messages.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        if self.mode == "close-after-data":
            # the 250 below is written first; the connection closes on the loop's next turn, before QUIT
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 2.0.0 queued"

    async def handle_QUIT(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.quits += 1
        if self.mode == "refuse-quit":
            return "421 4.3.2 shutting down, closing the connection"
        return "221 Bye"

    def parsed(self, index: int = 0) -> EmailMessage:
        message = email.message_from_bytes(self.messages[index][2], policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(inbox: Inbox, **options: Any) -> Iterator[int]:
    """Serve ``inbox`` on a free port of 127.0.0.1 for the block; yield the port."""
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@contextmanager
def raw_server(talk: Callable[[socket.socket, threading.Event], None]) -> Iterator[int]:
    """A raw-socket server on 127.0.0.1 that runs ``talk(connection, stop)`` on a thread for each
    client; yields its port. On leaving, ``stop`` is set and the listener closes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=talk, args=(conn, stop), daemon=True).start()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        server.join(timeout=5)
        listener.close()


def dripping_smtp_server(every: float = 0.2, lines: int = 20) -> AbstractContextManager[int]:
    """A server whose greeting trickles in (see the module's docstring); yields its port on 127.0.0.1.

    Finite on purpose: a client without an overall deadline is slow (a test can time it), not hung.
    """
    def drip(conn: socket.socket, stop: threading.Event) -> None:
        with conn:
            try:
                for byte in b"220-slow.example ESMTP\r\n" * lines + b"220 slow.example ready\r\n":
                    if stop.wait(every):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return  # the client hung up: what a deadline does

    return raw_server(drip)


def auth_echo_smtp_server() -> AbstractContextManager[int]:
    """A raw-socket server that offers AUTH PLAIN and refuses every login with a 535 quoting the
    decoded password back (in a sentence with a non-ASCII word), as a careless server's log line
    might; yields its port on 127.0.0.1. It never reaches DATA."""
    def talk(conn: socket.socket, stop: threading.Event) -> None:
        with conn, conn.makefile("rwb") as stream:
            stream.write(b"220 mail.example ESMTP\r\n")
            stream.flush()
            for line in stream:
                command = line.strip().upper()
                if command.startswith(b"EHLO"):
                    stream.write(b"250-mail.example\r\n250 AUTH PLAIN\r\n")
                elif command.startswith(b"AUTH PLAIN"):
                    _, user, password = base64.b64decode(line.split()[2]).split(b"\0")
                    said = b"535 5.7.8 mot de passe refus\xc3\xa9 " + password + b" for " + user
                    stream.write(said + b"\r\n")
                elif command.startswith(b"QUIT"):
                    stream.write(b"221 bye\r\n")
                    stream.flush()
                    return
                else:
                    stream.write(b"503 5.5.1 authenticate first\r\n")
                stream.flush()

    return raw_server(talk)


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by openssl in ``folder``: a server's TLS identity
    that a client trusts only when told to (``SSL_CERT_FILE``)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
