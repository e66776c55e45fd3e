"""Mailchimp, following the Marketing API 3.0 reference (mailchimp.com/developer/marketing/api, 2025-26).

Steps: ``POST /campaigns`` (type ``regular``; recipients ``list_id`` and optional
``segment_opts.saved_segment_id``; settings ``subject_line``, ``preview_text``, ``title``,
``from_name``, ``reply_to``), ``PUT /campaigns/{id}/content`` (``html``, ``plain_text``),
``PATCH /campaigns/{id}`` to update the settings (its description requires ``subject_line``,
``from_name`` and ``reply_to`` there, so a config without a reply-to is refused at load),
``GET /campaigns/{id}`` for the status (``save`` is a draft; ``schedule``, ``sending``, ``sent``
... are not), ``GET /campaigns/{id}/send-checklist`` (``is_ready`` and its items), and
``POST /campaigns/{id}/actions/test`` (``test_emails``, ``send_type``); after a create that got no
answer, ``GET /campaigns?list_id=&status=save`` finds the draft by its ``title``. Auth is HTTP Basic with
any user name and the API key; the data centre is the key's suffix (``...-us6``) unless
``server_prefix`` says otherwise. The click report (issue 22): ``GET /reports/{id}/click-details``
(``count``/``offset`` against ``total_items``), ``url``, ``total_clicks`` and ``unique_clicks`` per
row, summed when a URL is listed twice; its ``.../{link_id}/members`` (who clicked) is never asked.
Errors are problem+json: ``title``, ``detail``, ``errors``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from pydantic import Field

from digest.bounds import MAX_ID
from digest.services.base import Content, Need, Sender, Service
from digest.services.clicks import BOTS, ClickReport
from digest.services.client import join
from digest.services.settings import ServiceSettings
from digest.services.shape import line, obj, records, word
from digest.services.tally import Tally, number, reading

PAGE = 1000  # rows a page of the click report (its maximum)
MAX_PAGES = 100


class MailchimpSettings(ServiceSettings):
    """Marketing API 3.0: a regular campaign for one audience, optionally one segment or tag."""

    api_key_env: str = "DIGEST_MAILCHIMP_API_KEY"
    list_id: str = Field(min_length=1, description="the audience id")
    segment_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="a saved segment's or a tag's id")
    server_prefix: str | None = Field(
        default=None, pattern=r"^[a-z]+[0-9]+$", description="like us6; default: the API key's suffix"
    )


def data_centre(settings: MailchimpSettings, key: str) -> str:
    return settings.server_prefix or (key.rpartition("-")[2] if "-" in key else "us1")


class Mailchimp(Service):
    name = "mailchimp"
    label = "Mailchimp"
    docs = "Mailchimp Marketing API 3.0"
    Settings = MailchimpSettings
    mailer = "mailchimp"
    what = "a regular campaign is created as a draft for the audience; content, checklist read back"
    test_path = "/campaigns/{id}/actions/test"
    update_method = "PATCH"
    drafts = frozenset({"save", "paused"})
    sends = frozenset({"name", "reply_to"})  # the from address is the audience's
    settings: MailchimpSettings

    @staticmethod
    def message(data: Any) -> str:
        fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in data.get("errors") or [])
        detail = data.get("detail") or data.get("title") or ""
        return f"{detail} ({fields})" if fields else join(detail)

    @classmethod
    def reach(cls, settings: ServiceSettings) -> str:
        assert isinstance(settings, MailchimpSettings)
        segment = f", segment or tag {settings.segment_id}" if settings.segment_id is not None else ""
        return f"the audience {settings.list_id}{segment}"

    @classmethod
    def missing(cls, settings: ServiceSettings, sender: Sender) -> list[Need]:
        if sender.reply_to:
            return []
        return [Need("a reply-to address (Mailchimp requires settings.reply_to on every campaign update)",
                     "delivery.mailchimp.reply_to or [email] reply_to (a from_email or [email] from_address "
                     "serves too)")]

    def __init__(self, settings: ServiceSettings, key: str, sender: Sender) -> None:
        super().__init__(settings, key, sender)
        self.dc = data_centre(self.settings, key)

    def public_base_url(self, key: str) -> str:
        return f"https://{data_centre(self.settings, key)}.api.mailchimp.com/3.0"

    def auth(self, key: str) -> dict[str, str]:
        token = base64.b64encode(f"digest:{key}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}

    def _settings(self, content: Content) -> dict[str, Any]:
        values: dict[str, Any] = {
            "subject_line": content.subject,
            "preview_text": content.preheader,
            "title": content.name,
            "from_name": self.sender.name,
        }
        if self.sender.reply_to:
            values["reply_to"] = self.sender.reply_to
        return values

    def _recipients(self) -> dict[str, Any]:
        recipients: dict[str, Any] = {"list_id": self.settings.list_id}
        if self.settings.segment_id is not None:
            recipients["segment_opts"] = {"saved_segment_id": self.settings.segment_id}
        return recipients

    def body(self, content: Content) -> dict[str, Any]:
        return {"type": "regular", "recipients": self._recipients(), "settings": self._settings(content)}

    def audience(self) -> str:
        return f"the audience list_id = {self.settings.list_id!r}"

    def web_default(self, step: str, cid: str, item: Mapping[str, Any]) -> str:
        web_id = quote(word(self.api, step, item, "web_id"), safe="")
        return f"https://{self.dc}.admin.mailchimp.com/campaigns/edit?id={web_id}"

    def list_params(self, content: Content) -> dict[str, Any]:
        return {"list_id": self.settings.list_id, "status": "save", "count": 100, "sort_field": "create_time",
                "sort_dir": "DESC"}

    def is_this(self, item: Mapping[str, Any], content: Content) -> bool:
        settings = item.get("settings")
        return isinstance(settings, Mapping) and settings.get("title") == content.name

    def fill(self, campaign_id: str, content: Content) -> None:
        self.api.call(f"set the content of campaign {campaign_id}", "PUT", f"/campaigns/{campaign_id}/content",
                      body={"html": content.html, "plain_text": content.text})

    def update(self, campaign_id: str, content: Content) -> None:
        body = self.body(content)
        del body["type"]  # a campaign's type is fixed once it is made
        self.api.call(f"update campaign {campaign_id}", "PATCH", self._item(campaign_id), body=body,
                      not_found=self._gone())
        self.fill(campaign_id, content)

    def check(self, campaign_id: str) -> tuple[str, ...]:
        step = f"read the send checklist of campaign {campaign_id}"
        data = self.api.call(step, "GET", f"/campaigns/{campaign_id}/send-checklist")
        items = [i for i in records(self.api, step, data, "items") if i.get("type") in ("warning", "error")]
        return tuple(
            f"mailchimp checklist {i.get('type')}: {line(str(i.get('heading', '')))}: "
            f"{line(str(i.get('details', '')))}"
            for i in items
        )

    def test_body(self, content: Content, to: list[str]) -> dict[str, Any]:
        return {"test_emails": to, "send_type": "html"}

    def link_clicks(self, campaign_id: str) -> ClickReport:
        tally, offset = Tally(), 0
        with reading(self.title()):
            step = f"read the link clicks of {self.noun} {campaign_id}"
            for _ in range(MAX_PAGES):
                data = self.api.call(step, "GET", self._item(campaign_id, "/reports/{id}/click-details"),
                                     params={"count": PAGE, "offset": offset}, not_found=self._gone())
                rows = records(self.api, step, data, "urls_clicked")
                for row in rows:
                    tally.add(row.get("url"), number(row.get("unique_clicks")), number(row.get("total_clicks")))
                offset += len(rows)
                if not rows or offset >= (number(obj(self.api, step, data).get("total_items")) or 0):
                    break
        notes = ("a URL Mailchimp lists more than once (HTML and plain-text parts) is summed",
                 "the delivered count is not read yet (GET /reports/{id} is not in the vendored description)",
                 BOTS[self.name])
        return ClickReport(self.name, campaign_id, tally.links(), None, notes)


SERVICE = Mailchimp
