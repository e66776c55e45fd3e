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

import lxml.etree
import lxml.html

from digest.collect.pages import trending_links
from digest.models import FeedEntry
from digest.reviews.extract import cleaned_copy, parse_html
from digest.reviews.scales import BareScale, bare_scale
from digest.reviews.score_model import Score
from digest.reviews.scores import DEFAULT_LETTER_SCALE, find_score, score_from_page
from digest.setup.discover import Survey
from digest.setup.found import FoundFeed
from digest.setup.review_rule import is_review as _is_review
from digest.setup.review_rule import review_rule, rule_candidates, scored_posts_rule
from digest.setup.sections import Section, folder_desks, propose_sections, review_section_name, unclaimed_desks
from digest.setup.zones import site_timezone

SAMPLE = 8  # reviews read closely (and article pages fetched) to find the score form
_TRENDING = re.compile(r"trending|popular|most[-_ ]?(?:read|viewed|popular)", re.I)
_SCOREISH = re.compile(r"^\s*(?:\d{1,2}(?:[.,]\d)?|100)\s*(?:/\s*(?:10|5|100)|%)?\s*$")


@dataclass(frozen=True)
class Sample:
    title: str
    url: str
    score: Score | None


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
    engine: str = ""  # "wordpress", "hugo", "ghost" ... as the site names its generator; "" unknown
    review_dates: tuple[datetime, ...] = ()  # the recognised reviews' dates: how far back a first collect reads
    default_section: str | None = None  # the one section every review falls in, when the site has no others
    feed_reasons: tuple[tuple[str, str], ...] = ()  # (url, why this feed is proposed)
    feed_notes: tuple[str, ...] = ()  # the feeds found and not proposed, and why
    rule_candidates: tuple[str, ...] = ()  # each candidate review rule: what it counts and leaves out
    bare_score_best: int | None = None  # the scale assumed for a bare "Score: 4.5"
    bare_score_how: str = ""
    archives: tuple[tuple[str, str], ...] = ()  # (archive page, why): reviews older than every feed
    scored_posts_are_reviews: bool = False  # a post carrying its own score is a review (the filing missed some)


def sample_links(feeds: list[FoundFeed]) -> list[str]:
    """The newest reviews' links (by the rule the feeds suggest): the article pages to read."""
    entries = _unique_entries(feeds)
    categories, titles, urls, _ = review_rule(entries)
    return [e.link for e in entries if _is_review(e, categories, titles, urls)][:SAMPLE]


def propose(survey: Survey) -> Proposal:
    from digest.setup.archives import useful_archives

    # The archive pages' posts count for the rule too: they are the reviews the feeds are too short for.
    entries = _unique_entries(survey.feeds + survey.archives)
    notes: list[str] = []
    categories, titles, urls, rule_how = review_rule(entries)
    if rule_how.startswith("no review"):
        notes.append(rule_how)
    reviews = [e for e in entries if _is_review(e, categories, titles, urls)]
    form = score_form(reviews, survey.pages)
    scored, scored_how = scored_posts_rule(entries, reviews, lambda e: find_score(
        e.content or e.summary, dict(e.extras), None, element_names=form.elements or ("review_score",),
        letter_scale=DEFAULT_LETTER_SCALE if form.letters else None,
        bare_best=form.bare.best if form.bare else None))
    if scored:
        rule_how += f"; {scored_how}"
        reviews = [e for e in entries if e.link in scored or _is_review(e, categories, titles, urls)]
    # Sections from the feeds' reviews: an archive page's posts carry only that page's category.
    fed = {e.link for f in survey.feeds for e in f.entries}
    sections = propose_sections(survey.feeds, [r for r in reviews if r.link in fed], categories)
    if sections:  # a desk only the archive pages show (older reviews filed where no feed post is)
        older = [r for r in reviews if r.link not in fed]
        sections = tuple(sorted((*sections, *unclaimed_desks(sections, older, survey.feeds)),
                                key=lambda s: (s.reviews, s.name)))
    if not sections:  # the folders of the review rule, when the site files its reviews by them
        sections = folder_desks(urls, reviews, survey.home_html, survey.url)
    single = None
    if not sections:
        single = review_section_name(categories, urls, survey.home_html, survey.url)
        sections = (Section(single, categories, (), len(reviews)),)
    timezone, how = site_timezone(survey)
    if timezone == "UTC" and how.startswith("not found"):
        notes.append("timezone: " + how)
    elif how.startswith("dates seen"):
        notes.append(f"timezone: {timezone} is inferred from the UTC offsets of the site's dates, not named by "
                     "the site: confirm site.timezone")
    trend_selector, trend_count = trending_selector(survey.home_html, survey.url)
    useful, feed_notes = _useful_feeds(survey.feeds,
                                       lambda e: e.link in scored or _is_review(e, categories, titles, urls))
    archives = useful_archives(survey.archives, survey.feeds,
                               lambda e: e.link in scored or _is_review(e, categories, titles, urls))
    return Proposal(
        site_name=site_name(survey), site_url=survey.url.rstrip("/"), timezone=timezone, timezone_how=how,
        feeds=tuple((f.url, f.section or f.category or f.title or "Feed") for f, _ in useful),
        feed_reasons=tuple((f.url, why) for f, why in useful), feed_notes=feed_notes,
        rule_candidates=(*rule_candidates(entries),
                         *([f"and posts carrying their own score: adds {len(scored)}"] if scored else [])),
        categories=categories, title_patterns=titles, url_patterns=urls, rule_how=rule_how,
        sections=sections, score_form=form.form, score_elements=form.elements, score_selector=form.selector,
        letter_grades=form.letters, fetch_pages=form.fetch_pages, samples=form.samples,
        trending_page=survey.url if trend_selector else None, trending_selector=trend_selector,
        trending_links=trend_count, sampled_posts=len(entries), notes=(*notes, *form.notes),
        engine=site_engine(survey), review_dates=tuple(e.published for e in reviews if e.published),
        default_section=single,
        bare_score_best=form.bare.best if form.bare else None, bare_score_how=str(form.bare or ""),
        archives=tuple(archives),
        scored_posts_are_reviews=bool(scored),
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


def _useful_feeds(feeds: list[FoundFeed], is_review: Callable[[FeedEntry], bool]
                  ) -> tuple[list[tuple[FoundFeed, str]], tuple[str, ...]]:
    """The fewest feeds that hold the reviews found, each with why it is there; and what was left out.

    The main feed always (new posts appear there first); then, one at a time, the section or
    category feed that holds the most reviews the kept feeds lack (a capped main feed's older
    reviews, a category's own archive), until none adds any. A tag feed whose posts the main
    feed already holds would only multiply requests at every collect.
    """
    def key(entry: FeedEntry) -> str:
        return entry.link or entry.uid

    def dates(entries: list[FeedEntry]) -> list[datetime]:  # not a page's zero date (0001-01-01)
        return sorted(e.published for e in entries if e.published and e.published.year >= 1990)

    def span(entries: list[FeedEntry]) -> str:
        seen = dates(entries)
        return f", {seen[0]:%Y-%m-%d} to {seen[-1]:%Y-%m-%d}" if seen else ""

    def oldest(entries: list[FeedEntry]) -> str:
        seen = dates(entries)
        return f", back to {seen[0]:%Y-%m-%d}" if seen else ""

    kept: list[tuple[FoundFeed, str]] = []
    held: set[str] = set()
    mains = [f for f in feeds if f.category is None and f.section is None]
    for feed in mains:
        new = [e for e in feed.entries if key(e) not in held]
        if not kept:
            reviews = sum(1 for e in feed.entries if is_review(e))
            kept.append((feed, f"The site's main feed: {len(feed.entries)} posts ({_count(reviews, 'review')}"
                               f"{span(list(feed.entries))})."))
        elif new:
            kept.append((feed, f"Another feed the home page announces: adds {len(new)} posts "
                               "the feed above lacks."))
        held |= {key(e) for e in feed.entries}
    others = [f for f in feeds if f not in mains]
    while True:
        gains = [(f, [e for e in f.entries if is_review(e) and key(e) not in held]) for f in others]
        gains = [(f, g) for f, g in gains if g]
        if not gains:
            break
        feed, gain = max(gains, key=lambda fg: len(fg[1]))
        what = f"the {feed.section!r} section" if feed.section else f"the {feed.category!r} category"
        kept.append((feed, f"Feed of {what}: adds {_count(len(gain), 'review')} "
                           f"the feeds above lack{oldest(gain)}."))
        held |= {key(e) for e in feed.entries}
        others.remove(feed)
    others.sort(key=lambda f: f.section is None)  # the menu's sections named first
    empty = [f for f in others if all(key(e) in held for e in f.entries)]
    notes = []
    for group, what in ((empty, "add no post"), ([f for f in others if f not in empty], "add no review")):
        if group:
            names = [f.section or f.category or f.url for f in group]
            shown = ", ".join(repr(n) for n in names[:6]) \
                + (f" and {len(names) - 6} more" if len(names) > 6 else "")
            notes.append(f"not proposed: {_count(len(group), 'section/category/tag feed')} ({shown}) {what} "
                         "the feeds above lack")
    return kept, tuple(notes)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


_ENGINES = (("wordpress", "WordPress"), ("ghost", "Ghost"), ("hugo", "Hugo"), ("jekyll", "Jekyll"),
            ("pelican", "Pelican"), ("blogger", "Blogger"), ("eleventy", "Eleventy"))


def site_engine(survey: Survey) -> str:
    """Which generator built the site, as it says itself (generator tag, WordPress's paths or REST index)."""
    html = survey.home_html
    for tag in re.findall(r"<meta[^>]+name=[\"']generator[\"'][^>]*>", html[:200_000], re.I):
        for key, name in _ENGINES:
            if name.lower() in tag.lower():
                return key
    if survey.wp_index is not None or re.search(r"/wp-(?:content|includes)/", html[:500_000]):
        return "wordpress"
    return ""


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
