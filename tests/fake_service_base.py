"""Local stand-ins for the six mailing services' campaign APIs (no tests here).

Each fake answers its service's documented endpoints on a real pytest-httpserver socket and
checks every request the way that service documents it: method, path, the auth header's exact
shape, JSON content type, required fields and their types. A wrong request gets the service's
own documented error shape and is recorded in ``violations``; a test asserts there are none.
State is kept like the service keeps it: ids, status, subject, preview text, HTML, plain text.

``inject(step, ...)`` makes the next request of a step fail: an HTTP error in the service's
shape (with headers such as ``Retry-After``), a stall longer than the client's timeout, or a
callback (the crash test kills the ``digest run`` process from inside the request).
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from helpers.hostile_server import dripping, padded
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

KEY = "k3y-0123456789abcdef-us6"
LIST = "a1b2c3d4e5"


@dataclass
class Failure:
    status: int = 500
    message: str = "Internal error"
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    action: Callable[[], None] | None = None
    after: bool = False  # do the work first, then stall or act: the request took effect, the answer is lost
    # With ``after``, what the client gets instead of the real answer (the work is done either way):
    drip: float = 0.0  # the real answer, one byte every ``drip`` seconds
    pad_to: int = 0  # the real answer padded with JSON whitespace to this many bytes, streamed
    answer: Any = None  # this JSON, with status 200, in place of the real answer (a wrong shape)
    raw: bytes | None = None  # these bytes as the JSON body, with ``status`` (before or after the work)


class Fake:
    """Shared machinery; subclasses define the routes, validation and error shapes."""

    name = ""
    validation_status = 422

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, str]] = []  # (step, method, path)
        self.violations: list[str] = []
        self.failures: dict[str, list[Failure]] = {}
        self.ids = itertools.count(101)
        self.inflight = 0
        self.install()

    # -- harness -----------------------------------------------------------------

    def inject(self, step: str, failure: Failure) -> None:
        self.failures.setdefault(step, []).append(failure)

    def route(
        self, method: str, pattern: str, step: str, handler: Callable[[Request, list[str]], Response]
    ) -> None:
        regex = re.compile(pattern)

        def answer(request: Request) -> Response:
            self.inflight += 1
            try:
                return attempt(request)
            finally:
                self.inflight -= 1

        def attempt(request: Request) -> Response:
            self.requests.append((step, request.method, request.path))
            pending = self.failures.get(step)
            failure = pending.pop(0) if pending else None
            if failure is not None and not failure.after:
                if failure.action is not None:
                    failure.action()
                if failure.stall:
                    time.sleep(failure.stall)
                if failure.raw is not None:
                    return Response(failure.raw, status=failure.status, content_type="application/json")
                return self.error(failure.status, failure.message, failure.headers)
            response = handle(request)
            if failure is not None:
                if failure.action is not None:
                    failure.action()
                time.sleep(failure.stall)
                return self.replaced(response, failure)
            return response

        def handle(request: Request) -> Response:
            if not self.authorised(request):
                return self.unauthorised()
            if request.method in ("POST", "PUT", "PATCH"):
                if request.mimetype != "application/json":
                    return self.invalid(
                        f"{step}: Content-Type is {request.content_type!r}, not application/json"
                    )
                try:
                    json.loads(request.get_data())
                except ValueError:
                    return self.invalid(f"{step}: the body is not JSON")
            match = regex.match(request.path)
            assert match is not None
            return handler(request, list(match.groups()))

        self.server.expect_request(regex, method=method).respond_with_handler(answer)

    def replaced(self, response: Response, failure: Failure) -> Response:
        """The answer a hostile or broken service gives after doing the work (see Failure)."""
        if failure.answer is not None:
            return self.json(failure.answer)
        if failure.raw is not None:
            return Response(failure.raw, status=failure.status, content_type="application/json")
        body = response.get_data()
        if failure.drip:
            pause = failure.drip

            def slowly() -> Iterator[bytes]:
                for piece in dripping(body):
                    time.sleep(pause)
                    yield piece

            return Response(slowly(), status=response.status_code, content_type="application/json",
                            headers={"Content-Length": str(len(body))})
        if failure.pad_to:
            return Response(padded(body, failure.pad_to), status=response.status_code,
                            content_type="application/json")
        return response

    def settled(self) -> None:
        """Wait until a stalled request has finished (the server answers one request at a time)."""
        deadline = time.monotonic() + 30
        while self.inflight and time.monotonic() < deadline:
            time.sleep(0.05)

    def invalid(self, reason: str) -> Response:
        self.violations.append(reason)
        return self.error(self.validation_status, reason)

    def need(self, body: dict[str, Any], field_name: str, kind: type | tuple[type, ...], step: str) -> bool:
        value = body.get(field_name)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.violations.append(f"{step}: {field_name} should be {kind}, got {value!r}")
            return False
        return True

    def json(self, data: Any, status: int = 200, content_type: str = "application/json") -> Response:
        return Response(json.dumps(data), status=status, content_type=content_type)

    def count(self, step: str) -> int:
        return sum(1 for s, _, _ in self.requests if s == step)

    @property
    def only(self) -> dict[str, Any]:
        assert len(self.campaigns) == 1, self.campaigns
        return next(iter(self.campaigns.values()))

    def mark_sent(self) -> None:
        for campaign in self.campaigns.values():
            campaign["status"] = self.sent_status

    # -- per service -----------------------------------------------------------------

    sent_status = "sent"

    def install(self) -> None:
        raise NotImplementedError

    def authorised(self, request: Request) -> bool:
        raise NotImplementedError

    def unauthorised(self) -> Response:
        return self.error(401, "Unauthorized")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        raise NotImplementedError

    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def settings(self) -> dict[str, Any]:
        raise NotImplementedError
