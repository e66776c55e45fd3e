"""The last guard before an issue is written: no merge tag its delivery path leaves unresolved.

Feed text is neutralised as it is rendered, so a tag found here came from a template (an editor's
override), a config value or a bug. Whoever hands the email to subscribers substitutes only its own
syntax; anything else (a ``*|UNSUB|*`` in an email sent by SMTP) would reach every reader as typed.
"""

from __future__ import annotations

import re
from email import message_from_bytes
from email.header import decode_header, make_header

from digest.errors import LintError
from digest.mailers import MAILER_NAMES, foreign_tags
from digest.models import RenderedIssue
from digest.settings.config import Config


class MergeTagError(LintError):
    """The built email holds a merge tag that nothing on its delivery path substitutes."""


def unresolved_tags(config: Config, rendered: RenderedIssue, eml: bytes | None = None) -> list[str]:
    """``"<tag> in <where>"`` for every tag the config's mailer will not substitute."""
    mailer = config.email.merge_mailer
    parts = [("the HTML part", rendered.html), ("the text part", rendered.text),
             ("the subject", rendered.subject), ("the preheader", rendered.preheader)]
    if eml is not None:
        message = message_from_bytes(eml)
        parts += [(f"the {name} header", re.sub(r"\r?\n[ \t]", " ", str(make_header(decode_header(value)))))
                  for name, value in message.items()]  # unfolded: a tag may straddle a fold
    found = []
    for where, text in parts:
        multiline = "\n" in text.strip()
        found += [f"{tag.tag!r} in {where}" + (f", line {tag.line}" if multiline else "")
                  for tag in foreign_tags(text, mailer)]
    return list(dict.fromkeys(found))


def check_merge_tags(config: Config, rendered: RenderedIssue, eml: bytes | None = None) -> None:
    """Raise MergeTagError naming each unresolved tag and where it is; nothing has been written yet."""
    found = unresolved_tags(config, rendered, eml)
    if not found:
        return
    settings = config.email
    who = MAILER_NAMES[settings.merge_mailer]
    raise MergeTagError("\n".join([
        f"the {rendered.issue_id} email holds merge tags that {who} will not substitute, so readers would see "
        f"them as typed (nothing was written; merge tags: {settings.describe_merge_tags()}):",
        *(f"  {line}" for line in found),
        "  remove them from the template (or [email] value) that writes them, or set [email] mailer to the "
        "service that substitutes them",
    ]))
