"""The editor's note: Markdown rendered safely for email, and as plain text.

The note is typed by a person but travels through files and flags, so it is
treated as untrusted: raw HTML is shown as text (markdown-it with ``html``
off), an image becomes a link to it (an email image needs a width and a host
we trust; a remote "pixel" must not track readers), and a link survives only
if ``rewrite_link`` returns an absolute https/mailto URL for it; otherwise its
text stays, unlinked.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

LinkRewriter = Callable[[str], str | None]
_SCHEMES = ("http", "https", "mailto")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "linkify": False})
    md.enable(["replacements", "smartquotes"]).disable(["html_inline", "html_block"])
    md.validateLink = lambda url: urlsplit(url.strip()).scheme.lower() in _SCHEMES  # type: ignore[method-assign]
    return md


def _keep_https(url: str) -> str | None:
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("https", "mailto") else None


def _rewrite_links(tokens: Sequence[Token], rewrite: LinkRewriter) -> None:
    """Rewrite or unlink every link, in place (a dropped link keeps its text)."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        kept: list[Token] = []
        dropped: list[bool] = []  # a stack: was the open link at this depth dropped?
        for token in _images_as_links(block.children):
            if token.type == "link_open":
                href = rewrite(str(token.attrGet("href") or ""))
                dropped.append(href is None)
                if href is None:
                    continue
                token.attrSet("href", href)
            elif token.type == "link_close" and dropped.pop():
                continue
            kept.append(token)
        block.children = kept


def _images_as_links(children: Sequence[Token]) -> list[Token]:
    out: list[Token] = []
    for token in children:
        if token.type != "image":
            out.append(token)
            continue
        label = token.content or str(token.attrGet("alt") or "") or "image"
        out += [Token("link_open", "a", 1, attrs={"href": str(token.attrGet("src") or "")}),
                Token("text", "", 0, content=label), Token("link_close", "a", -1)]
    return out


def render_note_html(text: str, rewrite: LinkRewriter = _keep_https) -> str:
    """The note as an HTML fragment: paragraphs, emphasis, lists, headings, safe links."""
    md = _parser()
    tokens = md.parse(text)
    _rewrite_links(tokens, rewrite)
    return str(md.renderer.render(tokens, md.options, {}))


def render_note_text(text: str, width: int = 72, rewrite: LinkRewriter = _keep_https) -> str:
    """The note as wrapped plain text; a link becomes ``text (url)``."""
    tokens = _parser().parse(text)
    _rewrite_links(tokens, rewrite)
    out: list[str] = []
    prefixes: list[str] = []  # list markers and quote marks for the current nesting
    counters: list[int | None] = []
    pending_marker: str | None = None
    heading = False
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading = True
        elif kind in ("bullet_list_open", "ordered_list_open"):
            counters.append(int(token.attrGet("start") or 1) if kind == "ordered_list_open" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
            _blank(out)
        elif kind == "list_item_open":
            number = counters[-1]
            pending_marker = "- " if number is None else f"{number}. "
            if number is not None:
                counters[-1] = number + 1
            prefixes.append(" " * len(pending_marker))
        elif kind == "list_item_close":
            prefixes.pop()
        elif kind == "blockquote_open":
            prefixes.append("> ")
        elif kind == "blockquote_close":
            prefixes.pop()
            _blank(out)
        elif kind == "inline":
            body = _inline_text(token)
            indent = "".join(prefixes)
            first = indent
            if pending_marker:
                first = indent[: -len(pending_marker)] + pending_marker
                pending_marker = None
            if heading:
                body = body.upper()
            for line in body.split("\n"):
                out.extend(textwrap.wrap(line, width, initial_indent=first, subsequent_indent=indent,
                                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()])
                first = indent
        elif kind == "heading_close" or (kind == "paragraph_close" and not counters):
            heading = False
            _blank(out)
        elif kind in ("fence", "code_block"):
            out.extend("    " + line for line in token.content.rstrip("\n").split("\n"))
            _blank(out)
        elif kind == "hr":
            out += ["-" * 8, ""]
    return "\n".join(out).strip("\n")


def _blank(out: list[str]) -> None:
    if out and out[-1] != "":
        out.append("")


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    hrefs: list[tuple[str, int]] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "link_open":
            hrefs.append((str(child.attrGet("href") or ""), len(parts)))
        elif child.type == "link_close" and hrefs:
            href, start = hrefs.pop()
            label = "".join(parts[start:])
            shown = href.removeprefix("mailto:")
            if shown != label:
                parts.append(f" ({shown})")
    return "".join(parts)
