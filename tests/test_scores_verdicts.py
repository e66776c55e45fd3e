"""Verdicts a review writes without a label (issue 20): a bold score closing the post's last
paragraph, and the one named score, of two, whose name is the post's own subject.

Both are read on the real pages of a served corpus site, and each has decoys that must stay
unscored: precision first.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from helpers.sites import serve_site

from digest.reviews.scores import score_from_page

SITE = Path(__file__).resolve().parent / "data" / "sites" / "wp-draculascave"
UNCHARTED = "https://draculascave.co/2016/05/14/review-uncharted-4-a-thiefs-end/"
BLOOD_C = "https://draculascave.co/2014/02/02/review-blood-c/"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    out: dict[str, str] = {}
    with serve_site(SITE) as site:
        for url in (UNCHARTED, BLOOD_C):
            with urllib.request.urlopen(site.to_loopback(url), timeout=10) as reply:
                out[url] = reply.read().decode("utf-8", "replace")
    return out


def _page(body: str, title: str = "Review: Some Game") -> str:
    return (f'<html><head><title>{title} – A Site</title><meta property="og:title" content="{title}">'
            f'</head><body><main><article><h1>{title}</h1><div class="entry">{body}</div>'
            '<p class="post-tags">Tagged: games, reviews</p></article></main></body></html>')


# --- (1) a bold score that ends the post's last text paragraph ---------------------------------


def test_a_bold_score_closing_the_last_paragraph_is_the_verdict(pages: dict[str, str]) -> None:
    score = score_from_page(pages[UNCHARTED])
    assert score is not None and (score.value, score.raw, score.scale) == (9.0, "9/10", "10")


def test_a_bold_score_closing_the_last_paragraph_of_a_made_page_is_read() -> None:
    body = "<p>It starts well.</p><p>All told a fine game. <b>7/10</b> <img src='x.png'></p><p> </p>"
    score = score_from_page(_page(body))
    assert score is not None and score.value == 7.0


@pytest.mark.parametrize("body", [
    # mid-text: prose follows the bold score in its paragraph
    "<p>It starts well.</p><p>Critics gave the first one <b>7/10</b> and they were right.</p>",
    # it ends a paragraph, but more text paragraphs follow
    "<p>It starts well.</p><p>The first one got <b>7/10</b></p><p>This one is better still.</p>",
    # not bold
    "<p>It starts well.</p><p>All told a fine game. 7/10</p><p></p>",
    # another score-like fraction elsewhere in the post: a list, or a quoted score
    "<p>The original: 8/10 back then.</p><p>All told a fine game. <b>7/10</b></p>",
    # a quotation that ends the post
    "<p>It starts well.</p><blockquote><p>A fine game. <b>7/10</b></p></blockquote>",
])
def test_a_bold_score_that_does_not_close_the_post_is_not_taken(body: str) -> None:
    assert score_from_page(_page(body)) is None


# --- (2) of two named scores, the one named as the post's subject --------------------------------


def test_the_named_score_of_the_posts_subject_is_the_verdict(pages: dict[str, str]) -> None:
    score = score_from_page(pages[BLOOD_C])
    assert score is not None and (score.value, score.raw) == (9.0, "Blood-C: 9/10")


def test_the_subject_is_compared_loosely_and_its_follow_up_is_not_taken() -> None:
    body = "<p>Long text.</p><p>Dune, Part Two: 6/10</p><p>Dune: 8/10</p>"
    score = score_from_page(_page(body, "Dune review"))
    assert score is not None and score.raw == "Dune: 8/10"


@pytest.mark.parametrize("body, title", [
    # two named scores, neither the title's subject
    ("<p>Long text.</p><p>Blood-C: 9/10</p><p>Blood C The Last Dark: 6/10</p>", "Review: Another"),
    # three named scores: a list, even when one is the subject
    ("<p>Text.</p><p>Halo: 9/10</p><p>Halo 2: 8/10</p><p>Halo 3: 7/10</p>", "Review: Halo"),
    # both names are the subject: no single verdict
    ("<p>Text.</p><p>Halo: 9/10</p><p>HALO: 6/10</p>", "Review: Halo"),
    # the subject's name followed by prose, not a score line
    ("<p>Text.</p><p>Halo: 9/10 for the campaign</p><p>Halo 2: 6/10</p>", "Review: Halo"),
])
def test_named_scores_with_no_single_subject_stay_unscored(body: str, title: str) -> None:
    assert score_from_page(_page(body, title)) is None


def test_a_title_that_does_not_reach_the_reader_cleanly_gives_no_subject() -> None:
    body = "<p>Long text.</p><p>Blood-C: 9/10</p><p>Blood C The Last Dark: 6/10</p>"
    page = (f"<html><head><title>Review: Blood-C | Site</title></head><body><main><article>"
            f"<h1>Review: Blood-C</h1><h1>Other</h1><div>{body}</div></article></main></body></html>")
    assert score_from_page(page) is None
