"""What every mailing-service adapter offers, and what it is given.

An adapter is a thin translation of five steps into one service's API: create a draft, fill in
its content (where the service takes content separately), read its status, update it, check
it (read back, and report what the service says of it). It never sends to the list: the only
sending call is the service's own *test* send, to listed addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from digest.job.services.client import Api


@dataclass(frozen=True)
class Content:
    """The issue as a campaign: its internal name, subject, preview text, HTML and plain text."""

    issue_id: str
    name: str
    subject: str
    preheader: str
    html: str
    text: str


@dataclass(frozen=True)
class Remote:
    """A campaign as the service reports it."""

    id: str
    status: str
    url: str = ""


class Service:
    """The shared shape; each module subclasses it for one service."""

    name = "service"
    label = "the service"  # the service's own spelling, for messages
    docs = ""  # which version of the service's API reference the adapter follows
    # Where one campaign lives ("/v4/broadcasts/{id}"), what the service calls it, and how it is
    # updated: adapters that set them get ``status`` and ``update`` below.
    item_path = ""
    noun = "campaign"
    update_method = "PUT"
    drafts: frozenset[str] = frozenset({"draft"})  # statuses that are still an editable draft
    has_test_send = False

    def __init__(self, api: Api, approve_url: str | None = None) -> None:
        self.api = api
        self.approve_url = approve_url

    def create(self, content: Content) -> Remote:
        raise NotImplementedError

    def find(self, content: Content) -> Remote | None:
        """An existing draft of this issue (by its name or marker), after a create that got no answer."""
        return None

    def fill(self, campaign_id: str, content: Content) -> None:
        """Set the content of a just-created campaign (a no-op where ``create`` carries it)."""

    def status(self, campaign_id: str) -> Remote:
        step = f"read {self.noun} {campaign_id}"
        return self._remote(step, self.api.call(step, "GET", self._item(campaign_id),
                                                not_found=f"whether the draft was deleted in {self.label}"))

    def update(self, campaign_id: str, content: Content) -> None:
        self.api.call(f"update {self.noun} {campaign_id}", self.update_method, self._item(campaign_id),
                      body=self._body(content), not_found=f"whether the draft was deleted in {self.label}")

    def _item(self, campaign_id: str) -> str:
        if not self.item_path:
            raise NotImplementedError(f"{self.name} sets no item_path")
        return self.item_path.replace("{id}", campaign_id)

    def _body(self, content: Content) -> dict[str, Any]:
        """The campaign's fields in the service's request shape."""
        raise NotImplementedError

    def _remote(self, step: str, data: Any) -> Remote:
        """A campaign from the service's answer to ``step``, its shape checked (digest.job.services.shape)."""
        raise NotImplementedError

    def check(self, campaign_id: str) -> tuple[str, ...]:
        """Read the draft back; return what the service reports about it (empty: nothing to say)."""
        remote = self.status(campaign_id)
        return () if remote.status in self.drafts else (f"{self.name} reports status {remote.status!r}",)

    def send_test(self, campaign_id: str, content: Content, to: list[str]) -> None:
        raise NotImplementedError(f"{self.name} has no test send in its API")

    def web_url(self, campaign_id: str, default: str) -> str:
        return (self.approve_url or default).replace("{id}", campaign_id)
