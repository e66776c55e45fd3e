"""The desk's reader-clicks panel over real HTTP on the demo: last issue's figures per kind and section
beside the average of the last issues (as ``digest report`` computes them), and a candidate that was
in an earlier issue with its clicks there; escaped; nothing at all when no clicks are stored. The
counts are stored the way ``digest report --fetch`` stores them (issue_clicks rows)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from helpers.clicks import store_clicks
from helpers.desk import WEEK, build_demo, request, running_desk

from digest.reviews.rules import ReviewRules, reviews_in_window
from digest.settings.config import load_config
from digest.store.database import Store
from digest.weeks import parse_week


def _a_candidate(config: Path) -> tuple[str, str]:
    """A review of the desk's week (2025-W20): its uid and title."""
    loaded = load_config(config)
    start, end = parse_week(WEEK).window(loaded.site.tz)
    with Store.open(loaded.store_path) as store:
        review = next(r for r in reviews_in_window(store, ReviewRules.from_config(loaded), start, end)
                      if r.is_review)
    return review.uid, review.title


def test_no_clicks_stored_no_panel(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
    assert page.status == 200
    assert 'id="clicks"' not in page.text and "click-through" not in page.text


def test_last_issue_and_the_last_issues_average_per_kind_and_section(demo: Path) -> None:
    build_demo(demo)
    store_clicks(demo, "2025-W17", "listmonk",
                 [("u17a", "TV", "top", 10), ("u17b", "Film", "trending", 30)], 1000)
    store_clicks(demo, "2025-W18", "listmonk",
                 [("u18a", "TV", "top", 30), ("u18b", "Film", "trending", 10)], 1000)
    store_clicks(demo, "2025-W19", "listmonk", [("u19a", "TV", "top", 20), ("u19b", "TV", "top", 40),
                                          ("u19c", "Film", "trending", 80)], 2000)
    with running_desk(demo) as server:
        page = request(server, "GET", "/").text
    assert '<section id="clicks"' in page
    assert "2025-W19" in page and "listmonk" in page
    # As digest report's groups: a section's unique clicks over delivered. W19's TV: 60 / 2000 = 3.0%;
    # the last 3 issues' (1.0%, 3.0%, 3.0%) average 2.3%. Film: 80 / 2000 = 4.0%; (3.0%, 1.0%, 4.0%): 2.7%
    assert '<tr><th scope="row">TV</th><td>3.0%</td><td>2.3%</td></tr>' in page
    assert '<tr><th scope="row">Film</th><td>4.0%</td><td>2.7%</td></tr>' in page
    assert '<tr><th scope="row">top</th><td>3.0%</td><td>2.3%</td></tr>' in page
    assert '<tr><th scope="row">trending</th><td>4.0%</td><td>2.7%</td></tr>' in page
    assert "the last 3 issues" in page


def test_without_a_delivered_count_clicks_per_pick_are_shown(demo: Path) -> None:
    build_demo(demo)
    store_clicks(demo, "2025-W19", "mailchimp", [("u19a", "TV", "top", 20), ("u19b", "TV", "top", 40)], None)
    with running_desk(demo) as server:
        page = request(server, "GET", "/").text
    assert '<tr><th scope="row">TV</th><td>30.00 per pick</td><td>30.00 per pick</td></tr>' in page
    assert "delivered count unknown" in page


def test_a_candidate_in_an_earlier_issue_shows_its_clicks_there(demo: Path) -> None:
    build_demo(demo)
    uid, title = _a_candidate(demo)
    store_clicks(demo, "2025-W19", "kit", [("other", "Film", "top", 5), (uid, "TV", "trending", 42)], 1400)
    with running_desk(demo) as server:
        page = request(server, "GET", "/").text
    panel = page[page.index('<section id="clicks"'):]
    line = next(li for li in panel.split("<li>") if escape(title) in li)
    assert "2025-W19" in line and "#2 trending" in line and "42 clicks" in line and "3.0%" in line


def test_stored_text_is_escaped(demo: Path) -> None:
    build_demo(demo)
    store_clicks(demo, "2025-W19", "kit", [("x", '<img src=x onerror="alert(1)">', "top", 5)], 100)
    with running_desk(demo) as server:
        page = request(server, "GET", "/").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
