"""`digest collect` (and the scheduler's collect job) read `[trending] analytics_csv` for each issue handed
off by SMTP, a webhook or files while it is younger than `[report] days`: the demo collected offline
through its mirror, a GA4 "Landing page + query string" export on disk, a real SQLite store, a real
webhook on 127.0.0.1."""

from __future__ import annotations

import logging
import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from test_jobs_demo import DEMO, demo_config
from test_jobs_support import FixedClock

from digest.cli import main
from digest.job.schedule import DigestScheduler
from digest.settings.config import load_config
from digest.store import clicks as stored
from digest.store.database import Store

SITE = "https://secondscreen.example"
TAG = "utm_source=secondscreen&utm_medium=email&utm_campaign=2025-W20"


def _cli(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args])


def _config(folder: Path, export: Path | None, utm: str | None = "secondscreen", **more: Any) -> Path:
    trending = tomllib.loads(DEMO.read_text(encoding="utf-8"))["trending"]
    if export is not None:
        trending["analytics_csv"] = str(export)
    return demo_config(folder, editions=[], trending=trending, email={"utm_source": utm, "utm_medium": "email"}
                       if utm else {}, **more)


def _built(folder: Path, export: Path | None, **more: Any) -> tuple[Path, list[str]]:
    config = _config(folder, export, **more)
    ran = _cli(config, "run", "--now", "2025-05-19T08:00", "--json")
    assert ran.exit_code == 0, ran.output
    with Store.open(load_config(config).store_path) as store:
        links = [link for _, link, _, _ in stored.issue_picks(store, "2025-W20")]
    return config, links


def _export(path: Path, links: list[str]) -> Path:
    first, second = (link.removeprefix(SITE) for link in links[:2])
    path.write_text("# Landing page: Landing page + query string\n"
                    "Landing page + query string,Sessions\n"
                    f"{first}?{TAG},\"1,204\"\n{second}?{TAG},31\n{second},900\n", encoding="utf-8")
    written = datetime(2025, 5, 20, 23, tzinfo=UTC).timestamp()  # exported the day after the send
    os.utime(path, (written, written))
    return path


def _analytics(config: Path) -> dict[str, int | None]:
    with Store.open(load_config(config).store_path) as store:
        return {r.link: r.total_clicks for r in stored.clicks(store, "2025-W20", "analytics")}


def test_collect_reads_the_export_for_an_issue_handed_off_as_files(demo: Path) -> None:
    export = demo.parent / "landing.csv"
    config, links = _built(demo.parent, export)
    _export(export, links)
    collected = _cli(config, "collect", "--now", "2025-05-21T09:00")
    assert collected.exit_code == 0, collected.output
    (line,) = [x for x in collected.output.splitlines() if "analytics" in x]
    assert line.startswith("2025-W20: 1235 visits on") and "landing.csv" in line
    assert _analytics(config)[links[0]] == 1204 and _analytics(config)[links[1]] == 31
    again = _cli(config, "collect", "--now", "2025-05-22T09:00")  # replaced, not added to
    assert again.exit_code == 0 and _analytics(config)[links[0]] == 1204


def test_an_issue_older_than_report_days_is_left_alone(demo: Path) -> None:
    export = demo.parent / "landing.csv"
    config, links = _built(demo.parent, export, report={"days": 3})
    _export(export, links)
    collected = _cli(config, "collect", "--now", "2025-05-23T09:00")  # four days after the build
    assert collected.exit_code == 0, collected.output
    assert "analytics" not in collected.output and _analytics(config) == {}


def test_a_missing_export_is_one_line_and_collect_carries_on(demo: Path) -> None:
    config, _ = _built(demo.parent, demo.parent / "gone.csv")
    collected = _cli(config, "collect", "--now", "2025-05-21T09:00", "--quiet")
    assert collected.exit_code == 0, collected.output
    assert "Traceback" not in collected.output
    (line,) = [x for x in collected.output.splitlines() if "analytics" in x]
    assert line.startswith("warning: 2025-W20: clicks not read from the analytics export:")
    assert "gone.csv: analytics file not found" in line


@pytest.mark.parametrize("export, utm", [(False, "secondscreen"), (True, None)], ids=["no-export", "no-utm"])
def test_nothing_is_said_without_the_export_or_the_utm_tags(demo: Path, export: bool, utm: str | None
                                                            ) -> None:
    config = _config(demo.parent, _export(demo.parent / "landing.csv", [SITE + "/a/", SITE + "/b/"]) if export
                     else None, utm)
    assert _cli(config, "run", "--now", "2025-05-19T08:00").exit_code == 0
    collected = _cli(config, "collect", "--now", "2025-05-21T09:00")
    assert collected.exit_code == 0, collected.output
    assert "analytics" not in collected.output and "click" not in collected.output


def test_a_webhook_delivery_counts_from_when_it_was_delivered(demo: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    export = demo.parent / "landing.csv"
    hook = {"method": "webhook", "webhook": {"url": f"http://127.0.0.1:{httpserver.port}/hook"}}
    config, links = _built(demo.parent, export, delivery=hook)
    _export(export, links)
    collected = _cli(config, "collect", "--now", "2025-05-21T09:00")
    assert collected.exit_code == 0, collected.output
    assert "2025-W20: 1235 visits on" in collected.output


def test_an_issue_built_but_not_delivered_by_webhook_is_not_read(demo: Path) -> None:
    export = demo.parent / "landing.csv"
    config = _config(demo.parent, export, delivery={"method": "webhook", "webhook": {"url": "http://127.0.0.1:9/"}})
    assert _cli(config, "build", "--week", "2025-W20", "--now", "2025-05-19T08:00").exit_code == 0
    with Store.open(load_config(config).store_path) as store:
        _export(export, [link for _, link, _, _ in stored.issue_picks(store, "2025-W20")])
    collected = _cli(config, "collect", "--now", "2025-05-21T09:00")
    assert "analytics" not in collected.output and _analytics(config) == {}


def test_the_schedulers_collect_job_reads_it_too(demo: Path, caplog: pytest.LogCaptureFixture) -> None:
    export = demo.parent / "landing.csv"
    config, links = _built(demo.parent, export)
    _export(export, links)
    scheduler = DigestScheduler(load_config(config), clock=FixedClock(datetime(2025, 5, 21, 14, tzinfo=UTC)))
    with caplog.at_level(logging.INFO, logger="digest"):
        scheduler.tick("collect")
    assert "collect: 2025-W20: 1235 visits on" in caplog.text
    assert _analytics(config)[links[0]] == 1204
