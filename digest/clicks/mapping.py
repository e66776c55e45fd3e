"""Which pick a reported link is: tracking parameters off, redirect forms unwrapped, canonical compare.

A service reports the URL a reader followed, which may still carry the campaign's and the subscriber's
tracking parameters (``utm_*``, ``mc_eid``, ``ck_subscriber_id``...) or be the service's own redirect
(Buttondown's ``/c/{email_id}/{subscriber_id}/{original}``). Both are undone before comparing with the
picks' links by :func:`digest.urls.canonical_url`. A link that is not a pick (the site's home, the
archive, unsubscribe) is "other"; what is kept of it never identifies a reader: a redirect whose
original cannot be recovered (Mailchimp's ``list-manage.com/track/click?...&e=<member>``, listmonk's
``/link/{link}/{campaign}/{subscriber}``) is kept as its host and route only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from digest.urls import canonical_url

# The one list: parameters that say which campaign or which reader a click came from. Prefixes end in "_".
TRACKING_PARAMETERS = (
    "utm_", "mc_cid", "mc_eid", "mc_tc", "ck_subscriber_id", "fbclid", "gclid", "dclid", "msclkid", "_hsenc",
    "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "rb_clickid", "s_cid", "igshid",
    "yclid", "_kx", "ml_subscriber", "ml_subscriber_hash", "uid", "subscriber_id", "email_id",
)
_EXACT = frozenset(p for p in TRACKING_PARAMETERS if not p.endswith("_"))
_PREFIXES = tuple(p for p in TRACKING_PARAMETERS if p.endswith("_"))

# Buttondown (and its custom tracking domains): /c/{email_id}/{subscriber_id}/{original URL}.
_BUTTONDOWN = re.compile(r"^/c/[^/]+/[^/]+/(https?(?::|%3A).*)$", re.I)
# Redirects whose original is not in the URL: kept as host + route, never the ids after it.
_ANY_HOST = re.compile(r".")
_OPAQUE = (
    # Mailchimp: /track/click?u=<account>&id=<link>&e=<member>
    (re.compile(r"(^|\.)list-manage\.com$", re.I), re.compile(r"^(/track/click)", re.I)),
    # listmonk: {root}/link/{link uuid}/{campaign uuid}/{subscriber uuid}
    (_ANY_HOST, re.compile(r"^(.*/link)/[0-9a-f-]{36}/[0-9a-f-]{36}/[0-9a-f-]{36}/?$", re.I)),
    # Brevo: /{hash}/{n}/go?uid=<the address>
    (_ANY_HOST, re.compile(r"^(/[0-9a-f]{40}/\d+/go)$", re.I)),
)


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _EXACT or lowered.startswith(_PREFIXES)


def strip_tracking(url: str) -> str:
    """``url`` without the tracking parameters (the rest of its query kept in order) and fragment."""
    parts = urlsplit(url.strip())
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def unwrap(url: str) -> str:
    """The original URL inside a redirect form that carries it; ``url`` itself otherwise."""
    for _ in range(3):  # a redirect to a redirect, no more
        parts = urlsplit(url.strip())
        found = _BUTTONDOWN.match(parts.path)
        if not found:
            return url
        inner = found.group(1)
        if inner.lower().startswith(("http%3a", "https%3a")):
            inner = unquote(inner)
        inner = re.sub(r"^(https?):/+", r"\1://", inner, flags=re.I)  # a proxy may fold "//" to "/"
        url = inner + (f"?{parts.query}" if parts.query else "")
    return url


def opaque_redirect(url: str) -> str | None:
    """Host and route of a redirect whose original cannot be recovered (ids dropped), else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for host_form, path_form in _OPAQUE:
        found = path_form.match(parts.path)
        if host_form.search(host) and found:
            return urlunsplit((parts.scheme.lower(), host, str(found.group(1)), "", ""))
    return None


MAX_LINK = 512  # an "other" link is a service's text: kept short
UNREADABLE = "(unreadable link)"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{0,31}$")
_HOST = re.compile(r"^[a-z0-9.-]{1,253}$")
_SEGMENT_SAFE = "-._~!$&'()*+,;=:@%"
# A path segment that may be a reader's id: a UUID, a long hex or digit run, an address.
_ID_SEGMENT = re.compile(r"^([0-9a-f-]{16,}|\d{6,}|.*@.*|.*%40.*)$", re.I)


def clean(url: str) -> str:
    """An "other" link as it may be kept: unwrapped, no query (an unsubscribe link's carries the reader),
    the path cut before the first segment that may be a reader's id."""
    opaque = opaque_redirect(url)
    if opaque is not None:
        return opaque
    parts = urlsplit(canonical_url(unwrap(url)))
    if parts.scheme not in ("http", "https"):
        return parts.scheme + ":" if _SCHEME.match(parts.scheme) else UNREADABLE  # mailto: keeps no address
    host = parts.hostname or ""
    if not _HOST.match(host):
        return UNREADABLE
    kept: list[str] = []
    for segment in parts.path.split("/"):
        if _ID_SEGMENT.match(segment):
            break
        kept.append(quote(segment, safe=_SEGMENT_SAFE))
    netloc = f"{host}:{parts.port}" if parts.port else host  # never the user:password part
    cleaned = urlunsplit((parts.scheme, netloc, "/".join(kept) or "/", "", ""))
    return re.sub(r"%[0-9A-Fa-f]?$", "", cleaned[:MAX_LINK])


def link_key(url: str) -> str:
    """What two links must share to be the same post: canonical, with scheme, ``www.`` and a trailing
    slash left out (the email upgrades http to https; sites answer both with and without the slash)."""
    parts = urlsplit(canonical_url(strip_tracking(unwrap(url))))
    host = parts.netloc.removeprefix("www.")
    return urlunsplit(("", host, parts.path.rstrip("/") or "/", parts.query, ""))


@dataclass(frozen=True)
class Match:
    """Where a reported link goes: a pick (``uid`` and its canonical link) or "other" (``uid`` None)."""

    link: str
    uid: str | None


def matcher(picks: Iterable[tuple[str, str]]) -> Mapping[str, tuple[str, str]]:
    """``link_key -> (uid, canonical link)`` for the picks ``(uid, link)``."""
    return {link_key(link): (uid, canonical_url(link)) for uid, link in picks}


def match(url: str, picks: Mapping[str, tuple[str, str]]) -> Match:
    """The pick a reported URL is, by :func:`matcher`'s table; "other" with its :func:`clean` form."""
    if opaque_redirect(url) is None:
        found = picks.get(link_key(url))
        if found is not None:
            return Match(found[1], found[0])
    return Match(clean(url), None)
