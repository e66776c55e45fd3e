"""Every message digest writes or sends, serialised once and read back before it leaves.

Python's email package can write a header out differently from how it was set: before
3.11.10/3.12.5 an RFC 2047 encoded word whose text holds CR/LF comes out as real line breaks,
so a review title makes its own Bcc or Reply-To, or a blank line ends the headers and the rest
becomes the body every subscriber reads. Untrusted text is made inert before it reaches a
header (``mailers.header_line``); this is the check behind that, in one place for every path
that serialises a message (the issue's .eml, the SMTP delivery, send-test, the editors'
"draft ready" mail): the bytes are parsed back as a mail client would parse them and must hold
exactly what was built (the same header names in the same order and number, exactly the Subject
meant, the same From, To and other values, the same parts with the same content). Anything else
is refused before a byte is sent or written. The Subject is written by :func:`set_subject`, since
Python's own folding does not always read back as it was set.
"""

from __future__ import annotations

import base64
from collections import Counter
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import SMTP, default

from digest.errors import DeliveryError, DigestError

__all__ = ["serialise", "set_subject", "verify_serialised"]


# A header set with set_raw is written as it is (not refolded by Python's folder); others fold as usual.
_AS_SET = SMTP.clone(refold_source="none")
_SUBJECT = "Subject: "
_LINE = 78  # RFC 5322's recommended line length
_WORD_BYTES = 39  # base64 of 39 bytes is 52 characters: "Subject: =?utf-8?b?...?=" stays within 78


def set_subject(message: EmailMessage, subject: str) -> None:
    """Add the Subject already folded, so that it reads back exactly as ``subject``.

    Python 3.11's folder loses the space between two encoded words it splits a long non-ASCII
    subject into ("‘Clair 日本" reads back "‘Clair日本"), and moves a long subject with a ";" to a
    line of its own (read back with a leading space). So a non-ASCII subject is written here as
    whole UTF-8 encoded words (the whitespace between them is not text, the spaces are inside
    them) and an ASCII one folded at its spaces. ``subject`` is one line with single spaces
    (``mailers.header_line``).
    """
    if subject.isascii():
        value = _fold_at_spaces(subject)
    else:
        chunks: list[bytes] = [b""]
        for char in subject:
            data = char.encode("utf-8")
            if chunks[-1] and len(chunks[-1]) + len(data) > _WORD_BYTES:
                chunks.append(b"")
            chunks[-1] += data
        value = "\r\n ".join(f"=?utf-8?b?{base64.b64encode(c).decode('ascii')}?=" for c in chunks)
    message.set_raw("Subject", value)


def _fold_at_spaces(text: str) -> str:
    lines = [""]
    room = _LINE - len(_SUBJECT)
    for word in text.split(" "):
        if not lines[-1]:
            lines[-1] = word
        elif len(lines[-1]) + 1 + len(word) <= room:
            lines[-1] += " " + word
        else:  # the space goes to the start of the next line: unfolding gives it back
            lines.append(word)
            room = _LINE - 1
    return "\r\n ".join(lines)


def serialise(message: EmailMessage, what: str, *, subject: str,
              error: type[DigestError] = DeliveryError) -> bytes:
    """``message`` as CRLF bytes, checked by :func:`verify_serialised`; ``subject`` is the text meant."""
    raw = message.as_bytes(policy=_AS_SET)
    verify_serialised(raw, message, what, subject=subject, error=error)
    return raw


def verify_serialised(raw: bytes, built: EmailMessage, what: str, *, subject: str,
                      error: type[DigestError] = DeliveryError) -> None:
    """Raise ``error`` naming ``what`` and the header that differs unless ``raw`` reads back as ``built``."""
    parsed = BytesParser(policy=default).parsebytes(raw)
    problem = _difference(built, parsed) or _subject_problem(parsed, subject)
    if problem:
        raise error(
            f"{what} was not sent or written: read back as a mail client reads it, {problem}. The subject "
            "or a header holds text the mail library writes out as something else (a review title or the "
            "[email] subject with an encoded word such as =?utf-8?q?...?=); change that text and build again"
        )


def _subject_problem(parsed: Message, subject: str) -> str | None:
    got = [str(s) for s in parsed.get_all("Subject") or []]
    if got != [subject]:
        return f"its Subject is {' / '.join(repr(s) for s in got) or 'missing'} instead of {subject!r}"
    return None


def _difference(built: Message, parsed: Message, where: str = "") -> str | None:
    """What differs between a built message (or part) and its reading, in an editor's words; None: nothing."""
    names, read = built.keys(), parsed.keys()
    extra, missing = Counter(read) - Counter(names), Counter(names) - Counter(read)
    if extra:
        return f"it has {_names(extra)}{where} that {'was' if len(extra) == 1 else 'were'} never built"
    if missing:
        one = len(missing) == 1
        return (f"its {', '.join(missing)} {'header' if one else 'headers'}{where} {'is' if one else 'are'} "
                "missing (a line break ended the headers early)")
    if names != read:
        return f"its headers{where} are in another order ({', '.join(read)})"
    for (name, value), got in zip(built.items(), parsed.values(), strict=True):
        if name.lower() != "subject" and _compared(value) != _compared(got):
            return f"its {name} header{where} is {str(got)!r} instead of {str(value)!r}"
    if built.is_multipart() != parsed.is_multipart():
        return f"its body{where} is not the one built"
    if built.is_multipart():
        ours, theirs = built.get_payload(), parsed.get_payload()
        assert isinstance(ours, list) and isinstance(theirs, list)
        if len(ours) != len(theirs):
            return f"it has {len(theirs)} parts{where} instead of {len(ours)}"
        for number, (mine, got_part) in enumerate(zip(ours, theirs, strict=True), start=1):
            problem = _difference(mine, got_part, f" of part {number}{where}")
            if problem:
                return problem
        return None
    if isinstance(built, EmailMessage) and isinstance(parsed, EmailMessage) \
            and _lines(built.get_content()) != _lines(parsed.get_content()):
        return f"the {built.get_content_type()} body{where} is not the one built"
    return None


def _bare(text: str) -> str:
    return "".join(text.split())


def _compared(value: object) -> str:
    """A header's value as compared, spacing aside: the folder moves a long Message-ID to a line of
    its own and reads a long encoded display name back with a space where it split it; a change of
    spacing is no new header and no other address."""
    addresses = getattr(value, "addresses", None)
    if addresses is not None:
        return ", ".join(f"{_bare(a.display_name)} <{a.addr_spec}>" for a in addresses)
    return _bare(str(value))


def _names(headers: Counter[str]) -> str:
    listed = ", ".join(headers)
    return f"a {listed} header" if len(headers) == 1 else f"{listed} headers"


def _lines(content: object) -> object:
    """Text with the wire's CRLF read as the built text's LF; other content as it is."""
    return content.replace("\r\n", "\n") if isinstance(content, str) else content
