"""Build realistic stores for the select-stage scenario tests, through the real write path.

A :class:`Scenario` owns a real SQLite store (``Store.open``) and a list of WordPress posts
shaped like *But Why Tho?*'s: ``REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”`` titles,
categories that mix sections and tags (``Anime``, ``Reviews``, ``Crunchyroll``), authors,
``https://site.example/2025/05/06/slug/`` permalinks and ``?p=N`` guids. :meth:`Scenario.collect`
writes what one feed collect would (``save_entries`` in a transaction, so each call at a new
``now`` adds a comment observation per post) and caches the article pages of reviews whose
score lives on the page (a WP Review box ``Rating - 8/10`` or a JSON-LD ``Review``), with the
site's related/trending blocks carrying *other* reviews' scores, as the real pages do.

Typical use::

    sc = Scenario(tmp_path)
    a = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9), score="8/10",
                  comments={local(2025, 5, 6, 18): 4, local(2025, 5, 8, 9): 12})
    sc.collect_every(local(2025, 5, 5), local(2025, 5, 12, 8), hours=12)
    selection = sc.choose(make_config(tmp_path), NOW)
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from digest.job.build import choose
from digest.models import FeedEntry, Selection
from digest.select.editor import EditorChoices
from digest.settings.config import Config
from digest.store.database import Store
from digest.weeks import Week

SITE = "https://site.example"
FEED_URL = f"{SITE}/feed/"
TRENDING_PAGE = f"{SITE}/"
TZ = ZoneInfo("America/Chicago")

SECTIONS: list[dict[str, Any]] = [
    {"name": "Video Games", "categories": ["Video Games", "PC", "PS5", "Xbox Series X/S", "Nintendo Switch"]},
    {"name": "Film", "categories": ["Film"]},
    {"name": "TV", "categories": ["TV"]},
    {"name": "Anime", "categories": ["Anime"]},
    {"name": "Comics", "categories": ["Comics", "Marvel Comics", "DC Comics", "Image Comics", "BOOM! Studios"]},
]

AUTHORS = ("Kate Sánchez", "Allyson Johnson", "Charles Hartford", "Louis Kemner", "Eric Sentman")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time at the site (America/Chicago), as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def make_config(base_dir: Path, **overrides: Any) -> Config:
    """The site's config: five sections, Chicago time, paths under ``base_dir``.

    ``make_config(tmp_path, select={"top_count": 3}, trending={"site_page": TRENDING_PAGE})``
    """
    data: dict[str, Any] = {
        "site": {"name": "But Why Tho?", "url": f"{SITE}/", "timezone": "America/Chicago"},
        "feeds": [{"url": FEED_URL, "name": "All posts"}],
        "sections": SECTIONS,
        "select": {"top_count": 5, "trending_count": 3, "min_scored_reviews": 1, "repeat_weeks": 4,
                   "near_misses": 30},
        "trending": {"lookback_days": 14, "half_life_hours": 48.0},
        # Delivered as files with no mailer named: the email's own unsubscribe link and address.
        "email": {"unsubscribe_url": f"{SITE}/newsletter/unsubscribe/",
                  "postal_address": "But Why Tho?, 1200 W. Example Avenue, Chicago, IL 60607"},
        "base_dir": str(base_dir),
        "issues_dir": "issues",
    }
    config = Config.model_validate(_merge(data, overrides))
    export = config.trending.analytics_csv
    if export is not None and config.resolve(export).is_file():
        # Exported before the scenario's weeks, as an editor's download would be: a build ignores an
        # export written after its --now, and the scenarios are dated in the past.
        written = EXPORTED.timestamp()
        os.utime(config.resolve(export), (written, written))
    return config


EXPORTED = datetime(2025, 1, 1, tzinfo=UTC)  # when a scenario's analytics export was downloaded


def slugify(title: str) -> str:
    text = title.lower().replace("’", "").replace("‘", "").replace("“", "").replace("”", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass
class Post:
    """One WordPress post and the story of its comment count."""

    id: int
    title: str
    published: datetime | None  # None: the feed gives no date
    categories: tuple[str, ...]
    author: str
    score: str | None = None  # as the site writes it: "8/10", "7.5/10"
    score_in: str = "content"  # "content", "page" (WP Review box), "jsonld" (page), "nowhere"
    comments: dict[datetime, int] | None = field(default_factory=dict)  # when -> count from then on
    appears: datetime | None = None  # first in the feed (defaults to published)
    slug: str = ""

    def __post_init__(self) -> None:
        self.slug = self.slug or slugify(self.title)
        if self.appears is None:
            assert self.published is not None, "a post without a date needs appears="
            self.appears = self.published

    @property
    def link(self) -> str:
        day = (self.published or self.appears or datetime(2025, 1, 1, tzinfo=UTC)).astimezone(TZ)
        return f"{SITE}/{day:%Y/%m/%d}/{self.slug}/"

    @property
    def uid(self) -> str:
        return f"{SITE}/?p={self.id}"

    @property
    def section(self) -> str:
        return self.categories[0]

    def comments_at(self, moment: datetime) -> int | None:
        if self.comments is None:
            return None
        count = 0
        for when, value in sorted(self.comments.items()):
            if when <= moment:
                count = value
        return count

    def content(self) -> str:
        name = re.sub(r"^REVIEW:\s*", "", self.title)
        paragraphs = [
            f"<p>{escape(name)} is the kind of release that reminds you why the medium works. "
            "The pacing is deliberate, the performances land, and the last act earns its big swing.</p>",
            "<p>Not everything clicks: a subplot drags and the middle stretch repeats itself, "
            "but the craft on display carries it through.</p>",
        ]
        if self.score and self.score_in == "content":
            paragraphs.append(f"<p><strong>Rating - {self.score}</strong></p>")
        paragraphs.append(f"<p><strong>TL;DR</strong> {escape(name)} is worth your time.</p>")
        return "\n".join(paragraphs)

    def feed_entry(self, moment: datetime) -> FeedEntry:
        content = self.content()
        summary = re.sub(r"<[^>]+>", " ", content).strip()[:180] + " [&#8230;]"
        return FeedEntry(
            uid=self.uid, link=self.link, title=self.title, author=self.author,
            categories=self.categories,
            published=utc(self.published) if self.published else None,
            summary=summary, content=content, comments=self.comments_at(moment),
        )

    def page_html(self) -> str | None:
        """The article page, when the score is only there (or there is none anywhere)."""
        if self.score_in not in ("page", "jsonld", "nowhere"):
            return None
        return review_page(self)


def review_page(post: Post) -> str:
    """A WordPress review page like the site's: Yoast graph, WP Review box, related and trending blocks."""
    title = escape(post.title)
    when = (post.published or post.appears or datetime(2025, 1, 1, tzinfo=UTC)).astimezone(TZ)
    graph: list[dict[str, Any]] = [
        {"@type": "Article", "@id": f"{post.link}#article", "headline": post.title,
         "author": {"name": post.author}, "datePublished": when.isoformat(),
         "articleSection": list(post.categories), "commentCount": post.comments_at(when) or 0},
        {"@type": "WebPage", "@id": post.link, "url": post.link, "name": post.title},
    ]
    if post.score and post.score_in == "jsonld":
        value, _, best = post.score.partition("/")
        graph.append({
            "@type": "Review", "@id": f"{post.link}#review", "name": post.title,
            "author": {"@type": "Person", "name": post.author},
            "itemReviewed": {"@type": "CreativeWork", "name": post.title},
            "reviewRating": {"@type": "Rating", "ratingValue": value, "bestRating": best or "10",
                             "worstRating": "0"},
        })
    box = ""
    if post.score and post.score_in == "page":
        value = post.score.partition("/")[0]
        width = int(float(value) * 10)
        box = f"""
<div id="review" class="review-wrapper wp-review-{post.id} wp-review-point-type wp-review-default-template">
  <div class="review-heading"><h5 class="review-title">{title}</h5></div>
  <ul class="review-list"><li>
    <div class="review-point"><div class="review-result-wrapper">
      <div class="review-result" style="width:{width}%;">{post.score}</div></div></div>
    <span>Rating - {post.score}</span>
  </li></ul>
  <div class="review-desc"><p class="review-summary-title"><strong>TL;DR</strong></p>
    <p>A confident entry that knows exactly what it wants to be.</p></div>
  <div class="review-total-wrapper"><span class="review-total-box">{post.score}</span></div>
</div>"""
    cats = " ".join(f"category-{slugify(c)}" for c in post.categories)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>{title} - But Why Tho?</title>
<link rel="canonical" href="{post.link}" />
<meta property="og:type" content="article" />
<meta property="og:title" content="{title}" />
<script type="application/ld+json" class="yoast-schema-graph">{json.dumps(
        {"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)}</script>
</head>
<body class="post-template-default single single-post">
<div id="page" class="site">
<header id="masthead" class="site-header">
  <div class="trending-ticker"><span class="ticker-label">Trending:</span><ul class="ticker-list">
    <li><a href="/features/sunderfolk-tips/">10 ‘Sunderfolk’ Tips To Help You And Your Party Thrive</a></li>
  </ul></div>
</header>
<main id="main" class="site-main">
<article id="post-{post.id}" class="post-{post.id} post type-post status-publish {cats}">
  <header class="entry-header">
    <h1 class="entry-title">{title}</h1>
    <div class="entry-meta"><span class="byline">By
      <a class="url fn n" href="/author/x/">{escape(post.author)}</a></span>
      <time class="entry-date published" datetime="{when.isoformat()}">{when:%m/%d/%Y}</time></div>
  </header>
  <div class="entry-content">
{post.content() if post.score_in != "content" else ""}
{box}
  </div>
</article>
<div class="related-posts"><h3 class="related-posts-title">Related Posts</h3>
  <div class="related-post-item"><span class="post-review-score">4.5</span>
    <h4><a href="/reviews/x/">REVIEW: ‘Fire Force’ Season 3 Episode 5 — “A Chance Meeting”</a></h4></div>
  <div class="related-post-item"><span class="post-review-score">9.5</span>
    <h4><a href="/reviews/y/">REVIEW: ‘Clair Obscur: Expedition 33’ Is A Triumph</a></h4></div>
</div>
<section class="trending-posts-section"><h3 class="section-title">TRENDING POSTS</h3>
  <div class="trending-card"><span class="review-score">9.0</span>
    <h5><a href="/reviews/z/">REVIEW: ‘The Four Seasons’ Is As Relatable As It Is Messy</a></h5>
    <p class="card-verdict">Rating: 9.0/10</p></div>
</section>
<div id="comments" class="comments-area"><ol class="comment-list">
  <li class="comment"><div class="comment-content"><p>Rating: 10/10 from me, best of the season!</p></div></li>
</ol></div>
</main>
</div>
</body>
</html>
"""


class Scenario:
    """A real store filled the way collect fills it, plus helpers to run the select stage."""

    def __init__(self, base_dir: Path, name: str = "digest.sqlite") -> None:
        self.base_dir = base_dir
        self.path = base_dir / "var" / name
        self.store = Store.open(self.path)
        self.posts: list[Post] = []
        self._next_id = 421000

    def close(self) -> None:
        self.store.close()

    def post(
        self, title: str, published: datetime | None, categories: Sequence[str], *,
        score: str | None = None, score_in: str = "content",
        comments: Mapping[datetime, int] | None = None, no_comment_count: bool = False,
        author: str | None = None, appears: datetime | None = None, slug: str = "",
    ) -> Post:
        self._next_id += 7
        post = Post(
            id=self._next_id, title=title, published=published, categories=tuple(categories),
            author=author or AUTHORS[len(self.posts) % len(AUTHORS)], score=score, score_in=score_in,
            comments=None if no_comment_count else dict(comments or {}), appears=appears, slug=slug,
        )
        self.posts.append(post)
        return post

    def review(
        self, title: str, published: datetime | None, *, section: str = "Anime",
        tags: Sequence[str] = (), score: str | None = "8/10", **kwargs: Any,
    ) -> Post:
        """A review: ``section`` first (as WordPress lists it), then ``Reviews``, then tags."""
        return self.post(title, published, (section, "Reviews", *tags), score=score, **kwargs)

    def collect(self, moment: datetime, posts: Iterable[Post] | None = None) -> None:
        """One collect at ``moment``: every post already out is in the feed with its comment count."""
        chosen = list(posts) if posts is not None else [
            p for p in self.posts if p.appears is not None and p.appears <= moment
        ]
        with self.store.transaction():
            self.store.save_entries(FEED_URL, [p.feed_entry(moment) for p in chosen], utc(moment))
        for post in chosen:
            html = post.page_html()
            if html is not None and self.store.page(post.link) is None:
                self.store.save_page(post.link, utc(moment), body=html)

    def collect_every(self, start: datetime, end: datetime, hours: float = 12) -> None:
        moment = start
        while moment <= end:
            self.collect(moment)
            moment += timedelta(hours=hours)

    def snapshot(self, moment: datetime, posts: Sequence[Post | str]) -> None:
        """The site's "Trending posts" list as collect stores it (canonical links, by rank)."""
        links = [p if isinstance(p, str) else p.link for p in posts]
        self.store.save_trending_snapshot(TRENDING_PAGE, utc(moment), links)

    def record_issue(self, week: Week, picks: Sequence[Post], built_at: datetime | None = None) -> None:
        start, end = week.window(TZ)
        self.store.record_issue(
            week.id, built_at or end + timedelta(hours=13), (start, end), f"Digest {week.id}",
            str(self.base_dir / "out" / week.id),
            [(p.uid, p.link, "top", n) for n, p in enumerate(picks, 1)],
        )

    def choose(
        self, config: Config, now: datetime, week: Week | None = None, overrides: EditorChoices | None = None,
    ) -> Selection:
        return choose(config, self.store, utc(now), week, overrides)

    def copy_store(self, name: str) -> Store:
        """A byte copy of the store file, opened (the WAL is checkpointed into the file first)."""
        self.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target = self.path.with_name(name)
        shutil.copyfile(self.path, target)
        return Store.open(target)


def titles(picks: Iterable[Any]) -> list[str]:
    """Titles of picks or near-misses, in order."""
    return [p.review.title for p in picks]


def reason_of(selection: Selection, post: Post) -> str | None:
    """The near-miss reason recorded for ``post``, or None when it is not a near-miss."""
    return next((m.reason for m in selection.near_misses if m.review.uid == post.uid), None)
