"""Fakes of listmonk, Brevo and MailerLite (see fake_service_base)."""

from __future__ import annotations

from typing import Any

from fake_service_base import KEY, Fake
from werkzeug import Request, Response


class ListmonkFake(Fake):
    """listmonk: ``Authorization: token user:token`` (a bad one is 403 "invalid session"); ``{"message"}``."""

    name = "listmonk"
    validation_status = 400
    sent_status = "finished"

    def settings(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url(),
            "username": "digest-api",
            "list_ids": [3, 4],
            "template_id": 2,
            "from_email": "news@reviews.example",
        }

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
        self.route("GET", r"^/api/campaigns$", "list", self.list)
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
        self.campaigns[cid].update(
            subject=body["subject"],
            html=body["body"],
            text=body["altbody"],
            preheader=None,
            template_id=body.get("template_id"),
            name=body["name"],
        )
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
        return {
            "data": {
                "id": int(cid),
                "status": c["status"],
                "subject": c["subject"],
                "body": c["html"],
                "name": c["name"],
            }
        }

    def list(self, request: Request, _: list[str]) -> Response:
        query, status = request.args.get("query", ""), request.args.get("status")
        found = [
            self._view(cid)["data"]
            for cid, c in self.campaigns.items()
            if query in c["name"] and status in (None, c["status"])
        ]
        return self.json({"data": {"results": found, "total": len(found), "page": 1, "per_page": len(found)}})

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
        return {
            "base_url": self.server.url_for("/v3"),
            "list_ids": [2, 7],
            "from_email": "news@reviews.example",
        }

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
        self.route("GET", r"^/v3/emailCampaigns$", "list", self.list)
        self.route("POST", r"^/v3/emailCampaigns/(\d+)/sendTest$", "test", self.test)
        self.route("GET", r"^/v3/emailCampaigns/(\d+)$", "get", self.get)
        self.route("PUT", r"^/v3/emailCampaigns/(\d+)$", "update", self.put)

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        if "scheduledAt" in body:  # Brevo queues a campaign with a send time: it is no longer a draft
            self.campaigns[cid].update(status="queued", scheduledAt=body["scheduledAt"])
        sender = body.get("sender")
        if not isinstance(sender, dict) or not isinstance(sender.get("email"), str):
            return self.invalid(f"{step}: sender.email is required")
        if not all(self.need(body, f, str, step) for f in ("name", "subject", "previewText", "htmlContent")):
            return self.error(400, "subject is missing")
        lists = (body.get("recipients") or {}).get("listIds")
        if not isinstance(lists, list) or not all(isinstance(i, int) for i in lists):
            return self.invalid(f"{step}: recipients.listIds must be integers")
        self.campaigns[cid].update(
            subject=body["subject"],
            preheader=body["previewText"],
            html=body["htmlContent"],
            sender=sender,
            name=body["name"],
        )
        return None

    def create(self, request: Request, _: list[str]) -> Response:
        cid = str(next(self.ids))
        self.campaigns[cid] = {"id": cid, "status": "draft", "text": None}
        failed = self._store(cid, request.get_json(), "create")
        if failed:
            del self.campaigns[cid]
            return failed
        return self.json({"id": int(cid)}, 201)

    def list(self, request: Request, _: list[str]) -> Response:
        status = request.args.get("status")
        found = [
            {
                "id": int(cid),
                "name": c["name"],
                "subject": c["subject"],
                "type": "classic",
                "status": c["status"],
            }
            for cid, c in self.campaigns.items()
            if status in (None, c["status"])
        ]
        return self.json({"campaigns": found, "count": len(found)})

    def get(self, _: Request, groups: list[str]) -> Response:
        c = self.campaigns.get(groups[0])
        if c is None:
            return self.error(404, "Campaign id does not exist")
        return self.json(
            {
                "id": int(groups[0]),
                "name": "x",
                "subject": c["subject"],
                "type": "classic",
                "status": c["status"],
            }
        )

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
        return {
            "base_url": self.server.url_for("/api"),
            "group_ids": ["111222"],
            "from_email": "news@reviews.example",
        }

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
        self.route("GET", r"^/api/campaigns$", "list", self.list)
        self.route("GET", r"^/api/campaigns/(\d+)$", "get", self.get)
        self.route("PUT", r"^/api/campaigns/(\d+)$", "update", self.put)

    def list(self, request: Request, _: list[str]) -> Response:
        status = request.args.get("filter[status]")
        found = [self._view(cid)["data"] for cid, c in self.campaigns.items() if status in (None, c["status"])]
        return self.json({"data": found, "meta": {"total": len(found)}})

    def _store(self, cid: str, body: dict[str, Any], step: str) -> Response | None:
        emails = body.get("emails")
        if (
            body.get("type") != "regular"
            or not self.need(body, "name", str, step)
            or not isinstance(emails, list)
        ):
            return self.invalid(f"{step}: name, type regular and emails are required")
        email = emails[0]
        if not all(self.need(email, f, str, step) for f in ("subject", "from_name", "from", "content")):
            return self.error(422, "The emails.0.subject field is required.")
        self.campaigns[cid].update(
            subject=email["subject"],
            html=email["content"],
            preheader=None,
            groups=body.get("groups"),
            name=body["name"],
        )
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
        return {"data": {"id": cid, "status": c["status"], "name": c["name"], "type": "regular"}}

    def get(self, _: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Resource not found.")
        return self.json(self._view(groups[0]))

    def put(self, request: Request, groups: list[str]) -> Response:
        if groups[0] not in self.campaigns:
            return self.error(404, "Resource not found.")
        return self._store(groups[0], request.get_json(), "update") or self.json(self._view(groups[0]))
