"""The one adapter shape: what a service module declares, and the steps every service shares.

An adapter is a thin translation of five steps into one service's API: create a draft, fill in
its content (where the service takes content separately), read its status, update it, check
it (read back, and report what the service says of it). It never sends to the list: the only
sending call is the service's own *test* send, to listed addresses.

A service module subclasses :class:`Service` and declares, as class attributes, its settings
table, the mailer whose merge tags it substitutes, its endpoints and where its answers keep a
campaign; it writes only the calls that truly differ (the request body, the auth header, how a
listed campaign is recognised as this issue's draft, the settings it cannot do without). The
steps themselves are written once, here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from digest.services.clicks import ClickReport
from digest.services.client import Api
from digest.services.settings import ServiceSettings
from digest.services.shape import ident, obj, records, word
from digest.services.tally import ClickReportError


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


@dataclass(frozen=True)
class Sender:
    """Who a campaign is from, as the config gives it: the service's own table first, then ``[email]``.

    ``name`` is always known (it falls back to the site's name); the address and the reply-to
    may be unset, which some services refuse: see :meth:`Service.missing`.
    """

    name: str
    address: str | None
    reply_to: str | None


@dataclass(frozen=True)
class Need:
    """A setting a service cannot make a campaign without, and the keys that give it."""

    what: str
    keys: str

    def __str__(self) -> str:
        return f"{self.what}: set {self.keys}"


class Service:
    """The shared steps; a service module subclasses it once and declares what differs."""

    # -- declared by each service module ----------------------------------------------------------
    name: ClassVar[str] = "service"  # the [delivery] method and the [delivery.<name>] table
    label: ClassVar[str] = ""  # the service's own spelling, for messages (default: name)
    docs: ClassVar[str] = ""  # which version of the service's API reference the adapter follows
    Settings: ClassVar[type[ServiceSettings]] = ServiceSettings  # its [delivery.<name>] table
    mailer: ClassVar[str] = ""  # whose merge tags (digest.mailers) the service substitutes
    what: ClassVar[str] = ""  # what a run makes there, for `digest check`
    default_base_url: ClassVar[str] = ""  # the public API root (None: base_url is required)
    collection: ClassVar[str] = "/campaigns"  # POST makes a campaign, GET lists them
    item_path: ClassVar[str] = "/campaigns/{id}"  # one campaign: read, update
    test_path: ClassVar[str] = ""  # the service's own test send, when it has one
    envelope: ClassVar[str] = ""  # where one campaign sits in an answer ("data", "broadcast")
    list_key: ClassVar[str] = "campaigns"  # where the campaigns sit in a list answer (dotted)
    noun: ClassVar[str] = "campaign"  # what the service calls a campaign
    update_method: ClassVar[str] = "PUT"
    drafts: ClassVar[frozenset[str]] = frozenset({"draft"})  # statuses that are still an editable draft
    created_status: ClassVar[str] = ""  # a create's status when its answer carries none (Brevo: the id alone)
    wait_headers: ClassVar[tuple[str, ...]] = ("retry-after",)  # where a 429 says how long to wait
    needs_sender: ClassVar[bool] = False  # refuses a campaign without a sender address
    # Which of the Sender's fields its campaign carries ("name", "address", "reply_to"); the rest is
    # whatever the service's own account or list settings say.
    sends: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, settings: ServiceSettings, key: str, sender: Sender) -> None:
        self.settings = settings
        self.sender = sender
        base_url = settings.base_url or self.public_base_url(key)
        self.api = Api.of(self.name, settings, base_url, self.auth(key), key, self.message)
        self.api.wait_headers = self.wait_headers

    @classmethod
    def title(cls) -> str:
        return cls.label or cls.name

    # -- what differs, written by each service module ---------------------------------------------

    def public_base_url(self, key: str) -> str:
        """The API root when the config sets no ``base_url``."""
        return self.default_base_url

    def auth(self, key: str) -> dict[str, str]:
        """The auth header(s) carrying the key, in the service's own scheme."""
        raise NotImplementedError

    @staticmethod
    def message(data: Any) -> str:
        """The service's own words from an error answer's JSON."""
        return str(data.get("message") or "")

    def body(self, content: Content) -> dict[str, Any]:
        """The campaign's fields in the service's request shape (create and update)."""
        raise NotImplementedError

    def test_body(self, content: Content, to: list[str]) -> dict[str, Any]:
        """The test send's request body (services with a ``test_path``)."""
        raise NotImplementedError

    def list_params(self, content: Content) -> dict[str, Any]:
        """The query that lists the drafts an unanswered create may have made."""
        return {}

    def is_this(self, item: Mapping[str, Any], content: Content) -> bool:
        """Whether a listed campaign is this issue's draft (by its name or marker)."""
        return item.get("name") == content.name

    def web_default(self, step: str, cid: str, item: Mapping[str, Any]) -> str:
        """The editor's page for a draft in the service's app (``approve_url`` overrides it)."""
        raise NotImplementedError

    def status_of(self, step: str, item: Mapping[str, Any]) -> str:
        """The campaign's status: without one digest cannot tell a draft from a sent campaign."""
        return word(self.api, step, item, "status", required=True)

    def audience(self) -> str:
        """What to check when the service says the audience a campaign names is not found."""
        return ""

    @classmethod
    def reach(cls, settings: ServiceSettings) -> str:
        """Who the campaign goes to, in the editor's words, for `digest check`."""
        return "the service's default audience"

    @classmethod
    def missing(cls, settings: ServiceSettings, sender: Sender) -> list[Need]:
        """The settings this service refuses a campaign without that the config does not give."""
        if cls.needs_sender and not sender.address:
            return [Need(f"a sender address ({cls.title()} refuses a campaign without one)",
                         f"delivery.{cls.name}.from_email, or [email] from_address")]
        return []

    # -- the steps, the same for every service --------------------------------------------------

    def create(self, content: Content) -> Remote:
        step = f"create the {self.noun}"
        data = self.api.call(step, "POST", self.collection, body=self.body(content), not_found=self.audience())
        item = obj(self.api, step, data, self.envelope)
        if self.created_status and item.get("status") is None:
            cid = ident(self.api, step, item)
            return Remote(cid, self.created_status, self.web_url(cid, self.web_default(step, cid, item)))
        return self.remote_of(step, item)

    def find(self, content: Content) -> Remote | None:
        """An existing draft of this issue (by its name or marker), after a create that got no answer."""
        step = "look for a draft from an unanswered create"
        data = self.api.call(step, "GET", self.collection, params=self.list_params(content))
        where, _, key = self.list_key.rpartition(".")
        page = obj(self.api, step, data, where) if data is not None and where else data
        for item in records(self.api, step, page, key):
            if self.is_this(item, content):
                return self.remote_of(step, item)
        return None

    def fill(self, campaign_id: str, content: Content) -> None:
        """Set the content of a just-created campaign (a no-op where ``create`` carries it)."""

    def status(self, campaign_id: str) -> Remote:
        step = f"read {self.noun} {campaign_id}"
        return self.remote(step, self.api.call(step, "GET", self._item(campaign_id), not_found=self._gone()))

    def update(self, campaign_id: str, content: Content) -> None:
        self.api.call(f"update {self.noun} {campaign_id}", self.update_method, self._item(campaign_id),
                      body=self.body(content), not_found=self._gone())

    def check(self, campaign_id: str) -> tuple[str, ...]:
        """Read the draft back; return what the service reports about it (empty: nothing to say)."""
        remote = self.status(campaign_id)
        return () if remote.status in self.drafts else (f"{self.name} reports status {remote.status!r}",)

    def send_test(self, campaign_id: str, content: Content, to: list[str]) -> None:
        if not self.test_path:
            raise NotImplementedError(f"{self.name} has no test send in its API")
        step = f"send a test of {self.noun} {campaign_id}"
        self.api.call(step, "POST", self._item(campaign_id, self.test_path), body=self.test_body(content, to))

    def link_clicks(self, campaign_id: str) -> ClickReport:
        """The sent campaign's clicks per link, aggregate only: never who clicked (digest.services.clicks)."""
        raise ClickReportError(self.title(), f"read the link clicks of {self.noun} {campaign_id}",
                               "digest does not read this service's click report yet")

    def remote(self, step: str, data: Any) -> Remote:
        """A campaign from the service's answer to ``step`` (its shape checked: digest.services.shape)."""
        return self.remote_of(step, obj(self.api, step, data, self.envelope))

    def remote_of(self, step: str, item: Mapping[str, Any]) -> Remote:
        cid = ident(self.api, step, item)
        return Remote(cid, self.status_of(step, item), self.web_url(cid, self.web_default(step, cid, item)))

    def web_url(self, campaign_id: str, default: str) -> str:
        return (self.settings.approve_url or default).replace("{id}", campaign_id)

    def _item(self, campaign_id: str, path: str = "") -> str:
        return (path or self.item_path).replace("{id}", campaign_id)

    def _gone(self) -> str:
        gone = f"whether the draft was deleted in {self.title()}"
        return f"{gone}, and {self.audience()}" if self.audience() else gone
