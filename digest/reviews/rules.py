"""Recognise reviews, give each a section, and read its score, TL;DR and lead image.

Pure functions over stored entries and cached article pages: the same input
always gives the same :class:`Review`. Changing the config (a score selector,
a section mapping) applies to every stored entry at the next run.

Reading the HTML (score, TL;DR, lead image) is the costly part, so its result, an
:class:`Analysis`, is kept in the store with a key: a hash of the entry's fingerprint,
extras and image hints, the page body's hash, the settings that shape it and
:data:`ANALYSIS_VERSION`. Collect analyses what it stores; a build reads the stored
analyses and analyses only entries whose key no longer matches (a changed entry or
page, a changed setting, a new analysis version, a store written before analyses were
kept). Posts that are not reviews are not analysed, unless pinned.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from digest.models import Analysis, ImageHint, Review, ScoreInfo
from digest.reviews.score_model import DEFAULT_LETTER_SCALE
from digest.settings.config import Config, ReviewSettings, SectionSettings
from digest.store.database import CachedPage, Store, StoredEntry
from digest.store.heads import (
    AnalysisSource,
    EntryHead,
    PageState,
    analysis_sources,
    head_by_link,
    heads_between,
    save_analyses,
)

if TYPE_CHECKING:
    from lxml.cssselect import CSSSelector

# Bump when a change to the readers (scores, structured, noise, tldr, lead_image...) can change what they find
# in the same HTML: every stored analysis is then read again, once, at the next collect or build.
ANALYSIS_VERSION = 4  # 2: every size of the lead image; 3: list posts, star widgets; 4: why a list is unscored


@dataclass(frozen=True)
class ReviewRules:
    """The config's idea of a review and of sections, compiled once."""

    settings: ReviewSettings
    sections: tuple[SectionSettings, ...]

    @classmethod
    def from_config(cls, config: Config) -> ReviewRules:
        return cls(config.reviews, tuple(config.sections))

    @cached_property
    def _title_patterns(self) -> tuple[re.Pattern[str], ...]:
        patterns = list(self.settings.title_patterns)
        if self.settings.recaps_are_reviews:
            patterns.append(self.settings.recap_pattern)
        return tuple(re.compile(p, re.I) for p in patterns)

    @cached_property
    def _recap(self) -> re.Pattern[str]:
        return re.compile(self.settings.recap_pattern, re.I)

    @cached_property
    def _url_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.I) for p in self.settings.url_patterns)

    @cached_property
    def _categories(self) -> frozenset[str]:
        return frozenset(c.casefold() for c in self.settings.categories)

    def is_review(self, title: str, link: str, categories: Sequence[str]) -> bool:
        """Any rule marks a review: a category, a title pattern, or a URL pattern.

        A recap is not a review unless ``recaps_are_reviews``, even when the
        site files it under "Reviews" (sites do), so it never competes on score.
        """
        if not self.settings.recaps_are_reviews and self._recap.search(title):
            return False
        if any(c.casefold() in self._categories for c in categories):
            return True
        if any(p.search(title) for p in self._title_patterns):
            return True
        return any(p.search(link) for p in self._url_patterns)

    def carries_verdict(self, title: str, analysis: Analysis | None) -> bool:
        """With ``scored_posts_are_reviews``: the post's own text holds a score the reader finds.

        A site whose every review ends with its verdict ("Score: 4.5") gives one to a review it
        forgot to file; a list post's many item scores are not one (the reader leaves it unscored).
        """
        if not self.settings.scored_posts_are_reviews or analysis is None or analysis.score is None:
            return False
        return self.settings.recaps_are_reviews or not self._recap.search(title)

    def section_of(self, categories: Sequence[str], feeds: Sequence[str], link: str = "") -> str:
        """The first configured section whose categories (then feeds, then URL patterns) match.

        WordPress mixes categories and tags in ``<category>``; only names the
        config lists count, so tags like "Crunchyroll" never pick a section.
        """
        folded = {c.casefold() for c in categories}
        for section in self.sections:
            if any(c.casefold() in folded for c in section.categories):
                return section.name
        for section in self.sections:
            if any(pattern in feed for pattern in section.feeds for feed in feeds):
                return section.name
        for section in self.sections:
            if link and any(re.search(pattern, link, re.I) for pattern in section.url_patterns):
                return section.name
        return self.settings.default_section

    @property
    def letter_scale(self) -> Mapping[str, float] | None:
        return DEFAULT_LETTER_SCALE if self.settings.letter_grades else None

    def wants_page(self, head: EntryHead, analysis: Analysis | None) -> bool:
        """Should collect fetch this entry's article page? ``analysis`` must be up to date.

        With ``fetch_pages = "unscored"``, only when the feed holds no score: the analysis
        says so (no score, or one that came from the page), so the HTML is not read again.
        """
        mode = self.settings.fetch_pages
        if mode == "never" or not self.is_review(head.title, head.link, head.categories):
            return False
        if mode == "always":
            return True
        score = analysis.score if analysis is not None else None
        return score is None or score.source.startswith("page-")

    @cached_property
    def selector(self) -> CSSSelector | None:
        from digest.reviews.scores import compile_selector

        return compile_selector(self.settings.score_selector) if self.settings.score_selector else None

    @cached_property
    def signature(self) -> str:
        """The settings an analysis depends on, with :data:`ANALYSIS_VERSION`: part of its key."""
        s = self.settings
        return repr((ANALYSIS_VERSION, tuple(s.score_elements), s.score_selector, s.letter_grades,
                     s.tldr_max_chars, s.bare_score_best))


def analyse_html(
    rules: ReviewRules, link: str, content: str, summary: str, extras: Sequence[tuple[str, str]],
    images: Sequence[ImageHint], page_html: str | None,
) -> Analysis:
    """Score, TL;DR and lead image of one entry; the content, summary and page are each parsed once.

    The readers (lxml, their many patterns) are imported here, when something needs reading:
    a build or a re-collect whose analyses are all kept never loads them.
    """
    from digest.reviews.document import Document
    from digest.reviews.images import image_sizes
    from digest.reviews.lead_image import lead_image_of
    from digest.reviews.scores import Score, score_of
    from digest.reviews.tldr import tldr_of

    content_doc, summary_doc, page_doc = Document(content), Document(summary), Document(page_html)
    # The score readers change their own copies of the trees; these two only read them.
    text = tldr_of(content_doc, summary_doc, page_doc, rules.settings.tldr_max_chars)
    image = lead_image_of(images, content_doc, page_doc, link)
    found = score_of(
        content_doc if content else summary_doc, dict(extras), page_doc,
        element_names=tuple(rules.settings.score_elements), selector=rules.selector,
        letter_scale=rules.letter_scale, bare_best=rules.settings.bare_score_best,
    )
    score = ScoreInfo(found.value, found.raw, found.scale, found.source) if isinstance(found, Score) else None
    why = found.reason if found is not None and not isinstance(found, Score) else None
    return Analysis(score, text, image, image_sizes(image, images, content_doc, link), why)


def make_review(
    rules: ReviewRules, head: EntryHead | StoredEntry, analysis: Analysis | None,
    page: PageState | CachedPage | None, *, is_review: bool | None = None,
) -> Review:
    """The Review of an entry from its analysis (None: not analysed, fine for a non-review)."""
    if is_review is None:
        is_review = rules.is_review(head.title, head.link, head.categories) \
            or rules.carries_verdict(head.title, analysis)
    score = analysis.score if is_review and analysis is not None else None
    return Review(
        entry_id=head.id,
        uid=head.uid,
        link=head.link,
        title=head.title,
        author=head.author,
        published=head.published,
        section=rules.section_of(head.categories, head.feeds, head.link),
        categories=head.categories,
        is_review=is_review,
        score=score,
        unscored_reason=_unscored_reason(page, rules, analysis) if is_review and score is None else None,
        tldr=analysis.tldr if analysis is not None else "",
        image=analysis.image if analysis is not None else None,
        comments=head.comments,
        image_sizes=analysis.image_sizes if analysis is not None else (),
        first_seen=head.first_seen,
    )


def analyse(entry: StoredEntry, page: CachedPage | None, rules: ReviewRules) -> Review:
    """Everything the digest needs to know about one stored entry, read afresh (no store)."""
    page_html = page.body if page is not None and page.body else None
    found = analyse_html(rules, entry.link, entry.content, entry.summary, entry.extras, entry.images,
                         page_html)
    return make_review(rules, entry, found, page)


def _unscored_reason(page: PageState | CachedPage | None, rules: ReviewRules, analysis: Analysis | None) -> str:
    seen = analysis.unscored_reason if analysis is not None else None  # names the feed or the page
    if rules.settings.fetch_pages == "never":
        return seen or "no score in the feed (article pages are not fetched: reviews.fetch_pages = never)"
    if page is None:
        return f"{seen or 'no score in the feed'}; article page not fetched yet"
    has_body = page.body_hash is not None if isinstance(page, PageState) else bool(page.body)
    if not has_body:
        return f"{seen or 'no score in the feed'}; article page failed: {page.error}"
    return seen or "no score in the feed or on the article page"


# --- analyses kept in the store --------------------------------------------------------------


def analysis_key(rules: ReviewRules, head: EntryHead) -> str:
    page_hash = head.page.body_hash if head.page is not None else None
    text = "\x1f".join((rules.signature, head.source, page_hash or ""))
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()


def split_stale(rules: ReviewRules, heads: Iterable[EntryHead]) -> tuple[dict[int, Analysis], dict[int, str]]:
    """``heads``' stored analyses that are up to date (entry id -> analysis), and the others (entry id ->
    the key their new analysis is stored under)."""
    fresh: dict[int, Analysis] = {}
    stale: dict[int, str] = {}
    for head in heads:
        key = analysis_key(rules, head)
        if head.analysis is not None and head.analysis_key == key:
            fresh[head.id] = head.analysis
        else:
            stale[head.id] = key
    return fresh, stale


def analyse_source(rules: ReviewRules, source: AnalysisSource) -> Analysis:
    """The analysis of one stored entry: its content, summary and article page."""
    return analyse_html(rules, source.link, source.content, source.summary, source.extras, source.images,
                        source.page_body or None)


def fresh_analyses(store: Store, rules: ReviewRules, heads: Iterable[EntryHead]) -> dict[int, Analysis]:
    """Entry id -> an up-to-date analysis of each of ``heads``. Stored ones whose key matches
    are used as they are; the others are analysed now, a chunk at a time, and stored."""
    fresh, stale = split_stale(rules, heads)
    batch: list[tuple[int, str, Analysis]] = []
    for source in analysis_sources(store, list(stale)):
        found = analyse_source(rules, source)
        fresh[source.id] = found
        batch.append((source.id, stale[source.id], found))
        if len(batch) >= 100:
            _keep(store, batch)
            batch = []
    _keep(store, batch)
    return fresh


def _keep(store: Store, batch: list[tuple[int, str, Analysis]]) -> None:
    """Store analyses; they are a cache, so a store that cannot take them (a read-only file,
    another process writing for longer than the busy timeout) costs a re-analysis next time."""
    if batch:
        with contextlib.suppress(sqlite3.OperationalError):
            save_analyses(store, batch)


def review_heads(rules: ReviewRules, heads: Iterable[EntryHead]) -> list[EntryHead]:
    """The heads of the reviews: only those are analysed (unless the editor pins a post)."""
    return [h for h in heads if rules.is_review(h.title, h.link, h.categories)]


def reviews_between(store: Store, rules: ReviewRules, start: datetime | None, end: datetime | None,
                    *, reviews_only: bool = False) -> list[Review]:
    """Stored entries published in ``[start, end)``, oldest first, reviews analysed; with
    ``reviews_only`` the posts that are not reviews are left out."""
    scored = rules.settings.scored_posts_are_reviews  # a post's own score can make it a review: read all
    heads = heads_between(store, start, end, rules.is_review if reviews_only and not scored else None)
    flags = [rules.is_review(h.title, h.link, h.categories) for h in heads]
    analyses = fresh_analyses(store, rules, [h for h, flag in zip(heads, flags, strict=True) if flag or scored])
    if scored:
        flags = [flag or rules.carries_verdict(h.title, analyses.get(h.id))
                 for h, flag in zip(heads, flags, strict=True)]
    return [make_review(rules, h, analyses.get(h.id), h.page, is_review=flag)
            for h, flag in zip(heads, flags, strict=True) if flag or not reviews_only]


def reviews_in_window(store: Store, rules: ReviewRules, start: datetime, end: datetime) -> list[Review]:
    """Every stored entry published in ``[start, end)``, oldest first, reviews analysed."""
    return reviews_between(store, rules, start, end)


def review_by_link(store: Store, rules: ReviewRules, link: str) -> Review | None:
    """The entry with this link or uid, analysed even if it is not a review (an editor's pin)."""
    head = head_by_link(store, link)
    if head is None:
        return None
    analysis = fresh_analyses(store, rules, [head]).get(head.id)
    return make_review(rules, head, analysis, head.page)
