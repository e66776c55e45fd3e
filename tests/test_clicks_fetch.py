"""`digest report --fetch`: an issue handed off to a service, its per-link clicks asked from the service's
fake (driven by the vendored description) and stored, then reported; a config without a service says where
clicks come from instead."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.clicks import UTM as UTM_OF
from helpers.clicks import WEEK, buttondown_fake  # noqa: F401 - the fixture `buttondown`
from helpers.clicks import cli as _cli
from service_fakes import Fake
from test_jobs_demo import demo_config

UTM = UTM_OF + WEEK


def _handed_off(demo: Path, fake: Fake) -> tuple[Path, list[str]]:
    config = demo_config(demo.parent, editions=[], delivery={"method": "buttondown",
                                                             "buttondown": fake.settings()})
    ran = _cli(config, "run", "--now", "2025-05-19T08:00")
    assert ran.exit_code == 0, ran.output
    manifest = json.loads((demo.parent / "out" / "2025-W20" / "manifest.json").read_text(encoding="utf-8"))
    return config, [p["url"] for p in manifest["picks"]]


def test_fetch_asks_the_service_for_the_issues_clicks_stores_them_and_ranks_the_picks(
        demo: Path, buttondown: Fake) -> None:
    config, picks = _handed_off(demo, buttondown)
    (cid,) = buttondown.campaigns
    buttondown.campaigns[cid]["status"] = buttondown.sent_status  # the editor sent it from Buttondown
    buttondown.clicks[cid] = ([{"url": picks[2] + UTM}] * 7 + [{"url": picks[0] + UTM}] * 3
                              + [{"url": "https://secondscreen.example/", "subscriber": "sub_4242"}])
    fetched = _cli(config, "report", "--fetch", "--now", "2025-05-21T09:00", "--json")
    assert fetched.exit_code == 0, fetched.output
    assert "2025-W20: 11 clicks" in fetched.stderr and f"buttondown campaign {cid}" in fetched.stderr
    ranked = json.loads(fetched.stdout)["picks"]
    assert [(p["url"], p["total_clicks"]) for p in ranked[:2]] == [(picks[2], 7), (picks[0], 3)]
    db = (demo.parent / "var" / "demo.sqlite").read_bytes()
    assert b"sub_4242" not in db  # nobody who clicked is kept
    again = _cli(config, "report", "--week", "2025-W20", "--json")  # stored: no service needed to read it
    assert again.exit_code == 0 and json.loads(again.stdout)["picks"] == ranked


def test_fetch_leaves_out_campaigns_older_than_its_days(demo: Path, buttondown: Fake) -> None:
    config, _ = _handed_off(demo, buttondown)
    asked = len(buttondown.requests)
    fetched = _cli(config, "report", "--fetch", "--days", "7", "--now", "2025-06-30T09:00")
    assert "no buttondown campaign of the last 7 days to ask about" in fetched.stderr
    assert len(buttondown.requests) == asked  # nothing was asked
    assert fetched.exit_code != 0 and "no click counts are stored for any issue yet" in fetched.output


def test_fetch_without_a_service_says_where_clicks_come_from(demo: Path) -> None:
    fetched = _cli(demo, "report", "--fetch")
    assert fetched.exit_code != 0 and "Traceback" not in fetched.output
    assert "no mailing service holds click counts" in fetched.output
    assert "analytics_csv" in fetched.output
