"""No service: the site's analytics export (landing page + query string) read for the issue's UTM tags,
stored as "analytics" rows against the demo's built issue and shown by `digest report`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.clicks import FETCHED, PERIOD, WEEK, build

from digest.cli import main
from digest.clicks.analytics import analytics_report
from digest.clicks.record import record_report
from digest.errors import ConfigError
from digest.job.analytics_clicks import record_analytics_clicks
from digest.select.analytics import read_analytics, read_analytics_rows
from digest.settings.config import load_config
from digest.store import clicks as stored
from digest.store.database import Store

SITE = "https://secondscreen.example/"


def _export(tmp_path: Path, first: str, second: str) -> Path:
    """A GA4 "Landing page + query string" export, as GA4 writes it (comment blocks, thousands commas)."""
    path = tmp_path / "landing-pages.csv"
    tag = "utm_source=secondscreen&utm_medium=email&utm_campaign="
    path.write_text(
        "# ----------------------------------------\n"
        "# Landing page: Landing page + query string\n"
        "# Account: Second Screen\n"
        "# Start date: 20250519\n# End date: 20250525\n"
        "# ----------------------------------------\n"
        "Landing page + query string,Sessions,Engaged sessions\n"
        f"{first}?{tag}{WEEK},\"1,204\",800\n"
        f"{first}?{tag}{WEEK}&fbclid=IwAR2x,6,2\n"
        f"{first},9311,5000\n"
        f"{second}?{tag}{WEEK},311,200\n"
        f"{second}?{tag}2025-W19,77,50\n"
        f"{second}?utm_source=twitter&utm_medium=social&utm_campaign={WEEK},40,12\n"
        f"/?{tag}{WEEK},25,10\n", encoding="utf-8")
    return path


def test_the_issues_tagged_visits_become_analytics_rows(demo: Path, tmp_path: Path) -> None:
    picks = build(demo)
    first, second = (p["url"].removeprefix(SITE.rstrip("/")) for p in picks[:2])
    export = _export(tmp_path, first, second)
    report = analytics_report(read_analytics_rows(export, SITE), WEEK, "secondscreen", "email")
    assert report.service == "analytics" and report.delivered is None and report.notes
    with Store.open(load_config(demo).store_path) as store:
        record_report(store, WEEK, report, PERIOD, FETCHED)
        rows = {r.link: r for r in stored.clicks(store, WEEK, "analytics")}
    assert (rows[picks[0]["url"]].total_clicks, rows[picks[0]["url"]].unique_clicks) == (1210, None)
    assert rows[picks[1]["url"]].total_clicks == 311  # not W19's visits, not the social post's
    assert rows[SITE].review_uid is None and rows[SITE].total_clicks == 25

    result = CliRunner().invoke(main, ["--config", str(demo), "report", "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "2025-W20: clicks from analytics, delivered count unknown"


def test_the_page_views_read_for_trending_are_unchanged(tmp_path: Path) -> None:
    export = _export(tmp_path, "/2025/05/06/review-x/", "/2025/05/07/review-y/")
    assert read_analytics(export, SITE) == {
        SITE + "2025/05/06/review-x/": 1204 + 6 + 9311,
        SITE + "2025/05/07/review-y/": 311 + 77 + 40,
        SITE: 25,
    }



def test_the_job_reads_the_configured_export_for_an_issue(demo: Path, tmp_path: Path) -> None:
    picks = build(demo)
    export = _export(tmp_path, picks[0]["url"].removeprefix(SITE.rstrip("/")), "/2025/05/07/elsewhere/")
    config = load_config(demo)
    now = datetime(2099, 1, 1, tzinfo=UTC)
    tagged = config.model_copy(update={
        "email": config.email.model_copy(update={"utm_source": "secondscreen", "utm_medium": "email"}),
        "trending": config.trending.model_copy(update={"analytics_csv": export})})
    untagged = tagged.model_copy(update={"email": tagged.email.model_copy(update={"utm_source": None})})
    no_csv = tagged.model_copy(update={"trending": tagged.trending.model_copy(update={"analytics_csv": None})})
    with Store.open(config.store_path) as store:
        with pytest.raises(ConfigError, match=r"2025-W20: the email adds no UTM tags.*\[email\] utm_source"):
            record_analytics_clicks(untagged, store, WEEK, now)
        with pytest.raises(ConfigError, match=r"2025-W20: no analytics export.*set \[trending\] analytics_csv"):
            record_analytics_clicks(no_csv, store, WEEK, now)
        rows = record_analytics_clicks(tagged, store, WEEK, now)
    assert {r.link: r.total_clicks for r in rows}[picks[0]["url"]] == 1210
    assert {r.source for r in rows} == {"analytics"} and rows[0].period_start.year == 2025
