"""Parse a review's HTML once into a tree, and read its visible text as lines.

Feed and page HTML is hostile: input is capped at ``MAX_HTML_CHARS``, parsed by lxml (never
evaluated, no network), and walked iteratively so deep nesting cannot blow the stack. Every reader
of a document (score, TL;DR, lead image, noise) shares the one tree this makes
(:class:`digest.reviews.document.Document`).
"""

from __future__ import annotations

import re
import threading

import lxml.html
from lxml import etree

MAX_HTML_CHARS = 2_000_000  # ~2 MB of text: beyond that, a "page" is not a review page

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WS = re.compile(r"\s+")
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "head", "select"}
)
_BLOCK_TAGS = frozenset(
    """p div li ul ol h1 h2 h3 h4 h5 h6 br tr td th table thead tbody section article header
    footer aside nav blockquote pre figure figcaption dt dd dl hr form main details summary
    address center caption body html""".split()
)

# _CONTROL's characters as UTF-8 bytes: each is one byte, and no byte of a multi-byte character is one.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _clipped_utf8(html: str) -> bytes:
    """``html`` clipped to ``MAX_HTML_CHARS``, as UTF-8 without ``_CONTROL``'s characters: deleted
    from the bytes by a table lookup, several times faster than the regular expression on the text."""
    return html[:MAX_HTML_CHARS].encode("utf-8", "replace").translate(None, _CONTROL_BYTES)


_PARSERS = threading.local()


def _parser() -> etree.HTMLParser:
    """This thread's parser, made once (a parser must not serve two threads at a time).

    Every element is a plain :class:`lxml.html.HtmlElement`: lxml.html's own parser picks a class
    per tag (forms, inputs...) in Python for every element the readers touch, which costs about a
    third of a walk over the tree; nothing here uses those classes.
    """
    parser: etree.HTMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
        _PARSERS.parser = parser
    return parser


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """Parse a page or a fragment into a full document tree; ``None`` when there is nothing.

    Bytes plus an explicit UTF-8 parser sidestep lxml's refusal of ``str`` input that carries
    an XML encoding declaration; comments and processing instructions are dropped on parse.
    """
    if not html or not html.strip():
        return None
    try:
        root = lxml.html.document_fromstring(_clipped_utf8(html), parser=_parser())
    except (etree.ParserError, ValueError, TypeError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


def text_lines(root: etree._Element, spaced: bool = False) -> list[str]:
    """The visible text as lines: one per block element or ``<br>``, whitespace tidied.

    Inline markup is joined, so ``Rating: 7.2/<strong>10</strong>`` stays one line, while
    a heading and the score box under it stay apart (``Episode 12`` / ``8/10``). With
    ``spaced``, every element boundary is a space (``<span>7.8</span><span>Score</span>``).
    """
    parts: list[str] = []
    append = parts.append  # the walk's per-element work is the cost: each lookup saved counts
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if tag in _SKIP_TAGS or not isinstance(tag, str):
                walker.skip_subtree()
                continue
            if tag in _BLOCK_TAGS:
                append("\n")
            elif spaced:
                append(" ")
            text = el.text
            if text:
                append(text)
        else:
            if tag in _BLOCK_TAGS:
                append("\n")
            elif spaced:
                append(" ")
            tail = el.tail
            if tail and el is not root:
                append(tail)
    return lines_of(parts)


def lines_of(parts: list[str]) -> list[str]:
    """:func:`text_lines` of the text pieces its walk (or the noise walk's) gathered."""
    text = "".join(parts)[:MAX_HTML_CHARS]
    # " ".join(split()) is _WS.sub(" ", line).strip() (both use str.isspace), at a third of the cost;
    # a line of nothing but whitespace (most, between blocks) would come out empty: skipped first.
    return [" ".join(line.split()) for line in text.split("\n") if line and not line.isspace()]


def plain_text(html: str) -> str:
    """HTML (or a fragment) as one line of plain text: tags dropped, entities decoded."""
    root = parse_html(html)
    if root is None:
        return ""
    return " ".join(text_lines(root))
