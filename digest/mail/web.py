"""The web version of an issue, for the archive: the email without merge tags or tracking.

:func:`render_web` renders the email's templates again with no per-subscriber links, no
UTM parameters and without the subscribers-only note; :func:`scrub` then removes any
merge tag or tracking parameter that an editor's own template might still carry, and
:func:`problems` is the last check before anything is published.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html

from digest.mail.images import apply_image_policy
from digest.mail.inline import inline_css
from digest.mail.inline_cache import cache_folder
from digest.mail.render import (
    HTML_TEMPLATE,
    INLINE_CSS,
    PREHEADER_TEMPLATE,
    Links,
    build_context,
    make_environment,
    one_line,
    render_template,
)
from digest.mailers import MAILER_TAGS
from digest.models import Selection
from digest.settings.config import Config
from digest.settings.email import is_merge_tag

# Query parameters that identify a campaign or a subscriber: never in a public page.
TRACKING = re.compile(r"^(utm_\w+|mc_cid|mc_eid|fbclid|gclid|dclid|msclkid|_hsenc|_hsmi|mkt_tok"
                      r"|ck_subscriber_id|oly_anon_id|oly_enc_id|vero_id|vero_conv|rb_clickid|s_cid|igshid"
                      r"|yclid|_kx|ml_subscriber\w*)$", re.I)
# Every service's merge-tag syntax (see digest.mailers): *|X|*, {{ x }}, {% x %}, <%x%>, %x%, ::x::
# (``%x%`` needs 3+ lower-case characters, so percent-encoded URLs such as %E2%80%99 never match.)
MERGE_TAG = re.compile(r"\*\|[^|*\s][^|*]*\|\*|\{\{.*?\}\}|\{%.*?%\}|<%.*?%>|%[a-z][a-z0-9_.]{2,}%"
                       r"|::[A-Za-z_]\w*::", re.S)
KNOWN_TAGS = tuple(sorted({t for m in MAILER_TAGS.values() for t in (m.unsubscribe, m.view_online, m.address)
                           if t}, key=len, reverse=True))


def render_web(config: Config, selection: Selection, subject: str) -> str:
    """The issue as the web archive shows it: the email's HTML with no merge tags, no tracking
    parameters and no subscribers-only note (``digest.mail.archive`` scrubs it once more)."""
    settings = config.email
    selection, _ = apply_image_policy(config, selection)  # the same images as the email, no others
    env = make_environment(config)
    postal = settings.postal_address
    address = postal if postal and not is_merge_tag(postal) else ""
    context = build_context(config, selection, Links("", None, address), web=True)
    context.update(subject=subject, preheader=one_line(render_template(env, PREHEADER_TEMPLATE, context)))
    return inline_css(render_template(env, HTML_TEMPLATE, context), render_template(env, INLINE_CSS, context),
                      cache_folder(config.store_path))


# -- scrubbing -------------------------------------------------------------------------------------


def strip_tracking(url: str) -> str:
    """``url`` without utm_* and other per-campaign or per-subscriber parameters."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def problems(page: str) -> list[str]:
    """Why a page is not safe to publish: merge tags or tracking parameters left in it."""
    found = [f"merge tag {m.group(0)!r}" for m in MERGE_TAG.finditer(page)]
    found += [f"merge tag {t!r}" for t in KNOWN_TAGS if t in page and not MERGE_TAG.search(t)]
    doc = lxml.html.document_fromstring(page)
    for element in doc.iter():
        for name in ("href", "src", "action"):
            value = element.get(name) if isinstance(element.tag, str) else None
            query = parse_qsl(urlsplit(value or "").query, keep_blank_values=True)
            if value and any(TRACKING.match(k) for k, _ in query):
                found.append(f"tracking parameter in {value!r}")
    return found


def scrub(page: str) -> str:
    """Drop tracking parameters from every link and any merge tag (a link to one goes entirely)."""
    doc = lxml.html.document_fromstring(page)
    for element in list(doc.iter()):
        if not isinstance(element.tag, str):
            continue
        for name in ("href", "src"):
            value = element.get(name)
            if value is None:
                continue
            if _has_tag(value):
                if name == "href":
                    element.drop_tree()
                    break
                element.set(name, "")
                continue
            element.set(name, strip_tracking(value))
    text = to_html(doc)
    for tag in KNOWN_TAGS:
        text = text.replace(tag, "")
    return MERGE_TAG.sub("", text)


def scrub_text(text: str) -> str:
    """Plain ``text`` without any merge tag, for a value the archive puts in a page's head."""
    while True:  # until nothing is left: removing one tag must not join the pieces of another
        before = text
        for tag in KNOWN_TAGS:
            text = text.replace(tag, "")
        text = MERGE_TAG.sub("", text)
        if text == before:
            return text


def to_html(doc: Any) -> str:
    return str(lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>"))


def _has_tag(value: str) -> bool:
    return bool(MERGE_TAG.search(value)) or any(t in value for t in KNOWN_TAGS)
