"""Decide a config from what :mod:`discover` read: pure functions, no I/O.

Each decision keeps its evidence ("9 of 24 sampled posts are in 'Reviews'"), so
``init`` can print it and write it into the config's comments, and the editor
confirms by reading rather than by guessing which key to change.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.html

from digest.collect.pages import trending_links
from digest.models import FeedEntry
from digest.reviews.extract import cleaned_copy, parse_html
from digest.reviews.scales import BareScale, bare_scale
from digest.reviews.score_model import Score
from digest.reviews.scores import DEFAULT_LETTER_SCALE, find_score, score_from_page
from digest.setup.discover import FoundFeed, Survey

SAMPLE = 8  # reviews read closely (and article pages fetched) to find the score form
_REVIEW_CATEGORY = re.compile(r"\breviews?\b", re.I)
# Title rules, most specific first: "REVIEW: X", "X Review: subtitle", "X review".
TITLE_RULES = (
    (r"^\s*REVIEW\s*[:\-–—|]", "titles start with \"Review:\""),
    (r"(?:^|\s)Review\s*[:\-–—|]", "titles say \"<Title> Review:\""),
    (r"\bReview\s*$", "titles end with \"Review\""),
)
URL_RULES = (r"/reviews?/", r"-review(?:-|/|$)")
_TRENDING = re.compile(r"trending|popular|most[-_ ]?(?:read|viewed|popular)", re.I)
_SCOREISH = re.compile(r"^\s*(?:\d{1,2}(?:[.,]\d)?|100)\s*(?:/\s*(?:10|5|100)|%)?\s*$")
# Zones tried when pages give only a UTC offset; the first whose offsets fit every date wins.
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
         "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Europe/Helsinki", "Asia/Kolkata",
         "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland")


@dataclass(frozen=True)
class Sample:
    title: str
    url: str
    score: Score | None


@dataclass(frozen=True)
class Section:
    name: str
    categories: tuple[str, ...]
    feeds: tuple[str, ...]
    reviews: int


@dataclass(frozen=True)
class Proposal:
    site_name: str
    site_url: str
    timezone: str
    timezone_how: str
    feeds: tuple[tuple[str, str], ...]  # (url, name)
    categories: tuple[str, ...]
    title_patterns: tuple[str, ...]
    url_patterns: tuple[str, ...]
    rule_how: str
    sections: tuple[Section, ...]
    score_form: str  # feed-element, feed-structured, feed-text, page-structured, page-text, page-selector, none
    score_elements: tuple[str, ...]
    score_selector: str | None
    letter_grades: bool
    fetch_pages: str
    samples: tuple[Sample, ...]
    trending_page: str | None
    trending_selector: str | None
    trending_links: int
    sampled_posts: int
    notes: tuple[str, ...]
    bare_score_best: int | None = None  # the scale assumed for a bare "Score: 4.5"
    bare_score_how: str = ""


def sample_links(feeds: list[FoundFeed]) -> list[str]:
    """The newest reviews' links (by the rule the feeds suggest): the article pages to read."""
    entries = _unique_entries(feeds)
    categories, titles, urls, _ = review_rule(entries)
    return [e.link for e in entries if _is_review(e, categories, titles, urls)][:SAMPLE]


def propose(survey: Survey) -> Proposal:
    entries = _unique_entries(survey.feeds)
    notes: list[str] = []
    categories, titles, urls, rule_how = review_rule(entries)
    if rule_how.startswith("no review"):
        notes.append(rule_how)
    reviews = [e for e in entries if _is_review(e, categories, titles, urls)]
    sections = propose_sections(survey.feeds, reviews, categories)
    form = score_form(reviews, survey.pages)
    timezone, how = site_timezone(survey)
    if timezone == "UTC" and how.startswith("not found"):
        notes.append("timezone: " + how)
    trend_selector, trend_count = trending_selector(survey.home_html, survey.url)
    return Proposal(
        site_name=site_name(survey), site_url=survey.url.rstrip("/"), timezone=timezone, timezone_how=how,
        feeds=tuple((f.url, f.category or f.title or "Feed")
                    for f in _useful_feeds(survey.feeds, lambda e: _is_review(e, categories, titles, urls))),
        categories=categories, title_patterns=titles, url_patterns=urls, rule_how=rule_how,
        sections=sections, score_form=form.form, score_elements=form.elements, score_selector=form.selector,
        letter_grades=form.letters, fetch_pages=form.fetch_pages, samples=form.samples,
        trending_page=survey.url if trend_selector else None, trending_selector=trend_selector,
        trending_links=trend_count, sampled_posts=len(entries), notes=(*notes, *form.notes),
        bare_score_best=form.bare.best if form.bare else None, bare_score_how=str(form.bare or ""),
    )


def _unique_entries(feeds: list[FoundFeed]) -> list[FeedEntry]:
    """Each post once, with the categories of every feed that carried it, newest first."""
    merged: dict[str, FeedEntry] = {}
    for feed in feeds:
        for entry in feed.entries:
            key = entry.link or entry.uid
            if key in merged:
                old = merged[key]
                cats = tuple(dict.fromkeys(old.categories + entry.categories))
                merged[key] = replace(old, categories=cats)
            else:
                merged[key] = entry
    return sorted(merged.values(), key=lambda e: -(e.published.timestamp() if e.published else 0))


def review_rule(entries: list[FeedEntry]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]:
    """(categories, title patterns, URL patterns, evidence): every rule that marks at least two posts."""
    total = len(entries)
    evidence: list[str] = []
    titles: list[str] = []
    title_hits: set[str] = set()
    # The title rule that marks the most posts; on a tie the more specific (earlier) one.
    for pattern, meaning in TITLE_RULES:
        hits = {e.link for e in entries if re.search(pattern, e.title, re.I)}
        if len(hits) >= 2 and len(hits) > len(title_hits):
            titles, title_hits = [pattern], hits
            evidence = [f"{len(hits)} {meaning}"]
    counts = Counter(c for e in entries for c in set(e.categories) if _REVIEW_CATEGORY.search(c))
    categories: list[str] = []
    for name, n in counts.most_common(2):
        members = [e for e in entries if name in e.categories]
        adds = [e for e in members if e.link not in title_hits and not re.search(r"\brecap\b", e.title, re.I)]
        # A tag on a few of the titled reviews (and on recaps) adds nothing but false reviews.
        if n >= 2 and (not titles or adds or n * 2 >= len(title_hits)):
            categories.append(name)
            evidence.insert(len(categories) - 1, f"{n} of {total} sampled posts are in {name!r}")
    urls: list[str] = []
    if not categories and not titles:
        for pattern in URL_RULES:
            url_hits = sum(1 for e in entries if re.search(pattern, urlsplit(e.link).path, re.I))
            if url_hits >= 2:
                urls.append(pattern)
                evidence.append(f"{url_hits} post URLs match {pattern}")
                break
    how = "; ".join(evidence) or (f"no review rule found in {total} sampled posts (no 'Reviews' category, "
                                  "no 'Review:' titles, no /review/ URLs): set [reviews] by hand")
    return tuple(categories), tuple(titles), tuple(urls), how


def _is_review(entry: FeedEntry, categories: tuple[str, ...], titles: tuple[str, ...],
               urls: tuple[str, ...]) -> bool:
    if re.search(r"^\s*RECAP\s*[:\-–—]", entry.title, re.I):
        return False
    folded = {c.casefold() for c in categories}
    return (any(c.casefold() in folded for c in entry.categories)
            or any(re.search(p, entry.title, re.I) for p in titles)
            or any(re.search(p, entry.link, re.I) for p in urls))


def _useful_feeds(feeds: list[FoundFeed], is_review: Callable[[FeedEntry], bool]) -> list[FoundFeed]:
    """The main feeds and every category feed that carries reviews; not archives without any."""
    return [f for f in feeds if f.category is None or any(is_review(e) for e in f.entries)]


def propose_sections(feeds: list[FoundFeed], reviews: list[FeedEntry],
                     review_categories: tuple[str, ...]) -> tuple[Section, ...]:
    """A section per category feed that carries reviews; else the categories most reviews share."""
    folded = {c.casefold() for c in review_categories}
    found: list[Section] = []
    for feed in feeds:
        if feed.category is None or feed.category.casefold() in folded:
            continue
        name = feed.category
        count = sum(1 for r in reviews if name.casefold() in {c.casefold() for c in r.categories})
        path = urlsplit(feed.url).path
        archive = path[: path.rstrip("/").rfind("/") + 1] if path.count("/") > 2 else path
        if count:
            found.append(Section(name, (name,), (archive,), count))
    if not found and reviews:
        counts = Counter(c for r in reviews for c in set(r.categories) if c.casefold() not in folded)
        least = max(2, len(reviews) // 10)
        found = [Section(c, (c,), (), n) for c, n in counts.most_common(6) if n >= least]
    # The narrower desk first: a post in Anime and Film is Anime (the first match wins).
    return tuple(sorted(found, key=lambda s: (s.reviews, s.name)))


@dataclass(frozen=True)
class _Form:
    form: str
    elements: tuple[str, ...]
    selector: str | None
    letters: bool
    fetch_pages: str
    samples: tuple[Sample, ...]
    notes: tuple[str, ...]
    bare: BareScale | None = None


def score_form(reviews: list[FeedEntry], pages: dict[str, str], limit: int = 8) -> _Form:
    """Where this site keeps its scores: read every sampled review the way collect will."""
    names = tuple(sorted({k for e in reviews for k, _ in e.extras
                          if re.search(r"score|rating", k, re.I) and "@" not in k and not k.endswith("_best")}))
    sample = reviews[:limit]
    letters = False

    def read(entry: FeedEntry, selector: str | None, scale: bool, bare_best: int | None = None) -> Score | None:
        return find_score(entry.content or entry.summary, dict(entry.extras), pages.get(entry.link),
                          element_names=names or ("review_score",), selector=selector,
                          letter_scale=DEFAULT_LETTER_SCALE if scale else None, bare_best=bare_best)

    scores = [read(e, None, False) for e in sample]
    if not any(scores):
        with_letters = [read(e, None, True) for e in sample]
        if any(with_letters):
            scores, letters = with_letters, True
    selector = None
    if not any(scores):
        selector = find_selector([pages[e.link] for e in sample if e.link in pages])
        if selector:
            scores = [read(e, selector, False) for e in sample]
    bare = bare_score_scale(sample, pages) if not any(scores) else None
    if bare is not None:
        scores = [read(e, None, False, bare.best) for e in sample]
    sources = Counter(_form_of(s.source) for s in scores if s is not None)
    form = sources.most_common(1)[0][0] if sources else "none"
    notes = []
    if form == "none":
        notes.append(f"no score found in {len(sample)} sampled reviews (feed and {len(pages)} article pages): "
                     "set reviews.score_selector to the element that holds the score")
    fetch = "always" if form.startswith("page") else "unscored"
    samples = tuple(Sample(e.title, e.link, s) for e, s in zip(sample, scores, strict=True))
    return _Form(form, names if form == "feed-element" else (), selector, letters, fetch, samples,
                 tuple(notes), bare)


def bare_score_scale(sample: list[FeedEntry], pages: dict[str, str]) -> BareScale | None:
    """The scale of a bare verdict line ("Score: 4.5") the sampled review pages end with, inferred
    from their range and words (:func:`digest.reviews.scales.bare_scale`): an assumption the
    config states with its evidence, for the editor to confirm."""
    return bare_scale([pages[e.link] for e in sample if e.link in pages])


def _form_of(source: str) -> str:
    where, _, kind = source.partition("-")
    if kind in ("jsonld", "microdata", "hreview"):
        return f"{where}-structured"
    return source


def find_selector(pages: list[str]) -> str | None:
    """A CSS class whose element holds just a score ("8.5", "8/10") on most sampled pages."""
    votes: Counter[str] = Counter()
    for html in pages:
        root = parse_html(html)
        if root is None:
            continue
        seen: set[str] = set()
        for el in cleaned_copy(root).iter():
            if not isinstance(el.tag, str) or not _SCOREISH.match(el.text_content() or ""):
                continue
            for node in (el, el.getparent()):
                for cls in (node.get("class") or "").split() if node is not None else ():
                    seen.add(f"{node.tag}.{cls}")
        votes.update(seen)
    for candidate, _ in votes.most_common(8):
        hits = [score_from_page(html, candidate) for html in pages]
        if sum(1 for s in hits if s and s.source == "page-selector") >= max(1, len(pages) // 2):
            return candidate
    return None


def site_timezone(survey: Survey) -> tuple[str, str]:
    index = survey.wp_index or {}
    name = index.get("timezone_string")
    if isinstance(name, str) and _zone(name):
        return name, "from the site's WordPress settings (wp-json)"
    offsets = _page_offsets(survey.pages)
    offset = index.get("gmt_offset")
    if isinstance(offset, int | float | str) and not offsets:
        try:
            hours = float(offset)
        except ValueError:
            hours = 0.0
        if hours and hours.is_integer():
            return f"Etc/GMT{-int(hours):+d}", "from the site's WordPress UTC offset (no named zone set)"
    moments = [m for m in offsets if m.utcoffset()]
    if moments:
        for zone in ZONES:
            tz = ZoneInfo(zone)
            if all(m.astimezone(tz).utcoffset() == m.utcoffset() for m in moments):
                return zone, f"the article pages' times fit it (UTC offset {moments[0].isoformat()[-6:]})"
    return "UTC", "not found (pages give UTC times): set site.timezone to the site's own zone"


def _zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]+)"|article:published_time"\s+content="([^"]+)"')


def _page_offsets(pages: dict[str, str]) -> list[datetime]:
    found = []
    for html in pages.values():
        for match in _PUBLISHED.finditer(html[:200_000]):
            try:
                moment = datetime.fromisoformat(match.group(1) or match.group(2))
            except ValueError:
                continue
            if moment.tzinfo is not None:
                found.append(moment)
    return found


def site_name(survey: Survey) -> str:
    html = survey.home_html
    match = re.search(r'<meta[^>]+property="og:site_name"[^>]+content="([^"]+)"', html)
    if match:
        return lxml.html.fromstring(match.group(1)).text_content().strip() if "&" in match.group(1) \
            else match.group(1).strip()
    index_name = (survey.wp_index or {}).get("name")
    if isinstance(index_name, str) and index_name.strip():
        return index_name.strip()
    for ld in re.findall(r'<script[^>]+ld\+json[^>]*>(.*?)</script>', html, re.S):
        try:
            data = json.loads(ld)
        except ValueError:
            continue
        nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
        for node in nodes if isinstance(nodes, list) else []:
            if isinstance(node, dict) and node.get("@type") == "WebSite" and node.get("name"):
                return str(node["name"])
    title = re.search(r"<title>(.*?)</title>", html, re.S | re.I)
    if title:
        text = lxml.html.fromstring(f"<p>{title.group(1)}</p>").text_content()
        return re.split(r"\s+[-–—|:·]\s+", text.strip())[0] or urlsplit(survey.url).netloc
    return survey.feeds[0].title or urlsplit(survey.url).netloc


def trending_selector(home_html: str, base: str) -> tuple[str | None, int]:
    """The home page's ranked "trending"/"popular" list of posts: a selector and how many links it gives."""
    if not home_html.strip():
        return None, 0
    root = lxml.html.fromstring(home_html)
    best: tuple[int, int, str] | None = None
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        marks = [c for c in (el.get("class") or "").split() if _TRENDING.search(c)]
        ident = el.get("id") or ""
        if not marks and not _TRENDING.search(ident):
            continue
        for list_tag, ranked in (("ol", 1), ("ul", 0)):
            lst = next(iter(el.iter(list_tag)), None)
            if lst is None:
                continue
            head = f"#{ident}" if ident and _TRENDING.search(ident) else f"{el.tag}.{marks[0]}"
            selector = f"{head} {list_tag} li a"
            count = len(trending_links(home_html, selector, base))
            if count >= 3 and (best is None or (ranked, count) > best[:2]):
                best = (ranked, count, selector)
    return (best[2], best[1]) if best else (None, 0)
