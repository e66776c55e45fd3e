"""Fakes of Mailchimp, Buttondown and Kit (see fake_service_base)."""

from __future__ import annotations

import base64
from typing import Any

from fake_service_base import KEY, LIST, Fake
from werkzeug import Request, Response


class MailchimpFake(Fake):
    """Marketing API 3.0: Basic auth (any user, the key as password); problem+json errors."""

    name = "mailchimp"
    validation_status = 400
    sent_status = "sent"

    def settings(self) -> dict[str, Any]:
        return {
            "list_id": LIST,
            "base_url": self.server.url_for("/3.0"),
            "from_name": "Example Reviews",
            "reply_to": "editors@example.com",
        }

    def authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return bool(user) and password == KEY

    def unauthorised(self) -> Response:
        return self.error(401, "Your request did not include an API key.")

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        body: dict[str, Any] = {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": {
                400: "Invalid Resource",
                401: "API Key Invalid",
                404: "Resource Not Found",
                429: "Too Many Requests",
            }.get(status, "Internal Server Error"),
            "status": status,
            "detail": message,
            "instance": "995c5cb0-3280",
        }
        response = self.json(body, status, "application/problem+json")
        response.headers.update(headers or {})
        return response

    def install(self) -> None:
        self.route("POST", r"^/3\.0/campaigns$", "create", self.create)
        self.route("GET", r"^/3\.0/campaigns$", "list", self.list)
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
        self.campaigns[cid] = {
            "id": cid,
            "web_id": 9000 + len(self.campaigns),
            "status": "save",
            "subject": s["subject_line"],
            "preheader": s["preview_text"],
            "html": None,
            "text": None,
            "from_name": s.get("from_name"),
            "reply_to": s.get("reply_to"),
            "name": s["title"],
        }
        return self.json(self._view(cid))

    def list(self, request: Request, _: list[str]) -> Response:
        if request.args.get("list_id") != LIST:
            self.violations.append(f"list: list_id filter {request.args.get('list_id')!r}")
        status = request.args.get("status")
        found = [cid for cid, c in self.campaigns.items() if status in (None, c["status"])]
        return self.json(
            {
                "campaigns": [
                    {
                        **self._view(cid),
                        "settings": {
                            "title": self.campaigns[cid]["name"],
                            "subject_line": self.campaigns[cid]["subject"],
                        },
                    }
                    for cid in found
                ],
                "total_items": len(found),
            }
        )

    def _view(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {
            "id": cid,
            "web_id": c["web_id"],
            "type": "regular",
            "status": c["status"],
            "settings": {"subject_line": c["subject"], "preview_text": c["preheader"]},
        }

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
        self.campaigns[cid].update(
            reply_to=body["settings"].get("reply_to"),
            subject=body["settings"]["subject_line"], preheader=body["settings"]["preview_text"]
        )
        return self.json(self._view(cid))

    def checklist(self, _: Request, groups: list[str]) -> Response:
        c = self.campaigns[groups[0]]
        items = [{"type": "success", "id": 1, "heading": "Subject", "details": "ok"}]
        if not c["html"]:
            items.append({"type": "error", "id": 2, "heading": "Content", "details": "no content yet"})
        if not c["reply_to"]:
            warning = {"type": "warning", "id": 3, "heading": "Reply-to", "details": "add a reply-to address"}
            items.append(warning)
        return self.json({"is_ready": bool(c["html"]), "items": items})

    def test(self, request: Request, groups: list[str]) -> Response:
        body = request.get_json()
        if not (
            self.need(body, "test_emails", list, "test") and body.get("send_type") in ("html", "plaintext")
        ):
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
        body: dict[str, Any] = (
            {"detail": [{"type": "value_error", "loc": ["body", "subject"], "msg": message}]}
            if status == 422
            else {"code": "error", "detail": message}
        )
        response = self.json(body, status)
        response.headers.update(headers or {})
        return response

    def install(self) -> None:
        self.route("POST", r"^/v1/emails$", "create", self.create)
        self.route("GET", r"^/v1/emails$", "list", self.list)
        self.route("POST", r"^/v1/emails/([^/]+)/send-draft$", "test", self.test)
        self.route("GET", r"^/v1/emails/([^/]+)$", "get", self.get)
        self.route("PATCH", r"^/v1/emails/([^/]+)$", "update", self.patch)

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        if body.get("status") != "draft":  # without it Buttondown sends: that must never happen
            self.violations.append(f"{step}: status is {body.get('status')!r}, not 'draft'")
        if not all(self.need(body, f, str, step) for f in ("subject", "body", "description")):
            return self.error(400, "subject, body and description must be strings")
        self.campaigns[cid].update(
            subject=body["subject"],
            html=body["body"],
            preheader=body["description"],
            metadata=body.get("metadata"),
        )
        return None

    def create(self, request: Request, _: list[str]) -> Response:
        cid = f"em_{next(self.ids)}"
        self.campaigns[cid] = {"id": cid, "status": "draft", "text": None}
        failed = self._store(cid, request.get_json(), "create")
        if failed:
            del self.campaigns[cid]
            return failed
        return self.json(self._view(cid), 201)

    def list(self, request: Request, _: list[str]) -> Response:
        status = request.args.get("status")
        found = [self._view(cid) for cid, c in self.campaigns.items() if status in (None, c["status"])]
        return self.json({"results": found, "count": len(found), "next": None, "previous": None})

    def _view(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {
            "id": cid,
            "metadata": c.get("metadata"),
            "status": c["status"],
            "subject": c["subject"],
            "body": c["html"],
            "absolute_url": f"https://buttondown.com/archive/{cid}",
        }

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
        self.route("GET", r"^/v4/broadcasts$", "list", self.list)
        self.route("GET", r"^/v4/broadcasts/([^/]+)$", "get", self.get)
        self.route("PUT", r"^/v4/broadcasts/([^/]+)$", "update", self.put)

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        if "send_at" not in body or body["send_at"] is not None:
            self.violations.append(
                f"{step}: send_at must be present and null for a draft, got {body.get('send_at')!r}"
            )
        if not all(self.need(body, f, str, step) for f in ("subject", "preview_text", "content")):
            return self.error(422, "Subject can't be blank")
        if not self.need(body, "subscriber_filter", list, step) or not self.need(body, "public", bool, step):
            return self.error(422, "subscriber_filter is invalid")
        self.campaigns[cid].update(
            subject=body["subject"],
            preheader=body["preview_text"],
            html=body["content"],
            filter=body["subscriber_filter"],
            name=body.get("description"),
        )
        return None

    def list(self, _: Request, __: list[str]) -> Response:
        items = [
            {**self._view(cid)["broadcast"], "description": c.get("name")} for cid, c in self.campaigns.items()
        ]
        return self.json({"broadcasts": items, "pagination": {"has_next_page": False}})

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
        return {
            "broadcast": {
                "id": int(cid),
                "subject": c["subject"],
                "preview_text": c["preheader"],
                "content": c["html"],
                "public": False,
                "status": c["status"],
                "send_at": None if c["status"] == "draft" else "2025-05-19T14:00:00Z",
            }
        }

    def get(self, _: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Not Found")
        return self.json(self._view(groups[0]))

    def put(self, request: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Not Found")
        return self._store(groups[0], request.get_json(), "update") or self.json(self._view(groups[0]))
