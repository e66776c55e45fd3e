"""Brevo, following the Brevo API v3 reference (developers.brevo.com, "Email campaigns", 2025-26).

Steps: ``POST /v3/emailCampaigns`` with ``name``, ``subject``, ``previewText``, ``sender``
(``name``, ``email``), ``replyTo``, ``htmlContent`` and ``recipients.listIds``; never
``scheduledAt`` unless ``schedule_at`` is set. ``PUT /v3/emailCampaigns/{id}`` updates it (204),
``GET /v3/emailCampaigns/{id}`` reads its status (``draft``; ``queued``, ``in_process``, ``sent``,
``suspended``, ``archive`` are not), and ``POST /v3/emailCampaigns/{id}/sendTest`` with
``emailTo`` is the test send; ``GET /v3/emailCampaigns?status=draft`` finds a draft by name after a
create that got no answer. Brevo takes no plain-text part and refuses a campaign without a
sender. The click report (issue 22): ``GET /v3/emailCampaigns/{id}?statistics=linksStats`` gives
``statistics.linksStats``, URL -> clicks (an integer in the schema's example, ``{"nbClick": n}`` in the
operation's: both are read), and ``?statistics=globalStats`` the ``delivered`` count (a node not
asked for comes back zero). Auth: ``api-key: <key>``. Errors: ``{"code": "...", "message": "..."}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from digest.bounds import ServiceId
from digest.services.base import Content, Service
from digest.services.clicks import BOTS, ClickReport
from digest.services.settings import ServiceSettings
from digest.services.shape import obj
from digest.services.tally import Tally, number, reading

# What the description says of linksStats, and so of every count it gives.
LINKS_STATS = ("Brevo's description says only \"the number of clicks for the links\", not whether unique or "
               "total: kept as total clicks")


class BrevoSettings(ServiceSettings):
    """Brevo API v3: an email campaign for some lists, from a verified sender."""

    api_key_env: str = "DIGEST_BREVO_API_KEY"
    list_ids: list[ServiceId] = Field(min_length=1)
    schedule_at: datetime | None = None


class Brevo(Service):
    name = "brevo"
    label = "Brevo"
    docs = "Brevo API v3"
    Settings = BrevoSettings
    mailer = "brevo"
    what = "an email campaign is created as a draft for the lists"
    default_base_url = "https://api.brevo.com/v3"
    collection = "/emailCampaigns"
    item_path = "/emailCampaigns/{id}"
    test_path = "/emailCampaigns/{id}/sendTest"
    # Brevo's 429 says when its window resets, in seconds, not Retry-After (developers.brevo.com/docs/
    # api-limits): digest waits that out as it would a Retry-After.
    wait_headers = ("retry-after", "x-sib-ratelimit-reset")
    created_status = "draft"  # a create answers with the id alone
    needs_sender = True
    sends = frozenset({"name", "address", "reply_to"})
    settings: BrevoSettings

    @staticmethod
    def message(data: Any) -> str:
        return str(data.get("message") or data.get("code") or "")

    @classmethod
    def reach(cls, settings: ServiceSettings) -> str:
        assert isinstance(settings, BrevoSettings)
        return "the lists " + ", ".join(map(str, settings.list_ids))

    def auth(self, key: str) -> dict[str, str]:
        return {"api-key": key}

    def body(self, content: Content) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": content.name,
            "subject": content.subject,
            "previewText": content.preheader,
            "sender": {"email": self.sender.address, "name": self.sender.name},
            "htmlContent": content.html,
            "recipients": {"listIds": self.settings.list_ids},
        }
        if self.sender.reply_to:
            body["replyTo"] = self.sender.reply_to
        if self.settings.schedule_at is not None:
            body["scheduledAt"] = self.settings.schedule_at.isoformat()
        return body

    def audience(self) -> str:
        return f"the list ids {self.settings.list_ids}"

    def list_params(self, content: Content) -> dict[str, Any]:
        # Newest first, without each draft's HTML: the answer stays small and the new draft is on it.
        return {"type": "classic", "status": "draft", "limit": 100, "sort": "desc",
                "excludeHtmlContent": "true"}


    def web_default(self, step: str, cid: str, item: Mapping[str, Any]) -> str:
        return f"https://app.brevo.com/marketing-campaign/edit/{cid}"

    def test_body(self, content: Content, to: list[str]) -> dict[str, Any]:
        return {"emailTo": to}

    def link_clicks(self, campaign_id: str) -> ClickReport:
        with reading(self.title()):
            links = self._statistics(campaign_id, "linksStats", "read the link clicks")
            delivered = number(self._statistics(campaign_id, "globalStats", "read the delivered count")
                               .get("delivered"))
        tally = Tally()
        for url, value in links.items():
            clicks = value.get("nbClick") if isinstance(value, Mapping) else value
            tally.add(url, None, number(clicks))
        return ClickReport(self.name, campaign_id, tally.links(), delivered, (LINKS_STATS, BOTS[self.name]))

    def _statistics(self, campaign_id: str, node: str, what: str) -> Mapping[str, Any]:
        """One node of the campaign's statistics (the others come back empty or zero: FINDINGS B-E2)."""
        step = f"{what} of {self.noun} {campaign_id}"
        data = self.api.call(step, "GET", self._item(campaign_id), params={"statistics": node},
                             not_found=self._gone())
        return obj(self.api, step, data, f"statistics.{node}")


SERVICE = Brevo
