"""Score extraction: each form sites use, each trap that is not a score, and the labelled sets.

Run with ``-s`` to see precision/recall over tests/labels/real_feeds.json and pages.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import Any

import feedparser
import pytest
from helpers.data import REFERENCE, real_feeds_dir

from digest.collect.feeds import parse_feed
from digest.reviews.scores import (
    DEFAULT_LETTER_SCALE,
    Score,
    compile_selector,
    find_score,
    normalise,
    score_from_element,
    score_from_page,
    score_from_structured,
    score_from_text,
)

HERE = Path(__file__).resolve().parent
PAGES = HERE / "fixtures" / "pages"
LABELS = HERE / "labels"


def _text(html: str, letters: bool = False) -> Score | None:
    return score_from_text(html, "feed", DEFAULT_LETTER_SCALE if letters else None)


# --- the forms real sites use ----------------------------------------------------------------

FORMS = [
    ("<p>Rating - 8/10</p>", 8.0, "Rating - 8/10", "10"),
    ("<ul><li><span>8/10</span></li></ul><div>8/10</div>", 8.0, "8/10", "10"),
    ("<p>8.5 out of 10</p>", 8.5, "8.5 out of 10", "10"),
    ('<p><strong>RATING 8 out of 10</strong><br /><img src="goldstar.gif" /></p>', 8.0,
     "RATING 8 out of 10", "10"),
    ("<div>Rating: 7.2/<strong>10</strong></div>", 7.2, "Rating: 7.2/10", "10"),
    ("<p>Score: 4/5</p>", 8.0, "Score: 4/5", "5"),
    ("<p>Score: 16/20</p>", 8.0, "Score: 16/20", "20"),
    ("<p><b>Our Score:</b> 85%</p>", 8.5, "Our Score: 85%", "100"),
    ("<p>Score: 72.5%</p>", 7.3, "Score: 72.5%", "100"),  # 7.25 rounds half up
    ("<p>★★★★☆</p>", 8.0, "★★★★☆", "stars"),
    ("<p>Rating: ★★★½☆</p>", 7.0, "Rating: ★★★½☆", "stars"),
    ("<p>4/5 stars</p>", 8.0, "4/5 stars", "stars"),
    ("<p>Rated 4.5 out of 5 stars</p>", 9.0, "Rated 4.5 out of 5 stars", "stars"),
    ("<p>Our final score: 9.5/10</p>", 9.5, "Our final score: 9.5/10", "10"),
    ("<p><strong>Verdict</strong> – 6/10</p>", 6.0, "Verdict – 6/10", "10"),
    ("<p><strong>RATING 0 out of 10</strong></p>", 0.0, "RATING 0 out of 10", "10"),
    ("<p>Long review text that ends here. RATING 5 out of 10</p>", 5.0, "RATING 5 out of 10",
     "10"),
    ("<p>Score: 7,5/10</p>", 7.5, "Score: 7,5/10", "10"),
]


@pytest.mark.parametrize(("html", "value", "raw", "scale"), FORMS, ids=[f[2] for f in FORMS])
def test_score_forms(html: str, value: float, raw: str, scale: str) -> None:
    score = _text(html)
    assert score == Score(value, raw, scale, "feed-text")


def test_letter_grade_needs_a_letter_scale() -> None:
    html = "<p>Great fun.</p><p>Grade: B+</p><p>Images courtesy of Paramount.</p>"
    assert _text(html) is None
    assert _text(html, letters=True) == Score(8.5, "Grade: B+", "letter", "feed-text")
    custom = {"B+": 8.0, "A": 10.0}
    assert score_from_text(html, "feed", custom) == Score(8.0, "Grade: B+", "letter", "feed-text")


def test_labelled_score_wins_over_a_bare_one_and_the_last_labelled_wins() -> None:
    assert _text("<p>Rating: 7/10</p><p>8/10</p>") == Score(7.0, "Rating: 7/10", "10", "feed-text")
    two_films = "<p>RATING 5 out of 10</p><p>The next one was better.</p><p>RATING 8 out of 10</p>"
    assert _text(two_films) == Score(8.0, "RATING 8 out of 10", "10", "feed-text")


def test_overall_score_wins_over_criteria() -> None:
    html = "<p>Overall Rating: 8/10</p><p>Gameplay rating: 9/10</p><p>Story rating: 6/10</p>"
    assert _text(html) == Score(8.0, "Overall Rating: 8/10", "10", "feed-text")
    html = "<p>Gameplay rating: 9/10</p><p>Verdict: 7/10</p><p>Story rating: 6/10</p>"
    assert _text(html) == Score(7.0, "Verdict: 7/10", "10", "feed-text")


# --- what is NOT a score ---------------------------------------------------------------------

TRAPS = {
    "date 10/10/10": "<p>10/10/10</p>",
    "date 05/02/2025": "<p>05/02/2025</p>",
    "published date": "<p>Published 05/02/2025 by Kate</p>",
    "labelled date-like": "<p>Score: 10/10/10</p>",
    "judges' scores": "<p>The pair received a perfect score of 10/10/10.</p>",
    "judges' scores 2": "<p>Backstage, scores were 10/9/10.</p>",
    "Episode 12": "<p>Twilight Out Of Focus Episode 12</p>",
    "Top 10": "<h2>Top 10</h2><p>Our Top 10 films</p>",
    "Season 2": "<p>Season 2</p><p>Rating: Season 2</p>",
    "9/11": "<p>9/11</p>",
    "24/7": "<p>24/7</p><p>Support is open 24/7.</p>",
    "2/3 of the film": "<p>About 2/3 of the film drags.</p>",
    "1/2 cup": "<p>Add 1/2 cup of sugar.</p>",
    "N/10 in prose": "<p>I'd call it an 8/10 episode, honestly, if not for the ending.</p>",
    "out of 10 in prose": "<p>Fans called the teaser a 10 out of 10 moment.</p>",
    "TV slot 10/9c": "<p>It airs Sundays at 10/9c on Bravo.</p>",
    "20/20": "<p>Sure, hindsight is 20/20.</p><p>20/20</p>",
    "7/10th of a mile": "<p>Driving 7/10th of a mile saves 13 cents.</p>",
    "grade point average": "<p>She is not graduating with her 0.0 grade point average.</p>",
    "sub-ratings without scale": "<p><strong>RATINGS: Library 8, Selection 10.</strong></p>",
    "rating of 0 stars in prose": "<p>It earns my first ever rating of 0 stars.</p>",
    "readers' votes": "<div>Rating: 7.2/<strong>10</strong> (20 votes cast)</div>",
    "readers' votes, German": "<div>Rating: 7.2/<strong>10</strong> (20 Bewertungen cast)</div>",
    "votes on next line": "<p>4.5/5</p><p>(12 votes)</p>",
    "kk star ratings": "<p>4.5/5 - (12 votes)</p>",
    "user rating": "<p>User Rating: 7.5/10</p>",
    "readers' score": "<p>Readers' score: 9/10</p>",
    "IMDb rating": "<p>IMDb rating: 7.9/10</p>",
    "user rating heading": "<h4>User Rating</h4><p>3.9/5</p>",
    "bare labelled number": "<p>Score: 8</p>",
    "above best": "<p>My score: 11/10</p>",
    "MPAA rating": "<p>Rating: PG-13</p><p>Rated R for violence.</p>",
    "letter without scale": "<p>Grade: A-</p>",
    "filled stars only, unlabelled": "<p>★★★★</p>",
    "stars in prose": "<p>Reach for the stars, 5 stars they said.</p>",
    "score verb": "<p>Use social connections to score some new tunes 8/10 times.</p>",
    "percent unlabelled": "<p>85%</p><p>AOL grew advertising by 8%.</p>",
    "phone number": "<p>Telefon: 0170/697 572 7</p>",
    "damage stats": "<p>Reduced base damage from 26/27 to 22/23/24</p>",
}


@pytest.mark.parametrize("html", list(TRAPS.values()), ids=list(TRAPS))
def test_traps_are_not_scores(html: str) -> None:
    assert _text(html, letters=False) is None
    assert score_from_page(f"<html><body><article>{html}</article></body></html>") is None


def test_titles_are_never_read() -> None:
    page = "<html><head><title>8/10</title></head><body><h1>10/10</h1><p>Prose.</p></body></html>"
    assert score_from_page(page) is None


@pytest.mark.parametrize(
    "noise",
    [
        "<h3>Related Posts</h3><ul><li>REVIEW: Witch Watch</li><li>8/10</li></ul>",
        "<div class='jp-relatedposts'><p>Rating: 9/10</p></div>",
        "<div class='wrap'><h4>TRENDING POSTS</h4></div><div><p>8.5/10</p></div>",
        "<aside class='widget'><p>Score: 4/5</p></aside>",
        "<nav><p>9/10</p></nav><footer><p>Rated 4.8/5 by readers</p></footer>",
        "<div id='comments'><p>Rating: 10/10 from me!</p></div>",
        "<p>You May Also Like</p><div><p>7/10</p></div>",
    ],
)
def test_lists_of_other_posts_are_removed_first(noise: str) -> None:
    content = f"<p>The review body, with no score of its own.</p>{noise}"
    assert _text(content) is None
    assert score_from_page(f"<html><body><article>{content}</article></body></html>") is None


def test_the_review_box_survives_noise_removal() -> None:
    html = (
        "<article><p>Body.</p><div class='review-box'><p>Rating - 7/10</p></div>"
        "<h3>Related Posts</h3><div><p>9/10</p></div></article>"
    )
    assert score_from_page(html) == Score(7.0, "Rating - 7/10", "10", "page-text")


# --- normalisation and feed elements ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "best", "worst", "expected"),
    [
        (8, 10, None, 8.0),
        ("7.25", 10, None, 7.3),  # half up, not to even
        ("0.725", 1, None, 7.3),
        (3, 5, 1, 6.0),  # a stated worst only bounds validity: 3 of 5 is 6/10
        (4, 5, 1, 8.0),
        (4.5, 5, None, 9.0),
        (0, 10, None, 0.0),
        (11, 10, None, None),  # outside [worst, best]
        (0, 5, 1, None),
        (5, 5, 5, None),
        ("eight", 10, None, None),
        (True, 10, None, None),
    ],
)
def test_normalise(value: Any, best: Any, worst: Any, expected: float | None) -> None:
    assert normalise(value, best, worst) == expected


@pytest.mark.parametrize(
    ("text", "best", "expected"),
    [
        ("7.5", "10", Score(7.5, "7.5", "10", "feed-element")),
        ("4", "5", Score(8.0, "4", "5", "feed-element")),
        (" 7.5/10 ", None, Score(7.5, "7.5/10", "10", "feed-element")),
        ("4 out of 5", None, Score(8.0, "4 out of 5", "5", "feed-element")),
        ("85%", None, Score(8.5, "85%", "100", "feed-element")),
        ("8", None, Score(8.0, "8", "10", "feed-element")),
        ("12", None, None),  # no best, above 10: unknown scale
        ("11", "10", None),
        ("great", None, None),
        ("", None, None),
    ],
)
def test_score_from_element(text: str, best: str | None, expected: Score | None) -> None:
    assert score_from_element(text, best) == expected


# --- structured data -------------------------------------------------------------------------


def _ld(*objects: Any, raw: str | None = None) -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(o)}</script>' for o in objects
    )
    return f"<html><head>{raw or ''}{scripts}</head><body><p>Body.</p></body></html>"


REVIEW = {"@type": "Review", "reviewRating": {"@type": "Rating", "ratingValue": "8",
                                              "bestRating": "10"}}  # fmt: skip


@pytest.mark.parametrize(
    ("html", "value"),
    [
        (_ld({"@context": "https://schema.org", **REVIEW}), 8.0),
        (_ld({"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, REVIEW]}), 8.0),
        (_ld([{"@type": "Organization"}, REVIEW]), 8.0),
        (_ld({"@type": "Movie", "review": {**REVIEW, "@type": ["CriticReview"]}}), 8.0),
        (_ld({"@type": "VideoGame", "review": [REVIEW]}), 8.0),
        (_ld({"@type": "http://schema.org/Review",
              "reviewRating": {"ratingValue": 4, "bestRating": 5, "worstRating": 1}}), 8.0),
        (_ld({"@type": "Review", "reviewRating": {"ratingValue": 4}}), 8.0),  # schema.org's 5
        (_ld({"@type": "Review", "reviewRating": {"ratingValue": "8.5"}}), 8.5),  # 8.5 > 5
        (_ld({"@type": "Review", "reviewRating": {"ratingValue": "7,5", "bestRating": 10}}), 7.5),
        (_ld(REVIEW, raw='<script type="application/ld+json">{"@type": "Review",,}</script>'),
         8.0),
        (_ld({"@type": "Product", "aggregateRating": {"@type": "AggregateRating",
                                                      "ratingValue": 4.6}}), None),
        (_ld({"@type": "UserReview", "reviewRating": {"ratingValue": 9, "bestRating": 10}}), None),
        (_ld(REVIEW, {**REVIEW, "reviewRating": {"ratingValue": 6, "bestRating": 10}}), None),
        (_ld({"@type": "ItemList", "itemListElement": [{"item": REVIEW}]}), None),
        (_ld(raw='<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"),
         None),
    ],
    ids=["review", "graph", "list", "movie.review", "game.review[]", "worst", "default-best-5",
         "default-best-10", "comma", "broken-then-valid", "aggregate-only", "user-review",
         "ambiguous", "item-list", "deep-json"],
)  # fmt: skip
def test_jsonld(html: str, value: float | None) -> None:
    score = score_from_structured(html, "page")
    assert (score.value if score else None) == value
    if score:
        assert score.source == "page-jsonld"


def test_microdata_rdfa_and_hreview() -> None:
    microdata = (
        '<div itemscope itemtype="https://schema.org/Product">'
        '<div itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating">'
        '<span itemprop="ratingValue">3.1</span></div>'
        '<div itemprop="review" itemscope itemtype="https://schema.org/Review">'
        '<div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
        '<meta itemprop="bestRating" content="10"><span itemprop="ratingValue">9</span>'
        "</div></div></div>"
    )
    assert score_from_structured(microdata, "feed") == Score(9.0, "9/10", "10", "feed-microdata")
    rdfa = (
        '<div vocab="http://schema.org/" typeof="Review"><div property="reviewRating" '
        'typeof="Rating"><span property="ratingValue">8.5 <i>/ 10</i></span></div></div>'
    )
    assert score_from_structured(rdfa, "page") == Score(8.5, "8.5 / 10", "10", "page-microdata")
    hreview = (
        '<div class="hreview"><span class="item"><span class="fn">Film</span></span>'
        '<abbr class="rating" title="4">★★★★</abbr></div>'
    )
    assert score_from_structured(hreview, "feed") == Score(8.0, "4/5", "5", "feed-hreview")
    h_review = (
        '<div class="h-review"><data class="p-rating" value="8"></data>'
        '<data class="p-best" value="10"></data></div>'
    )
    assert score_from_structured(h_review, "feed") == Score(8.0, "8/10", "10", "feed-hreview")
    user = (
        '<div itemscope itemtype="https://schema.org/UserReview"><div itemprop="reviewRating">'
        '<span itemprop="ratingValue">2</span></div></div>'
    )
    assert score_from_structured(user, "feed") is None


# --- page order, selector, find_score order --------------------------------------------------


def test_configured_selector_wins_over_structured_data() -> None:
    html = _ld(REVIEW).replace(
        "<p>Body.</p>", '<p>Body.</p><div class="my-score"><b>7</b><i>Good</i></div>'
    )
    assert score_from_page(html) == Score(8.0, "8/10", "10", "page-jsonld")
    assert score_from_page(html, ".my-score b") == Score(7.0, "7", "10", "page-selector")
    assert score_from_page(html, ".no-such-thing") == Score(8.0, "8/10", "10", "page-jsonld")


def test_selector_never_reads_a_related_post() -> None:
    html = (
        "<html><body><article><p>Unscored review.</p></article>"
        '<div class="related-posts"><span class="my-score">9</span></div></body></html>'
    )
    assert score_from_page(html, ".my-score") is None


def test_invalid_selector_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid CSS selector"):
        compile_selector("div[[")
    with pytest.raises(ValueError):
        score_from_page("<p>x</p>", "div[[")


def test_user_rating_box_is_not_the_review_score() -> None:
    html = (
        '<article><p>Body.</p><div class="user-total-wrapper"><span class="user-review-title">'
        'User Rating</span><span class="review-total-box">3.9 <small>(12 reviews)</small>'
        "</span></div></article>"
    )
    assert score_from_page(html) is None


# WP Review draws the readers' average in the same ``review-total-box`` as the review's own score,
# nested in a wrapper whose class names the users; the box itself holds one bare number.
_USER_BOX = (
    '<div class="user-review-area"><div class="user-total-wrapper">'
    '<span class="user-review-title">User Rating</span>'
    '<span class="review-total-box">{value}</span></div></div>'
)


@pytest.mark.parametrize("value", ["3.9", "7/10", "9"])
def test_a_readers_average_inside_a_user_box_is_never_the_score(value: str) -> None:
    html = f"<article><p>Body.</p>{_USER_BOX.format(value=value)}</article>"
    assert score_from_page(html) is None


def test_the_reviews_own_box_wins_over_a_readers_average_beside_it() -> None:
    own = '<div class="review-wrapper"><span class="review-total-box">8/10</span></div>'
    html = f"<article><p>Body.</p>{own}{_USER_BOX.format(value='3.9')}</article>"
    assert score_from_page(html) == Score(8.0, "8/10", "10", "page-text")


def test_a_feed_score_elements_best_attribute_is_honoured() -> None:
    feed = (
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"'
        b' xmlns:review="https://reviews.example/ns/1.0"><channel><title>Site</title>'
        b"<link>https://site.example/</link><item><title>REVIEW: A Film</title>"
        b"<link>https://site.example/2025/05/06/a-film/</link>"
        b"<guid>https://site.example/?p=1</guid><description>Body, no score.</description>"
        b'<review:score best="5">4</review:score></item></channel></rss>'
    )
    entry = parse_feed(feed, {"content-type": "application/rss+xml"}, "https://site.example/feed/").entries[0]
    extras = dict(entry.extras)
    assert find_score(entry.content or entry.summary, extras, None) == Score(8.0, "4", "5", "feed-element")


def test_star_box_is_out_of_five() -> None:
    html = (
        '<article><div class="review-wrapper"><div class="review-total-wrapper">'
        '<span class="review-total-box">4.5</span><div class="review-total-star">'
        '<i class="mts-icon-star"></i></div></div></div></article>'
    )
    assert score_from_page(html) == Score(9.0, "4.5", "stars", "page-text")


def test_disagreeing_generic_boxes_are_ambiguous_but_plugin_boxes_win() -> None:
    cards = (
        '<article><div class="card"><span class="review-score">9</span> Another post</div>'
        "<p>Body.</p>{box}</article>"
    )
    generic = cards.format(box='<div class="review-score">7</div>')
    assert score_from_page(generic) is None
    plugin = cards.format(box='<span class="review-total-box">7/10</span>')
    assert score_from_page(plugin) == Score(7.0, "7/10", "10", "page-text")


def test_find_score_order_and_sources() -> None:
    content = "<p>Body.</p><p>Rating: 6/10</p>"
    page = _ld(REVIEW)
    extras = {"review_score": "7.5", "review_score@best": "10"}
    assert find_score(content, extras, page) == Score(7.5, "7.5", "10", "feed-element")
    assert find_score(content, {}, page).source == "feed-text"  # type: ignore[union-attr]
    assert find_score("<p>No score.</p>", {}, page) == Score(8.0, "8/10", "10", "page-jsonld")
    assert find_score("", {"score": "4"}, None, element_names=("score",)) == Score(
        4.0, "4", "10", "feed-element"
    )
    assert find_score(_ld(REVIEW), {}, None).source == "feed-jsonld"  # type: ignore[union-attr]
    assert find_score("<p>No score.</p>", {}, None) is None
    assert find_score("", {}, "<p>Grade: A</p>", letter_scale=DEFAULT_LETTER_SCALE) == Score(
        9.5, "Grade: A", "letter", "page-text"
    )


RATED = Score(8.0, "Rating: 8/10", "10", "feed-text")
SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param("", None, id="empty"),
        pytest.param("   ", None, id="blank"),
        pytest.param("\x00\x01", None, id="control"),
        # An XML declaration (lxml refuses str input that carries one) hides nothing.
        pytest.param('<?xml version="1.0" encoding="utf-8"?><p>Rating: 8/10</p>', RATED, id="xml-decl"),
        # libxml2 stops nesting at depth 256: text below it is never reached, so no score, no crash.
        pytest.param("<div>" * 50_000 + "Rating: 8/10", None, id="deep"),
        # Fractions, dates and 9/11 are not scores, however many lines of them.
        pytest.param("<p>Score 1/2 of 10/10/10 and 9/11</p>" * 60_000, None, id="many-lines", marks=SLOW),
        pytest.param("<div>" + "<span>x</span>" * 150_000 + "</div>", None, id="many-spans", marks=SLOW),
        # An unlabelled fraction inside running prose is never a score, even 250,000 of them.
        pytest.param("<p>" + "word 8/10 " * 250_000 + "</p>", None, id="2.5MB-line", marks=SLOW),
    ],
)
def test_hostile_html_gives_the_expected_result_and_never_raises(html: str, expected: Score | None) -> None:
    """Each entry point on each hostile input; the speed of the big ones is not a test's business."""
    page = replace(expected, source="page-text") if expected else None
    assert score_from_text(html, "feed") == expected
    assert score_from_text(html, "page") == page
    assert score_from_structured(html, "feed") is None
    assert score_from_structured(html, "page") is None
    assert score_from_page(html) == page
    assert find_score(html, {}, html) == expected


# --- labelled sets: precision must be 1.0, recall >= 0.95 ------------------------------------


@dataclass
class Tally:
    labelled: int = 0
    none: int = 0
    found: int = 0
    correct: int = 0
    wrong: int = 0

    def add(self, want: float | None, got: Score | None) -> None:
        if want is None:
            self.none += 1
        else:
            self.labelled += 1
        if got is not None:
            self.found += 1
            if want is not None and got.value == want:
                self.correct += 1
            else:
                self.wrong += 1

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name}: labelled scored={self.labelled} labelled none={self.none} "
            f"found={self.found} correct={self.correct} wrong={self.wrong} "
            f"precision={self.precision:.3f} recall={self.recall:.3f}"
        )


def _real_feeds() -> dict[str, Any]:
    parsed = {}
    for path in sorted(real_feeds_dir().glob("*.xml")):
        data = path.read_bytes()
        parsed[path.name] = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    return parsed


def _content(entry: Any) -> str:
    if entry.get("content"):
        return str(entry["content"][0]["value"])
    return str(entry.get("summary", ""))


def test_real_feeds_labelled_precision_and_recall() -> None:
    feeds = _real_feeds()
    labels = json.loads((LABELS / "real_feeds.json").read_text())["items"]
    by_key = {
        (name, e.get("id") or e.get("link")): e
        for name, feed in feeds.items()
        for e in feed.entries
    }
    assert len(labels) == len(by_key) == 342, "every item of every real feed is labelled"
    tally, misses = Tally(), []
    for item in labels:
        entry = by_key[(item["file"], item["guid_or_link"])]
        got = find_score(_content(entry), {}, None, letter_scale=DEFAULT_LETTER_SCALE)
        tally.add(item["score"], got)
        if (got.value if got else None) != item["score"]:
            misses.append((item["title"], item["score"], got))
        elif got is not None:
            assert got.raw == item["raw"]
    print("\n" + tally.line("real feeds"))
    assert tally.labelled == 22 and tally.none == 320  # issue 20: a list post is unscored
    assert tally.precision == 1.0, misses
    assert tally.recall >= 0.95, misses


def test_real_feed_zero_rating_is_a_score() -> None:
    """p=2109 reviews two films: the first is rated 0 (kept as 0.0, never taken as missing)."""
    feed = _real_feeds()["p1_wordpress_feedburner_ridingwiththewindowdown_movie_ratings_2012.xml"]
    entry = next(e for e in feed.entries if e.id.endswith("?p=2109"))
    first_film = _content(entry).split("&#8212;&#8212;")[0]
    assert find_score(first_film, {}, None) == Score(0.0, "RATING 0 out of 10", "10", "feed-text")


def test_real_feed_gd_star_rating_is_readers_votes() -> None:
    feed = _real_feeds()["p1_wordpress_gdstarrating_plugin_markup_de_2012.xml"]
    for entry in feed.entries:
        assert "Bewertungen cast" in _content(entry)
        assert find_score(_content(entry), {}, None) is None
        assert find_score(str(entry.get("summary", "")), {}, None) is None


def _reference_page(drop: tuple[str, ...] = ()) -> str:
    """tests/data/reference/review-page.txt, one <p> per line: no telling classes at all."""
    path = REFERENCE / "review-page.txt"
    if not path.is_file():
        pytest.fail(f"reference page not found at {path}")
    lines = [line.strip() for line in path.read_text().splitlines()]
    body = "".join(f"<p>{escape(line)}</p>" for line in lines if line and line not in drop)
    return f"<html><body>{body}</body></html>"


def test_reference_page_as_flat_text() -> None:
    """Only the review's own box counts; Related (7.0, 4.5…) and Trending (8.5…) never do."""
    page = _reference_page()
    assert score_from_page(page) == Score(8.0, "Rating - 8/10", "10", "page-text")
    unscored = _reference_page(drop=("• 8/10", "8/10", "Rating - 8/10"))
    assert score_from_page(unscored) is None
    assert find_score("<p>Teaser.</p>", {}, unscored) is None


def _page_cases() -> list[dict[str, Any]]:
    return list(json.loads((LABELS / "pages.json").read_text())["pages"])


@pytest.mark.parametrize("case", _page_cases(), ids=lambda c: c["file"])
def test_page_fixture(case: dict[str, Any]) -> None:
    html = (PAGES / case["file"]).read_text()
    letters = DEFAULT_LETTER_SCALE if case.get("letter_scale") == "default" else None
    got = score_from_page(html, None, letters)
    want = (case["score"], case["raw"], case["scale"], case["source"])
    assert ((got.value, got.raw, got.scale, got.source) if got else (None,) * 4) == want
    if "score_without_letter_scale" in case:
        assert score_from_page(html) is None
    for sel in case.get("selector_cases", []):
        found = score_from_page(html, sel["selector"], letters)
        assert found == Score(sel["score"], sel["raw"], "10", sel["source"])
    # the same page as the fallback of find_score, when the feed content has no score
    assert find_score("<p>Teaser only.</p>", {}, html, letter_scale=letters) == got


def test_pages_labelled_precision_and_recall() -> None:
    tally = Tally()
    cases = _page_cases()
    assert len(cases) >= 12
    for case in cases:
        html = (PAGES / case["file"]).read_text()
        letters = DEFAULT_LETTER_SCALE if case.get("letter_scale") == "default" else None
        tally.add(case["score"], score_from_page(html, None, letters))
        for sel in case.get("selector_cases", []):
            tally.add(sel["score"], score_from_page(html, sel["selector"], letters))
    print("\n" + tally.line("pages"))
    assert tally.precision == 1.0
    assert tally.recall >= 0.95


@pytest.mark.parametrize(
    ("html", "value"),
    [
        ("<p>Flaws and all, it is worth your time. I give it a 7 out of 10.</p>", 7.0),
        ("<p>It is a triumph. We give it a 4.5/5.</p><p>Out now on Hulu.</p>", 9.0),
        ("<p>A messy season. I’d give it a 5.5 out of 10.</p>", 5.5),
    ],
)
def test_a_first_person_verdict_closing_a_review_is_a_score(html: str, value: float) -> None:
    found = score_from_text(html, "feed")
    assert found is not None and found.value == value and found.source == "feed-text"


@pytest.mark.parametrize(
    "html",
    [
        "<p>Honestly I'd give it a 10 out of 10 for effort alone, but the film is a mess.</p>",
        "<p>I give it a try every spring, and I give it a chance.</p>",
        "<p>We give it a second look in our Top 10 list.</p>",
    ],
)
def test_a_verdict_phrase_inside_prose_is_not_a_score(html: str) -> None:
    assert score_from_text(html, "feed") is None
