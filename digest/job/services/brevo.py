"""Brevo, following the Brevo API v3 reference (developers.brevo.com, "Email campaigns", 2025-26).

Steps: ``POST /v3/emailCampaigns`` with ``name``, ``subject``, ``previewText``, ``sender``
(``name``, ``email``), ``replyTo``, ``htmlContent`` and ``recipients.listIds``; never
``scheduledAt`` unless ``schedule_at`` is set. ``PUT /v3/emailCampaigns/{id}`` updates it (204),
``GET /v3/emailCampaigns/{id}`` reads its status (``draft``; ``queued``, ``in_process``, ``sent``,
``suspended``, ``archive`` are not), and ``POST /v3/emailCampaigns/{id}/sendTest`` with
``emailTo`` is the test send; ``GET /v3/emailCampaigns?status=draft`` finds a draft by name after a
create that got no answer. Brevo takes no plain-text part. Auth: ``api-key: <key>``.
Errors: ``{"code": "...", "message": "..."}``.
"""

from __future__ import annotations

from typing import Any

from digest.job.services.base import Content, Remote, Service
from digest.job.services.client import Api
from digest.job.services.shape import ident, records, word
from digest.settings.services import BrevoSettings


def message(data: Any) -> str:
    return str(data.get("message") or data.get("code") or "")


class Brevo(Service):
    name = "brevo"
    docs = "Brevo API v3"
    has_test_send = True

    def __init__(
        self, settings: BrevoSettings, key: str, sender_name: str | None, sender: str, reply_to: str | None
    ) -> None:
        api = Api.of("brevo", settings, settings.base_url or "https://api.brevo.com/v3",
                     {"api-key": key}, key, message)
        super().__init__(api, settings.approve_url)
        self.settings = settings
        self.sender = {"email": sender, **({"name": sender_name} if sender_name else {})}
        self.reply_to = reply_to

    def _body(self, content: Content) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": content.name,
            "subject": content.subject,
            "previewText": content.preheader,
            "sender": self.sender,
            "htmlContent": content.html,
            "recipients": {"listIds": self.settings.list_ids},
        }
        if self.reply_to:
            body["replyTo"] = self.reply_to
        if self.settings.schedule_at is not None:
            body["scheduledAt"] = self.settings.schedule_at.isoformat()
        return body

    def _url(self, cid: str) -> str:
        return self.web_url(cid, f"https://app.brevo.com/marketing-campaign/edit/{cid}")

    def create(self, content: Content) -> Remote:
        step = "create the campaign"
        data = self.api.call(
            step,
            "POST",
            "/emailCampaigns",
            body=self._body(content),
            not_found=f"the list ids {self.settings.list_ids}",
        )
        cid = ident(self.api, step, data)
        return Remote(cid, "draft", self._url(cid))

    def find(self, content: Content) -> Remote | None:
        step = "look for a draft from an unanswered create"
        data = self.api.call(step, "GET", "/emailCampaigns",
                             params={"type": "classic", "status": "draft", "limit": 100, "sort": "desc"})
        for item in records(self.api, step, data, "campaigns"):
            if item.get("name") == content.name:
                cid = ident(self.api, step, item)
                return Remote(cid, word(self.api, step, item, "status", "draft"), self._url(cid))
        return None

    def status(self, campaign_id: str) -> Remote:
        step = f"read campaign {campaign_id}"
        data = self.api.call(step, "GET", f"/emailCampaigns/{campaign_id}",
                             not_found="whether the draft was deleted in Brevo")
        return Remote(campaign_id, word(self.api, step, data, "status"), self._url(campaign_id))

    def update(self, campaign_id: str, content: Content) -> None:
        self.api.call(
            f"update campaign {campaign_id}",
            "PUT",
            f"/emailCampaigns/{campaign_id}",
            body=self._body(content),
            not_found=f"the campaign and the list ids {self.settings.list_ids}",
        )

    def send_test(self, campaign_id: str, content: Content, to: list[str]) -> None:
        self.api.call(
            f"send a test of campaign {campaign_id}",
            "POST",
            f"/emailCampaigns/{campaign_id}/sendTest",
            body={"emailTo": to},
        )
