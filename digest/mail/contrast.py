"""Contrast of every text in the final HTML, in light and dark mode, read statically.

Light mode is the inline styles (what Gmail's apps show with ``<style>`` gone);
dark mode adds the ``prefers-color-scheme: dark`` rules of the head ``<style>``
(their declarations are ``!important``, so they win over inline styles). Each
text node gets its colour and background from its element or the nearest
ancestor that sets one, as a browser would, and is judged by WCAG 2.2 AA.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from digest.colours import AA_LARGE, AA_TEXT, contrast
from digest.mail.lint import _style_rules, declarations

_HEX6 = re.compile(r"#[0-9a-fA-F]{6}\b")
_PX = re.compile(r"([\d.]+)px")


@dataclass(frozen=True)
class TextContrast:
    ratio: float
    needed: float
    colour: str
    background: str
    text: str
    where: str

    @property
    def passes(self) -> bool:
        return self.ratio >= self.needed


@functools.lru_cache(maxsize=512)
def _selector(selector: str) -> Any:
    """The compiled selector (compiling is most of matching, and the sheet is the same each build), or
    None for one cssselect cannot read: it matches nothing here."""
    from lxml.cssselect import CSSSelector

    try:
        return CSSSelector(selector)
    except Exception:  # noqa: BLE001
        return None


# A class, or a class then a descendant tag: nearly every rule of the email's own dark-mode sheet.
_CLASS_RULE = re.compile(r"\.(-?[_a-zA-Z][\w-]*)(?:\s+([a-z][a-z0-9]*))?")
_CLASS_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space (and so cssselect) splits on


def _class_index(root: etree._Element) -> dict[str, list[etree._Element]]:
    """Each class name's elements, in document order."""
    index: dict[str, list[etree._Element]] = {}
    for el in root.iter():
        for name in _CLASS_SPACE.split(el.get("class") or "") if isinstance(el.tag, str) else ():
            if name:
                index.setdefault(name, []).append(el)
    return index


def _matching(selector: str, root: etree._Element, index: dict[str, list[etree._Element]]) -> list[Any]:
    """The elements ``selector`` matches: a class rule from the class index (what cssselect would find,
    without running an XPath over the whole document for each rule), any other through cssselect."""
    simple = _CLASS_RULE.fullmatch(selector)
    if simple is None:
        compiled = _selector(selector)
        return list(compiled(root)) if compiled is not None else []
    name, tag = simple.groups()
    hits = index.get(name, [])
    if tag is None:
        return list(hits)
    return [d for h in hits for d in h.iter(tag) if d is not h]


def _dark_rules(root: etree._Element) -> dict[etree._Element, dict[str, str]]:
    """The dark-mode declarations that apply to each element."""
    applied: dict[etree._Element, dict[str, str]] = {}
    index = _class_index(root)
    for style in root.iter("style"):
        for at, selector, body in _style_rules(style.text or ""):
            if "prefers-color-scheme" not in at.lower() or "dark" not in at.lower():
                continue
            values = {n: v.replace("!important", "").strip() for n, v in declarations(body)}
            for one in selector.split(","):
                for el in _matching(one.strip(), root, index):
                    applied.setdefault(el, {}).update(values)
    return applied


@functools.lru_cache(maxsize=4096)
def _declared(style: str, bgcolor: str) -> tuple[tuple[str, str], ...]:
    """An inline style's declarations (with ``bgcolor`` as a background): premailer gives many elements
    the same style attribute, so each is read once."""
    own = dict(declarations(style))
    if bgcolor and "background-color" not in own:
        own["background-color"] = bgcolor
    return tuple(own.items())


def _styles(el: etree._Element, dark: dict[etree._Element, dict[str, str]] | None) -> dict[str, str]:
    own = dict(_declared(el.get("style") or "", str(el.get("bgcolor") or "")))
    if dark is not None and el in dark:
        own.update(dark[el])
    return own


def _lookup(chain: list[dict[str, str]], name: str, default: str) -> str:
    for styles in chain:
        value = styles.get(name) or (styles.get("background") if name == "background-color" else None)
        if value:
            found = _HEX6.search(value)
            if found:
                return found.group(0).lower()
            if name != "background-color":
                return default
    return default


def _hidden(chain: list[dict[str, str]]) -> bool:
    return any("display" in s and re.sub(r"\s+", "", s["display"]) == "none" for s in chain)


def _needed(chain: list[dict[str, str]]) -> float:
    size = next((float(m.group(1)) for s in chain if (m := _PX.match(s.get("font-size", "")))), 16.0)
    weight = next((s["font-weight"] for s in chain if "font-weight" in s), "400")
    bold = weight == "bold" or (weight.isdigit() and int(weight) >= 700)
    return AA_LARGE if size >= 24 or (bold and size >= 18.66) else AA_TEXT


def text_contrasts(html: str, dark: bool = False) -> list[TextContrast]:
    """Every visible text run with its colour, background and WCAG ratio."""
    root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    if root is None:
        return []
    rules = _dark_rules(root) if dark else None
    body = root.find("body")
    found: list[TextContrast] = []
    styles: dict[etree._Element, dict[str, str]] = {}  # each element's, read once for all its descendants

    def styled(e: etree._Element) -> dict[str, str]:
        if e not in styles:
            styles[e] = _styles(e, rules)
        return styles[e]

    for el in (body.iter() if body is not None else ()):
        if not isinstance(el.tag, str) or el.tag in ("style", "script", "title"):
            continue
        runs = [el.text] + [child.tail for child in el]
        text = " ".join(" ".join(r.split()) for r in runs if r and r.strip())
        text = text.replace("\u00a0", " ").replace("\u200c", "").replace("\u034f", "").strip()
        if not text:
            continue
        chain = [styled(e) for e in [el, *el.iterancestors()]]
        if _hidden(chain):
            continue
        colour = _lookup(chain, "color", "#000000")
        background = _lookup(chain, "background-color", "#ffffff")
        where = f"line {el.sourceline}: <{el.tag} class=\"{el.get('class', '')}\">"
        ratio = round(contrast(colour, background), 2)
        found.append(TextContrast(ratio, _needed(chain), colour, background, text[:40], where))
    return found
