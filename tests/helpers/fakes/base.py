"""One stateful fake mailing service, driven by the service's own API description (no tests here).

A fake answers every path of its service's description on a real pytest-httpserver socket. Each
request is first checked by ``helpers.contract`` (openapi-core against the vendored description):
a request that breaks it is recorded in ``violations`` and answered with the service's documented
error shape, and the test fails (conftest). A request that conforms is dispatched on its
operationId to a step (create, list, get, update, fill, check, test) whose state is kept like the
service keeps it: ids, status, subject, preview text, HTML, plain text, test recipients. The
fake's own answers are checked against the description's response schemas too: an answer that
breaks it is a bug in the fake, recorded the same way.

A subclass per service (``helpers.fakes.services``) is a table: how a request body maps onto the
campaign, what an answer looks like, the error shape and the credential; ``helpers.fakes.steps``
says which operationId is which step.

``inject(step, Failure(...))`` makes the next request of a step fail: an HTTP error in the
service's shape (with headers such as ``Retry-After``), a stall longer than the client's timeout,
a dropped or slow answer after the work is done, or a callback (the crash test kills the
``digest run`` process from inside the request).
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from helpers.contract import Contract, contract
from helpers.fakes.steps import STEPS
from helpers.hostile_server import dripping, padded

KEY = "k3y-0123456789abcdef-us6"
LIST = "a1b2c3d4e5"

# The fakes made during the running test: conftest fails the test if any recorded a violation.
LIVE: list[Fake] = []


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
    """The machinery every service shares; a subclass fills in the table (see the module docstring)."""

    name: ClassVar[str] = ""
    validation_status: ClassVar[int] = 422  # the status the service refuses an invalid request with
    unauthorised_status: ClassVar[int] = 401
    unauthorised_message: ClassVar[str] = "Unauthorized"
    not_found_message: ClassVar[str] = "Not found"
    draft_status: ClassVar[str] = "draft"
    sent_status: ClassVar[str] = "sent"
    error_type: ClassVar[str] = "application/json"
    # The auth header digest sends, in the shape the service's reference documents it, whatever the key:
    # (header, pattern). Some descriptions declare no scheme, or only that a header is there, so the
    # shape is checked here; a request without it is a violation, a wrong key in it only a 401.
    auth_shape: ClassVar[tuple[str, str]] = ("Authorization", r".+")
    # The steps of a click report (helpers.fakes.steps), answered by ``report`` from ``clicks``.
    reports: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.contract: Contract = contract(self.name)
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, str]] = []  # (step, method, path)
        self.violations: list[str] = []
        self.failures: dict[str, list[Failure]] = {}
        self.ids = itertools.count(101)
        self.inflight = 0
        self.clicks: dict[str, Any] = {}  # campaign id -> what the service's click report holds (per fake)
        self.install()
        LIVE.append(self)

    # -- harness -----------------------------------------------------------------

    def inject(self, step: str, failure: Failure) -> None:
        self.failures.setdefault(step, []).append(failure)

    def install(self) -> None:
        """Answer every path the description names below the API's mount, whatever the method."""
        mount = re.escape(self.contract.mount)
        firsts = sorted({p.split("/")[1] for p in self.contract.paths()})
        pattern = re.compile(f"^{mount}/({'|'.join(map(re.escape, firsts))})(/|$)")
        self.server.expect_request(pattern).respond_with_handler(self.answer)

    def answer(self, request: Request) -> Response:
        self.inflight += 1
        try:
            return self.attempt(request)
        finally:
            self.inflight -= 1

    def attempt(self, request: Request) -> Response:
        operation, ids = self.contract.operation(request)
        step = STEPS[self.name].get(operation or "", operation or "unknown")
        self.requests.append((step, request.method, request.path))
        problems = self.contract.check(request)
        self.violations.extend(problems)
        pending = self.failures.get(step)
        failure = pending.pop(0) if pending else None
        if failure is not None and not failure.after:
            if failure.action is not None:
                failure.action()
            if failure.stall:
                time.sleep(failure.stall)
            if failure.raw is not None:
                return Response(failure.raw, status=failure.status, content_type="application/json")
            refused = self.error(failure.status, failure.message, failure.headers)
            self.violations.extend(self.contract.check_answer(request, refused))  # the vendor's error shape?
            return refused
        if problems:
            return self.error(self.validation_status, problems[0])
        # The one path parameter of every operation digest uses names the campaign.
        response = self.handle(step, request, next(iter(ids.values()), ""))
        self.violations.extend(self.contract.check_answer(request, response))
        if failure is not None:
            if failure.action is not None:
                failure.action()
            time.sleep(failure.stall)
            return self.replaced(response, failure)
        return response

    def handle(self, step: str, request: Request, cid: str) -> Response:
        header, shape = self.auth_shape
        if not re.fullmatch(shape, request.headers.get(header, "")):
            self.violations.append(f"{self.name}: {request.method} {request.path}: the {header} header is not "
                                   f"the documented shape {shape}")
            return self.error(self.unauthorised_status, self.unauthorised_message)
        if not self.authorised(request):
            return self.error(self.unauthorised_status, self.unauthorised_message)
        body = request.get_json(silent=True) if request.method in ("POST", "PUT", "PATCH") else None
        if step in self.reports:
            return self.report(step, request, cid)
        if step == "create":
            return self.create(body)
        if step == "list":
            return self.json(self.listing(request, self.found(request)))
        if cid not in self.campaigns:
            return self.error(404, self.not_found_message)
        campaign = self.campaigns[cid]
        if step in ("update", "fill") and campaign["status"] != self.draft_status:
            self.violations.append(f"{self.name}: {step} of campaign {cid}, which is {campaign['status']}")
            return self.error(self.validation_status, f"campaign {cid} is {campaign['status']}")
        if step == "get":
            return self.json(self.view(cid))
        if step in ("update", "fill"):
            campaign.update(self.fields(body or {}, campaign))
            return self.filled(cid) if step == "fill" else self.updated(cid)
        if step == "test":
            campaign.setdefault("tests", []).extend(self.recipients(body or {}))
            return self.tested()
        if step == "check":
            return self.json(self.checklist(cid))
        self.violations.append(f"{self.name}: {request.method} {request.path} ({step}) is not one digest uses")
        return self.error(501, "not implemented by the fake")

    def create(self, body: Any) -> Response:
        cid = self.new_id()
        campaign = {"id": cid, "status": self.draft_status, "html": None, "text": None, "preheader": None}
        self.campaigns[cid] = campaign
        campaign.update(self.fields(body or {}, campaign))
        return self.created(cid)

    def found(self, request: Request) -> list[str]:
        status = self.status_filter(request)
        return [cid for cid, c in self.campaigns.items() if status in (None, c["status"])]

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

    def json(self, data: Any, status: int = 200, content_type: str = "application/json") -> Response:
        return Response(json.dumps(data), status=status, content_type=content_type)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        response = self.json(self.error_body(status, message), status, self.error_type)
        response.headers.update(headers or {})
        return response

    def count(self, step: str) -> int:
        return sum(1 for s, _, _ in self.requests if s == step)

    @property
    def only(self) -> dict[str, Any]:
        assert len(self.campaigns) == 1, self.campaigns
        return next(iter(self.campaigns.values()))

    def mark_sent(self) -> None:
        for campaign in self.campaigns.values():
            campaign["status"] = self.sent_status

    def base_url(self) -> str:
        return self.server.url_for(self.contract.mount).rstrip("/")

    def new_id(self) -> str:
        return str(next(self.ids))

    # -- the table: per service --------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def authorised(self, request: Request) -> bool:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        raise NotImplementedError

    def fields(self, body: dict[str, Any], campaign: dict[str, Any]) -> dict[str, Any]:
        """What a create or update body sets on the campaign (the keys tests read: subject, html ...)."""
        raise NotImplementedError

    def view(self, cid: str) -> Any:
        raise NotImplementedError

    def listing(self, request: Request, found: list[str]) -> Any:
        raise NotImplementedError

    def status_filter(self, request: Request) -> str | None:
        return request.args.get("status")

    def created(self, cid: str) -> Response:
        return self.json(self.view(cid), 201)

    def updated(self, cid: str) -> Response:
        return self.json(self.view(cid))

    def filled(self, cid: str) -> Response:
        return self.updated(cid)

    def recipients(self, body: dict[str, Any]) -> list[str]:
        raise NotImplementedError(f"{self.name} has no test send")

    def tested(self) -> Response:
        return Response(status=204)

    def checklist(self, cid: str) -> Any:
        raise NotImplementedError(f"{self.name} has no send checklist")

    def report(self, step: str, request: Request, cid: str) -> Response:
        """The answer to a click report's request (``reports``), from ``clicks``."""
        raise NotImplementedError(f"{self.name} has no click report in the fake")
