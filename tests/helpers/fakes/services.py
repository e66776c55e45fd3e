"""The six services' tables for the description-driven fake (see helpers.fakes.base).

Each class says only what differs: which operationId is which step, the credential, the error
shape, where a body's subject, HTML and preview text live, and what an answer looks like. What a
request must be is not written here: the vendored description decides (helpers.contract).
"""

from __future__ import annotations

import base64
from typing import Any

from werkzeug import Request, Response

from helpers.fakes.base import KEY, LIST, Fake
from helpers.fakes.reports import ButtondownReports, KitReports, ListmonkReports, MailchimpReports


class MailchimpFake(MailchimpReports):
    """Marketing API 3.0: Basic auth (any user, the key as password); problem+json errors."""

    name = "mailchimp"
    # HTTP Basic: any user name, the key as password (mailchimp.com/developer/marketing/docs/fundamentals)
    auth_shape = ("Authorization", r"Basic [A-Za-z0-9+/]+={0,2}")
    validation_status = 400
    unauthorised_message = "Your request did not include an API key."
    not_found_message = "The requested resource could not be found."
    draft_status = "save"
    error_type = "application/problem+json"
    def settings(self) -> dict[str, Any]:
        # Mailchimp needs a reply-to for a PATCH of the settings (ERRATA.md E1): a config that gives none
        # is the product's to refuse (test_contracts.py), not what these runs are about.
        return {"list_id": LIST, "base_url": self.base_url(), "from_name": "Example Reviews",
                "reply_to": "editors@reviews.example"}

    def authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        try:
            user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
        except ValueError:
            return False
        return header.startswith("Basic ") and bool(user) and password == KEY

    def error_body(self, status: int, message: str) -> Any:
        titles = {400: "Invalid Resource", 401: "API Key Invalid", 404: "Resource Not Found",
                  429: "Too Many Requests"}
        return {"type": "https://mailchimp.com/developer/marketing/docs/errors/",
                "title": titles.get(status, "Internal Server Error"), "status": status, "detail": message,
                "instance": "995c5cb0-3280-4b5c-8fd4-2a1ffe4d5b38"}

    def create(self, body: Any) -> Response:
        if (body.get("recipients") or {}).get("list_id") != LIST:
            return self.error(404, self.not_found_message)
        return super().create(body)

    def created(self, cid: str) -> Response:
        return self.json(self.view(cid))  # Mailchimp answers a new campaign with 200

    def new_id(self) -> str:
        return f"c{next(self.ids)}"

    def fields(self, body: dict[str, Any], campaign: dict[str, Any]) -> dict[str, Any]:
        if "html" in body or "plain_text" in body:  # the content step
            return {"html": body.get("html"), "text": body.get("plain_text")}
        s = body.get("settings") or {}
        audience = (body.get("recipients") or {}).get("list_id", campaign.get("list_id"))
        return {"list_id": audience, "web_id": campaign.get("web_id", 9000 + len(self.campaigns)),
                "subject": s.get("subject_line"),
                "preheader": s.get("preview_text"), "from_name": s.get("from_name"),
                "reply_to": s.get("reply_to"), "name": s.get("title")}

    def view(self, cid: str) -> Any:
        c = self.campaigns[cid]
        settings = {"subject_line": c["subject"], "preview_text": c["preheader"], "title": c["name"]}
        return {"id": cid, "web_id": c["web_id"], "type": "regular", "status": c["status"],
                "settings": {k: v for k, v in settings.items() if v is not None}}

    def found(self, request: Request) -> list[str]:
        audience = request.args.get("list_id")  # without it, every audience's campaigns
        return [cid for cid in super().found(request) if audience in (None, self.campaigns[cid]["list_id"])]

    def listing(self, request: Request, found: list[str]) -> Any:
        return {"campaigns": [self.view(cid) for cid in found], "total_items": len(found)}

    def filled(self, cid: str) -> Response:
        c = self.campaigns[cid]
        return self.json({"html": c["html"], "plain_text": c["text"]})

    def checklist(self, cid: str) -> Any:
        c = self.campaigns[cid]
        items = [{"type": "success", "id": 1, "heading": "Subject", "details": "ok"}]
        if not c["html"]:
            items.append({"type": "error", "id": 2, "heading": "Content", "details": "no content yet"})
        if not c["reply_to"]:
            warning = {"type": "warning", "id": 3, "heading": "Reply-to", "details": "add a reply-to address"}
            items.append(warning)
        return {"is_ready": bool(c["html"]), "items": items}

    def recipients(self, body: dict[str, Any]) -> list[str]:
        return list(body.get("test_emails") or [])


class ButtondownFake(ButtondownReports):
    """API v1: ``Authorization: Token <key>``; ``{"code", "detail"}`` errors, 422 ``detail`` lists."""

    name = "buttondown"
    auth_shape = ("Authorization", r"Token \S+")  # docs.buttondown.com/api-authentication
    def settings(self) -> dict[str, Any]:
        return {"base_url": self.base_url()}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("Authorization") == f"Token {KEY}"

    def error_body(self, status: int, message: str) -> Any:
        if status == 422:
            return {"detail": [{"type": "value_error", "loc": ["body", "subject"], "msg": message}]}
        return {"code": "error", "detail": message}

    def new_id(self) -> str:
        return f"em_{next(self.ids)}"

    def fields(self, body: dict[str, Any], campaign: dict[str, Any]) -> dict[str, Any]:
        # Without a status Buttondown sends the email at once: the fake does what the service does.
        return {"subject": body.get("subject"), "html": body.get("body"), "preheader": body.get("description"),
                "metadata": body.get("metadata"), "status": body.get("status", "about_to_send")}

    def view(self, cid: str) -> Any:
        c = self.campaigns[cid]
        return {"id": cid, "metadata": c.get("metadata") or {}, "status": c["status"], "subject": c["subject"],
                "body": c["html"], "description": c["preheader"] or "",
                "absolute_url": f"https://buttondown.com/archive/{cid}", "canonical_url": "",
                "creation_date": "2025-05-19T13:00:00Z", "modification_date": "2025-05-19T13:00:00Z",
                "commenting_mode": "enabled", "archival_mode": "enabled", "featured": False,
                "filters": {"filters": [], "groups": [], "predicate": "and"}, "image": "",
                "related_email_ids": [], "should_trigger_pay_per_email_billing": False, "source": "api"}

    def listing(self, request: Request, found: list[str]) -> Any:
        return {"results": [self.view(cid) for cid in found], "count": len(found), "next": None,
                "previous": None}

    def recipients(self, body: dict[str, Any]) -> list[str]:
        return list(body.get("recipients") or [])

    def tested(self) -> Response:
        return self.json({})


class KitFake(KitReports):
    """API v4: ``X-Kit-Api-Key``; ``{"errors": [...]}``; a broadcast with ``send_at`` null is a draft."""

    name = "kit"
    auth_shape = ("X-Kit-Api-Key", r"\S+")  # developers.kit.com/api-reference/authentication
    unauthorised_message = "The access token is invalid"
    sent_status = "completed"
    def settings(self) -> dict[str, Any]:
        return {"base_url": self.base_url(), "segment_ids": [47]}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("X-Kit-Api-Key") == KEY and "Authorization" not in request.headers

    def error_body(self, status: int, message: str) -> Any:
        return {"errors": [message]}

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        if status == 429:  # "The response body is the plain text `Retry later`, not JSON" (rate-limits page)
            return Response("Retry later", status=429, content_type="text/plain", headers=headers)
        return super().error(status, message, headers)

    def fields(self, body: dict[str, Any], campaign: dict[str, Any]) -> dict[str, Any]:
        # A broadcast with a send time is scheduled, no longer a draft: the fake does what Kit does.
        return {"subject": body.get("subject"), "preheader": body.get("preview_text"),
                "html": body.get("content"),
                "filter": body.get("subscriber_filter"), "name": body.get("description"),
                "status": "draft" if body.get("send_at") is None else "scheduled"}

    def view(self, cid: str) -> Any:
        return {"broadcast": self.broadcast(cid)}

    def broadcast(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {"id": int(cid), "publication_id": 9000 + int(cid), "created_at": "2025-05-19T13:00:00Z",
                "subject": c["subject"], "preview_text": c["preheader"], "content": c["html"],
                "description": c["name"], "public": False, "published_at": None, "status": c["status"],
                "send_at": None if c["status"] == "draft" else "2025-05-19T14:00:00Z", "thumbnail_alt": None,
                "thumbnail_url": None, "public_url": None, "email_address": None,
                "email_template": {"id": 1, "name": "Classic"}, "subscriber_filter": c["filter"] or []}

    def listing(self, request: Request, found: list[str]) -> Any:
        return {"broadcasts": [self.broadcast(cid) for cid in found],
                "pagination": {"has_previous_page": False, "has_next_page": False, "start_cursor": None,
                               "end_cursor": None, "per_page": 500}}


class ListmonkFake(ListmonkReports):
    """listmonk: ``Authorization: token user:token`` (a bad one is 403 "invalid session"); ``{"message"}``."""

    name = "listmonk"
    auth_shape = ("Authorization", r"token [^:\s]+:\S+")  # listmonk.app/docs/apis/apis
    validation_status = 400
    unauthorised_status = 403
    unauthorised_message = "invalid session"
    not_found_message = "Campaign not found."
    sent_status = "finished"
    def settings(self) -> dict[str, Any]:
        return {"base_url": self.server.url_for("").rstrip("/"), "username": "digest-api", "list_ids": [3, 4],
                "template_id": 2, "from_email": "news@reviews.example"}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("Authorization") == f"token digest-api:{KEY}"

    def error_body(self, status: int, message: str) -> Any:
        return {"message": message}

    def fields(self, body: dict[str, Any], campaign: dict[str, Any]) -> dict[str, Any]:
        return {"subject": body.get("subject"), "html": body.get("body"), "text": body.get("altbody"),
                "template_id": body.get("template_id"), "name": body.get("name")}

    def view(self, cid: str) -> Any:
        return {"data": self.campaign(cid)}

    def campaign(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        made = {"id": int(cid), "status": c["status"], "subject": c["subject"], "body": c["html"],
                "name": c["name"], "created_at": "2025-05-19T13:00:00.000000+00:00"}
        if "sent" in c:
            made.update(sent=c["sent"], to_send=c["sent"], started_at="2025-05-19T14:00:00.000000+00:00")
        return made

    def found(self, request: Request) -> list[str]:
        query = request.args.get("query", "")
        return [cid for cid in super().found(request) if query in self.campaigns[cid]["name"]]

    def listing(self, request: Request, found: list[str]) -> Any:
        return {"data": {"results": [self.campaign(cid) for cid in found], "total": len(found), "page": 1,
                         "per_page": len(found)}}

    def created(self, cid: str) -> Response:
        return self.json(self.view(cid))

    def recipients(self, body: dict[str, Any]) -> list[str]:
        return list(body.get("subscribers") or [])

    def tested(self) -> Response:
        return self.json({"data": True})


class BrevoFake(Fake):
    """API v3: ``api-key`` header; ``{"code", "message"}`` errors; ``scheduledAt`` queues the campaign."""

    name = "brevo"
    auth_shape = ("api-key", r"\S+")  # developers.brevo.com/docs/getting-started
    validation_status = 400
    unauthorised_message = "Key not found"
    not_found_message = "Campaign id does not exist"
    asked = ""  # the ``statistics`` of the request being answered: only that node is filled (FINDINGS B-E2)

    def handle(self, step: str, request: Request, cid: str) -> Response:
        self.asked = request.args.get("statistics", "")
        if step == "get" and self.asked:
            self.requests[-1] = (f"statistics={self.asked}", request.method, request.path)
        return super().handle(step, request, cid)

    def settings(self) -> dict[str, Any]:
        return {"base_url": self.base_url(), "list_ids": [2, 7], "from_email": "news@reviews.example"}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("api-key") == KEY

    def error_body(self, status: int, message: str) -> Any:
        codes = {400: "invalid_parameter", 401: "unauthorized", 404: "document_not_found"}
        code = codes.get(status, "bad_request")
        return {"code": code, "message": message}

    def fields(self, body: dict[str, Any], campaign: dict[str, Any]) -> dict[str, Any]:
        made = {"subject": body.get("subject"), "preheader": body.get("previewText"),
                "html": body.get("htmlContent"), "sender": body.get("sender"), "name": body.get("name"),
                "lists": (body.get("recipients") or {}).get("listIds")}
        if "scheduledAt" in body:  # Brevo queues a campaign with a send time: it is no longer a draft
            made.update(status="queued", scheduledAt=body["scheduledAt"])
        return made

    def view(self, cid: str) -> Any:
        c = self.campaigns[cid]
        counts = dict.fromkeys(("clickers", "complaints", "delivered", "hardBounces", "sent", "softBounces",
                                "trackableViews", "uniqueClicks", "uniqueViews", "unsubscriptions",
                                "viewed"), 0)
        if self.asked == "globalStats":  # the other nodes come back empty or zero (B-E2)
            counts.update(delivered=c.get("delivered", 0), sent=c.get("delivered", 0))
        return {**self.overview(cid), "htmlContent": c["html"] or "", "sender": c["sender"],
                "replyTo": c["sender"]["email"], "header": "[DEFAULT_HEADER]", "footer": "[DEFAULT_FOOTER]",
                "createdAt": "2025-05-19T13:00:00.000Z", "modifiedAt": "2025-05-19T13:00:00.000Z",
                "testSent": bool(c.get("tests")), "recipients": {"lists": c["lists"], "exclusionLists": []},
                "statistics": {"campaignStats": [], "globalStats": counts, "mirrorClick": 0,
                               "linksStats": self.clicks.get(cid, {}) if self.asked == "linksStats" else {},
                               "remaining": 0, "statsByBrowser": {}, "statsByDevice": {}, "statsByDomain": {}}}

    def overview(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {"id": int(cid), "name": c["name"], "subject": c["subject"], "type": "classic",
                "status": c["status"]}

    def listing(self, request: Request, found: list[str]) -> Any:
        return {"campaigns": [self.view(cid) for cid in found], "count": len(found)}

    def created(self, cid: str) -> Response:
        return self.json({"id": int(cid)}, 201)

    def updated(self, cid: str) -> Response:
        return Response(status=204)

    def recipients(self, body: dict[str, Any]) -> list[str]:
        return list(body.get("emailTo") or [])


class MailerliteFake(Fake):
    """connect.mailerlite.com: Bearer auth; ``{"message", "errors": {field: [..]}}`` on 422."""

    name = "mailerlite"
    auth_shape = ("Authorization", r"Bearer \S+")  # developers.mailerlite.com/docs/#authentication
    unauthorised_message = "Unauthenticated."
    not_found_message = "Resource not found."

    def settings(self) -> dict[str, Any]:
        return {"base_url": self.base_url(), "group_ids": ["111222"], "from_email": "news@reviews.example"}

    def authorised(self, request: Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {KEY}"

    def error_body(self, status: int, message: str) -> Any:
        if status == 422:
            return {"message": "The given data was invalid.", "errors": {"emails.0.subject": [message]}}
        return {"message": message}

    def status_filter(self, request: Request) -> str | None:
        return request.args.get("filter[status]")

    def fields(self, body: dict[str, Any], campaign: dict[str, Any]) -> dict[str, Any]:
        email = (body.get("emails") or [{}])[0]
        return {"subject": email.get("subject"), "html": email.get("content"), "groups": body.get("groups"),
                "name": body.get("name")}

    def view(self, cid: str) -> Any:
        return {"data": self.campaign(cid)}

    def campaign(self, cid: str) -> dict[str, Any]:
        c = self.campaigns[cid]
        return {"id": cid, "status": c["status"], "name": c["name"], "type": "regular"}

    def listing(self, request: Request, found: list[str]) -> Any:
        return {"data": [self.campaign(cid) for cid in found], "meta": {"total": len(found)}}
