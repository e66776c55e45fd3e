"""MailerLite (the new app), following its API reference at developers.mailerlite.com (2025-26).

Base ``https://connect.mailerlite.com/api``. Steps: ``POST /campaigns`` with ``name``,
``type: "regular"``, ``emails: [{subject, from_name, from, content}]`` (custom HTML content
needs a plan that allows it) and ``groups``; a campaign stays a ``draft`` until a separate
schedule call, which digest never makes. ``PUT /campaigns/{id}`` updates it and
``GET /campaigns/{id}`` reads its status (``draft``; ``ready``, ``sent`` are not);
``GET /campaigns?filter[status]=draft`` finds a draft by name after a create that got no answer. MailerLite
has no test-send endpoint and takes no plain-text part. Auth: ``Authorization: Bearer <key>``.
Errors: ``{"message": "...", "errors": {"field": ["..."]}}``.
"""

from __future__ import annotations

from typing import Any

from digest.job.services.base import Content, Remote, Service
from digest.job.services.client import Api, join
from digest.job.services.shape import ident, obj, records, word
from digest.settings.services import MailerliteSettings


def message(data: Any) -> str:
    errors = data.get("errors")
    return f"{data.get('message', '')} ({join(errors)})" if errors else str(data.get("message") or "")


class Mailerlite(Service):
    name = "mailerlite"
    label = "MailerLite"
    item_path = "/campaigns/{id}"
    docs = "MailerLite API (connect.mailerlite.com)"

    def __init__(self, settings: MailerliteSettings, key: str, sender_name: str, sender: str) -> None:
        api = Api.of("mailerlite", settings, settings.base_url or "https://connect.mailerlite.com/api",
                     {"Authorization": f"Bearer {key}"}, key, message)
        super().__init__(api, settings.approve_url)
        self.settings = settings
        self.sender_name = sender_name
        self.sender = sender

    def _body(self, content: Content) -> dict[str, Any]:
        email = {
            "subject": content.subject,
            "from_name": self.sender_name,
            "from": self.sender,
            "content": content.html,
        }
        body: dict[str, Any] = {"name": content.name, "type": "regular", "emails": [email]}
        if self.settings.group_ids:
            body["groups"] = self.settings.group_ids
        return body

    def _remote(self, step: str, data: Any) -> Remote:
        c = obj(self.api, step, data, "data")
        cid = ident(self.api, step, c)
        return Remote(
            cid,
            word(self.api, step, c, "status"),
            self.web_url(cid, f"https://dashboard.mailerlite.com/campaigns/{cid}/edit"),
        )

    def create(self, content: Content) -> Remote:
        step = "create the campaign"
        return self._remote(
            step,
            self.api.call(
                step,
                "POST",
                "/campaigns",
                body=self._body(content),
                not_found=f"the group ids {self.settings.group_ids}",
            )
        )

    def find(self, content: Content) -> Remote | None:
        step = "look for a draft from an unanswered create"
        data = self.api.call(step, "GET", "/campaigns", params={"filter[status]": "draft", "limit": 100})
        for item in records(self.api, step, data, "data"):
            if item.get("name") == content.name:
                return self._remote(step, {"data": item})
        return None
