"""What init's reading found, shared by :mod:`discover` (feeds) and :mod:`archives` (listing pages),
so that neither needs the other's module: a feed or listing with its entries, and the name of reviews."""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.models import FeedEntry

REVIEW_NAME = re.compile(r"\breviews?\b", re.I)  # a category or menu name that says "reviews"


@dataclass(frozen=True)
class FoundFeed:
    url: str
    title: str
    entries: tuple[FeedEntry, ...]
    category: str | None = None  # the archive link's text when this is a category/tag feed
    section: str | None = None  # the menu's name of a URL section (Hugo's /reviews/) whose feed this is
