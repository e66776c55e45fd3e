"""Bot and machine clicks: what each service says it does about them, carried in its click report, shown
by `digest report` (text and JSON) and never made up. No vendored report description has a per-link bot
or machine field (checked here, so a new vendored version that adds one fails this test and is read)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, Fake
from test_clicks_report import _store, clicked  # noqa: F401  (the fixture)
from test_json_outputs import validated
from test_service_clicks import adapter, brevo_sent, sent_campaign

from digest.cli import main
from digest.clicks.analytics import analytics_report
from digest.services.clicks import BOTS

CONTRACTS = Path(__file__).parent / "contracts"
URL = "https://reviews.example/1/"
# Each service's report answer as its fake holds it, and the words its note must carry.
CASES: dict[str, tuple[Any, str]] = {
    "mailchimp": ([{"id": "l0", "url": URL, "total_clicks": 3, "unique_clicks": 2}], "bot filtering"),
    "listmonk": ([{"url": URL, "count": 3}], "neither marks nor filters"),
    "kit": ([{"url": URL, "unique_clicks": 2, "click_to_delivery_rate": 0.01, "click_to_open_rate": 0.03}],
            "no bot or machine field"),
    "brevo": ({URL: 3}, "no bot or machine field"),
    "buttondown": ([{"url": URL}] * 3, "canary links"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_services_report_says_what_it_does_about_bot_clicks(httpserver: HTTPServer, name: str) -> None:
    fake: Fake = FAKES[name](httpserver)
    ids = {"kit": "151", "listmonk": "7", "buttondown": "em_41"}
    cid = brevo_sent(fake, "31", 90) if name == "brevo" else sent_campaign(
        fake, ids.get(name, "c1"), delivered=90, sent=90, filter=None)
    rows, words = CASES[name]
    fake.clicks[cid] = rows
    report = adapter(fake).link_clicks(cid)
    assert BOTS[name] in report.notes and words in BOTS[name]
    assert report.links and all(link.url == URL for link in report.links)


def test_the_analytics_export_says_it_carries_no_bot_marker() -> None:
    report = analytics_report([(URL + "?utm_source=s&utm_medium=email&utm_campaign=2025-W20", 4.0)],
                              "2025-W20", "s", "email")
    assert BOTS["analytics"] in report.notes and "no bot" in BOTS["analytics"]


def _descriptions() -> dict[str, str]:
    found = {}
    for folder in CONTRACTS.iterdir():
        for path in folder.glob("*.y*ml"):
            found[f"{folder.name}/{path.name}"] = path.read_text(encoding="utf-8")
        for path in folder.glob("*.json.gz"):
            found[f"{folder.name}/{path.name}"] = gzip.decompress(path.read_bytes()).decode("utf-8")
    return found


def _report_schemas(text: str, name: str) -> list[Any]:
    """The answer schemas of the report operations the adapters call, as the vendored file gives them."""
    document = json.loads(text) if name.endswith(".gz") else yaml.safe_load(text)
    schemas = document.get("components", {}).get("schemas", {})
    wanted = ("ReportsClickDetailsUrlsClicked", "getExtendedCampaignStats", "getCampaignStats", "EmailEvent",
              "Analytics", "CampaignAnalyticsCount")
    picked = [schema for key, schema in schemas.items() if key in wanted]
    for path, item in document.get("paths", {}).items():
        if any(part in path for part in ("/clicks", "/stats", "analytics")):
            picked.append(item)
    return picked


def test_no_vendored_report_answer_has_a_bot_or_machine_field() -> None:
    checked = 0
    for name, text in _descriptions().items():
        for schema in _report_schemas(text, name):
            words = json.dumps(schema).lower()
            checked += 1
            for marker in ('"bot', "_bot", "machine", "automated", "is_human", "mpp"):
                assert marker not in words, (name, marker)
    assert checked >= 6


def test_report_shows_the_sources_bot_note(clicked: tuple[Path, list[dict[str, Any]]]) -> None:  # noqa: F811
    demo, _ = clicked
    text = CliRunner().invoke(main, ["--config", str(demo), "report"])
    assert text.exit_code == 0, text.output
    assert f"bot and machine clicks: {BOTS['mailchimp']}" in " ".join(text.output.split())
    document = validated(demo, "report", "--week", "2025-W20")
    assert document["bots"] == BOTS["mailchimp"]
