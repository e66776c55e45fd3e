"""Hostile HTTP answers for the outbound limits (deadline, size cap), on a raw socket on 127.0.0.1.

A ``HostileServer`` reads each request whole, then writes the pieces its ``answer`` yields,
pausing ``every`` seconds before each after the first: headers that trickle in one byte a
second, a body that does, a 300 MB body made on the fly (never held in memory), a gzip bomb.
It counts what it managed to send, so a test can tell "the client stopped at the cap" from
"the client read it all". The generators are also used by the service fakes (Failure.drip,
Failure.pad_to), so one place says what a hostile answer looks like.

    with HostileServer(drip_body(b'{"id": "x"}'), every=1.0) as server:
        ... server.url("/hook") ...
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator

MB = 1024 * 1024
JSON = b"Content-Type: application/json\r\n"


def dripping(body: bytes) -> Iterator[bytes]:
    """``body`` one byte at a time (the server or the fake pauses between them)."""
    for i in range(len(body)):
        yield body[i : i + 1]


def padded(prefix: bytes, total: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    """``prefix`` then JSON whitespace up to ``total`` bytes: valid JSON if read whole, made as sent."""
    yield prefix
    filler = b" " * piece
    left = total - len(prefix)
    while left > 0:
        yield filler[: min(piece, left)]
        left -= piece


def drip_body(body: bytes = b'{"id": "abc123", "status": "draft"}') -> Callable[[], Iterable[bytes]]:
    """Status line and headers at once, then the body one byte per pause."""
    head = b"HTTP/1.1 200 OK\r\n" + JSON + b"Content-Length: %d\r\n\r\n" % len(body)
    return lambda: [head, *dripping(body)]


def drip_headers(length: int = 40) -> Callable[[], Iterable[bytes]]:
    """The status line, then a header one byte per pause, then a complete small answer: a client
    without an overall deadline finishes only after ``length`` pauses (a test can time it)."""
    rest = b"X-Slow: " + b"a" * length + b"\r\n" + JSON + b"Content-Length: 2\r\n\r\n{}"
    return lambda: [b"HTTP/1.1 200 OK\r\n", *dripping(rest[:-2]), rest[-2:]]


def huge_body(total: int = 300 * MB, *, declared: bool = True) -> Callable[[], Iterable[bytes]]:
    """A 200 whose JSON body is ``total`` bytes; with ``declared`` its Content-Length says so,
    else the body simply runs until the connection closes."""
    length = b"Content-Length: %d\r\n" % total if declared else b"Connection: close\r\n"
    head = b"HTTP/1.1 200 OK\r\n" + JSON + length + b"\r\n"
    return lambda: [head, *padded(b'{"id": "abc123", "status": "draft"}', total)]


def gzip_bomb(unpacked: int = 64 * MB) -> Callable[[], Iterable[bytes]]:
    """A small gzip body (about 0.1% of its size) that inflates to ``unpacked`` bytes of JSON."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [squeeze.compress(b'{"id": "abc123"}')]
    block = b" " * MB
    for _ in range(unpacked // MB):
        parts.append(squeeze.compress(block))
    parts.append(squeeze.flush())
    body = b"".join(parts)
    head = (b"HTTP/1.1 200 OK\r\n" + JSON + b"Content-Encoding: gzip\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(body))
    return lambda: [head, body]


class HostileServer:
    """Answers every request with ``answer()``'s pieces, ``every`` seconds apart."""

    def __init__(self, answer: Callable[[], Iterable[bytes]], *, every: float = 0.0) -> None:
        self.answer = answer
        self.every = every
        self.sent = 0
        self.requests: list[bytes] = []  # each request's first line
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                self._read_request(conn)
                for i, piece in enumerate(self.answer()):
                    if i and self.every and self._stop.wait(self.every):
                        return
                    conn.sendall(piece)
                    with self._lock:
                        self.sent += len(piece)
            except OSError:
                return  # the client gave up (the point of most tests here)

    def _read_request(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            more = conn.recv(65536)
            if not more:
                raise ConnectionResetError
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        with self._lock:
            self.requests.append(head.split(b"\r\n", 1)[0])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            more = conn.recv(65536)
            if not more:
                break
            body += more


def peak_rss_mb() -> float:
    """This process's peak resident size so far, in MB (Linux reports KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def elapsed(since: float) -> float:
    return time.monotonic() - since
