#!/usr/bin/env python3
"""Sanity-check the generated demo site against labels.json.

Needs the project's venv (feedparser, lxml, cssselect):
    .venv/bin/python config/demo/check.py
Exits non-zero on the first class of problems it finds; prints a summary otherwise.
"""

# ruff: noqa: E501  (long lines are prose)
from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import feedparser
import lxml.html

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
HOST = "https://secondscreen.example"
TRENDING_SELECTOR = "div.trending-posts ol li a"
FEEDS = ["feed/", "category/reviews/feed/", "category/anime/feed/", "category/film/feed/",
         "category/tv/feed/", "category/video-games/feed/", "category/comics/feed/"]

problems: list[str] = []


def problem(msg: str) -> None:
    problems.append(msg)


def url_to_file(url: str) -> Path:
    """The app's mirror mapping: path -> file, '/' -> index.xml|index.html, query folded."""
    assert url.startswith(HOST + "/"), url
    rest = url[len(HOST) + 1:]
    path, _, query = rest.partition("?")
    if path == "" or path.endswith("/"):
        base = SITE / path
        if query:
            return base / f"index.{query.replace('=', '-').replace('&', '-')}.xml"
        return base / "index.xml" if (base / "index.xml").exists() else base / "index.html"
    return SITE / path


def main() -> int:
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    by_link = {row["link"]: row for row in labels}
    if len(by_link) != len(labels):
        problem("duplicate links in labels.json")

    seen: dict[str, dict] = {}  # guid -> item
    for feed in FEEDS:
        members: list[str] = []
        page = 1
        while True:
            url = f"{HOST}/{feed}" + (f"?paged={page}" if page > 1 else "")
            path = url_to_file(url)
            if not path.exists():
                break
            parsed = feedparser.parse(path.read_bytes())
            if parsed.bozo:
                problem(f"{path}: bozo {parsed.bozo_exception!r}")
            channel = parsed.feed
            if channel.get("generator") != "https://wordpress.org/?v=6.5.3":
                problem(f"{path}: generator {channel.get('generator')}")
            self_links = [ln["href"] for ln in channel.get("links", []) if ln.get("rel") == "self"]
            if self_links != [url]:
                problem(f"{path}: atom:link self {self_links} != {url}")
            entries = parsed.entries
            if not 1 <= len(entries) <= 10:
                problem(f"{path}: {len(entries)} items")
            for e in entries:
                for key in ("title", "link", "comments", "author", "published", "id",
                            "summary", "content", "wfw_commentrss", "slash_comments", "tags"):
                    if not e.get(key):
                        if key == "slash_comments" and e.get(key) == "0":
                            continue
                        problem(f"{path}: item {e.get('link')} lacks {key}")
                if e.get("guidislink"):
                    problem(f"{path}: guid is permalink for {e.link}")
                if not re.fullmatch(rf"{HOST}/\?p=\d+", e.id):
                    problem(f"{path}: guid {e.id}")
                if "appeared first on" not in e.summary or "[&#8230;]" not in \
                        path.read_text(encoding="utf-8"):
                    problem(f"{path}: description shape")
                prior = seen.setdefault(e.id, {"link": e.link, "title": e.title})
                if prior["link"] != e.link or prior["title"] != e.title:
                    problem(f"guid {e.id} differs across feeds")
                members.append(e.link)
                row = by_link.get(e.link)
                if row is None:
                    problem(f"{path}: {e.link} not in labels")
                    continue
                if e.title != row["title"]:
                    problem(f"title mismatch {e.title!r} != {row['title']!r}")
                if int(e.slash_comments) != row["comments"]:
                    problem(f"comments mismatch for {e.link}")
                when = datetime(*e.published_parsed[:6]).isoformat() + "+00:00"
                if when != row["published_utc"]:
                    problem(f"pubDate {when} != {row['published_utc']}")
                if e.author != row["author"]:
                    problem(f"author mismatch {e.link}")
                content = e.content[0].value
                raw = row["score_raw"]
                text = path.read_text(encoding="utf-8")
                if row["score_where"] == "feed-text":
                    if raw not in text:
                        problem(f"{e.link}: score_raw {raw!r} not in feed text")
                elif row["kind"] in ("review", "recap") and re.search(r"\d/10|out of 10|/5\b",
                                                    re.sub(r"<[^>]+>", " ", content)):
                    problem(f"{e.link}: page/unscored review has a score-like string in feed")
                if bool(e.get("media_content")) != row["has_media_rss"]:
                    problem(f"{e.link}: media mismatch")
            page += 1
        pages = page - 1
        if len(members) != len(set(members)):
            problem(f"{feed}: duplicate items across pages")
        expected = [r["link"] for r in sorted(labels, key=lambda r: r["published"], reverse=True)
                    if feed in r["feeds"]]
        if members != expected:
            problem(f"{feed}: pages do not chain to the expected {len(expected)} items "
                    f"(got {len(members)})")
        print(f"{feed:32} {pages:2} pages {len(members):3} items")
    if set(seen_links := {v['link'] for v in seen.values()}) != set(by_link):
        problem(f"feeds cover {len(seen_links)} posts, labels have {len(by_link)}")

    # Article pages
    counts: dict[str, int] = defaultdict(int)
    for row in labels:
        path = url_to_file(row["link"])
        if not path.exists():
            problem(f"missing page {path}")
            continue
        size = path.stat().st_size
        if not 10_000 <= size <= 32_000:
            problem(f"{path}: size {size}")
        doc = lxml.html.fromstring(path.read_bytes())
        canon = doc.cssselect("link[rel=canonical]")[0].get("href")
        if canon != row["link"]:
            problem(f"{path}: canonical {canon}")
        if not doc.cssselect('meta[property="og:image"]'):
            problem(f"{path}: no og:image")
        box = doc.cssselect("div.review-box span.review-total-box")
        reviews_ld = []
        for script in doc.cssselect('script[type="application/ld+json"]'):
            data = json.loads(script.text)
            nodes = data.get("@graph", [data])
            reviews_ld += [n for n in nodes if n.get("@type") == "Review"]
        where = row["score_where"]
        counts[str(where)] += 1
        if where in ("page-box", "page-jsonld"):
            want = row["score"]
            if len(box) != 1 or float(box[0].text_content().split("/")[0]) != want:
                problem(f"{path}: box {[b.text_content() for b in box]} != {want}")
            if row["score_raw"] not in doc.text_content():
                problem(f"{path}: {row['score_raw']!r} not on page")
            if "TL;DR" not in doc.text_content():
                problem(f"{path}: no TL;DR")
        elif box:
            problem(f"{path}: unexpected score box")
        if where == "page-jsonld":
            if len(reviews_ld) != 1 or float(reviews_ld[0]["reviewRating"]["ratingValue"]) \
                    != row["score"] or reviews_ld[0]["reviewRating"]["bestRating"] != 10:
                problem(f"{path}: JSON-LD review {reviews_ld}")
        elif reviews_ld:
            problem(f"{path}: unexpected JSON-LD Review")
        if not doc.cssselect("section.related-posts article"):
            problem(f"{path}: no related posts")
        if not doc.cssselect("span.score"):
            problem(f"{path}: no trap scores in related/trending")

    # Home page trending
    home = lxml.html.fromstring(url_to_file(HOST + "/").read_bytes())
    trending = [a.get("href") for a in home.cssselect(TRENDING_SELECTOR)]
    expected = [r["link"] for r in sorted((r for r in labels if r["trending_rank"]),
                                          key=lambda r: r["trending_rank"])]
    if trending != expected:
        problem(f"trending {trending} != {expected}")
    if not 5 <= len(trending) <= 8:
        problem(f"{len(trending)} trending links")

    # Week tops (local ISO weeks)
    weeks: dict[str, list[dict]] = defaultdict(list)
    for r in labels:
        if r["kind"] == "review" and r["score"] is not None:
            weeks[r["iso_week"]].append(r)
    for week in sorted(weeks):
        rows = sorted(weeks[week], key=lambda r: -r["score"])
        top = rows[0]["score"]
        tied = [r["title"] for r in rows if r["score"] == top]
        print(f"{week}: {len(weeks[week])} scored reviews, top {top} x{len(tied)}: {tied}")
    print("score_where:", dict(counts))
    total = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    print(f"site size: {total} bytes")
    if total > 6_300_000:
        problem(f"site is {total} bytes")

    for msg in problems[:50]:
        print("PROBLEM:", msg)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
