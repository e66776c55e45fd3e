"""A document's stripped tree and text, found by the fast paths, are what the plain strip finds.

The analysis skips the noise walk when libxml2 passes and string searches prove it would find
nothing (most feed content), and reads the class values of a page before its noise is removed.
Each case here is compared with the reference: :func:`strip_noise` on a fresh parse, then
:func:`text_lines` of what remains.
"""

from __future__ import annotations

import pytest
from lxml import etree

from digest.reviews.document import Document
from digest.reviews.noise import strip_noise
from digest.reviews.parsing import parse_html, text_lines


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
    assert doc.classes == {"entry-content", "widget review-score"}
