"""Mailchimp, following the Marketing API 3.0 reference (mailchimp.com/developer/marketing/api, 2025-26).

Steps: ``POST /campaigns`` (type ``regular``; recipients ``list_id`` and optional
``segment_opts.saved_segment_id``; settings ``subject_line``, ``preview_text``, ``title``,
``from_name``, ``reply_to``), ``PUT /campaigns/{id}/content`` (``html``, ``plain_text``),
``PATCH /campaigns/{id}`` to update the settings, ``GET /campaigns/{id}`` for the status
(``save`` is a draft; ``schedule``, ``sending``, ``sent`` ... are not),
``GET /campaigns/{id}/send-checklist`` (``is_ready`` and its items), and
``POST /campaigns/{id}/actions/test`` (``test_emails``, ``send_type``); after a create that got no
answer, ``GET /campaigns?list_id=&status=save`` finds the draft by its ``title``. Auth is HTTP Basic with
any user name and the API key; the data centre is the key's suffix (``...-us6``) unless
``server_prefix`` says otherwise. Errors are problem+json: ``title``, ``detail``, ``errors``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from digest.job.services.base import Content, Remote, Service
from digest.job.services.client import Api, join
from digest.job.services.shape import ident, line, records, word
from digest.settings.services import MailchimpSettings


def message(data: Any) -> str:
    fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in data.get("errors") or [])
    detail = data.get("detail") or data.get("title") or ""
    return f"{detail} ({fields})" if fields else join(detail)


def data_centre(settings: MailchimpSettings, key: str) -> str:
    return settings.server_prefix or (key.rpartition("-")[2] if "-" in key else "us1")


class Mailchimp(Service):
    name = "mailchimp"
    docs = "Mailchimp Marketing API 3.0"
    drafts = frozenset({"save", "paused"})
    has_test_send = True

    def __init__(
        self, settings: MailchimpSettings, key: str, sender_name: str | None, reply_to: str | None
    ) -> None:
        dc = data_centre(settings, key)
        token = base64.b64encode(f"digest:{key}".encode()).decode("ascii")
        api = Api.of("mailchimp", settings, settings.base_url or f"https://{dc}.api.mailchimp.com/3.0",
                     {"Authorization": f"Basic {token}"}, key, message)
        super().__init__(api, settings.approve_url)
        self.settings = settings
        self.dc = dc
        self.sender_name = settings.from_name or sender_name
        self.reply_to = settings.reply_to or reply_to

    def _settings(self, content: Content) -> dict[str, Any]:
        values: dict[str, Any] = {
            "subject_line": content.subject,
            "preview_text": content.preheader,
            "title": content.name,
        }
        if self.sender_name:
            values["from_name"] = self.sender_name
        if self.reply_to:
            values["reply_to"] = self.reply_to
        return values

    def _recipients(self) -> dict[str, Any]:
        recipients: dict[str, Any] = {"list_id": self.settings.list_id}
        if self.settings.segment_id is not None:
            recipients["segment_opts"] = {"saved_segment_id": self.settings.segment_id}
        return recipients

    def _remote(self, step: str, data: Any) -> Remote:
        cid = ident(self.api, step, data)
        web_id = quote(word(self.api, step, data, "web_id"), safe="")
        web = f"https://{self.dc}.admin.mailchimp.com/campaigns/edit?id={web_id}"
        return Remote(cid, word(self.api, step, data, "status"), self.web_url(cid, web))

    def create(self, content: Content) -> Remote:
        body = {"type": "regular", "recipients": self._recipients(), "settings": self._settings(content)}
        step = "create the campaign"
        data = self.api.call(
            step,
            "POST",
            "/campaigns",
            body=body,
            not_found=f"the audience list_id = {self.settings.list_id!r}",
        )
        return self._remote(step, data)

    def find(self, content: Content) -> Remote | None:
        params = {"list_id": self.settings.list_id, "status": "save", "count": 100, "sort_field": "create_time",
                  "sort_dir": "DESC"}
        step = "look for a draft from an unanswered create"
        data = self.api.call(step, "GET", "/campaigns", params=params)
        for item in records(self.api, step, data, "campaigns"):
            settings = item.get("settings")
            if isinstance(settings, Mapping) and settings.get("title") == content.name:
                return self._remote(step, item)
        return None

    def fill(self, campaign_id: str, content: Content) -> None:
        self.api.call(
            f"set the content of campaign {campaign_id}",
            "PUT",
            f"/campaigns/{campaign_id}/content",
            body={"html": content.html, "plain_text": content.text},
        )

    def status(self, campaign_id: str) -> Remote:
        step = f"read campaign {campaign_id}"
        data = self.api.call(step, "GET", f"/campaigns/{campaign_id}",
                             not_found="whether the draft was deleted in Mailchimp")
        return self._remote(step, data)

    def update(self, campaign_id: str, content: Content) -> None:
        self.api.call(
            f"update campaign {campaign_id}",
            "PATCH",
            f"/campaigns/{campaign_id}",
            body={"recipients": self._recipients(), "settings": self._settings(content)},
            not_found=f"the audience list_id = {self.settings.list_id!r}",
        )
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

    def send_test(self, campaign_id: str, content: Content, to: list[str]) -> None:
        self.api.call(
            f"send a test of campaign {campaign_id}",
            "POST",
            f"/campaigns/{campaign_id}/actions/test",
            body={"test_emails": to, "send_type": "html"},
        )
