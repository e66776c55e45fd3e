"""listmonk, following its REST API reference (listmonk.app/docs/apis/campaigns, v4-v6).

Steps: ``POST /api/campaigns`` with ``name``, ``subject``, ``lists`` (ids), ``type: "regular"``,
``content_type: "html"``, ``body``, ``altbody`` (the plain text), ``from_email``,
``template_id`` and ``messenger: "email"``; no ``send_at`` and no status change, so it stays a
``draft``. ``PUT /api/campaigns/{id}`` updates it, ``GET /api/campaigns/{id}`` reads its status
(``draft``; ``scheduled``, ``running``, ``paused``, ``finished``, ``cancelled`` are not), and
``POST /api/campaigns/{id}/test`` with the campaign and ``subscribers`` (addresses) is the test
send; ``GET /api/campaigns?status=draft&per_page=all`` finds a draft by name after a create that got no
answer. The click report (issue 22): ``GET /api/campaigns/analytics/links?id=&from=&to=`` answers
the top 50 URLs as ``{url, count}`` (aggregate; ``from``/``to`` are date-times: ERRATA.md E8), its
``count`` being unique clickers when ``privacy.individual_tracking`` is on and total clicks when off
(read at ``GET /api/config``); the campaign's ``sent`` is the delivered figure. listmonk is
self-hosted: ``base_url`` is the instance. Auth:
``Authorization: token <api user>:<token>``. Errors: ``{"message": "..."}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import formataddr
from typing import Any

from pydantic import Field

from digest.bounds import ServiceId
from digest.services.base import Content, Service
from digest.services.clicks import BOTS, ClickReport
from digest.services.client import ServiceError
from digest.services.settings import ServiceSettings
from digest.services.shape import obj, records
from digest.services.tally import Tally, number, reading

TOP = 50  # queries.sql get-campaign-link-counts: LIMIT 50, no pagination


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

    def link_clicks(self, campaign_id: str, since: datetime | None = None,
                    until: datetime | None = None) -> ClickReport:
        """Clicks per URL between ``since`` (default: when the campaign was made) and ``until`` (now)."""
        notes: list[str] = []
        with reading(self.title()):
            step = f"read campaign {campaign_id}"
            item = obj(self.api, step, self.api.call(step, "GET", self._item(campaign_id),
                                                     not_found=self._gone()), "data")
            sent = number(item.get("sent"))
            if sent is not None:
                notes.append("listmonk gives no delivered count: this is the campaign's sent count")
            start = since or _moment(item.get("created_at")) or datetime(2000, 1, 1, tzinfo=UTC)
            step = f"read the link clicks of campaign {campaign_id}"
            params = {"id": campaign_id, "from": _stamp(start), "to": _stamp(until or datetime.now(UTC))}
            rows = records(self.api, step, self.api.call(step, "GET", "/api/campaigns/analytics/links",
                                                         params=params), "data")
        unique = self._individual_tracking()
        tally = Tally()
        for row in rows:
            count = number(row.get("count"))
            tally.add(row.get("url"), count if unique else None, None if unique else count)
        if unique is None:
            notes.append("each count is unique clickers if listmonk's privacy.individual_tracking is on, total "
                         "clicks if off; digest could not read the setting, so it is kept as total clicks")
        elif unique:
            notes.append("unique clickers only (privacy.individual_tracking is on): listmonk gives no total")
        else:
            notes.append("total clicks only (privacy.individual_tracking is off): listmonk gives no unique")
        if len(rows) >= TOP:
            notes.append(f"listmonk reports only the {TOP} most clicked URLs")
        return ClickReport(self.name, campaign_id, tally.links(), sent, (*notes, BOTS[self.name]))

    def _individual_tracking(self) -> bool | None:
        """Whether the instance counts clicks per subscriber (its counts are then unique); None: unknown."""
        step = "read the server settings"
        try:
            data = self.api.call(step, "GET", "/api/config")
        except ServiceError:
            return None
        privacy = data.get("data", {}).get("privacy") if isinstance(data, Mapping) else None
        value = privacy.get("individual_tracking") if isinstance(privacy, Mapping) else None
        return value if isinstance(value, bool) else None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


SERVICE = Listmonk
