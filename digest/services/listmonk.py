"""listmonk, following its REST API reference (listmonk.app/docs/apis/campaigns, v4-v6).

Steps: ``POST /api/campaigns`` with ``name``, ``subject``, ``lists`` (ids), ``type: "regular"``,
``content_type: "html"``, ``body``, ``altbody`` (the plain text), ``from_email``,
``template_id`` and ``messenger: "email"``; no ``send_at`` and no status change, so it stays a
``draft``. ``PUT /api/campaigns/{id}`` updates it, ``GET /api/campaigns/{id}`` reads its status
(``draft``; ``scheduled``, ``running``, ``paused``, ``finished``, ``cancelled`` are not), and
``POST /api/campaigns/{id}/test`` with the campaign and ``subscribers`` (addresses) is the test
send; ``GET /api/campaigns?status=draft&per_page=all`` finds a draft by name after a create that got no
answer. listmonk is self-hosted: ``base_url`` is the instance. Auth:
``Authorization: token <api user>:<token>``. Errors: ``{"message": "..."}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import formataddr
from typing import Any

from pydantic import Field

from digest.bounds import ServiceId
from digest.services.base import Content, Service
from digest.services.settings import ServiceSettings


class ListmonkSettings(ServiceSettings):
    """listmonk (self-hosted): a draft campaign for some lists; ``base_url`` is required."""

    api_key_env: str = "DIGEST_LISTMONK_TOKEN"
    base_url: str
    username: str = Field(min_length=1, description="the API user the token belongs to")
    list_ids: list[ServiceId] = Field(min_length=1)
    template_id: ServiceId | None = None


class Listmonk(Service):
    name = "listmonk"
    label = "listmonk"
    docs = "listmonk REST API (v4-v6)"
    Settings = ListmonkSettings
    mailer = "listmonk"
    what = "a campaign is created as a draft for the lists"
    collection = "/api/campaigns"
    item_path = "/api/campaigns/{id}"
    test_path = "/api/campaigns/{id}/test"
    envelope = "data"
    list_key = "data.results"
    sends = frozenset({"name", "address"})
    settings: ListmonkSettings

    @classmethod
    def reach(cls, settings: ServiceSettings) -> str:
        assert isinstance(settings, ListmonkSettings)
        return "the lists " + ", ".join(map(str, settings.list_ids))

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"token {self.settings.username}:{key}"}

    def body(self, content: Content) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": content.name,
            "subject": content.subject,
            "lists": self.settings.list_ids,
            "type": "regular",
            "content_type": "html",
            "body": content.html,
            "altbody": content.text,
            "messenger": "email",
        }
        if self.sender.address:
            body["from_email"] = formataddr((self.sender.name, self.sender.address))
        if self.settings.template_id is not None:
            body["template_id"] = self.settings.template_id
        return body

    def audience(self) -> str:
        return "base_url (it should be the instance, without /api)"

    def list_params(self, content: Content) -> dict[str, Any]:
        # Not ``query``: it is a full-text search, and a name with ``:``, ``(`` or ``!`` makes it fail.
        return {"status": "draft", "per_page": "all"}

    def web_default(self, step: str, cid: str, item: Mapping[str, Any]) -> str:
        return f"{self.settings.base_url}/admin/campaigns/{cid}"

    def test_body(self, content: Content, to: list[str]) -> dict[str, Any]:
        return {**self.body(content), "subscribers": to}


SERVICE = Listmonk
