"""MailerLite (the new app), following its API reference at developers.mailerlite.com (2025-26).

Base ``https://connect.mailerlite.com/api``. Steps: ``POST /campaigns`` with ``name``,
``type: "regular"``, ``emails: [{subject, from_name, from, content}]`` (custom HTML content
needs a plan that allows it) and ``groups``; a campaign stays a ``draft`` until a separate
schedule call, which digest never makes. ``PUT /campaigns/{id}`` updates it and
``GET /campaigns/{id}`` reads its status (``draft``; ``ready``, ``sent`` are not);
``GET /campaigns?filter[status]=draft`` finds a draft by name after a create that got no answer. MailerLite
has no test-send endpoint, takes no plain-text part and refuses a campaign without a sender.
Auth: ``Authorization: Bearer <key>``. Errors: ``{"message": "...", "errors": {"field": ["..."]}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from digest.services.base import Content, Service
from digest.services.clicks import ClickReport
from digest.services.client import join
from digest.services.settings import ServiceSettings
from digest.services.tally import ClickReportError


class MailerliteSettings(ServiceSettings):
    """MailerLite (connect.mailerlite.com): a regular draft campaign for some groups."""

    api_key_env: str = "DIGEST_MAILERLITE_API_KEY"
    group_ids: list[str] = []


class Mailerlite(Service):
    name = "mailerlite"
    label = "MailerLite"
    docs = "MailerLite API (connect.mailerlite.com)"
    Settings = MailerliteSettings
    mailer = "mailerlite"
    what = "a regular campaign is created as a draft for the groups"
    default_base_url = "https://connect.mailerlite.com/api"
    envelope = "data"
    list_key = "data"
    needs_sender = True
    sends = frozenset({"name", "address"})
    settings: MailerliteSettings

    @staticmethod
    def message(data: Any) -> str:
        errors = data.get("errors")
        return f"{data.get('message', '')} ({join(errors)})" if errors else str(data.get("message") or "")

    @classmethod
    def reach(cls, settings: ServiceSettings) -> str:
        assert isinstance(settings, MailerliteSettings)
        if settings.group_ids:
            return "the groups " + ", ".join(settings.group_ids)
        return "ALL active subscribers (no group_ids: MailerLite sends a campaign without groups to everyone)"

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def body(self, content: Content) -> dict[str, Any]:
        email = {
            "subject": content.subject,
            "from_name": self.sender.name,
            "from": self.sender.address,
            "content": content.html,
        }
        body: dict[str, Any] = {"name": content.name, "type": "regular", "emails": [email]}
        if self.settings.group_ids:
            body["groups"] = self.settings.group_ids
        return body

    def audience(self) -> str:
        return f"the group ids {self.settings.group_ids}"

    def list_params(self, content: Content) -> dict[str, Any]:
        return {"filter[status]": "draft", "limit": 100}

    def web_default(self, step: str, cid: str, item: Mapping[str, Any]) -> str:
        return f"https://dashboard.mailerlite.com/campaigns/{cid}/edit"

    def link_clicks(self, campaign_id: str) -> ClickReport:
        """MailerLite's API has no per-link click report: say so, ask nothing."""
        raise ClickReportError(
            self.title(), f"read the link clicks of {self.noun} {campaign_id}",
            "MailerLite's API gives no per-link clicks for a campaign (only campaign totals, and a "
            "per-subscriber activity report digest does not read); use the site's own analytics export "
            "instead: [trending] analytics_csv, matched by the email's UTM tags")


SERVICE = Mailerlite
