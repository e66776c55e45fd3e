"""Every HTTP request the job sends out (a mailing service, the webhook, the draft-ready notice).

Three guarantees the per-read timeout alone does not give:

- an overall *deadline*: a server that drips one byte every few seconds never resets a clock
  that matters. A watchdog shuts the connection's socket down at the deadline, whatever phase
  the request is in (sending the body, waiting for the status line, reading the headers or the
  body), so the run, and the store lock it holds, is never held past it;
- a *size cap*: the answer is streamed and counted (after decompression, which digest does
  itself, bounded), so a 300 MB answer or a gzip bomb is refused at the cap, not read into memory;
- never a redirect followed: the request, its body and its credentials reach only the host the
  config names.

``redact`` removes a secret in every form it travels in (raw, base64 inside any ``Basic`` token,
URL-encoded), so no message or logged line shows it, whatever a server echoes back.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, quote_plus

# Every request digest makes names it and how to reach the project: feeds, pages, services, webhooks.
# Defined at the package's root, so the config can default to it without loading this module.
from digest import USER_AGENT as USER_AGENT

if TYPE_CHECKING:  # imported by fetch(), on the first request: importing this module costs no HTTP client
    import httpx

MAX_ANSWER_BYTES = 10 * 1024 * 1024


def _not_httpx_request_line(record: logging.LogRecord) -> bool:
    """httpx logs every answer's status line, reason phrase and all, unredacted: a server's
    reason can echo the key. digest reports each answer itself, redacted, so that line is dropped."""
    return not str(record.msg).startswith("HTTP Request:")


logging.getLogger("httpx").addFilter(_not_httpx_request_line)
DEFAULT_DEADLINE = 120.0

Trouble = Literal["deadline", "too big", "timeout", "connect", "unreadable", "failed"]


class OutboundError(Exception):
    """No usable answer; ``str()`` says why in an editor's words, without the origin (callers add it).

    ``kind`` lets a caller tell a slow or silent server (the request may have taken effect) from
    one that could not be reached at all.
    """

    def __init__(self, kind: Trouble, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    """A complete answer, read within the deadline and the cap."""

    status: int
    reason: str
    headers: httpx.Headers
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The parsed body; ValueError when it is not JSON.

        JSON nested deeper than the parser's stack (``[`` * 100000) is not an answer any service
        means: RecursionError becomes ValueError, so every caller treats it as "not JSON".
        """
        try:
            return json.loads(self.body)
        except RecursionError:
            raise ValueError("the answer is nested too deeply to read") from None


def fetch(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    content: bytes | None = None,
    params: Mapping[str, Any] | None = None,
    timeout: float,
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    """Send one request, never following a redirect; return the whole answer or raise OutboundError."""
    import httpx

    watchdog = _Watchdog(time.monotonic() + deadline)
    per_read = min(timeout, deadline)
    sent = {**headers, "Accept-Encoding": "gzip, deflate"}  # the encodings ``_read`` decodes, bounded
    try:
        with watchdog, httpx.Client(timeout=per_read, follow_redirects=False) as client:
            with client.stream(method, url, headers=sent, content=content, params=params,
                               extensions={"trace": watchdog.trace}) as response:
                body = _read(response, watchdog, deadline, max_bytes)
                return Answer(response.status_code, response.reason_phrase, response.headers, body)
    except _Expired:
        raise OutboundError("deadline", _late(deadline)) from None
    except httpx.HTTPError as exc:
        if watchdog.expired:
            raise OutboundError("deadline", _late(deadline)) from None
        if isinstance(exc, httpx.TimeoutException):
            raise OutboundError("timeout", f"did not answer within {per_read:g} seconds") from None
        kind: Trouble = "connect" if isinstance(exc, httpx.ConnectError) else "failed"
        raise OutboundError(kind, str(exc) or type(exc).__name__) from None


def _late(deadline: float) -> str:
    return f"no complete answer within {deadline:g} s (the overall deadline)"


def _too_big(max_bytes: int) -> str:
    size = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
    return f"answered more than {size}, more than any answer digest expects"


def _read(response: httpx.Response, watchdog: _Watchdog, deadline: float, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise OutboundError("too big", _too_big(max_bytes))
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        # Whole or not at all: a cut could end inside a secret the server echoed, past the redaction.
        named = " ".join(encoding.split()) if len(encoding) <= 40 else f"a {len(encoding)}-character name"
        raise OutboundError("unreadable", f"answered in an encoding digest does not read ({named})")
    inflate = None if encoding in ("", "identity") else zlib.decompressobj(47)  # zlib or gzip header
    body = bytearray()
    raw = 0
    try:
        for chunk in response.iter_raw():
            if watchdog.late():
                raise OutboundError("deadline", _late(deadline))
            raw += len(chunk)
            if raw > max_bytes:
                raise OutboundError("too big", _too_big(max_bytes))
            if inflate is None:
                body += chunk
            else:
                body += inflate.decompress(chunk, max_bytes - len(body) + 1)
                if inflate.unconsumed_tail:
                    raise OutboundError("too big", _too_big(max_bytes))
            if len(body) > max_bytes:
                raise OutboundError("too big", _too_big(max_bytes))
        if inflate is not None:
            body += inflate.flush()
    except zlib.error:
        raise OutboundError("unreadable", f"answered a body that is not valid {encoding}") from None
    return bytes(body)


class _Expired(Exception):
    """Raised from the trace hook when a new connection starts after the deadline."""


class _Watchdog:
    """Shuts down the request's sockets at the deadline, so a blocked read or write returns at once."""

    _OPENED = ("connection.connect_tcp.complete", "connection.start_tls.complete",
               "connection.connect_unix_socket.complete")

    def __init__(self, end: float) -> None:
        self.end = end
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> _Watchdog:
        self._timer = threading.Timer(max(0.0, self.end - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def late(self) -> bool:
        return self.expired or time.monotonic() >= self.end

    def trace(self, name: str, info: Mapping[str, Any]) -> None:
        if self.late():
            raise _Expired
        if name in self._OPENED:
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                try:  # the plain socket's shutdown, also for an SSLSocket: it only ends the fd's traffic
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass


# -- secrets -------------------------------------------------------------------------------


def secret_forms(secret: str) -> set[str]:
    """The ways ``secret`` can appear in text a server echoes: raw, URL-encoded, base64-encoded.

    Base64 of any text that *contains* the secret (``Basic base64(user:key)``) contains, whatever
    precedes it, one of three runs: the secret encoded after 0, 1 or 2 filler bytes, without the
    4-character groups it shares with its neighbours. Those runs are what gets removed.
    """
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
    raw = secret.encode("utf-8")
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * shift + raw).decode("ascii")
            start = 4 if shift else 0
            whole = (shift + len(raw)) // 3 * 4  # groups made of the secret's bytes only
            run = encoded[start:whole]
            if len(run) >= 8:
                forms.add(run)
    return {f for f in forms if f}


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every form of every secret replaced by ``***`` (case-blind: a near miss is fine)."""
    forms = set().union(*(secret_forms(s) for s in secrets if s))
    if not forms or not text:
        return text
    pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.sub(pattern, "***", text, flags=re.IGNORECASE)


def clip(text: str, limit: int, *secrets: str | None) -> str:
    """``text`` redacted, made one line and cut to ``limit``, never ending in part of a secret.

    Redacting before cutting keeps a cut from splitting a secret into a prefix the pattern no
    longer matches; the cut itself may still end inside text that only *begins* a secret's
    form, so any such tail of 4 or more characters is replaced too.
    """
    forms = set().union(*(secret_forms(s) for s in secrets if s))
    text = " ".join(redact(text, *secrets).split())
    text = redact(text, *secrets)[:limit]
    folded = text.lower()
    for form in sorted(forms, key=len, reverse=True):
        low = form.lower()
        for size in range(min(len(low) - 1, len(folded)), 3, -1):
            if folded.endswith(low[:size]):
                text, folded = text[:-size] + "***", folded[:-size] + "***"
                break
    return text
