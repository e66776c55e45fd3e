"""Config for the email: branding, templates, mailer merge tags, links. (``[email]``)

Each mailing service substitutes its own merge tags for the per-subscriber links
(unsubscribe, view online) and for the sender's postal address. The tables below
are the tags each service documents for hand-coded HTML; they must reach the
service byte for byte, so the render stage treats them as opaque strings.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from digest.colours import Palette, accent_problem, brand_problem, palette
from digest.mailers import MAILER_NAMES, MAILER_TAGS, TAG_MARKS, Mailer, MailerTags, address_fault
from digest.services import service_named

_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # RFC 3986 reserved + "%": everything else is percent-encoded

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class SocialLink(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=40)
    url: str

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        return _https_url(value)


class EmailSettings(BaseModel):
    """Everything the email stages read; colours and links are checked at load time."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    templates_dir: Path | None = None
    # A one-line Jinja template for the subject, instead of templates/subject.txt (editions use it).
    subject: str | None = Field(default=None, min_length=1, max_length=300,
                                description="a one-line Jinja template for the subject, instead of subject.txt")
    # Who substitutes the merge tags. Unset: the delivery's service (delivery.method = "mailchimp" ...), or
    # nobody for smtp/webhook/files, whose emails carry the plain unsubscribe_url and postal_address.
    # Read as ``mailer`` (the one in effect) and ``named_mailer`` (the editor's word, or None).
    named_mailer: Mailer | None = Field(default=None, alias="mailer")
    # Filled in from [delivery] method when the config loads (never written, never dumped): which
    # system hands the email to subscribers decides whose tags it may carry.
    delivery_method: str = Field(default="files", exclude=True)
    # An https URL or a merge tag; overrides the mailer's own tag.
    unsubscribe_url: str | None = None
    view_online_url: str | None = None
    postal_address: str | None = Field(default=None, max_length=300)
    from_address: str | None = None
    from_name: str | None = None
    reply_to: str | None = None
    list_unsubscribe_mailto: str | None = None
    lang: str = Field(default="en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    # Colours are checked against WCAG 2.2 AA at load: brand_color sits under white text and must
    # pass as it is; accent_color gets a derived, compliant text shade (said by `digest check` and the
    # pre-send report) unless derive_colors is false, which makes a failing accent an error.
    derive_colors: bool = True
    brand_color: str = "#1d2433"
    accent_color: str = "#b83a24"  # 5.7:1 on white: used as it is, so a default config has no colour note
    logo_url: str | None = None
    logo_width: int = Field(default=200, ge=16, le=600)
    logo_height: int | None = Field(default=None, ge=8, le=400)
    tagline: str = Field(default="The week's best reviews", max_length=120)
    note_title: str = Field(default="From the editor", max_length=60)
    button_text: str = Field(default="Read the review", min_length=1, max_length=40)
    footer_text: str | None = Field(default=None, max_length=500)
    social: list[SocialLink] = []
    utm_source: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.\-]+$")
    utm_medium: str = Field(default="email", pattern=r"^[A-Za-z0-9_.\-]+$")
    upgrade_http: bool = Field(default=True, description="rewrite http links/images from feeds to https")
    # Image hosts besides the site's (its CDN); "*.example.com" covers its subdomains. Others are named
    # in the build's warnings ("warn") or left out ("drop"): each sees every open of the email.
    image_hosts: list[str] = []
    image_policy: Literal["warn", "drop"] = "warn"
    # Trending rows say why in a reader's words ("96 new comments this week"); false hides the line.
    trending_reasons: bool = True
    spamassassin: bool = Field(default=True, description="score the .eml with spamassassin in the report")
    # The editor's spamd, asked through spamc: "host:port" or a unix socket's absolute path.
    spamd: str | None = None

    @field_validator("brand_color", "accent_color")
    @classmethod
    def _hex(cls, value: str, info: ValidationInfo) -> str:
        if not _HEX.match(value):
            raise ValueError(f"{value!r} is not a six-digit hex colour like \"#1d2433\"")
        value = value.lower()
        if info.field_name == "brand_color":
            problem = brand_problem(value)
        else:
            problem = None if info.data.get("derive_colors", True) else accent_problem(value)
            problem = problem and problem + " (choose a darker colour, or set derive_colors = true)"
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("spamd")
    @classmethod
    def _spamd(cls, value: str | None) -> str | None:
        if value is None or value.startswith("/") and "\0" not in value:
            return value
        host, _, port = value.rpartition(":")
        if (re.fullmatch(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]", host) and port.isdigit()
                and 0 < int(port) < 65536):
            return value
        raise ValueError(f"{value!r} is neither host:port (127.0.0.1:783) nor a unix socket's absolute path "
                         "(/run/spamd.sock)")

    @field_validator("logo_url")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        return _https_url(value) if value is not None else None

    @field_validator("unsubscribe_url", "view_online_url")
    @classmethod
    def _link_or_tag(cls, value: str | None) -> str | None:
        return check_link_or_tag(value) if value is not None else None

    @field_validator("postal_address", "from_name", "footer_text")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or any(ord(c) < 32 for c in value)):
            raise ValueError("must be one non-empty line of text")
        return value

    @field_validator("from_name")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        """The From header's name: plain text, never an encoded word a mail client would decode."""
        fault = address_fault(value) if value is not None else None
        if fault:
            raise ValueError(fault)
        return value

    @field_validator("from_address", "reply_to", "list_unsubscribe_mailto")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        fault = address_fault(value)
        if fault:
            raise ValueError(f"{value!r} {fault}")
        _, addr = parseaddr(value)
        if addr != value.strip() or "@" not in addr or addr.startswith("@") or addr.endswith("@"):
            raise ValueError(f"{value!r} is not a bare email address like news@example.com")
        return addr

    @model_validator(mode="after")
    def _complete(self) -> EmailSettings:
        if self.merge_mailer == "plain":
            return self._plain_values()
        if self.unsubscribe is None:
            raise ValueError(f'mailer "{self.mailer}" has no unsubscribe tag: set unsubscribe_url '
                             "(an https URL or your service's merge tag)")
        if self.address is None:
            raise ValueError(f'mailer "{self.mailer}" has no postal-address tag: set postal_address '
                             "(anti-spam laws require it in every newsletter)")
        return self

    def _plain_values(self) -> EmailSettings:
        """With nobody downstream to substitute them, a merge tag in a link or the address reaches readers
        as typed. (A missing value is said by ``missing_plain_values``: collecting needs neither.)"""
        via = f"delivery.method = {self.delivery_method}" if self.named_mailer is None else 'mailer = "plain"'
        for key in ("unsubscribe_url", "view_online_url", "postal_address"):
            value = getattr(self, key)
            if value is not None and (is_merge_tag(value) or any(m in value for m in ("*|", "{{", "{%", "{$"))):
                raise ValueError(f"{key} {value!r} is a merge tag, but with {via} nobody substitutes it: write "
                                 "the real value, or set mailer to the service that will substitute it")
        return self

    def missing_plain_values(self) -> list[tuple[str, str]]:
        """``(key, what to add)`` for each value a plain email (no service substitutes tags) lacks."""
        if self.merge_mailer != "plain":
            return []
        why = (f"delivery.method = {self.delivery_method} sends the email as built and no [email] mailer is "
               "named" if self.named_mailer is None else 'mailer = "plain"')
        missing = []
        if self.unsubscribe_url is None:
            missing.append(("unsubscribe_url", f"{why}, so the unsubscribe link is yours: set [email] "
                            'unsubscribe_url = "https://..." (or "mailto:..."), or name the mailer that '
                            "substitutes its tags (e.g. mailer = \"mailchimp\")"))
        if self.postal_address is None:
            missing.append(("postal_address", f"{why}, so the postal address is yours: set [email] "
                            'postal_address = "..." (anti-spam laws require it), or name the mailer that '
                            "substitutes its tags"))
        return missing

    @property
    def merge_mailer(self) -> str:
        """Who substitutes the merge tags: the named mailer, else the delivery's service, else "plain"."""
        if self.named_mailer is not None:
            return self.named_mailer
        service = service_named(self.delivery_method)
        return service.mailer if service is not None else "plain"

    @property
    def mailer(self) -> str:
        """The mailer in effect (``merge_mailer``); ``named_mailer`` says whether the editor chose it."""
        return self.merge_mailer

    def describe_merge_tags(self) -> str:
        """One line for ``digest check`` and the pre-send report: who substitutes the tags, and why."""
        mailer = self.merge_mailer
        if mailer == "plain":
            keys = [k for k in ("unsubscribe_url", "view_online_url", "postal_address") if getattr(self, k)]
            return f"none; plain links from {', '.join('email.' + k for k in keys) or 'nothing (unset)'}"
        if self.named_mailer is None:
            return f"substituted by {MAILER_NAMES[mailer]} (delivery.method = {self.delivery_method})"
        how = ("the delivery's own service" if self.delivery_method == mailer else
               f"delivery.method = {self.delivery_method} hands the email on, as built, to it")
        return f"substituted by {MAILER_NAMES[mailer]} (email.mailer = {mailer}; {how})"

    @property
    def palette(self) -> Palette:
        """The email's colours, with WCAG-compliant shades derived from the accent where needed."""
        return palette(self.brand_color, self.accent_color)

    @property
    def tags(self) -> MailerTags:
        return MAILER_TAGS[self.merge_mailer]

    @property
    def unsubscribe(self) -> str | None:
        return self.unsubscribe_url or self.tags.unsubscribe

    @property
    def view_online(self) -> str | None:
        return self.view_online_url or self.tags.view_online

    @property
    def address(self) -> str | None:
        return self.postal_address or self.tags.address

    @property
    def merge_tags(self) -> tuple[str, ...]:
        """The strings the service substitutes: allowed in hrefs and text, exempt from escaping."""
        values = (self.unsubscribe, self.view_online, self.tags.address if not self.postal_address else None)
        return tuple(v for v in dict.fromkeys(values) if v and is_merge_tag(v))


def is_merge_tag(value: str) -> bool:
    return urlsplit(value).scheme not in ("http", "https", "mailto") and any(m in value for m in TAG_MARKS)


def check_link_or_tag(value: str) -> str:
    if not value.strip() or any(ord(c) < 32 for c in value) or '"' in value:
        raise ValueError("must be one line without double quotes")
    scheme = urlsplit(value).scheme
    if scheme in ("http", "https"):
        return quote(_https_url(value), safe=_URL_SAFE)  # non-ASCII percent-encoded: it may go in a header
    if scheme == "mailto":
        address = urlsplit(value).path
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            raise ValueError(f"{value!r} is not a mailto: link to an address like mailto:leave@example.com")
        return quote(value, safe=_URL_SAFE)
    if is_merge_tag(value):
        return value
    raise ValueError(f"{value!r} is neither an https URL, a mailto: link nor a merge tag like *|UNSUB|*")


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc or any(c in value for c in " \"<>\\"):
        raise ValueError(f"{value!r} is not an https URL (mail clients block other images and links)")
    return value
