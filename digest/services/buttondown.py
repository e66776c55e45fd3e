"""Buttondown, following its API v1 reference (docs.buttondown.com, OpenAPI as published in 2026).

Steps: ``POST /emails`` with ``subject``, ``body`` (the HTML), ``description`` (the preview
text), ``metadata`` and ``status: "draft"`` always, since an email created without a status
may go out; ``"scheduled"`` with ``publish_date`` only when ``schedule_at`` is set.
``PATCH /emails/{id}`` updates it, ``GET /emails/{id}`` reads its status (``draft``; ``scheduled``,
``about_to_send``, ``in_flight``, ``sent`` ... are not drafts) and
``POST /emails/{id}/send-draft`` with ``recipients`` is the test send;
``GET /emails?status=draft&ordering=-creation_date`` finds a draft by its ``metadata`` after a
create that got no answer. Auth:
``Authorization: Token <key>``. Errors: ``{"code", "detail"}``, or on 422 ``detail`` as a list of
``{"loc", "msg"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from digest.services.base import Content, Service
from digest.services.settings import ServiceSettings


class ButtondownSettings(ServiceSettings):
    """Buttondown API v1: an email with status "draft"."""

    api_key_env: str = "DIGEST_BUTTONDOWN_API_KEY"
    schedule_at: datetime | None = Field(default=None, description="schedule instead of draft (aware time)")


class Buttondown(Service):
    name = "buttondown"
    label = "Buttondown"
    docs = "Buttondown API v1"
    Settings = ButtondownSettings
    mailer = "buttondown"
    what = 'an email is created with status "draft"'
    default_base_url = "https://api.buttondown.com/v1"
    collection = "/emails"
    item_path = "/emails/{id}"
    test_path = "/emails/{id}/send-draft"
    list_key = "results"
    noun = "email"
    update_method = "PATCH"
    settings: ButtondownSettings

    @staticmethod
    def message(data: Any) -> str:
        detail = data.get("detail")
        if isinstance(detail, list):
            return "; ".join(f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', '')}"
                             for d in detail)
        return str(detail or data.get("code") or "")

    @classmethod
    def reach(cls, settings: ServiceSettings) -> str:
        return "every subscriber of the newsletter the API key belongs to"

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Token {key}"}

    def body(self, content: Content) -> dict[str, Any]:
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

    def list_params(self, content: Content) -> dict[str, Any]:
        return {"status": "draft", "ordering": "-creation_date"}  # newest first: the first page has it

    def is_this(self, item: Mapping[str, Any], content: Content) -> bool:
        metadata = item.get("metadata")
        return isinstance(metadata, Mapping) and metadata.get("digest_issue") == content.issue_id

    def web_default(self, step: str, cid: str, item: Mapping[str, Any]) -> str:
        return f"https://buttondown.com/emails/{cid}"

    def test_body(self, content: Content, to: list[str]) -> dict[str, Any]:
        return {"recipients": to}


SERVICE = Buttondown
