"""The mailing services digest writes for: their merge tags, byte for byte.

A shared leaf (no pydantic, no templates) so the settings, the renderer and ``digest lint``'s
``--mailer`` choice read one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["MAILER_TAGS", "TAG_MARKS", "Mailer", "MailerTags"]

Mailer = Literal["mailchimp", "sendgrid", "mailgun", "brevo", "buttondown", "listmonk", "kit", "custom"]
# A merge tag is recognised by the delimiters services use: *|X|*, {{ x }}, %x%, <%x%>, [x], ::x::
TAG_MARKS = ("*|", "{{", "%", "<%", "[", "::", "{%")


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
    "custom": MailerTags(None, None, None),
}
