"""The email lint: rules real mail clients impose, checked on the final HTML.

A pure function of the HTML string and the mailer's merge tags, so the
build, ``digest lint PATH`` and the tests all judge the same bytes. Each
finding names its rule, severity, what is wrong and where (line and
element). Errors stop a build; warnings are printed.
"""

from __future__ import annotations

import functools
import html as htmllib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import quote, urlsplit

from lxml import etree

SIZE_LIMIT = 102 * 1024  # Gmail clips the message ("[Message clipped]") past ~102 KB
SIZE_WARN = 90 * 1024
STYLE_LIMIT = 16 * 1024  # Gmail drops a <style> block past 16 KB
CONTAINER_WIDTH = 600

RULES: dict[str, str] = {
    "size": f"final HTML under {SIZE_LIMIT // 1024} KB (Gmail clips), warning from {SIZE_WARN // 1024} KB",
    "style-size": f"all <style> text at most {STYLE_LIMIT // 1024} KB (Gmail drops larger blocks)",
    "style-in-head": "<style> only inside <head>",
    "style-inlinable": "<style> holds only what cannot be inlined (media queries, pseudo-classes)",
    "style-important": "every declaration in <style> is !important (to beat inline styles)",
    "external-css": "no <link rel=stylesheet> and no @import (mail clients do not fetch them)",
    "table-role": 'every <table> has role="presentation" (screen readers skip layout tables)',
    "container-width": f'a {CONTAINER_WIDTH} px container table (width="{CONTAINER_WIDTH}"), none wider',
    "responsive": "a max-width media query making columns width:100% at phone width",
    "doctype": "<!DOCTYPE html> first",
    "html-lang": "<html lang> set (screen readers pick a voice)",
    "meta-charset": '<meta charset="utf-8">',
    "meta-viewport": '<meta name="viewport" content="width=device-width ...">',
    "preheader": "a hidden, non-empty preheader is the first element in <body>",
    "img-alt": "every <img> has alt",
    "img-width": "every <img> has a numeric width (Outlook shows images at natural size otherwise)",
    "img-src": "every <img> src is an absolute https URL",
    "img-data-uri": "no data: image URIs (Gmail and Outlook block them)",
    "img-svg": "no SVG images (Gmail and Outlook do not show them)",
    "link-href": "every link is absolute https, mailto, or the mailer's merge tag byte for byte",
    "template-leftover": "no {{ or {% left from templates (except the mailer's own tags)",
    "button": "bulletproof buttons: a padded table cell with bgcolor around a link with real text "
              "(Outlook drops padding on links: padding only on the <a> shrinks the button to its text)",
    "cell-spacing": "padding only on table cells, never on p, h1-h6, div or a (Outlook ignores it there)",
    "outlook": "Outlook on Windows: xmlns:o, 96 ppi OfficeDocumentSettings and an mso ghost table",
    "mso-line-height": "mso-line-height-rule: exactly wherever line-height is set on cells",
    "unsafe-element": "no script, form, iframe, object, embed or similar elements",
    "event-handler": "no on* event-handler attributes",
    "javascript-url": "no javascript:/vbscript: URLs or CSS expression()",
    "dark-mode": 'a color-scheme meta and a "prefers-color-scheme: dark" block',
    "hex-colors": "colours as six-digit hex (#rrggbb), not #rgb, rgb() or hsl()",
}

UNSAFE_TAGS = {"script", "noscript", "form", "input", "button", "select", "textarea", "iframe", "frame",
               "frameset", "object", "embed", "applet", "base", "portal"}
_HEXISH = re.compile(r"#([0-9a-fA-F]{3,8})\b")
_COLOUR_FN = re.compile(r"\b(rgba?|hsla?)\s*\(", re.I)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|livescript):", re.I)
_OUTLOOK_DARK = ("[data-ogsc]", "[data-ogsb]")  # set only by Outlook.com's dark mode: never inlinable
_NO_PADDING = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "a"}
_INVISIBLE = dict.fromkeys(map(ord, "\u00a0\u200b\u200c\u200d\u034f\u00ad\ufeff\u2007\u2060"), None)


class Callback(Protocol):
    def __call__(self, rule: str, message: str, where: str = "") -> None: ...


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Literal["error", "warning"]
    message: str
    where: str = ""


def format_finding(finding: Finding) -> str:
    return f"{finding.rule}: {finding.message}" + (f" ({finding.where})" if finding.where else "")


# -- a small CSS reader: enough to judge what is in a <style> --------------------------------------


def css_blocks(css: str) -> Iterator[tuple[str, str]]:
    """Top-level (prelude, body) pairs; an at-rule without a block has body ""."""
    css = _COMMENT.sub("", css)
    depth, start, prelude_end = 0, 0, 0
    for index, char in enumerate(css):
        if char == "{":
            if depth == 0:
                prelude_end = index
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                yield css[start:prelude_end].strip(), css[prelude_end + 1 : index]
                start = index + 1
        elif char == ";" and depth == 0:
            if css[start:index].strip():
                yield css[start:index].strip(), ""
            start = index + 1


@functools.lru_cache(maxsize=4096)
def declarations(body: str) -> tuple[tuple[str, str], ...]:
    """``(name, value)`` of each declaration in a style attribute or rule body. Kept per text (the
    result is a tuple: nobody can change it): an email repeats the same few hundred styles, and the
    lint, the contrast and the layout checks each read every element's."""
    out = []
    for part in _COMMENT.sub("", body).split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            if name.strip():
                out.append((name.strip().lower(), value.strip()))
    return tuple(out)


def _style_rules(css: str) -> Iterator[tuple[str, str, str]]:
    """(at-rule prelude or "", selector, declarations) for every rule, nested one level."""
    for prelude, body in css_blocks(css):
        if prelude.startswith("@"):
            if body and "{" in body:
                for selector, inner in css_blocks(body):
                    yield prelude, selector, inner
            else:
                yield prelude, "", body
        else:
            yield "", prelude, body


# -- the rules -------------------------------------------------------------------------------------


def _where(el: etree._Element, *attrs: str) -> str:
    shown = " ".join(f'{a}="{_short(str(el.get(a)))}"' for a in attrs if el.get(a) is not None)
    return f"line {el.sourceline}: <{el.tag}{' ' + shown if shown else ''}>"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(el: etree._Element) -> str:
    return "".join(el.itertext()).translate(_INVISIBLE).strip()


def lint_html(html: str, merge_tags: Iterable[str] = ()) -> list[Finding]:
    """Every finding for this HTML; ``merge_tags`` are the strings the mailer substitutes.

    The last few answers are kept: a build lints its email once in the render and again in the
    pre-send report, and findings are frozen."""
    return list(_lint_html(html, tuple(t for t in merge_tags if t)))


@functools.lru_cache(maxsize=4)
def _lint_html(html: str, tags: tuple[str, ...]) -> tuple[Finding, ...]:
    return tuple(_findings(html, tags))


def _findings(html: str, tags: tuple[str, ...]) -> list[Finding]:
    found: list[Finding] = []

    def error(rule: str, message: str, where: str = "") -> None:
        found.append(Finding(rule, "error", message, where))

    size = len(html.encode("utf-8"))
    if size >= SIZE_LIMIT:
        error("size", f"{size / 1024:.1f} KB: Gmail clips messages from {SIZE_LIMIT // 1024} KB")
    elif size >= SIZE_WARN:
        found.append(Finding("size", "warning", f"{size / 1024:.1f} KB: close to Gmail's "
                                                f"{SIZE_LIMIT // 1024} KB clipping limit"))
    if not re.match(r"\s*<!DOCTYPE html>", html, re.I):
        error("doctype", "the document does not start with <!DOCTYPE html>")
    try:
        root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    except etree.ParserError as exc:
        return found + [Finding("doctype", "error", f"not parseable as HTML: {exc}")]
    if root is None:
        return found + [Finding("doctype", "error", "empty document")]
    _check_head(root, error)
    styles = _check_styles(root, error)
    _check_layout(root, styles, error)
    _check_body(root, error)
    _check_images(root, error)
    _check_links(root, html, tags, error)
    _check_unsafe(root, error)
    _check_colours(root, styles, error)
    _check_outlook(root, html, error)
    stripped = html
    for tag in tags:
        stripped = stripped.replace(tag, "")
    for match in re.finditer(r"\{\{|\{%", stripped):
        line = stripped.count("\n", 0, match.start()) + 1
        context = stripped[max(match.start() - 20, 0) : match.start() + 30].replace("\n", " ")
        error("template-leftover", f"template syntax left in the email: …{context}…", f"line {line}")
    return found


def _check_head(root: etree._Element, error: Callback) -> None:
    if not (root.get("lang") or "").strip():
        error("html-lang", "<html> has no lang attribute")
    metas = root.findall(".//meta")
    if not any((m.get("charset") or "").lower() == "utf-8" for m in metas):
        error("meta-charset", 'no <meta charset="utf-8">')
    if not any((m.get("name") or "").lower() == "viewport" and "width=device-width" in (m.get("content") or "")
               for m in metas):
        error("meta-viewport", 'no <meta name="viewport" content="width=device-width, initial-scale=1">')
    if not any((m.get("name") or "").lower() == "color-scheme" and "dark" in (m.get("content") or "")
               for m in metas):
        error("dark-mode", 'no <meta name="color-scheme" content="light dark">')
    for link in root.iter("link"):
        if "stylesheet" in (link.get("rel") or "").lower().split():
            error("external-css", "external stylesheet: mail clients do not load it", _where(link, "href"))


def _check_styles(root: etree._Element, error: Callback) -> str:
    styles = list(root.iter("style"))
    text = "\n".join(s.text or "" for s in styles)
    if len(text.encode("utf-8")) > STYLE_LIMIT:
        error("style-size", f"{len(text.encode()) / 1024:.1f} KB of <style>: Gmail drops blocks over "
                            f"{STYLE_LIMIT // 1024} KB")
    for style in styles:
        parent = style.getparent()
        if parent is None or parent.tag != "head":
            error("style-in-head", "a <style> outside <head> (Gmail removes it)", _where(style))
        for at, selector, body in _style_rules(style.text or ""):
            where = f"line {style.sourceline}: {_short(((at + ' ') if at else '') + selector)}"
            if at.lower().startswith("@import"):
                error("external-css", "@import: mail clients do not fetch stylesheets", where)
                continue
            if at.lower().startswith("@font-face"):
                continue
            if not at and selector and not all(":" in s or s.strip().startswith(_OUTLOOK_DARK)
                                               for s in selector.split(",")):
                error("style-inlinable", f"'{_short(selector)}' could be inlined: it belongs in the inline "
                                         "sheet, not in <style>", where)
            for name, value in declarations(body):
                if not value.lower().rstrip().endswith("!important"):
                    error("style-important", f"'{name}: {_short(value, 30)}' lacks !important (inline "
                                             "styles win without it)", where)
    compact = re.sub(r"\s+", "", text.lower())
    if "prefers-color-scheme:dark" not in compact:
        error("dark-mode", "no @media (prefers-color-scheme: dark) block in <style>")
    return text


def _check_layout(root: etree._Element, styles: str, error: Callback) -> None:
    tables = list(root.iter("table"))
    for table in tables:
        if (table.get("role") or "") != "presentation":
            error("table-role", 'layout table without role="presentation"', _where(table, "class", "width"))
        width = (table.get("width") or "").strip()
        if width.isdigit() and int(width) > CONTAINER_WIDTH:
            error("container-width", f"a table {width} px wide (max {CONTAINER_WIDTH})", _where(table, "width"))
    if not any((t.get("width") or "").strip() == str(CONTAINER_WIDTH) for t in tables):
        error("container-width", f'no container table with width="{CONTAINER_WIDTH}"')
    phone = False
    for at, _selector, body in _style_rules(styles):
        if at.lower().startswith("@media") and "max-width" in at.lower():
            phone |= any(n == "width" and v.replace(" ", "").lower().startswith("100%")
                         for n, v in declarations(body))
    if not phone:
        error("responsive", "no @media (max-width: ...) rule setting width: 100% for phones")


def _check_body(root: etree._Element, error: Callback) -> None:
    body = root.find("body")
    first = next((el for el in body if isinstance(el.tag, str)), None) if body is not None else None
    if first is None:
        error("preheader", "<body> is empty")
        return
    style = re.sub(r"\s+", "", (first.get("style") or "").lower())
    if "display:none" not in style:
        error("preheader", "the first element in <body> is not a hidden preheader (display:none)",
              _where(first, "class"))
    elif not _text(first):
        error("preheader", "the preheader is empty", _where(first, "class"))


def _check_images(root: etree._Element, error: Callback) -> None:
    for svg in root.iter("svg"):
        error("img-svg", "inline <svg>: Gmail and Outlook do not show it", _where(svg))
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        where = _where(img, "src")
        if img.get("alt") is None:
            error("img-alt", "image without alt", where)
        if not (img.get("width") or "").strip().isdigit():
            error("img-width", f"image width {img.get('width')!r} is not a number of pixels", where)
        if src.lower().startswith("data:"):
            error("img-data-uri", "data: URI image", where)
        elif urlsplit(src).scheme.lower() != "https" or not urlsplit(src).hostname:
            error("img-src", f"image src {_short(src)!r} is not an absolute https URL", where)
        elif urlsplit(src).path.lower().endswith((".svg", ".svgz")):
            error("img-svg", "SVG image", where)


def _mangled(tag: str) -> set[str]:
    """How HTML tools commonly rewrite a merge tag (percent-encoding, entity-escaping)."""
    forms = {quote(tag, safe="/:?&=#%*|"), quote(tag, safe=""), htmllib.escape(tag), quote(tag, safe="{}% ")}
    forms |= {quote(tag, safe="*|%:"), tag.replace(" ", "%20")}
    return {f for f in forms if f != tag}


def _check_links(root: etree._Element, html: str, tags: tuple[str, ...], error: Callback) -> None:
    mangled = {form: tag for tag in tags for form in _mangled(tag)}
    for a in root.iter("a"):
        href = a.get("href")
        where = _where(a, "href")
        if href is None:
            error("link-href", "link without href", where)
            continue
        if href in tags:
            if f'href="{href}"' not in html:
                error("link-href", f"merge tag {href!r} is not byte for byte in the HTML", where)
            continue
        inside = next((t for t in tags if t in href), None)
        if inside is not None:
            error("link-href", f"merge tag {inside!r} is inside another URL: {_short(href)!r} (a base_url "
                               "rewrite?); it must be the whole href", where)
            continue
        if href in mangled or any(form in href for form in mangled):
            tag = mangled.get(href) or next(t for f, t in mangled.items() if f in href)
            error("link-href", f"merge tag {tag!r} was rewritten to {_short(href)!r}", where)
            continue
        scheme = urlsplit(href.strip()).scheme.lower()
        if _BAD_SCHEME.match(href.strip()):
            continue  # reported by javascript-url
        if scheme == "mailto" and len(href) > 7:
            continue
        if scheme != "https" or not urlsplit(href).hostname:
            error("link-href", f"{_short(href)!r} is not an absolute https URL, mailto: or a merge tag", where)
    for a in root.iter("a"):
        if _is_button(a):
            cell = next((p for p in a.iterancestors() if p.tag == "td"), None)
            if cell is None or not re.fullmatch(r"#[0-9a-fA-F]{6}", cell.get("bgcolor") or ""):
                error("button", "button link not inside a table cell with a bgcolor (Outlook shows no "
                                "background otherwise)", _where(a, "href"))
            if not _text(a):
                error("button", "button without text (images are blocked by default)", _where(a, "href"))
            if cell is not None and not _padded(cell):
                error("button", "the button's cell has no padding (or mso-padding-alt): "
                                + ("its padding is only on the link, which Outlook ignores"
                                   if _padded(a) else "the button is no bigger than its text"),
                      _where(a, "href"))


def _padded(el: etree._Element) -> bool:
    """True when the element's inline style gives it some non-zero padding."""
    for name, value in declarations(el.get("style") or ""):
        if name.startswith(("padding", "mso-padding-alt")) and re.search(r"[1-9]", value):
            return True
    return False


def _check_outlook(root: etree._Element, html: str, error: Callback) -> None:
    """What Outlook on Windows (Word's renderer) needs to draw the layout as designed."""
    head = html[: html.lower().find("<body")]
    if 'xmlns:o="urn:schemas-microsoft-com:office:office"' not in head:
        error("outlook", '<html> lacks xmlns:o="urn:schemas-microsoft-com:office:office"')
    if not re.search(r"<!--\[if mso\]>.*<o:PixelsPerInch>96</o:PixelsPerInch>.*<!\[endif\]-->", head, re.S):
        error("outlook", "no <o:OfficeDocumentSettings> with 96 ppi in an mso conditional (Outlook scales "
                         "the layout on high-DPI screens)")
    if not re.search(r"<!--\[if mso\]>\s*<table[^>]*width=\"600\"", html):
        error("outlook", "no fixed 600 px ghost table in an <!--[if mso]> conditional (Outlook ignores "
                         "max-width)")
    for el in root.iter(*_NO_PADDING):
        if _padded(el) and not (el.tag == "a" and _is_button(el)):
            error("cell-spacing", f"padding on <{el.tag}>: Outlook ignores it; pad the table cell",
                  _where(el, "class"))
    for td in root.iter("td"):
        names = dict(declarations(td.get("style") or ""))
        if "line-height" in names and names.get("mso-line-height-rule", "").lower() != "exactly":
            error("mso-line-height", "line-height without mso-line-height-rule: exactly (Outlook adds "
                                     "space above the text)", _where(td, "class"))


def _is_button(a: etree._Element) -> bool:
    classes = (a.get("class") or "").lower().split()
    style = re.sub(r"\s+", "", (a.get("style") or "").lower())
    return any("button" in c or c == "btn" for c in classes) or "background" in style


def _check_unsafe(root: etree._Element, error: Callback) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in UNSAFE_TAGS:
            error("unsafe-element", f"<{tag}> is not allowed in an email", _where(el))
        if tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            error("unsafe-element", "meta refresh", _where(el))
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                error("event-handler", f"{name} attribute", _where(el, name))
            cleaned = re.sub(r"[\x00-\x20]", "", str(value))
            if _BAD_SCHEME.match(cleaned) or re.search(r"expression\(|url\((['\"])?(javascript|vbscript):",
                                                       cleaned, re.I):
                error("javascript-url", f"{name}={_short(str(value))!r}", _where(el))
    for style in root.iter("style"):
        if re.search(r"expression\(|javascript:", style.text or "", re.I):
            error("javascript-url", "script in <style>", _where(style))


def _check_colours(root: etree._Element, styles: str, error: Callback) -> None:
    values = [(v, f"line {s.sourceline}: <style>") for s in root.iter("style")
              for _at, _sel, body in _style_rules(s.text or "") for _n, v in declarations(body)]
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        where = _where(el, "class")
        values += [(v, where) for _n, v in declarations(el.get("style") or "")]
        values += [(el.get(a) or "", where) for a in ("bgcolor", "color", "text", "link", "vlink") if el.get(a)]
    for value, where in values:
        for match in _HEXISH.finditer(value):
            if len(match.group(1)) != 6:
                error("hex-colors", f"{match.group(0)} is not a six-digit hex colour", where)
        if _COLOUR_FN.search(value):
            error("hex-colors", f"{_short(value, 40)!r}: use six-digit hex", where)
