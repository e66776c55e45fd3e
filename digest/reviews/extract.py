"""Pure helpers that read a review's HTML: plain text, the TL;DR line, the lead image.

Everything here takes strings and returns values; nothing touches the network or disk.
Feed and page HTML is hostile: input is capped at ``MAX_HTML_CHARS``, parsed by lxml
(never evaluated), and walked iteratively so deep nesting cannot blow the stack.
``digest.reviews.scores`` reuses the tree helpers (``parse_html``, ``text_lines``, ``strip_noise``).
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterator, Sequence
from functools import cached_property, lru_cache
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from digest.models import ImageHint
from digest.text import clip

MAX_HTML_CHARS = 2_000_000  # ~2 MB of text: beyond that, a "page" is not a review page
MAX_URL_CHARS = 2048

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

# Blocks that list OTHER posts or site chrome: their scores and dates must never be read as
# this review's. Removed before any heuristic text search and before looking for a TL;DR.
# One Python pass over the tree (forty CSS selectors cost forty tree walks on a 2 MB page).
_NOISE_TAGS = frozenset({"aside", "nav", "footer", "form"})
_NOISE_CLASS = re.compile(
    r"(?:^|\s)(?:widget|widget-area|sidebar|related|related-posts|jp-relatedposts|yarpp-related"
    r"|crp_related|rp4wp-related-posts|td-related|jeg_postblock|popular-posts|wpp-list"
    r"|comments-area|comment-list|commentlist|post-navigation|nav-links|sharedaddy|sd-sharing"
    r"|menu|site-header)(?=\s|$)|related-|trending|you-may-also|more-stories|newsletter",
    re.IGNORECASE,
)
_NOISE_ID = re.compile(r"^(?:sidebar|secondary|comments|masthead)$|related|trending", re.I)
# Never removed as noise, nor any block holding one: the article body, its title, a review
# box (some themes put it in an <aside>). Cards in a sidebar are <article>s too, so
# "article" alone does not protect.
_KEEP_TAGS = frozenset({"main", "h1"})
_KEEP_CLASS = re.compile(
    r"(?:^|\s)(?:entry-content|post-content|jeg_review_wrap)(?=\s|$)"
    r"|review-total|review-box|review-wrapper|lets-review|rwp-review",
    re.IGNORECASE,
)
_KEEP_PROPS = frozenset({"reviewBody", "articleBody"})


def _is_noise(el: etree._Element) -> bool:
    tag = el.tag
    if tag in _NOISE_TAGS:
        return True
    if tag == "header":
        parent = el.getparent()
        return parent is not None and parent.tag == "body"
    return bool(
        _NOISE_CLASS.search(el.get("class") or "") or _NOISE_ID.search(el.get("id") or "")
    )


def _is_kept(el: etree._Element) -> bool:
    return (
        el.tag in _KEEP_TAGS
        or el.get("itemprop") in _KEEP_PROPS
        or _KEEP_CLASS.search(el.get("class") or "") is not None
    )


_NOISE_HEADING = re.compile(
    r"(?:related|trending)(?:\s+(?:posts?|articles?|reviews?|stories|now|news|content))?"
    r"|(?:popular|recommended|latest|recent|more)\s+(?:posts?|articles?|reviews?|stories|news"
    r"|for you|reading|from [\w .'’-]{1,30})|recommended"
    r"|you (?:may|might) (?:also )?(?:like|enjoy)|read next|also read|further reading"
    r"|more like this|don'?t miss",
    re.IGNORECASE,
)
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HEADINGISH_TAGS = frozenset(_HEADING_TAGS) | {"p", "div", "span", "strong", "b", "header"}
_STOP_CLIMB = frozenset({"body", "html", "article", "main"})


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
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else None
        if event == "start":
            if tag is None or tag in _SKIP_TAGS:
                walker.skip_subtree()
                continue
            if tag in _BLOCK_TAGS or spaced:
                parts.append("\n" if tag in _BLOCK_TAGS else " ")
            if el.text:
                parts.append(el.text)
        else:
            if tag in _BLOCK_TAGS or spaced:
                parts.append("\n" if tag in _BLOCK_TAGS else " ")
            if el.tail and el is not root:
                parts.append(el.tail)
    text = "".join(parts)[:MAX_HTML_CHARS]
    # " ".join(split()) is _WS.sub(" ", line).strip() (both use str.isspace), at a third of the cost.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]


def plain_text(html: str) -> str:
    """HTML (or a fragment) as one line of plain text: tags dropped, entities decoded."""
    root = parse_html(html)
    if root is None:
        return ""
    return " ".join(text_lines(root))


def _remove(el: etree._Element) -> None:
    """Drop an element but keep its tail text attached to the previous node."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + " " + el.tail
        else:
            parent.text = (parent.text or "") + " " + el.tail
    parent.remove(el)


def _short_text(el: etree._Element, limit: int = 240) -> str | None:
    """The element's text if it is short, reading no more than ``limit`` characters."""
    parts, size = [], 0
    for piece in el.itertext():
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return _WS.sub(" ", "".join(parts)).strip()


def _whole_text(el: etree._Element, limit: int = 240) -> str | None:
    """:func:`_short_text` of a block known to be small: libxml2 joins its text nodes (the same
    text ``itertext`` yields) several times faster than iterating over them in Python."""
    text: str = etree.tostring(el, method="text", encoding=str, with_tail=False)
    return " ".join(text.split()) if len(text) <= limit else None


_HEADING_HINT = re.compile(
    r"relat|trend|popul|recomm|latest|recent|more|like|enjoy|read|miss", re.I
)


def _is_heading(el: etree._Element) -> bool:
    """A short block whose whole text is "Related Posts", "TRENDING POSTS", "You May Also Like"."""
    if el.tag not in _HEADINGISH_TAGS or len(el) > 4:
        return False
    return _heading_text(el.text or "" if len(el) == 0 else _short_text(el))


_ASCII_HINT = re.compile(_HEADING_HINT.pattern)  # the same words, for text already lower-cased ASCII


def _heading_text(text: str | None) -> bool:
    """:func:`_is_heading` once the block's text is known (None: longer than 240 characters)."""
    if not text or len(text) > 240:
        return False
    if text.isascii():  # _HEADING_HINT's own test, without re.IGNORECASE's case folding (most blocks)
        if not _ASCII_HINT.search(text.lower()):
            return False
    elif not _HEADING_HINT.search(text):  # re.I folds "İ", "ı", "ſ" and the Kelvin sign too
        return False
    text = " ".join(text.split()).rstrip(" :»›→")  # _WS.sub(" ", text).strip(), at a third of the cost
    return len(text) <= 60 and _NOISE_HEADING.fullmatch(text) is not None


def _has_heading(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and next(el.iter(*_HEADING_TAGS), None) is not None


_Found = tuple[set[etree._Element], list[etree._Element], list[etree._Element]]
_SHORT = 240  # _short_text's limit


# The blocks _is_kept names, found by libxml2: by tag, by itemprop, and by class with a search for
# each distinct class value the pattern matches (pages repeat a handful of values).
_WITH_ITEMPROP = etree.XPath("descendant-or-self::*[@itemprop]")
_CLASS_VALUES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
_WITH_CLASS = etree.XPath("descendant-or-self::*[@class = $value]")


_CLASS_RULES: dict[str, int] = {}  # class value -> _KEPT | _NOISY: a site's pages share their classes
_KEPT, _NOISY = 1, 2


def _class_rules(value: str) -> int:
    """Which of _KEEP_CLASS and _NOISE_CLASS match ``value``, remembered (a bounded cache)."""
    found = _CLASS_RULES.get(value)
    if found is None:
        if len(_CLASS_RULES) >= 20_000:  # hostile pages cannot grow it without end
            _CLASS_RULES.clear()
        found = _CLASS_RULES[value] = (_KEPT if _KEEP_CLASS.search(value) else 0) | (
            _NOISY if _NOISE_CLASS.search(value) else 0)
    return found


def _kept(root: etree._Element) -> set[etree._Element]:
    """Every block :func:`_is_kept` accepts, with its ancestors: nothing in this set is removed."""
    try:
        found: list[etree._Element] = list(root.iter(*_KEEP_TAGS))
        found += [el for el in _WITH_ITEMPROP(root) if el.get("itemprop") in _KEEP_PROPS]
        for value in [v for v in set(_CLASS_VALUES(root)) if _class_rules(v) & _KEPT]:
            found += _WITH_CLASS(root, value=value)
    except ValueError:  # a class value lxml will not hand to XPath: judge every element instead
        found = [el for el in root.iter() if isinstance(el.tag, str) and _is_kept(el)]
    keep: set[etree._Element] = set()
    for el in found:
        if el.tag != "body" and el.tag != "html":
            keep.add(el)
            keep.update(el.iterancestors())
    return keep


def _find_noise(root: etree._Element) -> _Found:
    """What :func:`strip_noise` would remove, found in one walk of the tree: (kept, noise, headings).

    The rules are :func:`_is_kept`, :func:`_is_noise` and :func:`_is_heading`, in document order.
    What is kept is found first (:func:`_kept`), so the walk need not look inside a noise block:
    nothing in it is kept (the block would be), and all of it goes with the block, so noise or a
    heading found in it would change nothing. Nor does it judge a kept block or an ancestor of
    one: neither is ever removed. A heading needs its block's whole text, but only when that is
    short: the walk adds up each open element's text size as it goes (a lower bound: it skips
    noise and does not see a comment's tail), so a block's text is read (by libxml2) only when it
    may be short. Class values repeat on a site's pages: each distinct one is matched once.
    """
    keep = _kept(root)
    noise: list[etree._Element] = []
    headings: list[tuple[int, etree._Element]] = []
    candidates: dict[etree._Element, int] = {}  # heading-like blocks, neither kept nor noise -> position
    sizes: list[int] = []  # the text size so far of each element the walk is inside of
    index = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            index += 1
            text = el.text
            sizes.append(len(text) if text else 0)
            tag = el.tag
            if tag == "body" or tag == "html" or el in keep:
                continue
            if _noisy(el, tag, el.get("class") or ""):
                noise.append(el)
                walker.skip_subtree()
            elif tag in _HEADINGISH_TAGS:
                candidates[el] = index
            continue
        size = sizes.pop()
        if sizes:
            tail = el.tail
            sizes[-1] += size + len(tail) if tail else size
        position = candidates.pop(el, 0) if candidates else 0
        if position:
            children = len(el)
            if children == 0:
                found = _heading_text(el.text or "")
            else:
                found = children <= 4 and size <= _SHORT and _heading_text(_whole_text(el))
            if found:
                headings.append((position, el))
    headings.sort(key=lambda found: found[0])  # found at their ends: put them back in document order
    return keep, noise, [el for _, el in headings]


def _noisy(el: etree._Element, tag: str, cls: str) -> bool:
    """:func:`_is_noise`, with the class's verdict remembered."""
    if tag in _NOISE_TAGS:
        return True
    if tag == "header":
        parent = el.getparent()
        return parent is not None and parent.tag == "body"
    if cls and _class_rules(cls) & _NOISY:
        return True
    ident = el.get("id")
    return ident is not None and _NOISE_ID.search(ident) is not None


def strip_noise(root: etree._Element) -> etree._Element:
    """Remove related/trending/popular lists, sidebars, widgets, nav, footer and comments.

    Works in place and returns ``root``. A heading such as "Related Posts" or "TRENDING
    POSTS" goes with the siblings that follow it, up to the next heading or review box.
    Nothing that holds the article body, its ``h1`` or a review box is removed.
    """
    return _strip(root, _find_noise(root))


def _strip(root: etree._Element, found: _Found) -> etree._Element:
    """:func:`strip_noise` with what :func:`_find_noise` found in ``root``."""
    keep, noise, headings = found
    for el in noise:
        if el not in keep:
            _remove(el)
    for heading in headings:
        if heading in keep or heading.getparent() is None:
            continue
        node = heading
        while node.getnext() is None:
            parent = node.getparent()
            if parent is None or parent.tag in _STOP_CLIMB or parent in keep:
                break
            node = parent
        # A real heading (h2-h6) owns everything up to the next heading; a bold line or a
        # <p> ("<p>Related</p><ul>…</ul>") only the block right after it.
        budget = 10_000 if heading.tag in _HEADING_TAGS else 1
        sibling = node.getnext()
        while budget and sibling is not None and sibling not in keep and not _has_heading(sibling):
            following = sibling.getnext()
            _remove(sibling)
            sibling, budget = following, budget - 1
        _remove(node if node not in keep else heading)
    return root


def cleaned_copy(root: etree._Element) -> etree._Element:
    """A deep copy of ``root`` with noise stripped, leaving the original untouched."""
    return strip_noise(copy.deepcopy(root))


class Document:
    """One HTML document, parsed once and stripped of noise once, for every reader of it.

    An analysis reads the same content and page for the score, the TL;DR and the lead
    image; each used to parse (and strip) it again. ``root`` is the tree as parsed and
    ``stripped`` the tree without related lists and chrome: both are shared, so readers
    must not change them; one that edits (the score text reader drops titles) takes
    :meth:`stripped_copy`, a C-level copy that costs far less than a parse and a strip.
    """

    def __init__(self, html: str | None) -> None:
        self.html = html or ""

    @cached_property
    def root(self) -> lxml.html.HtmlElement | None:
        return parse_html(self.html) if self.html else None

    @cached_property
    def stripped(self) -> etree._Element | None:
        """``root`` itself when it holds no noise (most feed content): no copy is made then."""
        if self.root is None:
            return None
        # The noise is looked for once, in the copy that is then stripped (a copy costs far less than
        # the search); without noise the copy is dropped and the parsed tree serves.
        copied = copy.deepcopy(self.root)
        found = _find_noise(copied)
        return _strip(copied, found) if found[1] or found[2] else self.root

    @cached_property
    def stripped_lines(self) -> list[str]:
        """``text_lines(stripped)``, read once for the TL;DR and the score (do not change it)."""
        return text_lines(self.stripped) if self.stripped is not None else []

    def stripped_copy(self) -> etree._Element | None:
        return copy.deepcopy(self.stripped) if self.stripped is not None else None


# --- TL;DR ---------------------------------------------------------------------------------

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


# --- lead image ----------------------------------------------------------------------------

_FEED_SOURCES = ("media:content", "media:thumbnail", "enclosure")
_TRACKER = re.compile(
    r"feedburner\.com|feedproxy\.google\.com|feeds\.wordpress\.com|stats\.wordpress\.com"
    r"|pixel\.wp\.com|gravatar\.com|/images/core/emoji/|/wp-includes/images/smilies/"
    r"|doubleclick\.net|google-analytics\.com|/_/stat\b|/stat\?|/pixel\b|/beacon\b"
    r"|\b(?:blank|spacer|transparent)\.gif|gd-star-rating/gfx",
    re.IGNORECASE,
)
_MIN_SIDE = 50  # known width or height below this: an icon, a star, a button
_LAZY_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-orig-file")


@lru_cache(maxsize=1024)  # an image is resolved for the lead, then again for its sizes
def _https_url(raw: str, base_url: str) -> str | None:
    """Resolve ``raw`` against ``base_url`` and keep it only if it is a clean https URL.

    We never upgrade ``http://`` (the host may not serve TLS, and mail clients block mixed
    content); ``data:`` URIs are dropped (many mail clients refuse them). A protocol-relative
    ``//host/x`` is taken as https: it names no scheme, so https is as valid as the page's.
    """
    raw = raw.strip()
    if not raw or len(raw) > MAX_URL_CHARS or raw.lower().startswith("data:"):
        return None
    url = "https:" + raw if raw.startswith("//") else urljoin(base_url or "", raw)
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or _WS.search(url):
        return None
    return url


def _dim(value: object) -> int | None:
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,5})(?:px)?\s*", value)
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    return None


def _usable(hint: ImageHint, base_url: str) -> ImageHint | None:
    url = _https_url(hint.url, base_url)
    if url is None or _TRACKER.search(url):
        return None
    sides = [side for side in (hint.width, hint.height) if side is not None]
    if any(side < _MIN_SIDE for side in sides):
        return None
    return ImageHint(url=url, source=hint.source, width=hint.width, height=hint.height)


def _og_image(page: Document, base_url: str) -> ImageHint | None:
    root = page.root
    if root is None:
        return None
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or "").strip().lower()
        if key and key not in meta and el.get("content"):
            meta[key] = el.get("content", "")
    for key in ("og:image:secure_url", "og:image", "og:image:url", "twitter:image"):
        if key in meta:
            hint = ImageHint(
                url=meta[key],
                source="og:image",
                width=_dim(meta.get("og:image:width")) if key != "twitter:image" else None,
                height=_dim(meta.get("og:image:height")) if key != "twitter:image" else None,
            )
            found = _usable(hint, base_url)
            if found is not None:
                return found
    return None


def _content_images(content: Document) -> Iterator[ImageHint]:
    root = content.root
    if root is None:
        return
    for img in root.iter("img"):
        for attr in _LAZY_ATTRS:
            src = (img.get(attr) or "").strip()
            if src and not src.lower().startswith("data:"):
                yield ImageHint(
                    url=src,
                    source="content",
                    width=_dim(img.get("width")),
                    height=_dim(img.get("height")),
                )
                break


def lead_image(
    images: Sequence[ImageHint], content_html: str, page_html: str | None, base_url: str
) -> ImageHint | None:
    """Pick the image to show next to a review, as an absolute https URL.

    Order: the feed's media:content / media:thumbnail / image enclosure hints (the largest
    known width wins, ties keep feed order), then the page's ``og:image`` with its declared
    size, then the first content ``<img>``. Tracking pixels, avatars, emoji and icons under
    50 px are skipped; http and data: URLs are dropped (see ``_https_url``).
    """
    return lead_image_of(images, Document(content_html), Document(page_html), base_url)


def lead_image_of(
    images: Sequence[ImageHint], content: Document, page: Document, base_url: str
) -> ImageHint | None:
    """:func:`lead_image` over documents already parsed."""
    feed = [h for h in (_usable(h, base_url) for h in images if h.source in _FEED_SOURCES) if h]
    if feed:
        return max(feed, key=lambda h: h.width or 0)  # max() keeps the first of equal widths
    og = _og_image(page, base_url)
    if og is not None:
        return og
    others = [h for h in images if h.source not in _FEED_SOURCES]
    for hint in list(_content_images(content)) + others:
        found = _usable(hint, base_url)
        if found is not None:
            return found
    return None
