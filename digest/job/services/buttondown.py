"""Buttondown, following its API v1 reference (docs.buttondown.com, OpenAPI as published in 2026).

Steps: ``POST /emails`` with ``subject``, ``body`` (the HTML), ``description`` (the preview
text), ``metadata`` and ``status: "draft"`` always, since an email created without a status
may go out; ``"scheduled"`` with ``publish_date`` only when ``schedule_at`` is set.
``PATCH /emails/{id}`` updates it, ``GET /emails/{id}`` reads its status (``draft``; ``scheduled``,
``about_to_send``, ``in_flight``, ``sent`` ... are not drafts) and
``POST /emails/{id}/send-draft`` with ``recipients`` is the test send; ``GET /emails?status=draft``
finds a draft by its ``metadata`` after a create that got no answer. Auth:
``Authorization: Token <key>``. Errors: ``{"code", "detail"}``, or on 422 ``detail`` as a list of
``{"loc", "msg"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from digest.job.services.base import Content, Remote, Service
from digest.job.services.client import Api
from digest.job.services.shape import ident, records, word
from digest.settings.services import ButtondownSettings


def message(data: Any) -> str:
    detail = data.get("detail")
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', '')}" for d in detail)
    return str(detail or data.get("code") or "")


class Buttondown(Service):
    name = "buttondown"
    label = "Buttondown"
    item_path = "/emails/{id}"
    noun = "email"
    update_method = "PATCH"
    docs = "Buttondown API v1"
    has_test_send = True

    def __init__(self, settings: ButtondownSettings, key: str) -> None:
        api = Api.of("buttondown", settings, settings.base_url or "https://api.buttondown.com/v1",
                     {"Authorization": f"Token {key}"}, key, message)
        super().__init__(api, settings.approve_url)
        self.settings = settings

    def _body(self, content: Content) -> dict[str, Any]:
        body: dict[str, Any] = {
            "subject": content.subject,
            "body": content.html,
            "description": content.preheader,
            "metadata": {"digest_issue": content.issue_id},
            "status": "draft",
        }
        if self.settings.schedule_at is not None:
            body["status"] = "scheduled"
            body["publish_date"] = self.settings.schedule_at.isoformat()
        return body

    def _remote(self, step: str, data: Any) -> Remote:
        cid = ident(self.api, step, data)
        return Remote(
            cid, word(self.api, step, data, "status"), self.web_url(cid, f"https://buttondown.com/emails/{cid}")
        )

    def create(self, content: Content) -> Remote:
        step = "create the email"
        return self._remote(step, self.api.call(step, "POST", "/emails", body=self._body(content)))

    def find(self, content: Content) -> Remote | None:
        step = "look for a draft from an unanswered create"
        data = self.api.call(step, "GET", "/emails", params={"status": "draft"})
        for item in records(self.api, step, data, "results"):
            metadata = item.get("metadata")
            if isinstance(metadata, Mapping) and metadata.get("digest_issue") == content.issue_id:
                return self._remote(step, item)
        return None

    def send_test(self, campaign_id: str, content: Content, to: list[str]) -> None:
        self.api.call(
            f"send a test of email {campaign_id}",
            "POST",
            f"/emails/{campaign_id}/send-draft",
            body={"recipients": to},
        )
