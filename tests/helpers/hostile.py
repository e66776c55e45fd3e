"""A WordPress feed in which every pick of the week is hostile, and the checks that its issue is inert.

Each post's title, TL;DR (a "TL;DR:" line in the content, as reviewers write it), author and
lead image carry what a compromised feed could send: a script element, an attribute break-out
with an event handler, a ``</style>``, a Jinja expression, a ``javascript:`` URL and an RFC 2047
encoded word. Every card the issue shows (the hero, the other top-scored picks, the trending
list) comes from such a post, so a field that stops escaping anywhere shows up.

The checks compare the issue's element structure with the same week's issue built from a
benign feed of the same shape: hostile text can then add no element and no attribute anywhere,
whatever its form, and each field must still show the hostile text as the text it is.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree

from helpers.wordpress import Post, WordPressSite

SITE = "https://reviews.example"
WEEK_START = datetime(2024, 5, 13, tzinfo=UTC)  # 2024-W20, with the site's clock on UTC
FIRST_COLLECT = datetime(2024, 5, 18, 6, tzinfo=UTC)
SECOND_COLLECT = datetime(2024, 5, 19, 18, tzinfo=UTC)
BUILD_AT = datetime(2024, 5, 20, 13, tzinfo=UTC)
TOP, TRENDING = 5, 4  # the default [select] counts: a hero, four more cards, four trending

# What a hostile feed sends, as the reader must see it. "{{", "}}" and an encoded word's "=?" are
# shown with a zero-width space inside (the same text to a reader, never a template, a merge tag or
# a header a mail decoder would unfold).
ATTACKS = (
    ("</title><svg/onload=alert(1)>", "</title><svg/onload=alert(1)>"),  # first: the subject is cut at 60
    ('"><img src=x onerror=alert(1)>', '"><img src=x onerror=alert(1)>'),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("</style><b onmouseover=alert(2)>", "</style><b onmouseover=alert(2)>"),
    ("{{ 7*7 }}", "{\u200b{ 7*7 }\u200b}"),
    ("javascript:alert(3)", "javascript:alert(3)"),
    ("=?utf-8?q?Evil_Word?=", "=\u200b?utf-8?q?Evil_Word?="),
    ("&amp;", "&amp;"),
)
RAW = " ".join(raw for raw, _ in ATTACKS)
SHOWN = " ".join(shown for _, shown in ATTACKS)
# Authors are cut at 100 characters: theirs is three of the attacks.
RAW_AUTHOR = " ".join(raw for raw, _ in ATTACKS[1:3] + ATTACKS[4:5])
SHOWN_AUTHOR = " ".join(shown for _, shown in ATTACKS[1:3] + ATTACKS[4:5])
# Section names are the editor's, from the config (cut at 60 characters); markup in one stays text.
SECTION = 'TV "><img src=x onerror=alert(7)> <script>alert(8)</script>'
JS_LINKED = (3, 7)  # a top card and a trending card whose <link> is a javascript: URL


def sections_toml(hostile: bool = True) -> str:
    """The config's one section: every post of the feed is in it."""
    name = SECTION if hostile else "Film plain words"
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'\n[[sections]]\nname = "{escaped}"\ncategories = ["Film"]\n'


@dataclass(frozen=True)
class Pick:
    """What one card must show: its title (without "REVIEW:"), TL;DR and author, as text."""

    title: str
    tldr: str
    author: str


def _image(n: int) -> str:
    """A javascript: and a data: image first (never shown), then the real lead image."""
    return ('<img src="javascript:alert(4)" width="1200" height="675"> '
            '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNSk+" width="600" height="400"> '
            f'<img src="{SITE}/wp-content/uploads/2024/05/still-{n}-1200x675.jpg" width="1200" height="675" '
            f'alt="" class="wp-image-{n}">')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def posts(hostile: bool = True) -> tuple[list[Post], list[Pick]]:
    """Nine scored reviews of 2024-W20, newest first, and what each card must show.

    Reviews 1–5 score 9.5 down to 7.5 (the top picks); 6–9 score lower but gather the most
    comments (the trending picks). With ``hostile=False`` the same posts carry plain words of
    the same shape, for the structure to compare with.
    """
    made: list[Post] = []
    shown: list[Pick] = []
    for n in range(1, TOP + TRENDING + 1):
        plain = "Plain words here"
        attack, visible = (RAW, SHOWN) if hostile else (plain, plain)
        title = f"Film {n} {attack}"
        tldr = f"Verdict {n} {attack}"
        author = f"Critic {n} {RAW_AUTHOR if hostile else plain}"
        score = 9.5 - 0.5 * (n - 1)
        body = (f"<p>{_image(n)}</p><p>Our review of film number {n}, at length.</p>"
                f"<p><strong>TL;DR:</strong> {_escape(tldr)}</p><p><strong>Rating: {score:g}/10</strong></p>")
        made.append(Post(
            id=2000 + n, title=f"REVIEW: {title}", published=WEEK_START + timedelta(days=n % 5, hours=9 + n),
            categories=("Reviews", "Film"), comments=0, author=author, body=body,
        ))
        shown.append(Pick(f"Film {n} {visible}", f"Verdict {n} {visible}",
                          f"Critic {n} {SHOWN_AUTHOR if hostile else plain}"))
    return made, shown


class HostileSite(WordPressSite):
    """WordPress, but the posts in ``JS_LINKED`` link to ``javascript:`` (a feed's <link> is its own)."""

    def page(self, number: int) -> bytes | None:
        body = super().page(number)
        if body is None:
            return None
        for post in self.posts:
            if post.id - 2000 in JS_LINKED:
                body = body.replace(f"<link>{_escape(post.link(self.site))}</link>".encode(),
                                    b"<link>javascript:alert(document.cookie)</link>")
        return body


def site(hostile: bool = True) -> tuple[WordPressSite, list[Pick]]:
    made, shown = posts(hostile)
    newest_first = sorted(made, key=lambda p: p.published or WEEK_START, reverse=True)
    return (HostileSite if hostile else WordPressSite)(newest_first, per_page=20), shown


def comments_grow(wordpress: WordPressSite) -> None:
    """Between the two collects, the low scorers (6–9) draw the comments: they trend."""
    for post in list(wordpress.posts):
        n = post.id - 2000
        wordpress.edit(post.id, comments=(40 - n) if n > TOP else 1)


# -- checks ----------------------------------------------------------------------------------------


def dom(html: str) -> etree._Element:
    return etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))


def shape(html: str) -> Counter[tuple[str, tuple[str, ...]]]:
    """Every element of the document as (tag, its attribute names): what markup could add."""
    found: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for el in dom(html).iter():
        if isinstance(el.tag, str):
            found[(el.tag, tuple(sorted(el.attrib)))] += 1
    return found


def text_of(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def check_html(html: str, benign: str, picks: list[Pick]) -> None:
    """Raise AssertionError when any hostile text became markup, or a field no longer shows it."""
    root = dom(html)
    assert "<script" not in html.lower(), "a <script> reached the HTML"
    handlers = [(el.tag, name) for el in root.iter() if isinstance(el.tag, str)
                for name in el.attrib if name.lower().startswith("on")]
    assert not handlers, f"event handlers in the HTML: {handlers}"
    grown = shape(html) - shape(benign)
    lost = shape(benign) - shape(html)
    assert not grown and not lost, f"hostile text changed the markup: added {dict(grown)}, lost {dict(lost)}"
    for el in root.iter():
        if isinstance(el.tag, str):
            for name, value in el.attrib.items():
                assert not re.match(r"\s*(javascript|vbscript|data):", value, re.I), (el.tag, name, value)
    hero, *rest = picks[:TOP]
    trending = picks[TOP:]
    assert text_of(root.xpath("//h3[@class='hero-title']/a")[0]) == hero.title
    assert [text_of(a) for a in root.xpath("//h3[@class='card-title']/a")] == [p.title for p in rest]
    assert [text_of(a) for a in root.xpath("//h3[@class='trend-title']/a")] == [p.title for p in trending]
    tldrs = [text_of(p) for p in root.xpath("//p[@class='tldr'] | //p[@class='card-tldr']")]
    assert tldrs == [f"TL;DR {hero.tldr}"] + [p.tldr for p in rest]
    kickers = [text_of(p) for p in root.xpath("//p[@class='kicker']")]
    assert len(kickers) == len(picks) and all(SECTION in k for k in kickers), kickers
    metas = [text_of(p) for p in root.xpath("//p[@class='meta']")]
    assert len(metas) == len(picks)
    for meta, pick in zip(metas, picks, strict=True):
        assert meta.startswith(f"By {pick.author} · "), (meta, pick.author)
    alts = [img.get("alt") for img in root.xpath("//img[@class='hero-img' or @class='card-img' "
                                                  "or @class='thumb-img']")]
    assert alts == [p.title for p in picks]
    label = root.xpath("//td[@class='hero-body']//a[@class='button']")[0].get("aria-label")
    assert label.endswith(": " + hero.title), label
    preheader = text_of(root.xpath("//div[@class='preheader']")[0])
    assert preheader.startswith(hero.tldr[:60]), preheader
    subject = root.xpath("//title")[0].text or ""
    assert subject.startswith(hero.title[:36]), subject  # "Film 1 " and the first attack, then cut
    assert root.xpath("//div[@role='article']")[0].get("aria-label") == subject


def check_text(text: str, picks: list[Pick]) -> None:
    """The text part shows each field as written: not HTML-escaped, not dropped."""
    flat = " ".join(text.split())
    assert flat.count(f"{SECTION} · Score: ") == len(picks)
    for pick in picks:
        assert pick.title in flat, pick.title
        assert f"by {pick.author}" in flat, pick.author
        assert f"TL;DR: {pick.tldr}" in flat, pick.tldr
    assert "&lt;" not in text and "&quot;" not in text and "&#" not in text
