"""Kit, following the Kit API v4 reference (developers.kit.com/v4, "Broadcasts", 2025-26).

Steps: ``POST /v4/broadcasts`` with ``subject``, ``preview_text``, ``content`` (the HTML),
``description``, ``public``, ``email_template_id``, ``subscriber_filter`` and ``send_at: null``,
which is what makes it a draft (a timestamp there schedules the send, so it is set only from
``schedule_at``); ``PUT /v4/broadcasts/{id}`` updates it; ``GET /v4/broadcasts/{id}`` reads it
back: a broadcast with a ``send_at`` (or a ``status`` other than ``draft``) is scheduled or sent.
``GET /v4/broadcasts`` finds a draft by its ``description`` after a create that got no answer. Kit
has no test-send endpoint. Auth: ``X-Kit-Api-Key: <key>``. Errors: ``{"errors": [...]}``.
"""

from __future__ import annotations

from typing import Any

from digest.job.services.base import Content, Remote, Service
from digest.job.services.client import Api, join
from digest.job.services.shape import ident, obj, records, word
from digest.settings.services import KitSettings


def message(data: Any) -> str:
    return join(data.get("errors") or data.get("message") or "")


class Kit(Service):
    name = "kit"
    label = "Kit"
    item_path = "/v4/broadcasts/{id}"
    noun = "broadcast"
    docs = "Kit API v4"

    def __init__(self, settings: KitSettings, key: str) -> None:
        api = Api.of("kit", settings, settings.base_url or "https://api.kit.com",
                     {"X-Kit-Api-Key": key}, key, message)
        super().__init__(api, settings.approve_url)
        self.settings = settings

    def _body(self, content: Content) -> dict[str, Any]:
        s = self.settings
        groups = [
            {"type": kind, "ids": ids} for kind, ids in (("segment", s.segment_ids), ("tag", s.tag_ids)) if ids
        ]
        body: dict[str, Any] = {
            "subject": content.subject,
            "preview_text": content.preheader,
            "content": content.html,
            "description": content.name,
            "public": s.public,
            "send_at": s.schedule_at.isoformat() if s.schedule_at else None,
            "subscriber_filter": [{"any": groups}] if groups else [{"all": [{"type": "all_subscribers"}]}],
        }
        if s.email_template_id is not None:
            body["email_template_id"] = s.email_template_id
        return body

    def _remote(self, step: str, data: Any) -> Remote:
        b = obj(self.api, step, data, "broadcast")
        cid = ident(self.api, step, b)
        status = word(self.api, step, b, "status") or ("scheduled" if b.get("send_at") else "draft")
        return Remote(cid, status, self.web_url(cid, f"https://app.kit.com/campaigns/{cid}/draft"))

    def create(self, content: Content) -> Remote:
        step = "create the broadcast"
        return self._remote(
            step,
            self.api.call(
                step,
                "POST",
                "/v4/broadcasts",
                body=self._body(content),
                not_found="the segment_ids and tag_ids",
            )
        )

    def find(self, content: Content) -> Remote | None:
        step = "look for a draft from an unanswered create"
        data = self.api.call(step, "GET", "/v4/broadcasts", params={"per_page": 100})
        for item in records(self.api, step, data, "broadcasts"):
            if item.get("description") == content.name and item.get("subject") == content.subject:
                return self._remote(step, {"broadcast": item})
        return None
