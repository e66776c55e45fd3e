"""A built demo issue with a service's click report, for the click tests (record, report, CLI)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Fake

from digest.cli import main

WEEK = "2025-W20"
PERIOD = (datetime(2025, 5, 19, 8, 0, tzinfo=UTC), datetime(2025, 5, 26, 8, 0, tzinfo=UTC))
FETCHED = datetime(2025, 5, 26, 8, 5, tzinfo=UTC)
UTM = "?utm_source=secondscreen&utm_medium=email&utm_campaign="


def build(config: Path, week: str = WEEK, now: str = "2025-05-19T08:00", *more: str) -> list[dict[str, Any]]:
    """Build ``week`` on the demo and give its manifest's picks (url, section, kind, position, score)."""
    args = ["--config", str(config), "build", "--week", week, "--now", now, "--json", *more]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out_dir = Path(json.loads(result.stdout)["out_dir"])
    picks: list[dict[str, Any]] = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))["picks"]
    return picks


def store_clicks(config: Path, issue_id: str, source: str, picks: list[tuple[str, str, str | None, int]],
                 delivered: int | None) -> None:
    """An earlier issue's counts stored as ``digest report --fetch`` stores them: (uid, section, kind,
    unique clicks) per pick, total four more, and one "other" link (the site's home)."""
    from digest.settings.config import load_config
    from digest.store.clicks import ClickRow, replace_clicks
    from digest.store.database import Store

    period = (datetime(2025, 5, 12, 13, tzinfo=UTC), datetime(2025, 5, 19, 7, tzinfo=UTC))
    rows = [ClickRow(issue_id, source, f"https://secondscreen.example/{issue_id}/{n}/", uid, n, section, kind,
                     8.0, clicks, clicks + 4, delivered, *period, period[1])
            for n, (uid, section, kind, clicks) in enumerate(picks, 1)]
    rows.append(ClickRow(issue_id, source, "https://secondscreen.example/", None, None, None, None, None,
                         9, 12, delivered, *period, period[1]))
    with Store.open(load_config(config).store_path) as store:
        replace_clicks(store, issue_id, source, rows)


@pytest.fixture(name="buttondown")
def buttondown_fake(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Fake:
    """``buttondown``: the Buttondown fake (driven by its vendored description) on 127.0.0.1, its API key
    set (a test module imports this to use it)."""
    monkeypatch.setenv("DIGEST_BUTTONDOWN_API_KEY", KEY)
    return FAKES["buttondown"](httpserver)


def cli(config: Path, *args: str) -> Result:
    """``digest --config CONFIG ARGS...`` in this process."""
    return CliRunner().invoke(main, ["--config", str(config), *args])
