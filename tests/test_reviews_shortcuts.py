"""The readers' shortcuts (issue 23) take nothing away: each case a shortcut could get wrong is read
as before. The full results over every captured post and page are pinned in test_analysis_pinned."""

from __future__ import annotations

import random

from lxml import etree

from digest.reviews.noise import strip_noise
from digest.reviews.parsing import _CONTROL, MAX_HTML_CHARS, _clipped_utf8, parse_html
from digest.reviews.scores import score_from_structured

REVIEW_LD = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "%s", "name": "Dune: Part Two",
 "reviewRating": {"@type": "Rating", "ratingValue": "8", "bestRating": "10"}}
</script></head><body><p>A review.</p></body></html>"""


def test_control_characters_are_deleted_exactly_as_the_pattern_says() -> None:
    pool = ["a", "é", "😀", "\x00", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x1f", "\x7f", "\x80",
            "\u2028", "\ud800", " "]
    rng = random.Random(23)
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        assert _clipped_utf8(text) == _CONTROL.sub("", text).encode("utf-8", "replace"), repr(text)
    assert len(_clipped_utf8("x" * (MAX_HTML_CHARS + 10))) == MAX_HTML_CHARS


def test_a_review_type_spelled_with_a_json_escape_is_still_read() -> None:
    plain = score_from_structured(REVIEW_LD % "Review", "page")
    escaped = score_from_structured(REVIEW_LD % "\\u0052eview", "page")
    assert plain is not None and escaped is not None and escaped.value == plain.value == 8.0
    assert score_from_structured(REVIEW_LD % "Movie", "page") is None


def test_a_heading_split_by_a_comment_still_takes_its_list_with_it() -> None:
    # parse_html drops comments, but strip_noise takes any tree: the walk does not see a comment's
    # tail, so the heading's text must still be read whole.
    root = etree.fromstring("<div><p>The review itself, long enough to be the body.</p>"
                            "<h2>Related<!-- widget --> Posts</h2><ul><li>Another 9/10</li></ul></div>")
    text = etree.tostring(strip_noise(root), method="text", encoding=str)
    assert "The review itself" in text and "Related" not in text and "9/10" not in text


def test_a_heading_in_non_ascii_text_is_found_as_the_pattern_finds_it() -> None:
    for heading in ("Related Posts →", "Trending Now »", "You May Also Like ›"):
        root = parse_html(f"<article><p>Body of the review here.</p><h3>{heading}</h3><ul><li>Other 3/5</li>"
                          "</ul></article>")
        assert root is not None
        text = etree.tostring(strip_noise(root), method="text", encoding=str)
        assert "Body of the review" in text and "3/5" not in text, heading


def test_the_readers_caches_keep_no_huge_hostile_values() -> None:
    from digest.reviews import lead_image, noise

    huge_class = "sidebar " + "x" * 1_000_000
    assert noise._class_rules(huge_class) & noise._NOISY
    assert huge_class not in noise._CLASS_RULES
    before = lead_image._remembered_https_url.cache_info().currsize
    assert lead_image._https_url("/" + "a" * 100_000 + ".jpg", "https://site.example/post/") is None
    assert lead_image._remembered_https_url.cache_info().currsize == before
    assert lead_image._https_url("/img.jpg", "https://site.example/post/") == "https://site.example/img.jpg"
