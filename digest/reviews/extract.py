"""The readers of a review's HTML, under the names their callers have always imported.

Each role lives in its own module: :mod:`~digest.reviews.parsing` (one parse, the visible text),
:mod:`~digest.reviews.noise` (related lists and chrome removed), :mod:`~digest.reviews.document`
(one document shared by every reader), :mod:`~digest.reviews.tldr` and
:mod:`~digest.reviews.lead_image`. Everything takes strings or trees and returns values; nothing
touches the network or disk.
"""

from __future__ import annotations

from digest.reviews.document import Document
from digest.reviews.lead_image import MAX_URL_CHARS, lead_image, lead_image_of
from digest.reviews.noise import cleaned_copy, strip_noise
from digest.reviews.parsing import MAX_HTML_CHARS, parse_html, plain_text, text_lines
from digest.reviews.tldr import cut, tldr, tldr_of

__all__ = [
    "MAX_HTML_CHARS", "MAX_URL_CHARS", "Document", "cleaned_copy", "cut", "lead_image", "lead_image_of",
    "parse_html", "plain_text", "strip_noise", "text_lines", "tldr", "tldr_of",
]
