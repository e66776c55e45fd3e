"""A document's stripped tree and text, found by the fast paths, are what the plain strip finds.

The analysis skips the noise walk when libxml2 passes and string searches prove it would find
nothing (most feed content), and reads the class values of a page before its noise is removed.
Each case here is compared with the reference: :func:`strip_noise` on a fresh parse, then
:func:`text_lines` of what remains.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from lxml.cssselect import CSSSelector

from digest.reviews.boxes import BOX_GROUPS, BOX_SELECTORS, MAIN_SELECTOR, boxes, main_regions
from digest.reviews.document import Document
from digest.reviews.noise import class_values, strip_noise
from digest.reviews.parsing import parse_html, text_lines
from digest.reviews.scores import _LABEL, _may_label
from digest.reviews.structured import structured_score


def _reference(html: str) -> tuple[str, list[str]]:
    root = parse_html(html)
    assert root is not None
    stripped = strip_noise(root)
    return etree.tostring(stripped, encoding=str), text_lines(stripped)


def _fast(html: str) -> tuple[str, list[str]]:
    doc = Document(html)
    assert doc.stripped is not None
    return etree.tostring(doc.stripped, encoding=str), doc.stripped_lines


REVIEW = "<p>The band's third record is their best. <em>Rating: 8/10</em></p>"

LIST = "<ul><li>Other 3/10</li></ul>"  # another post's score, in the list a heading introduces

CASES = {
    "no noise": f"<div>{REVIEW}<p>Tracks: <a href='/a'>one</a>, two.</p></div>",
    "heading split by inline markup": f"<div>{REVIEW}<h3>Related <b>Posts</b></h3>{LIST}</div>",
    "heading over lines and a no-break space": f"<div>{REVIEW}<h4>More\n   from&nbsp;Echoes</h4>{LIST}</div>",
    "heading in capitals": f"<div>{REVIEW}<p><strong>YOU MAY ALSO LIKE</strong></p>{LIST}</div>",
    "more stories": f"<div>{REVIEW}<h3>More stories</h3>{LIST}</div>",
    "don't miss": f"<div>{REVIEW}<h2>Don't Miss</h2>{LIST}</div>",
    "dotted capital I folds to i": f"<div>{REVIEW}<h3>TRENDİNG</h3>{LIST}</div>",
    "long s folds to s": f"<div>{REVIEW}<h3>More ſtories</h3>{LIST}</div>",
    "dotless i folds to i": f"<div>{REVIEW}<h3>You mıght also like</h3>{LIST}</div>",
    "a noisy class": f"<div>{REVIEW}<div class='wpp-list'><p>Other 3/10</p></div>tail text</div>",
    "a noisy id": f"<div>{REVIEW}<div id='sidebar'>Other 3/10</div><p>after</p></div>",
    "a nav with a tail": f"<div>{REVIEW}<nav><a href='/'>Home 9/10</a></nav> moved tail <b>bold</b></div>",
    "prose that mentions the words": f"<div>{REVIEW}<p>Its related EP is recommended; more later.</p></div>",
    "a comment between blocks": f"<div>{REVIEW}<!-- related posts --><p>after</p></div>",
    # The noise walk reads the text of what remains: tails moved by removals, hidden blocks, headings.
    "noise first in a block without text": f"<div><nav>Menu</nav>tail of the nav<p>{REVIEW}</p></div>",
    "noise first in a block with text": f"<div>Lead<nav>Menu</nav>tail<b>x</b></div>{REVIEW}",
    "noise in a row, tails kept": f"<p>{REVIEW}<aside>a</aside> one <aside>b</aside> two<aside>c</aside></p>",
    "a blank tail goes": f"<div>{REVIEW}<aside>a</aside>\n   <p>next</p></div>",
    "inline text around noise": "<p>Rating:<span class='widget'>x</span>8/10 <em>final</em></p>",
    "noise inside a hidden block": f"<div>{REVIEW}<noscript><nav>n</nav>tail<p>hid</p></noscript>after</div>",
    "a hidden block that is noise": f"<div>{REVIEW}<iframe class='related-frame'></iframe> frame tail</div>",
    "a hidden block after noise": "<div><nav>n</nav>t1<script>a=1</script>t2<svg><g>s</g></svg><b>e</b></div>",
    "a blank tail inside a line": "<p>Rating: <span class='widget'>x</span>\n<b>8/10</b></p>",
    "noise beside a kept block": "<div><aside class='review-box'>Score 7/10</aside><aside>9/10</aside>t</div>",
    "noise and a heading": f"<div>{REVIEW}<nav>n</nav>t<h3>Related Posts</h3>{LIST}<p>end</p></div>",
    "a heading in a hidden block": f"<div>{REVIEW}<nav>n</nav><noscript><p>Related</p></noscript>{LIST}</div>",
    "a table of blocks with noise": "<table><tr><td>Overall</td><td>9/10<footer>f</footer>x</td></tr></table>",
}


@pytest.mark.parametrize("html", CASES.values(), ids=list(CASES))
def test_the_stripped_tree_and_its_lines_are_the_plain_strips(html: str) -> None:
    assert _fast(html) == _reference(html)


@pytest.mark.parametrize("name", [
    "heading split by inline markup", "heading over lines and a no-break space", "more stories",
    "dotted capital I folds to i", "long s folds to s", "dotless i folds to i",
    "a noisy class", "a nav with a tail",
])
def test_the_other_posts_scores_are_gone(name: str) -> None:
    assert not any("Other" in line or "Home" in line for line in _fast(CASES[name])[1])


def test_content_without_noise_is_the_parsed_tree_itself() -> None:
    doc = Document(CASES["no noise"])
    assert doc.stripped is doc.root


def test_a_pages_class_values_are_read_before_its_noise_goes() -> None:
    doc = Document(f"<div class='entry-content'>{REVIEW}</div><aside class='widget review-score'>9/10</aside>")
    assert doc.stripped is not None and "widget review-score" not in etree.tostring(doc.stripped, encoding=str)
    values, removed = doc.class_values()
    assert removed and values == ["entry-content", "widget review-score"]
    assert boxes(BOX_GROUPS[1], values, doc.stripped, removed) == []


BOXES = """<html class="review-score"><body><article class="post">
<div class="jeg_review_wrap"><div><span class="review_score">8</span></div></div>
<span class="review_score">not in a JNews box</span><p class="jeg_review_wrap review_score">itself</p>
<div class=" lets-review-block__final-score	extra">7</div><div class="lets-review-final-score-x">no</div>
<div class="rwp-overall-score&#10;big">6</div><div class="total-score&#160;x">no-break space: not a token</div>
<div class="Final-Score">case</div><div class="overall-score score-box">both</div>
</article><main id="content"><div class="entry-content post-content">body</div></main>
<section id="Content" class="post-contents">no</section></body></html>"""


def _region_pages() -> list[str]:
    pages = sorted((Path(__file__).resolve().parent / "data" / "sites").glob("*/site/**/*.html"))
    assert len(pages) > 100
    return [BOXES, *(p.read_text(encoding="utf-8", errors="replace") for p in pages)]


def test_the_boxes_and_regions_are_what_the_css_selectors_find() -> None:
    found = 0
    for html in _region_pages():
        doc = Document(html)
        assert doc.root is not None and doc.stripped is not None
        for tree, (values, removed) in ((doc.root, (class_values(doc.root)[0], False)),
                                        (doc.stripped, doc.class_values())):
            for group, css in zip(BOX_GROUPS, BOX_SELECTORS, strict=True):
                hits = boxes(group, values, tree, removed)
                assert hits == CSSSelector(css)(tree)
                found += len(hits)
            regions = main_regions(tree)
            assert regions == CSSSelector(MAIN_SELECTOR)(tree)
            found += len(regions)
    assert found > 200


LABELLED = [
    "Rating: 8/10", "RATING 8 out of 10", "Score - 85%", "Grade: B+", "Rated 4/5", "VERDICT: 9/10",
    "Overall - 7", "Total: 80%", "I'd give this film 8/10", "We would rate it a 4/5", "i giving it 3/5",
    "ſcore: 8/10", "RATİNG: 7/10", "ratıng 5/5", "OVERALL\u212a", "Our final score 6.5/10",
]


def test_a_line_the_label_pattern_matches_is_always_searched() -> None:
    lines = list(LABELLED)
    for html in _region_pages():
        lines += Document(html).stripped_lines
    matched = [line for line in lines if _LABEL.search(line)]
    assert len(matched) > 100
    assert [line for line in matched if not _may_label(line)] == []
    assert sum(1 for line in lines if not _may_label(line)) > len(lines) // 2  # most prose is not searched


HREVIEW = """<div class="hreview"><span class="item"><span class="fn">Album</span></span>
<span class="rating"><span class="value">4</span>/<span class="best">5</span></span></div>"""


@pytest.mark.parametrize("html", [
    HREVIEW, HREVIEW.replace('"hreview"', '"h-review"').replace('"rating"', '"p-rating"'),
    f"<article>{HREVIEW}</article><nav class='hreview'>x</nav>", f"<div class='x'>{REVIEW}</div>",
])
def test_an_hreview_is_read_with_the_class_names_as_without(html: str) -> None:
    doc = Document(html)
    assert doc.root is not None and doc.stripped is not None
    assert structured_score(doc.root, doc.stripped, "feed", doc.class_names) == \
        structured_score(doc.root, doc.stripped, "feed")


def test_an_hreview_is_still_found() -> None:
    doc = Document(HREVIEW)
    assert doc.root is not None and doc.stripped is not None
    score = structured_score(doc.root, doc.stripped, "feed", doc.class_names)
    assert score is not None and score.source == "feed-hreview"
