"""Recognise reviews, give each a section, and read its score, TL;DR and lead image.

Pure functions over stored entries and cached article pages: the same input
always gives the same :class:`Review`. Changing the config (a score selector,
a section mapping) applies to every stored entry at the next run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from digest.models import Review, ScoreInfo
from digest.reviews.extract import lead_image, tldr
from digest.reviews.scores import DEFAULT_LETTER_SCALE, find_score
from digest.settings.config import Config, ReviewSettings, SectionSettings
from digest.store.database import CachedPage, Store, StoredEntry


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

    def section_of(self, categories: Sequence[str], feeds: Sequence[str]) -> str:
        """The first configured section whose categories (then feeds) match.

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
        return self.settings.default_section

    @property
    def letter_scale(self) -> Mapping[str, float] | None:
        return DEFAULT_LETTER_SCALE if self.settings.letter_grades else None

    def wants_page(self, entry: StoredEntry) -> bool:
        """Should collect fetch this entry's article page?"""
        mode = self.settings.fetch_pages
        if mode == "never" or not self.is_review(entry.title, entry.link, entry.categories):
            return False
        if mode == "always":
            return True
        return self.feed_score(entry) is None

    def feed_score(self, entry: StoredEntry) -> ScoreInfo | None:
        return self.score(entry, None)

    def score(self, entry: StoredEntry, page_html: str | None) -> ScoreInfo | None:
        found = find_score(
            entry.content or entry.summary,
            dict(entry.extras),
            page_html,
            element_names=tuple(self.settings.score_elements),
            selector=self.settings.score_selector,
            letter_scale=self.letter_scale,
        )
        if found is None:
            return None
        return ScoreInfo(found.value, found.raw, found.scale, found.source)


def analyse(entry: StoredEntry, page: CachedPage | None, rules: ReviewRules) -> Review:
    """Everything the digest needs to know about one stored entry."""
    is_review = rules.is_review(entry.title, entry.link, entry.categories)
    page_html = page.body if page is not None and page.body else None
    score = rules.score(entry, page_html) if is_review else None
    reason = None
    if is_review and score is None:
        reason = _unscored_reason(page, rules)
    return Review(
        entry_id=entry.id,
        uid=entry.uid,
        link=entry.link,
        title=entry.title,
        author=entry.author,
        published=entry.published,
        section=rules.section_of(entry.categories, entry.feeds),
        categories=entry.categories,
        is_review=is_review,
        score=score,
        unscored_reason=reason,
        tldr=tldr(entry.content, entry.summary, page_html, rules.settings.tldr_max_chars),
        image=lead_image(entry.images, entry.content, page_html, entry.link),
        comments=entry.comments,
    )


def reviews_in_window(store: Store, rules: ReviewRules, start: datetime, end: datetime) -> list[Review]:
    """Analyse every stored entry published in ``[start, end)``, oldest first."""
    return [analyse(e, store.page(e.link), rules) for e in store.entries(since=start, until=end)]


def _unscored_reason(page: CachedPage | None, rules: ReviewRules) -> str:
    if rules.settings.fetch_pages == "never":
        return "no score in the feed (article pages are not fetched: reviews.fetch_pages = never)"
    if page is None:
        return "no score in the feed; article page not fetched yet"
    if not page.body:
        return f"no score in the feed; article page failed: {page.error}"
    return "no score in the feed or on the article page"
