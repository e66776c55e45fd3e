"""listmonk, following its REST API reference (listmonk.app/docs/apis/campaigns, v4-v6).

Steps: ``POST /api/campaigns`` with ``name``, ``subject``, ``lists`` (ids), ``type: "regular"``,
``content_type: "html"``, ``body``, ``altbody`` (the plain text), ``from_email``,
``template_id`` and ``messenger: "email"``; no ``send_at`` and no status change, so it stays a
``draft``. ``PUT /api/campaigns/{id}`` updates it, ``GET /api/campaigns/{id}`` reads its status
(``draft``; ``scheduled``, ``running``, ``paused``, ``finished``, ``cancelled`` are not), and
``POST /api/campaigns/{id}/test`` with the campaign and ``subscribers`` (addresses) is the test
send; ``GET /api/campaigns?query=&status=draft`` finds a draft by name after a create that got no
answer. listmonk is self-hosted: ``base_url`` is the instance. Auth:
``Authorization: token <api user>:<token>``. Errors: ``{"message": "..."}``.
"""

from __future__ import annotations

from typing import Any

from digest.job.services.base import Content, Remote, Service
from digest.job.services.client import Api
from digest.job.services.shape import ident, obj, records, word
from digest.settings.services import ListmonkSettings


def message(data: Any) -> str:
    return str(data.get("message") or "")


class Listmonk(Service):
    name = "listmonk"
    label = "listmonk"
    item_path = "/api/campaigns/{id}"
    docs = "listmonk REST API (v4-v6)"
    has_test_send = True

    def __init__(self, settings: ListmonkSettings, key: str, sender: str | None) -> None:
        api = Api.of("listmonk", settings, settings.base_url,
                     {"Authorization": f"token {settings.username}:{key}"}, key, message)
        super().__init__(api, settings.approve_url)
        self.settings = settings
        self.sender = sender

    def _body(self, content: Content) -> dict[str, Any]:
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
        if self.sender:
            body["from_email"] = self.sender
        if self.settings.template_id is not None:
            body["template_id"] = self.settings.template_id
        return body

    def _remote(self, step: str, data: Any) -> Remote:
        c = obj(self.api, step, data, "data")
        cid = ident(self.api, step, c)
        return Remote(
            cid, word(self.api, step, c, "status"),
            self.web_url(cid, f"{self.settings.base_url}/admin/campaigns/{cid}"),
        )

    def create(self, content: Content) -> Remote:
        step = "create the campaign"
        return self._remote(
            step,
            self.api.call(
                step,
                "POST",
                "/api/campaigns",
                body=self._body(content),
                not_found="base_url (it should be the instance, without /api)",
            )
        )

    def find(self, content: Content) -> Remote | None:
        step = "look for a draft from an unanswered create"
        data = self.api.call(step, "GET", "/api/campaigns",
                             params={"query": content.name, "status": "draft", "per_page": "all"})
        page = None if data is None else obj(self.api, step, data, "data")
        for item in records(self.api, step, page, "results"):
            if item.get("name") == content.name:
                return self._remote(step, {"data": item})
        return None

    def send_test(self, campaign_id: str, content: Content, to: list[str]) -> None:
        self.api.call(
            f"send a test of campaign {campaign_id}",
            "POST",
            f"/api/campaigns/{campaign_id}/test",
            body={**self._body(content), "subscribers": to},
        )
