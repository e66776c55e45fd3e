"""A small threaded HTTP/1.1 server on 127.0.0.1 for tests that need more than pytest-httpserver:
slow, trickling, chunked, truncated or gated responses, and a record of every request
(headers, the moment it arrived) plus the most requests it ever had in flight at once.

    server = FeedServer().start()
    server.feed("/feed/", body, headers={"ETag": '"v1"'})
    server.route("/slow/", Reply(body=b"...", delay=2.0))
    server.route("/dyn/", lambda seen: Reply(body=...))
    ...
    server.stop()

Anything not routed answers 404 with an HTML page, as WordPress does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from helpers.wordpress import WordPressSite

RSS_TYPE = "application/rss+xml; charset=UTF-8"
NOT_FOUND_PAGE = (
    b"<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<meta charset=\"UTF-8\">\n"
    b"<title>Page not found &#8211; Example Reviews</title>\n</head>\n"
    b"<body class=\"error404\"><h1>Oops! That page can&rsquo;t be found.</h1></body>\n</html>\n"
)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before the status line
    gate: threading.Event | None = None  # wait for this (at most 30 s) before answering
    chunks: Iterable[bytes] | None = None  # send these with Transfer-Encoding: chunked
    chunk_delay: float = 0.0  # pause before each chunk
    declared_length: int | None = None  # claim this Content-Length (longer body = broken reply)
    reason: str | None = None  # the status line's reason phrase; None: the standard one


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    path: str  # path and query, as sent
    headers: dict[str, str]  # lower-cased names
    arrived: float  # time.monotonic() when the request was read


Handler = Callable[[Seen], Reply]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._crowded = threading.Condition(self._lock)  # notified as requests arrive
        self._stopping = threading.Event()
        self._gates: list[threading.Event] = []
        self._httpd = _Server(("127.0.0.1", 0), _RequestHandler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        for gate in self._gates:
            gate.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routing ---------------------------------------------------------------

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Reply | Handler) -> str:
        """Answer ``path`` (with its query, e.g. ``/feed/?paged=2``); return its full URL."""
        if isinstance(reply, Reply):
            if reply.gate is not None:
                self._gates.append(reply.gate)
            fixed = reply
            self.routes[path] = lambda _seen: fixed
        else:
            self.routes[path] = reply
        return self.url(path)

    def feed(self, path: str, body: bytes, *, content_type: str = RSS_TYPE, **reply: object) -> str:
        headers = {"Content-Type": content_type, **dict(reply.pop("headers", {}) or {})}  # type: ignore[call-overload]
        return self.route(path, Reply(body=body, headers=headers, **reply))  # type: ignore[arg-type]

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.requests if s.path == path]

    def wait_for_in_flight(self, count: int, timeout: float = 5.0) -> bool:
        """Block (a handler) until ``count`` requests have been in flight at once, or ``timeout``.

        A fixed reply delay only gives the client a window to send its next request in, which a
        loaded machine can miss; holding the first replies until the client has used its bound
        makes a test of that bound depend on the client alone."""
        with self._crowded:
            return self._crowded.wait_for(lambda: self.max_in_flight >= count, timeout)

    def paths(self) -> list[str]:
        with self._lock:
            return [s.path for s in self.requests]

    # -- used by the handler thread -------------------------------------------------

    def _arrive(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._crowded.notify_all()

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _answer(self, seen: Seen) -> Reply:
        handler = self.routes.get(seen.path)
        if handler is None:
            return Reply(404, NOT_FOUND_PAGE, {"Content-Type": "text/html; charset=UTF-8"})
        return handler(seen)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    owner: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that gave up (timeouts, size limits) are expected here


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        owner._arrive(seen)
        try:
            self._send(owner, owner._answer(seen))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            owner._leave()

    def _send(self, owner: FeedServer, reply: Reply) -> None:
        if reply.gate is not None:
            reply.gate.wait(30)
        owner._pause(reply.delay)
        self.send_response(reply.status, reply.reason)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.chunks is not None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in reply.chunks:
                owner._pause(reply.chunk_delay)
                if owner._stopping.is_set():
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return
        length = reply.declared_length if reply.declared_length is not None else len(reply.body)
        if reply.status != 304:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()
        if length > len(reply.body):
            self.close_connection = True  # the promised rest never comes


def unused_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_wordpress(
    server: FeedServer,
    site: WordPressSite,
    path: str = "/feed/",
    *,
    pages: int = 40,
    replies: dict[int, Reply] | None = None,
    headers: dict[str, str] | None = None,
) -> str:
    """Serve ``site`` as WordPress does: ``path`` is page 1, ``path?paged=N`` page N, 404 past the
    end. ``replies`` replaces chosen pages (e.g. ``{3: Reply(500)}``). The site is read at request
    time, so ``site.publish(...)`` between collects shows up. Returns the feed URL."""
    special = replies or {}

    def page(number: int) -> Handler:
        def answer(_seen: Seen) -> Reply:
            if number in special:
                return special[number]
            body = site.page(number)
            if body is None:
                return Reply(404, NOT_FOUND_PAGE, {"Content-Type": "text/html; charset=UTF-8"})
            return Reply(body=body, headers={"Content-Type": RSS_TYPE, **(headers or {})})

        return answer

    joiner = "&" if "?" in path else "?"
    for number in range(2, pages + 1):
        server.route(f"{path}{joiner}paged={number}", page(number))
    return server.route(path, page(1))
