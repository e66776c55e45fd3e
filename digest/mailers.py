"""The mailing services digest writes for: their merge tags, byte for byte.

A shared leaf (no pydantic, no templates) so the settings, the renderer and ``digest lint``'s
``--mailer`` choice read one table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["MAILER_NAMES", "MAILER_TAGS", "TAG_MARKS", "TAG_SYNTAX", "Mailer", "MailerTags", "TagFound",
           "address_fault", "foreign_tags", "header_line", "inert_encoded_words", "neutralise"]

# "plain": nobody downstream substitutes anything (SMTP, webhook, files); the links are the config's own.
Mailer = Literal["mailchimp", "sendgrid", "mailgun", "brevo", "buttondown", "listmonk", "kit", "mailerlite",
                 "custom", "plain"]
# How a report names each one to an editor.
MAILER_NAMES: dict[str, str] = {
    "mailchimp": "Mailchimp", "sendgrid": "SendGrid", "mailgun": "Mailgun", "brevo": "Brevo",
    "buttondown": "Buttondown", "listmonk": "listmonk", "kit": "Kit", "mailerlite": "MailerLite",
    "custom": "the system downstream (custom)", "plain": "nobody (plain links)",
}
# A merge tag is recognised by the delimiters services use: *|X|*, {{ x }}, %x%, <%x%>, [x], ::x::, {$x}
TAG_MARKS = ("*|", "{{", "%", "<%", "[", "::", "{%", "{$")


@dataclass(frozen=True)
class MailerTags:
    """The documented tags of one service (None: the service has none for this)."""

    unsubscribe: str | None
    view_online: str | None
    address: str | None


MAILER_TAGS: dict[str, MailerTags] = {
    # Mailchimp merge tags: *|UNSUB|*, *|ARCHIVE|* and the one-line list address.
    "mailchimp": MailerTags("*|UNSUB|*", "*|ARCHIVE|*", "*|LIST:ADDRESSLINE|*"),
    # SendGrid Marketing Campaigns (Single Sends, code editor): triple braces keep the URL unescaped;
    # the sender address comes from the Sender_* tags. It has no view-in-browser tag.
    # (<%asm_group_unsubscribe_raw_url%> is the transactional Mail Send API's: use mailer = "custom".)
    "sendgrid": MailerTags(
        "{{{unsubscribe}}}", None,
        "{{Sender_Name}}, {{Sender_Address}}, {{Sender_City}}, {{Sender_State}} {{Sender_Zip}}",
    ),
    # Mailgun variables; %mailing_list_unsubscribe_url% is for sends to a Mailgun mailing list.
    "mailgun": MailerTags("%unsubscribe_url%", None, None),
    "brevo": MailerTags("{{ unsubscribe }}", "{{ mirror }}", None),
    "buttondown": MailerTags("{{ unsubscribe_url }}", "{{ email_url }}", None),
    "listmonk": MailerTags("{{ UnsubscribeURL }}", "{{ MessageURL }}", None),
    "kit": MailerTags("{{ unsubscribe_url }}", None, "{{ address }}"),
    # MailerLite (the new app): {$unsubscribe} and the web version {$url}; no address tag.
    "mailerlite": MailerTags("{$unsubscribe}", "{$url}", None),
    "custom": MailerTags(None, None, None),
    # No service: the unsubscribe link, the web version and the address are the config's literal values.
    "plain": MailerTags(None, None, None),
}


# The merge and template syntax each service substitutes in a message body. Feed text may hold
# any of it (a title "%recipient.email%", a TL;DR "{{ params.x }}"): :func:`neutralise` makes all
# of them inert for every mailer at once, since a "custom" mailer may be any of these services.
TAG_SYNTAX: dict[str, tuple[str, ...]] = {
    "mailchimp": ("*|FNAME|*", "*|UNSUB|*"),  # also Mandrill
    "sendgrid": ("{{first_name}}", "{{{unsubscribe}}}", "-name-", "<%asm_group_unsubscribe_raw_url%>"),
    "mailgun": ("%recipient.email%", "%unsubscribe_url%", "{{ name }}"),
    "brevo": ("{{ contact.FIRSTNAME }}", "{{ params.code }}", "{% if x %}"),
    "buttondown": ("{{ subscriber.email }}", "{% if subscriber.tags %}"),
    "listmonk": ("{{ .Subscriber.Email }}", "{{ UnsubscribeURL }}"),
    "kit": ("{{ subscriber.first_name }}", "{% if subscriber.x %}", "{{ unsubscribe_url }}"),
    "mailerlite": ("{$email}", "{$unsubscribe}", "{$url}"),
    "custom": ("[unsubscribe]", "[[UNSUB_LINK_EN]]", "::name::", "<%name%>"),  # Campaign Monitor, Mailjet ...
    "plain": (),  # substitutes nothing: every form above must stay inert for it too
}
_TAG_START = re.compile(
    r"\{(?=[{%#$])"  # {{ }} {% %} {# #}: Jinja, Liquid, Handlebars, Go templates; {$x}: MailerLite
    r"|%(?=})|}(?=})|#(?=})"  # their closing halves
    r"|\*(?=\|)|\|(?=\*)"  # *|X|*
    r"|%(?=[A-Za-z_][\w.\-]*%)"  # %recipient.x%, %unsubscribe_url%
    r"|<(?=%)|%(?=>)"  # <%x%>
    r"|(?<![\w-])-(?=[A-Za-z_]\w*-(?![\w-]))"  # -name- (SendGrid legacy substitutions)
    r"|\[(?=[\[A-Za-z_])"  # [name], [[name]]
    r"|:(?=:[A-Za-z_]\w*::)"  # ::name::
)


def neutralise(text: str) -> str:
    """``text`` shown the same, never substituted: a zero-width space after each tag's opening mark,
    and no RFC 2047 encoded word (:func:`inert_encoded_words`)."""
    return inert_encoded_words(_TAG_START.sub(lambda m: m.group(0) + "\u200b", text))


# An RFC 2047 encoded word starts "=?" (=?charset?q?...?= / =?charset?b?...?=). In a header a decoder
# turns it into whatever its bytes say, CR/LF included: Python's email package does so when a Subject
# is set, and before 3.11.10/3.12.5 writes those line breaks out, making a Bcc or the start of the body.
# A zero-width space between "=" and "?" leaves no "=?" for any decoder to find, and reads the same.
_ENCODED_WORD_START = "=?"
_INERT_START = "=\u200b?"


def inert_encoded_words(text: str) -> str:
    """``text`` shown the same, with no encoded word a mail decoder would recognise (idempotent)."""
    return text.replace(_ENCODED_WORD_START, _INERT_START)


def header_line(text: str) -> str:
    """What untrusted text may be in a header or a service's subject: one line (every run of
    whitespace, CR/LF included, is one space) with no encoded word."""
    return inert_encoded_words(" ".join(text.split()))


def address_fault(value: str) -> str | None:
    """Why ``value`` cannot be an address in a header or an SMTP command, or None.

    A line break in it starts a new header or SMTP command (a Bcc, a second RCPT); an encoded word
    (``=?utf-8?q?...?=``) decodes to one inside a mail client, and makes the email library raise
    instead of writing the header. Both are refused where the address is set, never sent.
    """
    if any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029" for c in value):
        return "has a line break or control character in it"
    if "=?" in value:
        return "has an encoded word (=?...?=) in it; write the name and address as plain text"
    return None


# -- what may still be in a built issue ---------------------------------------------------------------

# The tag syntaxes a built issue can carry, each with the services that substitute it. Feed text never
# matches (``neutralise`` broke each opening mark); what matches came from a template or the config.
# ``%x%`` wants letters only after its "%" and not a percent-escape (%E2%), so URLs never match.
_FAMILIES: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"\*\|[^|*\s]{1,80}?\|\*"), frozenset({"mailchimp"})),
    (re.compile(r"\{\{.{1,120}?\}\}", re.S),
     frozenset({"sendgrid", "mailgun", "brevo", "buttondown", "listmonk", "kit"})),
    (re.compile(r"\{%.{1,120}?%\}", re.S), frozenset({"brevo", "buttondown", "kit"})),
    (re.compile(r"\{\$[A-Za-z_]\w{0,40}\}"), frozenset({"mailerlite"})),
    (re.compile(r"<%.{1,80}?%>", re.S), frozenset({"sendgrid"})),
    (re.compile(r"%(?![0-9A-Fa-f]{2}%)[A-Za-z_][A-Za-z_.\-]{1,60}%"), frozenset({"mailgun"})),
    (re.compile(r"\[\[[A-Za-z_]\w{0,40}\]\]|::[A-Za-z_]\w{0,40}::"), frozenset()),  # Mailjet, Campaign Monitor
)
# The bracketed tags of the tables above that no pattern catches ("[unsubscribe]"): a bare [word] is
# too common in prose to match as a pattern.
_EXACT = tuple(sorted({t for tags in TAG_SYNTAX.values() for t in tags
                       if t.startswith("[") and not any(p.search(t) for p, _ in _FAMILIES)}))


@dataclass(frozen=True)
class TagFound:
    """A merge tag in a built issue that ``mailer`` will not substitute: where it is, and what."""

    tag: str
    line: int  # 1-based, in the part searched


def foreign_tags(text: str, mailer: str) -> list[TagFound]:
    """Every merge tag in ``text`` that ``mailer`` does not substitute: it would reach readers as typed.

    "custom" is any service (the editor vouches for it), so nothing is foreign to it; "plain" substitutes
    nothing, so every tag is.
    """
    if mailer == "custom":
        return []
    spans: list[tuple[int, int, bool]] = []  # (start, end, foreign)
    for pattern, owners in _FAMILIES:
        spans += [(m.start(), m.end(), mailer not in owners) for m in pattern.finditer(text)]
    for tag in _EXACT:
        at = text.find(tag)
        while at >= 0:
            spans.append((at, at + len(tag), True))
            at = text.find(tag, at + 1)
    found, reach = [], -1
    for begin, stop, foreign in sorted(spans, key=lambda s: (s[0], -s[1])):
        if begin < reach:
            continue  # inside a tag already seen: "%name%" in "<%name%>"
        reach = stop
        if foreign:
            found.append(TagFound(text[begin:stop], text.count("\n", 0, begin) + 1))
    return found
