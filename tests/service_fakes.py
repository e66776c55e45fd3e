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

import base64
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
        self.install()

    # -- harness -----------------------------------------------------------------

    def inject(self, step: str, failure: Failure) -> None:
        self.failures.setdefault(step, []).append(failure)

    def route(self, method: str, pattern: str, step: str, handler: Callable[[Request, list[str]], Response]) -> None:
        regex = re.compile(pattern)

        def answer(request: Request) -> Response:
            self.requests.append((step, request.method, request.path))
            pending = self.failures.get(step)
            if pending:
                failure = pending.pop(0)
                if failure.action is not None:
                    failure.action()
                if failure.stall:
                    time.sleep(failure.stall)
                return self.error(failure.status, failure.message, failure.headers)
            if not self.authorised(request):
                return self.unauthorised()
            if request.method in ("POST", "PUT", "PATCH"):
                if request.mimetype != "application/json":
                    return self.invalid(f"{step}: Content-Type is {request.content_type!r}, not application/json")
                try:
                    json.loads(request.get_data())
                except ValueError:
                    return self.invalid(f"{step}: the body is not JSON")
            match = regex.match(request.path)
            assert match is not None
            return handler(request, list(match.groups()))

        self.server.expect_request(regex, method=method).respond_with_handler(answer)

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


class MailchimpFake(Fake):
    """Marketing API 3.0: Basic auth (any user, the key as password); problem+json errors."""

    name = "mailchimp"
    validation_status = 400
    sent_status = "sent"

    def settings(self) -> dict[str, Any]:
        return {"list_id": LIST, "base_url": self.server.url_for("/3.0"), "from_name": "Example Reviews",
                "reply_to": "editor@reviews.example"}

    def authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return bool(user) and password == KEY

    def unauthorised(self) -> Response:
        return self.error(401, "Your request did not include an API key.")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        body: dict[str, Any] = {"type": "https://mailchimp.com/developer/marketing/docs/errors/",
                                "title": {400: "Invalid Resource", 401: "API Key Invalid", 404: "Resource Not Found",
                                          429: "Too Many Requests"}.get(status, "Internal Server Error"),
                                "status": status, "detail": message, "instance": "995c5cb0-3280"}
        response = self.json(body, status, "application/problem+json")
        response.headers.update(headers or {})
        return response

    def install(self) -> None:
        self.route("POST", r"^/3\.0/campaigns$", "create", self.create)
        self.route("PUT", r"^/3\.0/campaigns/([^/]+)/content$", "fill", self.content)
        self.route("GET", r"^/3\.0/campaigns/([^/]+)/send-checklist$", "check", self.checklist)
        self.route("POST", r"^/3\.0/campaigns/([^/]+)/actions/test$", "test", self.test)
        self.route("GET", r"^/3\.0/campaigns/([^/]+)$", "get", self.get)
        self.route("PATCH", r"^/3\.0/campaigns/([^/]+)$", "update", self.patch)

    def _settings_ok(self, body: dict[str, Any], step: str) -> bool:
        settings = body.get("settings")
        if not isinstance(settings, dict):
            self.violations.append(f"{step}: settings missing")
            return False
        return all(self.need(settings, f, str, step) for f in ("subject_line", "preview_text", "title"))

    def create(self, request: Request, _: list[str]) -> Response:
        body = request.get_json()
        if body.get("type") != "regular" or not isinstance(body.get("recipients"), dict):
            return self.invalid("create: type must be regular with recipients")
        if not self._settings_ok(body, "create"):
            return self.error(400, "Invalid Resource")
        if body["recipients"].get("list_id") != LIST:
            return self.error(404, "The requested resource could not be found.")
        cid = f"c{next(self.ids)}"
        s = body["settings"]
        self.campaigns[cid] = {"id": cid, "web_id": 9000 + len(self.campaigns), "status": "save",
                               "subject": s["subject_line"], "preheader": s["preview_text"], "html": None,
                               "text": None, "from_name": s.get("from_name"), "reply_to": s.get("reply_to")}
        return self.json(self._view(cid))

    def _view(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {"id": cid, "web_id": c["web_id"], "type": "regular", "status": c["status"],
                "settings": {"subject_line": c["subject"], "preview_text": c["preheader"]}}

    def content(self, request: Request, groups: list[str]) -> Response:
        cid, body = groups[0], request.get_json()
        if cid not in self.campaigns:
            return self.error(404, "The requested resource could not be found.")
        if not (self.need(body, "html", str, "content") and self.need(body, "plain_text", str, "content")):
            return self.error(400, "Invalid Resource")
        if self.campaigns[cid]["status"] != "save":
            self.violations.append(f"content set on a {self.campaigns[cid]['status']} campaign")
        self.campaigns[cid].update(html=body["html"], text=body["plain_text"])
        return self.json({"html": body["html"], "plain_text": body["plain_text"]})

    def get(self, _: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "The requested resource could not be found.")
        return self.json(self._view(groups[0]))

    def patch(self, request: Request, groups: list[str]) -> Response:
        cid, body = groups[0], request.get_json()
        if cid not in self.campaigns:
            return self.error(404, "The requested resource could not be found.")
        if not self._settings_ok(body, "update"):
            return self.error(400, "Invalid Resource")
        if self.campaigns[cid]["status"] != "save":
            self.violations.append(f"updated a {self.campaigns[cid]['status']} campaign")
        self.campaigns[cid].update(subject=body["settings"]["subject_line"],
                                   preheader=body["settings"]["preview_text"])
        return self.json(self._view(cid))

    def checklist(self, _: Request, groups: list[str]) -> Response:
        c = self.campaigns[groups[0]]
        items = [{"type": "success", "id": 1, "heading": "Subject", "details": "ok"}]
        if not c["html"]:
            items.append({"type": "error", "id": 2, "heading": "Content", "details": "no content yet"})
        return self.json({"is_ready": bool(c["html"]), "items": items})

    def test(self, request: Request, groups: list[str]) -> Response:
        body = request.get_json()
        if not (self.need(body, "test_emails", list, "test") and body.get("send_type") in ("html", "plaintext")):
            return self.error(400, "Invalid Resource")
        self.campaigns[groups[0]].setdefault("tests", []).extend(body["test_emails"])
        return Response(status=204)


class ButtondownFake(Fake):
    """API v1: ``Authorization: Token <key>``; ``{"code", "detail"}`` errors, 422 ``detail`` lists."""

    name = "buttondown"

    def settings(self) -> dict[str, Any]:
        return {"base_url": self.server.url_for("/v1")}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("Authorization") == f"Token {KEY}"

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        body: dict[str, Any] = ({"detail": [{"type": "value_error", "loc": ["body", "subject"], "msg": message}]}
                                if status == 422 else {"code": "error", "detail": message})
        response = self.json(body, status)
        response.headers.update(headers or {})
        return response

    def install(self) -> None:
        self.route("POST", r"^/v1/emails$", "create", self.create)
        self.route("POST", r"^/v1/emails/([^/]+)/send-draft$", "test", self.test)
        self.route("GET", r"^/v1/emails/([^/]+)$", "get", self.get)
        self.route("PATCH", r"^/v1/emails/([^/]+)$", "update", self.patch)

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        if body.get("status") != "draft":  # without it Buttondown sends: that must never happen
            self.violations.append(f"{step}: status is {body.get('status')!r}, not 'draft'")
        if not all(self.need(body, f, str, step) for f in ("subject", "body", "description")):
            return self.error(400, "subject, body and description must be strings")
        self.campaigns[cid].update(subject=body["subject"], html=body["body"], preheader=body["description"],
                                   metadata=body.get("metadata"))
        return None

    def create(self, request: Request, _: list[str]) -> Response:
        cid = f"em_{next(self.ids)}"
        self.campaigns[cid] = {"id": cid, "status": "draft", "text": None}
        failed = self._store(cid, request.get_json(), "create")
        if failed:
            del self.campaigns[cid]
            return failed
        return self.json(self._view(cid), 201)

    def _view(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {"id": cid, "status": c["status"], "subject": c["subject"], "body": c["html"],
                "absolute_url": f"https://buttondown.com/archive/{cid}"}

    def get(self, _: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Not found")
        return self.json(self._view(groups[0]))

    def patch(self, request: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Not found")
        return self._store(groups[0], request.get_json(), "update") or self.json(self._view(groups[0]))

    def test(self, request: Request, groups: list[str]) -> Response:
        body = request.get_json()
        if not self.need(body, "recipients", list, "test"):
            return self.error(422, "recipients must be a list")
        self.campaigns[groups[0]].setdefault("tests", []).extend(body["recipients"])
        return self.json({})


class KitFake(Fake):
    """API v4: ``X-Kit-Api-Key``; ``{"errors": [...]}``; a broadcast with ``send_at`` null is a draft."""

    name = "kit"
    sent_status = "completed"

    def settings(self) -> dict[str, Any]:
        return {"base_url": self.base_url(), "segment_ids": [47]}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("X-Kit-Api-Key") == KEY and "Authorization" not in request.headers

    def unauthorised(self) -> Response:
        return self.error(401, "The access token is invalid")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        response = self.json({"errors": [message]}, status)
        response.headers.update(headers or {})
        return response

    def install(self) -> None:
        self.route("POST", r"^/v4/broadcasts$", "create", self.create)
        self.route("GET", r"^/v4/broadcasts/([^/]+)$", "get", self.get)
        self.route("PUT", r"^/v4/broadcasts/([^/]+)$", "update", self.put)

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        if "send_at" not in body or body["send_at"] is not None:
            self.violations.append(f"{step}: send_at must be present and null for a draft, got {body.get('send_at')!r}")
        if not all(self.need(body, f, str, step) for f in ("subject", "preview_text", "content")):
            return self.error(422, "Subject can't be blank")
        if not self.need(body, "subscriber_filter", list, step) or not self.need(body, "public", bool, step):
            return self.error(422, "subscriber_filter is invalid")
        self.campaigns[cid].update(subject=body["subject"], preheader=body["preview_text"], html=body["content"],
                                   filter=body["subscriber_filter"])
        return None

    def create(self, request: Request, _: list[str]) -> Response:
        cid = str(next(self.ids))
        self.campaigns[cid] = {"id": cid, "status": "draft", "text": None}
        failed = self._store(cid, request.get_json(), "create")
        if failed:
            del self.campaigns[cid]
            return failed
        return self.json(self._view(cid), 201)

    def _view(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {"broadcast": {"id": int(cid), "subject": c["subject"], "preview_text": c["preheader"],
                              "content": c["html"], "public": False, "status": c["status"],
                              "send_at": None if c["status"] == "draft" else "2025-05-19T14:00:00Z"}}

    def get(self, _: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Not Found")
        return self.json(self._view(groups[0]))

    def put(self, request: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Not Found")
        return self._store(groups[0], request.get_json(), "update") or self.json(self._view(groups[0]))


class ListmonkFake(Fake):
    """listmonk: ``Authorization: token user:token`` (a bad one is 403 "invalid session"); ``{"message"}``."""

    name = "listmonk"
    validation_status = 400
    sent_status = "finished"

    def settings(self) -> dict[str, Any]:
        return {"base_url": self.base_url(), "username": "digest-api", "list_ids": [3, 4], "template_id": 2,
                "from_email": "news@reviews.example"}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("Authorization") == f"token digest-api:{KEY}"

    def unauthorised(self) -> Response:
        return self.error(403, "invalid session")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        response = self.json({"message": message}, status)
        response.headers.update(headers or {})
        return response

    def install(self) -> None:
        self.route("POST", r"^/api/campaigns$", "create", self.create)
        self.route("POST", r"^/api/campaigns/(\d+)/test$", "test", self.test)
        self.route("GET", r"^/api/campaigns/(\d+)$", "get", self.get)
        self.route("PUT", r"^/api/campaigns/(\d+)$", "update", self.put)

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        if not all(self.need(body, f, str, step) for f in ("name", "subject", "body", "altbody")):
            return self.error(400, "invalid campaign fields")
        if not self.need(body, "lists", list, step) or not all(isinstance(i, int) for i in body["lists"]):
            return self.error(400, "invalid lists")
        if body.get("content_type") != "html" or "send_at" in body or "status" in body:
            self.violations.append(f"{step}: content_type must be html and no send_at/status: {body}")
        self.campaigns[cid].update(subject=body["subject"], html=body["body"], text=body["altbody"],
                                   preheader=None, template_id=body.get("template_id"))
        return None

    def create(self, request: Request, _: list[str]) -> Response:
        cid = str(next(self.ids))
        self.campaigns[cid] = {"id": cid, "status": "draft"}
        failed = self._store(cid, request.get_json(), "create")
        if failed:
            del self.campaigns[cid]
            return failed
        return self.json(self._view(cid))

    def _view(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {"data": {"id": int(cid), "status": c["status"], "subject": c["subject"], "body": c["html"]}}

    def get(self, _: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Campaign not found.")
        return self.json(self._view(groups[0]))

    def put(self, request: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Campaign not found.")
        return self._store(groups[0], request.get_json(), "update") or self.json(self._view(groups[0]))

    def test(self, request: Request, groups: list[str]) -> Response:
        body = request.get_json()
        if not self.need(body, "subscribers", list, "test"):
            return self.error(400, "invalid subscribers")
        self.campaigns[groups[0]].setdefault("tests", []).extend(body["subscribers"])
        return self.json({"data": True})


class BrevoFake(Fake):
    """API v3: ``api-key`` header; ``{"code", "message"}`` errors; never ``scheduledAt`` for a draft."""

    name = "brevo"
    validation_status = 400

    def settings(self) -> dict[str, Any]:
        return {"base_url": self.server.url_for("/v3"), "list_ids": [2, 7], "from_email": "news@reviews.example"}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("api-key") == KEY

    def unauthorised(self) -> Response:
        return self.error(401, "Key not found")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        code = {400: "invalid_parameter", 401: "unauthorized", 404: "document_not_found"}.get(status, "error")
        response = self.json({"code": code, "message": message}, status)
        response.headers.update(headers or {})
        return response

    def install(self) -> None:
        self.route("POST", r"^/v3/emailCampaigns$", "create", self.create)
        self.route("POST", r"^/v3/emailCampaigns/(\d+)/sendTest$", "test", self.test)
        self.route("GET", r"^/v3/emailCampaigns/(\d+)$", "get", self.get)
        self.route("PUT", r"^/v3/emailCampaigns/(\d+)$", "update", self.put)

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        if "scheduledAt" in body:
            self.violations.append(f"{step}: scheduledAt sent for a draft")
        sender = body.get("sender")
        if not isinstance(sender, dict) or not isinstance(sender.get("email"), str):
            return self.invalid(f"{step}: sender.email is required")
        if not all(self.need(body, f, str, step) for f in ("name", "subject", "previewText", "htmlContent")):
            return self.error(400, "subject is missing")
        lists = (body.get("recipients") or {}).get("listIds")
        if not isinstance(lists, list) or not all(isinstance(i, int) for i in lists):
            return self.invalid(f"{step}: recipients.listIds must be integers")
        self.campaigns[cid].update(subject=body["subject"], preheader=body["previewText"], html=body["htmlContent"],
                                   sender=sender)
        return None

    def create(self, request: Request, _: list[str]) -> Response:
        cid = str(next(self.ids))
        self.campaigns[cid] = {"id": cid, "status": "draft", "text": None}
        failed = self._store(cid, request.get_json(), "create")
        if failed:
            del self.campaigns[cid]
            return failed
        return self.json({"id": int(cid)}, 201)

    def get(self, _: Request, groups: list[str]) -> Response:
        c = self.campaigns.get(groups[0])
        if c is None:
            return self.error(404, "Campaign id does not exist")
        return self.json({"id": int(groups[0]), "name": "x", "subject": c["subject"], "type": "classic",
                          "status": c["status"]})

    def put(self, request: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Campaign id does not exist")
        return self._store(groups[0], request.get_json(), "update") or Response(status=204)

    def test(self, request: Request, groups: list[str]) -> Response:
        body = request.get_json()
        if not self.need(body, "emailTo", list, "test"):
            return self.error(400, "emailTo is missing")
        self.campaigns[groups[0]].setdefault("tests", []).extend(body["emailTo"])
        return Response(status=204)


class MailerliteFake(Fake):
    """connect.mailerlite.com: Bearer auth; ``{"message", "errors": {field: [..]}}`` on 422."""

    name = "mailerlite"

    def settings(self) -> dict[str, Any]:
        return {"base_url": self.server.url_for("/api"), "group_ids": ["111222"], "from_email": "news@reviews.example"}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {KEY}"

    def unauthorised(self) -> Response:
        return self.error(401, "Unauthenticated.")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        body: dict[str, Any] = {"message": message}
        if status == 422:
            body = {"message": "The given data was invalid.", "errors": {"emails.0.subject": [message]}}
        response = self.json(body, status)
        response.headers.update(headers or {})
        return response

    def install(self) -> None:
        self.route("POST", r"^/api/campaigns$", "create", self.create)
        self.route("GET", r"^/api/campaigns/(\d+)$", "get", self.get)
        self.route("PUT", r"^/api/campaigns/(\d+)$", "update", self.put)

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        emails = body.get("emails")
        if body.get("type") != "regular" or not self.need(body, "name", str, step) or not isinstance(emails, list):
            return self.invalid(f"{step}: name, type regular and emails are required")
        email = emails[0]
        if not all(self.need(email, f, str, step) for f in ("subject", "from_name", "from", "content")):
            return self.error(422, "The emails.0.subject field is required.")
        self.campaigns[cid].update(subject=email["subject"], html=email["content"], preheader=None,
                                   groups=body.get("groups"))
        return None

    def create(self, request: Request, _: list[str]) -> Response:
        cid = str(next(self.ids))
        self.campaigns[cid] = {"id": cid, "status": "draft", "text": None}
        failed = self._store(cid, request.get_json(), "create")
        if failed:
            del self.campaigns[cid]
            return failed
        return self.json(self._view(cid), 201)

    def _view(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {"data": {"id": cid, "status": c["status"], "name": "x", "type": "regular"}}

    def get(self, _: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Resource not found.")
        return self.json(self._view(groups[0]))

    def put(self, request: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Resource not found.")
        return self._store(groups[0], request.get_json(), "update") or self.json(self._view(groups[0]))


FAKES: dict[str, type[Fake]] = {f.name: f for f in (MailchimpFake, ButtondownFake, KitFake, ListmonkFake, BrevoFake,
                                                    MailerliteFake)}
# The request right after "create" in a first run: where a crash or a stall leaves a half-made draft.
AFTER_CREATE = {"mailchimp": "fill", "buttondown": "get", "kit": "get", "listmonk": "get", "brevo": "get",
                "mailerlite": "get"}
