"""`digest collect` (and the scheduler's collect job) fetch a handed-off issue's click counts while it is
younger than `[report] days`: the Buttondown fake on 127.0.0.1, driven by its vendored description, the
demo collected offline through its mirror, a real SQLite store."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.clicks import UTM as UTM_OF
from helpers.clicks import WEEK, buttondown_fake  # noqa: F401 - the fixture `buttondown`
from helpers.clicks import cli as _cli
from service_fakes import Fake
from test_jobs_demo import demo_config
from test_jobs_support import FixedClock

from digest.job.schedule import DigestScheduler
from digest.settings.config import load_config
from digest.store import clicks as stored
from digest.store.database import Store

UTM = UTM_OF + WEEK


def _handed_off(demo: Path, fake: Fake, **more: object) -> tuple[Path, str, list[str]]:
    config = demo_config(demo.parent, editions=[], delivery={"method": "buttondown",
                                                             "buttondown": fake.settings()}, **more)
    ran = _cli(config, "run", "--now", "2025-05-19T08:00")
    assert ran.exit_code == 0, ran.output
    manifest = json.loads((demo.parent / "out" / "2025-W20" / "manifest.json").read_text(encoding="utf-8"))
    (cid,) = fake.campaigns
    fake.campaigns[cid]["status"] = fake.sent_status  # the editor sent it from Buttondown
    return config, cid, [p["url"] for p in manifest["picks"]]


def _click_requests(fake: Fake) -> int:
    return fake.count("events")


def test_collect_fetches_a_handed_off_issues_clicks_once(demo: Path, buttondown: Fake) -> None:
    config, cid, picks = _handed_off(demo, buttondown)
    buttondown.clicks[cid] = [{"url": picks[1] + UTM}] * 5 + [{"url": picks[0] + UTM, "subscriber": "sub_77"}]
    collected = _cli(config, "collect", "--now", "2025-05-21T09:00")
    assert collected.exit_code == 0, collected.output
    assert f"2025-W20: 6 clicks on {len(picks)} links from buttondown campaign {cid}" in collected.output
    assert _click_requests(buttondown) == 1  # once per collect
    with Store.open(load_config(config).store_path) as store:
        rows = {r.link: r.total_clicks for r in stored.clicks(store, "2025-W20", "buttondown")}
    assert rows[picks[1]] == 5 and rows[picks[0]] == 1
    assert b"sub_77" not in (demo.parent / "var" / "demo.sqlite").read_bytes()


def test_collect_leaves_an_issue_older_than_report_days_alone(demo: Path, buttondown: Fake) -> None:
    config, cid, picks = _handed_off(demo, buttondown, report={"days": 3})
    buttondown.clicks[cid] = [{"url": picks[0] + UTM}]
    collected = _cli(config, "collect", "--now", "2025-05-23T09:00")  # four days after the hand-off
    assert collected.exit_code == 0, collected.output
    assert _click_requests(buttondown) == 0 and "clicks" not in collected.output


def test_a_failing_click_report_is_one_line_and_collect_carries_on(demo: Path, buttondown: Fake) -> None:
    config, cid, _ = _handed_off(demo, buttondown)
    del buttondown.campaigns[cid]  # deleted at Buttondown: its reports answer 404
    collected = _cli(config, "collect", "--now", "2025-05-21T09:00")
    assert collected.exit_code == 0, collected.output
    assert "Traceback" not in collected.output
    (line,) = [x for x in collected.output.splitlines() if "click report" in x]
    assert line.startswith("warning: 2025-W20: buttondown click report failed:")
    assert "feeds, 0 failed" in collected.output


def test_collect_with_files_delivery_asks_no_service(demo: Path) -> None:
    collected = _cli(demo, "collect", "--now", "2025-05-21T09:00")
    assert collected.exit_code == 0, collected.output
    assert "click" not in collected.output


def test_the_schedulers_collect_job_fetches_them_too(demo: Path, buttondown: Fake,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    config, cid, picks = _handed_off(demo, buttondown)
    buttondown.clicks[cid] = [{"url": picks[2] + UTM}] * 4
    scheduler = DigestScheduler(load_config(config), clock=FixedClock(datetime(2025, 5, 21, 14, tzinfo=UTC)))
    with caplog.at_level(logging.INFO, logger="digest"):
        scheduler.tick("collect")
    assert f"collect: 2025-W20: 4 clicks on {len(picks)} links from buttondown campaign {cid}" in caplog.text
    assert buttondown.count("events") == 1


def test_report_fetch_takes_its_days_from_the_config(demo: Path, buttondown: Fake) -> None:
    config, _, _ = _handed_off(demo, buttondown, report={"days": 3})
    fetched = _cli(config, "report", "--fetch", "--now", "2025-05-23T09:00")
    assert "no buttondown campaign of the last 3 days to ask about" in fetched.stderr
    assert buttondown.count("events") == 0
