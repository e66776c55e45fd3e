"""Buttondown, following its API v1 reference (docs.buttondown.com, OpenAPI as published in 2026).

Steps: ``POST /emails`` with ``subject``, ``body`` (the HTML), ``description`` (the preview
text), ``metadata`` and ``status: "draft"`` always, since an email created without a status
may go out; ``"scheduled"`` with ``publish_date`` only when ``schedule_at`` is set.
``PATCH /emails/{id}`` updates it, ``GET /emails/{id}`` reads its status (``draft``; ``scheduled``,
``about_to_send``, ``in_flight``, ``sent`` ... are not drafts) and
``POST /emails/{id}/send-draft`` with ``recipients`` is the test send;
``GET /emails?status=draft&ordering=-creation_date`` finds a draft by its ``metadata`` after a
create that got no answer. The click report (issue 22): ``GET /events?email_id=&event_type=clicked``,
one event per click, page by page, counted per URL here; each event's ``subscriber_id`` is never
read, and ``expand=subscriber`` is never sent. ``GET /emails/{id}/analytics`` gives ``deliveries``.
Auth:
``Authorization: Token <key>``. Errors: ``{"code", "detail"}``, or on 422 ``detail`` as a list of
``{"loc", "msg"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from digest.services.base import Content, Service
from digest.services.clicks import BOTS, ClickReport
from digest.services.settings import ServiceSettings
from digest.services.shape import obj, records
from digest.services.tally import Tally, number, reading

URL_KEY = "url"  # the metadata key of a clicked event's URL: undocumented (FINDINGS.md U-E1)
PAGE = 1000  # events a page (the description allows 1 to 5000)
MAX_PAGES = 1000  # a million clicks: past that, a service that keeps answering "next" is stopped


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

    def link_clicks(self, campaign_id: str) -> ClickReport:
        """Clicked events summed per URL; only the URL of an event is read, never who it is attributed to."""
        tally, unknown = Tally(), 0
        with reading(self.title()):
            step = f"read the link clicks of {self.noun} {campaign_id}"
            for page in range(1, MAX_PAGES + 1):
                params = {"email_id": campaign_id, "event_type": "clicked", "page": page, "page_size": PAGE}
                data = self.api.call(step, "GET", "/events", params=params)
                for event in records(self.api, step, data, "results"):
                    if event.get("event_type") != "clicked":
                        continue
                    metadata = event.get("metadata")
                    url = metadata.get(URL_KEY) if isinstance(metadata, Mapping) else None
                    unknown += url is None
                    tally.add(url, None, 1)
                if not obj(self.api, step, data).get("next"):
                    break
            step = f"read the delivered count of {self.noun} {campaign_id}"
            analytics = self.api.call(step, "GET", self._item(campaign_id, "/emails/{id}/analytics"),
                                      not_found=self._gone())
            delivered = number(obj(self.api, step, analytics).get("deliveries"))
        notes = ["Buttondown gives one event per click: each count is total clicks; it gives no per-link "
                 "unique count",
                 f"the clicked URL is read from the events' metadata.{URL_KEY}, a key Buttondown's "
                 "description does not name (\"e.g. clicked URL\")"]
        if unknown:
            notes.append(f"{unknown} clicked event(s) carried no metadata.{URL_KEY} and are not counted")
        return ClickReport(self.name, campaign_id, tally.links(), delivered, (*notes, BOTS[self.name]))


SERVICE = Buttondown
