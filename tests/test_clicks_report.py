"""`digest report` on the demo: two built weeks, click counts stored through the store's API (real SQLite)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers.clicks import FETCHED, PERIOD, UTM, WEEK, build
from test_json_outputs import validated

from digest.cli import main
from digest.clicks.record import record_report
from digest.clicks.report import score_band
from digest.services.clicks import ClickReport, LinkClicks
from digest.settings.config import load_config
from digest.store.database import Store


def _report(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), "report", *args])


def _store(config: Path, week: str, links: list[tuple[str, int, int]], delivered: int | None) -> None:
    report = ClickReport("mailchimp", f"c-{week}", tuple(LinkClicks(u + UTM + week, n, t) for u, n, t in links),
                         delivered)
    with Store.open(load_config(config).store_path) as store:
        record_report(store, week, report, PERIOD, FETCHED)


@pytest.fixture
def clicked(demo: Path) -> tuple[Path, list[dict[str, Any]]]:
    """W19 (1000 delivered, 10 clicks on its first pick) and W20 (2000 delivered, clicks on three picks)."""
    earlier = build(demo, "2025-W19")
    _store(demo, "2025-W19", [(earlier[0]["url"], 10, 12)], 1000)
    picks = build(demo)
    _store(demo, WEEK, [(picks[2]["url"], 90, 120), (picks[0]["url"], 30, 31), (picks[1]["url"], 60, 75),
                        ("https://secondscreen.example/", 5, 6)], 2000)
    return demo, picks


def test_report_ranks_the_picks_by_clicks_with_their_click_through(clicked: tuple[Path, list[dict[str, Any]]]
                                                                    ) -> None:
    demo, picks = clicked
    document = validated(demo, "report", "--week", WEEK)
    ranked = document["picks"]
    assert [p["url"] for p in ranked[:3]] == [picks[2]["url"], picks[1]["url"], picks[0]["url"]]
    assert [(p["unique_clicks"], p["total_clicks"], p["click_through"]) for p in ranked[:3]] == [
        (90, 120, 0.045), (60, 75, 0.03), (30, 31, 0.015)]
    assert all(p["unique_clicks"] == 0 for p in ranked[3:]) and len(ranked) == len(picks)
    assert document["other_clicks"] == 5 and document["delivered"] == 2000 and document["source"] == "mailchimp"

    kinds = {g["name"]: g for g in document["by_kind"]}
    for kind in kinds:
        assert kinds[kind]["clicks"] == sum(p["unique_clicks"] for p in ranked if p["kind"] == kind)
        assert kinds[kind]["picks"] == sum(1 for p in picks if p["kind"] == kind)
    bands = {g["name"]: g["clicks"] for g in document["by_score"]}
    assert sum(bands.values()) == 180
    assert bands[score_band(picks[2]["score"])] >= 90
    assert {g["name"] for g in document["by_section"]} == {p["section"] for p in picks}
    assert sum(g["clicks"] for g in document["by_position"]) == 180

    versus = document["versus"]
    assert versus["issues"] == ["2025-W19"]
    assert versus["average_click_through"] == 0.01  # W19: 10 unique on its picks / 1000 delivered
    assert versus["click_through"] == 0.09  # W20: 180 / 2000


def test_report_in_text_names_the_ranking_and_the_comparison(clicked: tuple[Path, list[dict[str, Any]]]
                                                              ) -> None:
    demo, picks = clicked
    result = _report(demo)  # the latest issue with clicks: W20
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2025-W20: clicks from mailchimp, 2000 delivered"
    first = next(line for line in lines if line.lstrip().startswith("1 "))
    assert picks[2]["url"] in first and "4.5%" in first
    assert "other links (home, archive, unsubscribe...): 5 clicks" in result.output
    assert "against the average of the 1 issue(s) before (2025-W19)" in result.output
    assert "click-through 9.0% vs 1.0%" in result.output
    no_history = _report(demo, "--last", "0")
    assert "against earlier issues: none has clicks stored yet" in no_history.output


def test_a_week_without_clicks_says_so_and_where_they_come_from(clicked: tuple[Path, list[dict[str, Any]]]
                                                                ) -> None:
    demo, _ = clicked
    result = _report(demo, "--week", "2025-W21")
    assert result.exit_code != 0
    assert "no click counts stored for 2025-W21 (no issue 2025-W21 was built)" in result.output
    assert "issues with counts: 2025-W19, 2025-W20" in result.output
    document = json.loads(_report(demo, "--week", "2025-W21", "--json").stdout)
    assert document["command"] == "report"
    assert "no click counts stored for 2025-W21" in document["error"]["message"]


def test_a_store_without_any_clicks_says_so(demo: Path) -> None:
    result = _report(demo)
    assert result.exit_code != 0 and "no click counts are stored for any issue yet" in result.output


@pytest.mark.parametrize(("score", "band"), [(10.0, "9-10"), (9.0, "9-10"), (8.99, "8-9"), (7.0, "7-8"),
                                             (6.9, "<7"), (None, "unscored")])
def test_score_bands(score: float | None, band: str) -> None:
    assert score_band(score) == band


def test_each_edition_reports_and_compares_its_own_issues(clicked: tuple[Path, list[dict[str, Any]]]) -> None:
    demo, _ = clicked
    anime = build(demo, WEEK, "2025-05-19T08:00", "--edition", "anime")
    _store(demo, f"anime/{WEEK}", [(anime[0]["url"], 12, 15)], 400)
    document = json.loads(_report(demo, "--edition", "anime", "--json").stdout)
    assert document["issue"] == "anime/2025-W20" and document["delivered"] == 400
    assert document["picks"][0]["url"] == anime[0]["url"] and document["versus"]["issues"] == []
    default = json.loads(_report(demo, "--json").stdout)
    assert default["issue"] == WEEK and default["versus"]["issues"] == ["2025-W19"]
