"""The review's one-line summary for the email (its TL;DR), read from documents already parsed."""

from __future__ import annotations

import re

from lxml import etree

from digest.reviews.document import Document
from digest.reviews.parsing import _WS, text_lines
from digest.text import clip

# After the label skip separators only: a TL;DR may open with a quoted title (‘Witch Watch’…).
_TLDR = re.compile(r"^\W{0,3}(?:TL\s*[;:,]?\s*DR|TLDR)\b[\s:;,.\-–—]*(.*)$", re.IGNORECASE)
_MIN_TLDR = 15
_TAIL_LINE = re.compile(  # whole lines WordPress, Medium and themes append to descriptions
    r"^The post .{1,400} appeared first on .{1,300}$"
    r"|\bwas originally published in\b.{1,300}\bon Medium\b"
    r"|^(?:Continue reading|Read more)\b.{0,120}$",
    re.IGNORECASE,
)
_APPEARED = re.compile(r"The post .{1,400}? appeared first on [^.]{1,300}\.?\s*", re.DOTALL)
_READ_ON = re.compile(r"\s*(?:Continue reading|Read more)\b[^.!?]{0,120}$", re.IGNORECASE)
_ELLIPSIS_TAIL = re.compile(r"\s*[\[(](?:…|\.\.\.|&hellip;|&#8230;)[\])]\s*$")


def _tldr_in(lines: list[str]) -> str:
    for i, line in enumerate(lines):
        match = _TLDR.match(line)
        if not match:
            continue
        rest = match.group(1).strip()
        if len(rest) >= _MIN_TLDR:
            return rest
        if i + 1 < len(lines) and len(lines[i + 1]) >= _MIN_TLDR:
            return lines[i + 1]
    return ""


def _clean_summary(lines: list[str]) -> str:
    """Description lines as one string, without the tails feeds append; "[…]" becomes "…"."""
    lines = list(lines)
    while lines and _TAIL_LINE.search(lines[-1]):
        lines.pop()
    text = " ".join(lines).strip()
    start = text.rfind("The post ")  # the same tail run into the last paragraph
    if start >= 0 and _APPEARED.fullmatch(text, start):
        text = text[:start].rstrip()
    text = text[:-200] + _READ_ON.sub("", text[-200:])
    if _ELLIPSIS_TAIL.search(text):
        text = _ELLIPSIS_TAIL.sub("", text).rstrip(" ,;:-–—") + "…"
    return text if text != "…" else ""


def _first_paragraph(cleaned: etree._Element | None) -> str:
    if cleaned is None:
        return ""
    for p in cleaned.iter("p"):
        text = " ".join(text_lines(p))
        if len(text) >= 40 and len(text.split()) >= 6:
            return _clean_summary([text])
    lines = [line for line in text_lines(cleaned) if len(line) >= 20]
    return _clean_summary(lines[:1])


def cut(text: str, max_chars: int) -> str:
    """Cut ``text`` at a word boundary so that the result, with "…", fits ``max_chars``."""
    return clip(_WS.sub(" ", text).strip(), max_chars)


def tldr(content_html: str, summary_html: str, page_html: str | None, max_chars: int = 200) -> str:
    """The review's one-line summary for the email, plain text, at most ``max_chars``.

    Order: the review's own TL;DR (content, then page, related lists removed first), the
    feed description (WordPress's "[…]" becomes "…", "The post X appeared first on Y." and
    Medium's "originally published" tail are dropped), then the first real paragraph (40+
    characters, six+ words) of the content, or of the page when the feed has none.
    """
    return tldr_of(Document(content_html), Document(summary_html), Document(page_html), max_chars)


def tldr_of(content: Document, summary: Document, page: Document, max_chars: int = 200) -> str:
    """:func:`tldr` over documents already parsed (each is read, never changed)."""
    for doc in (content, page):
        found = _tldr_in(doc.stripped_lines)
        if found:
            return cut(found, max_chars)
    root = summary.root
    text = _clean_summary(text_lines(root)) if root is not None else ""
    if text:
        return cut(text, max_chars)
    first = _first_paragraph(content.stripped) or _first_paragraph(page.stripped)
    return cut(first, max_chars)
