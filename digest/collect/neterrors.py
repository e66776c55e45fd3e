"""Why a connection failed, told truthfully: a bad host name, a site that is down, or no network at all.

A machine that is offline fails every name lookup, and glibc then says "Name or service not
known" for a real site just as for a typo; "typo in the URL?" would send the editor hunting for a
mistake that is not there. So a lookup failure is called a bad name only when the name is
clearly bad (a reserved name that never resolves, a malformed one) or when another host name did
resolve in the same run; when none could, the network is unreachable. A connection the kernel
refuses for want of a route (ENETUNREACH) says the same.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
from collections.abc import Iterator

import httpx

from digest.errors import ErrorKind, FetchError

BAD_NAME = "the host name does not resolve (typo in the URL?)"
OFFLINE = "the network is unreachable (offline?)"
# RFC 6761: names under these never resolve, on any network.
_NEVER_RESOLVE = (".invalid", ".test")
_PLAIN_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]{1,255}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# getaddrinfo's "could not ask": no resolver answered (offline, or the resolver is down).
_LOOKUP_UNANSWERED = {getattr(socket, name) for name in ("EAI_AGAIN", "EAI_FAIL") if hasattr(socket, name)}
_NO_SUCH_NAME = {getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY")
                 if hasattr(socket, name)}


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything under it: httpx wraps httpcore, which wraps anyio's OSError, whose cause
    is the socket's own error (or a group of them, one per address tried)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        for under in (current.__cause__, current.__context__):
            if under is not None:
                pending.append(under)


def clearly_bad_name(host: str) -> bool:
    """A name no network resolves: reserved for that (``.invalid``), or not a host name at all."""
    name = host.lower().rstrip(".")
    if not name or name.endswith(_NEVER_RESOLVE) or name in {"invalid", "test"}:
        return True
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return True
    return not all(_LABEL.match(label) for label in ascii_name.split("."))


def lookup_error(exc: BaseException) -> socket.gaierror | None:
    return next((e for e in causes(exc) if isinstance(e, socket.gaierror)), None)


def connect_failure(exc: httpx.ConnectError, host: str, others_resolve: bool | None) -> FetchError:
    """The editor's sentence for a failed connection to ``host``.

    ``others_resolve``: whether another host name resolved in this run (True), none did (False),
    or there was none to try (None).
    """
    text = str(exc)
    found = list(causes(exc))
    if any(isinstance(e, ssl.SSLError) for e in found) or "SSL" in text or "CERTIFICATE" in text.upper():
        return FetchError(f"TLS/certificate problem: {text}", kind=ErrorKind.TLS)
    lookup = lookup_error(exc)
    shown = host if _PLAIN_HOST.match(host) else ascii(host)
    if lookup is not None:
        if clearly_bad_name(host):
            return FetchError(BAD_NAME, kind=ErrorKind.DNS)
        if lookup.errno in _LOOKUP_UNANSWERED:
            if others_resolve:
                return FetchError(f"no name server answered for {shown} (try again later)", kind=ErrorKind.DNS)
            return FetchError(f"{OFFLINE}: no name server answered for {shown}", kind=ErrorKind.NETWORK)
        if others_resolve:
            return FetchError(BAD_NAME, kind=ErrorKind.DNS)
        if others_resolve is False:
            return FetchError(f"{OFFLINE}: no host name could be looked up, neither {shown} nor the "
                              "site's other hosts", kind=ErrorKind.NETWORK)
        return FetchError(f"the host name {shown} does not resolve: a typo in the URL, or is this machine "
                          "offline?", kind=ErrorKind.DNS)
    codes = {e.errno for e in found if isinstance(e, OSError) and e.errno is not None}
    if errno.ENETUNREACH in codes or errno.ENETDOWN in codes:
        return FetchError(OFFLINE, kind=ErrorKind.NETWORK)
    if errno.EHOSTUNREACH in codes:
        return FetchError(f"no route to {shown} (is this machine offline, or the site down?)",
                          kind=ErrorKind.CONNECT)
    if errno.ECONNREFUSED in codes or "refused" in text.lower():
        return FetchError("connection refused (is the site down?)", kind=ErrorKind.CONNECT)
    if "All connection attempts failed" in text:
        return FetchError("connection refused or host unreachable (is the site down?)", kind=ErrorKind.CONNECT)
    return FetchError(f"could not connect: {text or type(exc).__name__}", kind=ErrorKind.CONNECT)
