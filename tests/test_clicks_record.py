"""A service's click report stored against the demo's built 2025-W20 issue (real build, real SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.clicks import FETCHED, PERIOD, UTM, WEEK, build

from digest.clicks.record import record_report
from digest.errors import DigestError, UsageError
from digest.services.clicks import ClickReport, LinkClicks
from digest.settings.config import load_config
from digest.store import clicks as stored
from digest.store.database import Store


def test_a_report_becomes_one_row_per_pick_and_per_other_link(demo: Path) -> None:
    picks = build(demo)
    first, second = picks[0], picks[1]
    report = ClickReport("mailchimp", "5c1a9e2f04", (
        LinkClicks(first["url"] + UTM + WEEK, 40, 52),
        LinkClicks(first["url"] + UTM + WEEK + "&mc_cid=5c1a9e2f04&mc_eid=8a3b1f0c9d", 2, 3),  # listed twice
        LinkClicks("https://buttondown.com/c/8d1e0a6c/3f9a2c71/" + second["url"], 7, 9),
        LinkClicks("https://secondscreen.us1.list-manage.com/unsubscribe?u=9f1d2c&id=44ab3e&e=8a3b1f0c9d",
                   4, 4),
    ), delivered=1893)
    with Store.open(load_config(demo).store_path) as store:
        rows = record_report(store, WEEK, report, PERIOD, FETCHED)
        assert stored.clicks(store, WEEK, "mailchimp") == rows

    by_link = {r.link: r for r in rows}
    assert len(rows) == len(picks) + 1
    top = by_link[first["url"]]
    assert (top.unique_clicks, top.total_clicks, top.position, top.kind, top.section, top.score) == (
        42, 55, first["position"], first["kind"], first["section"], first["score"])
    assert (by_link[second["url"]].unique_clicks, by_link[second["url"]].total_clicks) == (7, 9)
    unclicked = [r for r in rows if r.review_uid and r.link not in (first["url"], second["url"])]
    assert unclicked and all((r.unique_clicks, r.total_clicks) == (0, 0) for r in unclicked)
    other = by_link["https://secondscreen.us1.list-manage.com/unsubscribe"]
    assert other.review_uid is None and other.position is None and other.unique_clicks == 4
    assert {r.delivered for r in rows} == {1893}
    with Store.open(load_config(demo).store_path) as store:
        dump = "\n".join(map(str, store.db.execute("SELECT * FROM issue_clicks")))
    assert "8a3b1f0c9d" not in dump and "3f9a2c71" not in dump  # the member and subscriber ids


def test_a_figure_the_service_never_gives_stays_unknown_not_zero(demo: Path) -> None:
    picks = build(demo)
    report = ClickReport("kit", "2318471", (LinkClicks(picks[0]["url"], 3, None),), delivered=None,
                         notes=("Kit gives no per-link total",))
    with Store.open(load_config(demo).store_path) as store:
        rows = record_report(store, WEEK, report, PERIOD, FETCHED)
    assert all(r.total_clicks is None for r in rows)
    assert [r.unique_clicks for r in rows if r.link == picks[0]["url"]] == [3]
    assert all(r.unique_clicks == 0 for r in rows if r.link != picks[0]["url"])


def test_clicks_for_an_issue_never_built_are_refused(demo: Path) -> None:
    path = load_config(demo).store_path
    with Store.open(path) as store, pytest.raises(UsageError, match="no issue 2025-W30"):
        record_report(store, "2025-W30", ClickReport("kit", "1", (), None), PERIOD, FETCHED)


def test_a_report_with_a_negative_count_is_refused_and_nothing_is_replaced(demo: Path) -> None:
    picks = build(demo)
    good = ClickReport("mailchimp", "5c1a9e2f04", (LinkClicks(picks[0]["url"], 4, 5),), delivered=1893)
    bad = ClickReport("mailchimp", "5c1a9e2f04", (LinkClicks(picks[0]["url"], -3, 5),), delivered=1893)
    with Store.open(load_config(demo).store_path) as store:
        before = record_report(store, WEEK, good, PERIOD, FETCHED)
        with pytest.raises(DigestError, match="mailchimp's click report for campaign 5c1a9e2f04 gives -3"):
            record_report(store, WEEK, bad, PERIOD, FETCHED)
        assert stored.clicks(store, WEEK) == before
