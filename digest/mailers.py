"""The mailing services digest writes for: their merge tags, byte for byte.

A shared leaf (no pydantic, no templates) so the settings, the renderer and ``digest lint``'s
``--mailer`` choice read one table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["MAILER_TAGS", "TAG_MARKS", "TAG_SYNTAX", "Mailer", "MailerTags", "neutralise"]

Mailer = Literal["mailchimp", "sendgrid", "mailgun", "brevo", "buttondown", "listmonk", "kit", "mailerlite",
                 "custom"]
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
    """``text`` shown the same, never substituted: a zero-width space after each tag's opening mark."""
    return _TAG_START.sub(lambda m: m.group(0) + "\u200b", text)
