"""Kit, following the Kit API v4 reference (developers.kit.com/v4, "Broadcasts", 2025-26).

Steps: ``POST /v4/broadcasts`` with ``subject``, ``preview_text``, ``content`` (the HTML),
``description``, ``public``, ``email_template_id``, ``subscriber_filter`` (left out for everyone, as
its description says) and ``send_at: null``,
which is what makes it a draft (a timestamp there schedules the send, so it is set only from
``schedule_at``); ``PUT /v4/broadcasts/{id}`` updates it; ``GET /v4/broadcasts/{id}`` reads it
back: a broadcast with a ``send_at`` (or a ``status`` other than ``draft``) is scheduled or sent.
``GET /v4/broadcasts`` finds a draft by its ``description`` after a create that got no answer. Kit
has no test-send endpoint. The click report (issue 22): ``GET /v4/broadcasts/{id}/clicks`` (``url``,
``unique_clicks``; cursor pages by ``after``: ERRATA K10) and ``/stats`` for ``recipients``.
Auth: ``X-Kit-Api-Key: <key>``. Errors: ``{"errors": [...]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from digest.bounds import ServiceId
from digest.services.base import Content, Service
from digest.services.clicks import BOTS, ClickReport
from digest.services.client import join
from digest.services.settings import ServiceSettings
from digest.services.shape import obj, records
from digest.services.tally import Tally, number, reading

PAGE = 1000  # clicks a page (the cursor lists' maximum)
MAX_PAGES = 100


class KitSettings(ServiceSettings):
    """Kit API v4: a broadcast with ``send_at`` null, for everyone or some segments/tags."""

    api_key_env: str = "DIGEST_KIT_API_KEY"
    segment_ids: list[ServiceId] = []
    tag_ids: list[ServiceId] = []
    email_template_id: ServiceId | None = None
    public: bool = Field(default=False, description="also publish the broadcast to the web archive")
    schedule_at: datetime | None = None


class Kit(Service):
    name = "kit"
    label = "Kit"
    docs = "Kit API v4"
    Settings = KitSettings
    mailer = "kit"
    what = "a broadcast is created with send_at null (a draft)"
    default_base_url = "https://api.kit.com"
    collection = "/v4/broadcasts"
    item_path = "/v4/broadcasts/{id}"
    envelope = "broadcast"
    list_key = "broadcasts"
    noun = "broadcast"
    settings: KitSettings

    @classmethod
    def reach(cls, settings: ServiceSettings) -> str:
        assert isinstance(settings, KitSettings)
        groups = [f"{kind} {', '.join(map(str, ids))}" for kind, ids in
                  (("segments", settings.segment_ids), ("tags", settings.tag_ids)) if ids]
        return "subscribers in any of: " + "; ".join(groups) if groups else "all subscribers"

    @staticmethod
    def message(data: Any) -> str:
        return join(data.get("errors") or data.get("message") or "")

    def auth(self, key: str) -> dict[str, str]:
        return {"X-Kit-Api-Key": key}

    def body(self, content: Content) -> dict[str, Any]:
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
        }
        if groups:  # none: Kit's description says an absent filter is all of your subscribers
            body["subscriber_filter"] = [{"any": groups}]
        if s.email_template_id is not None:
            body["email_template_id"] = s.email_template_id
        return body

    def audience(self) -> str:
        return "the segment_ids and tag_ids"

    def list_params(self, content: Content) -> dict[str, Any]:
        return {"per_page": 1000}  # the most Kit lists at once

    def is_this(self, item: Mapping[str, Any], content: Content) -> bool:
        return item.get("description") == content.name and item.get("subject") == content.subject

    def status_of(self, step: str, item: Mapping[str, Any]) -> str:
        """Its ``status``, else its ``send_at`` (null is a draft); with neither, a wrong shape."""
        if "status" in item or "send_at" not in item:
            return super().status_of(step, item)
        return "scheduled" if item.get("send_at") else "draft"

    def web_default(self, step: str, cid: str, item: Mapping[str, Any]) -> str:
        return f"https://app.kit.com/campaigns/{cid}/draft"

    def link_clicks(self, campaign_id: str) -> ClickReport:
        tally, after = Tally(), ""
        with reading(self.title()):
            step = f"read the link clicks of {self.noun} {campaign_id}"
            for _ in range(MAX_PAGES):
                params: dict[str, Any] = {"per_page": PAGE, **({"after": after} if after else {})}
                data = self.api.call(step, "GET", self._item(campaign_id, "/v4/broadcasts/{id}/clicks"),
                                     params=params, not_found=self._gone())
                for row in records(self.api, step, obj(self.api, step, data, "broadcast"), "clicks"):
                    tally.add(row.get("url"), number(row.get("unique_clicks")), None)
                pages = obj(self.api, step, data, "pagination")
                cursor = pages.get("end_cursor") if pages.get("has_next_page") is True else None
                if not cursor or not isinstance(cursor, str):
                    break
                after = cursor
            step = f"read the stats of {self.noun} {campaign_id}"
            data = self.api.call(step, "GET", self._item(campaign_id, "/v4/broadcasts/{id}/stats"),
                                 not_found=self._gone())
            stats = obj(self.api, step, data, "broadcast.stats")
        notes = ("Kit gives unique clicks per link and no per-link total",
                 "the delivered count is Kit's recipients (it gives no delivered figure)", BOTS[self.name])
        return ClickReport(self.name, campaign_id, tally.links(), number(stats.get("recipients")), notes)


SERVICE = Kit
