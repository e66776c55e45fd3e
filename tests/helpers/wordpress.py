"""Build feeds shaped like real WordPress RSS2 output (modelled on the captured feeds in
tests/data/feeds/real: poptimal, Android Authority).

Each item carries what WordPress emits: ``<title>``, ``<link>``, ``<comments>``, an RFC 822
``<pubDate>``, ``<dc:creator>`` in CDATA, several ``<category>`` in CDATA, ``<guid
isPermaLink="false">https://site/?p=N</guid>``, ``<description>`` and ``<content:encoded>`` in
CDATA, ``<wfw:commentRss>`` and ``<slash:comments>``.

Typical use::

    posts = make_posts(35, newest=NOW)            # newest first, one a day
    site = WordPressSite(posts, per_page=10)
    site.page(1)   # bytes of /feed/
    site.page(4)   # bytes of /feed/?paged=4 (5 items)
    site.page(5)   # None: WordPress answers 404 past the end
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from html import escape

SITE = "https://reviews.example"
AUTHORS = ("Dana Okafor", "Lee Marchetti", "Sam Whitlock")
CATEGORY_SETS = (
    ("Reviews", "Film", "Horror"),
    ("Reviews", "Games", "PS5"),
    ("Reviews", "TV", "Drama"),
    ("Features", "Anime"),
)


@dataclass(frozen=True)
class Post:
    """One WordPress post. ``published=None`` leaves out ``<pubDate>``."""

    id: int
    title: str
    published: datetime | None
    categories: tuple[str, ...] = ("Reviews", "Film")
    comments: int | None = 0
    author: str = AUTHORS[0]
    link_query: str = ""  # appended to the permalink, e.g. "utm_source=rss&utm_medium=rss"
    body: str = ""

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-") or f"post-{self.id}"

    def permalink(self, site: str = SITE) -> str:
        day = (self.published or datetime(2024, 1, 1, tzinfo=UTC)).strftime("%Y/%m/%d")
        return f"{site}/{day}/{self.slug}/"

    def link(self, site: str = SITE) -> str:
        base = self.permalink(site)
        return f"{base}?{self.link_query}" if self.link_query else base

    def guid(self, site: str = SITE) -> str:
        return f"{site}/?p={self.id}"


def make_posts(
    count: int,
    *,
    newest: datetime,
    every: timedelta = timedelta(days=1),
    first_id: int = 1000,
    title: str = "Review {n}: The Film Number {n}",
    comments: Callable[[int], int | None] | int | None = None,
    categories: Callable[[int], tuple[str, ...]] | tuple[str, ...] | None = None,
) -> list[Post]:
    """``count`` posts, newest first, ``every`` apart; ids count down from ``first_id + count``."""
    posts = []
    for n in range(count):
        number = count - n  # the newest post has the highest number, as on a real site
        if callable(comments):
            count_here = comments(number)
        elif comments is None:
            count_here = number % 7
        else:
            count_here = comments
        if callable(categories):
            cats = categories(number)
        else:
            cats = categories or CATEGORY_SETS[number % len(CATEGORY_SETS)]
        posts.append(
            Post(
                id=first_id + number,
                title=title.format(n=number),
                published=newest - n * every,
                categories=cats,
                comments=count_here,
                author=AUTHORS[number % len(AUTHORS)],
                body=f"<p>Our verdict on number {number}.</p><p><strong>Score: {number % 10}/10</strong></p>",
            )
        )
    return posts


def rfc822(moment: datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(UTC)).replace("-0000", "+0000")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def item_xml(post: Post, site: str = SITE) -> str:
    link = escape(post.link(site))
    lines = [
        "\t\t<item>",
        f"\t\t<title>{escape(post.title)}</title>",
        f"\t\t<link>{link}</link>",
        f"\t\t<comments>{escape(post.permalink(site))}#respond</comments>",
    ]
    if post.published is not None:
        lines.append(f"\t\t<pubDate>{rfc822(post.published)}</pubDate>")
    lines.append(f"\t\t<dc:creator>{_cdata(post.author)}</dc:creator>")
    lines += [f"\t\t<category>{_cdata(c)}</category>" for c in post.categories]
    summary = re.sub(r"<[^>]+>", " ", post.body).strip()[:200] + " [&#8230;]"
    lines += [
        "",
        f'\t\t<guid isPermaLink="false">{escape(post.guid(site))}</guid>',
        f"\t\t<description>{_cdata(summary)}</description>",
        f"\t\t\t<content:encoded>{_cdata(post.body)}</content:encoded>",
        f"\t\t\t<wfw:commentRss>{escape(post.permalink(site))}feed/</wfw:commentRss>",
    ]
    if post.comments is not None:
        lines.append(f"\t\t<slash:comments>{post.comments}</slash:comments>")
    lines.append("\t\t</item>")
    return "\n".join(lines)


def rss(
    posts: Sequence[Post],
    *,
    site: str = SITE,
    title: str = "Example Reviews",
    feed_path: str = "/feed/",
    build_date: datetime | None = None,
    preamble: str = "",
) -> bytes:
    """A whole RSS2 document as WordPress 6 writes it, UTF-8 encoded.

    ``preamble`` goes before ``<?xml``; real WordPress sites with a stray blank line in
    ``functions.php`` do that (see the Android Authority capture).
    """
    dated = [p.published for p in posts if p.published is not None]
    build = build_date or (max(dated) if dated else datetime(2024, 1, 1, tzinfo=UTC))
    head = f"""{preamble}<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>{escape(title)}</title>
	<atom:link href="{escape(site + feed_path)}" rel="self" type="application/rss+xml" />
	<link>{escape(site)}</link>
	<description>Reviews of film, TV and games</description>
	<lastBuildDate>{rfc822(build)}</lastBuildDate>
	<language>en-US</language>
	<sy:updatePeriod>
	hourly	</sy:updatePeriod>
	<sy:updateFrequency>
	1	</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.4.3</generator>
"""
    items = "\n".join(item_xml(p, site) for p in posts)
    return (head + items + "\n\t</channel>\n</rss>\n").encode("utf-8")


@dataclass
class WordPressSite:
    """A site's post list, newest first, served as ``/feed/`` and ``/feed/?paged=N``."""

    posts: list[Post]
    per_page: int = 10
    site: str = SITE
    title: str = "Example Reviews"

    def page_count(self) -> int:
        return max(1, -(-len(self.posts) // self.per_page))

    def page(self, number: int) -> bytes | None:
        """The feed's page ``number`` (1-based), or None past the end (WordPress: 404)."""
        if number < 1 or number > self.page_count():
            return None
        start = (number - 1) * self.per_page
        return rss(self.posts[start : start + self.per_page], site=self.site, title=self.title)

    def publish(self, *posts: Post) -> None:
        """New posts go on top, pushing the older ones down the pages."""
        self.posts[:0] = list(posts)

    def edit(self, post_id: int, **changes: object) -> None:
        self.posts = [replace(p, **changes) if p.id == post_id else p for p in self.posts]  # type: ignore[arg-type]
