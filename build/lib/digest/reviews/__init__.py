"""Stage 2, reviews: recognise reviews and read their score, TL;DR and lead image.

``rules`` decides what is a review and its section; ``scores`` and ``structured`` read the
score (feed element, JSON-LD/microdata/hReview, score text); ``extract`` holds the HTML
helpers (TL;DR, lead image, removing other posts' blocks). All pure functions.
"""
