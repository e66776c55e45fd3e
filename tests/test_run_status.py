"""The run's archive outcome is a typed state the CLI decides on, whatever the line says.

``RunReport.archive`` is wording for the log; ``archive_state`` is what a caller acts on: a
failed refresh fails the command (exit 2) after the issue was built and delivered, an archive
that needed nothing is "unchanged", a config without one is "off".
"""

from __future__ import annotations

from pathlib import Path

import test_jobs_demo as demo

from digest.job.run import RunReport, run_editions
from digest.settings.config import load_config
from digest.store.database import Store
from digest.weeks import parse_now


def run_at(path: Path, when: str) -> RunReport:
    config = load_config(path)
    now = parse_now(when, config.site.tz)
    with Store.open(config.store_path) as store:
        return run_editions(config, store, lambda: now, editions=[config])


def test_the_archive_state_follows_what_the_refresh_did(tmp_path: Path) -> None:
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the archive folder should be", "utf-8")
    path = demo.demo_config(tmp_path, editions=[], archive={"dir": str(blocker), "publish": "on-build"})
    failed = run_at(path, "2025-05-19T08:00")
    assert failed.archive_state == "failed" and failed.delivery_errors == ()
    assert (failed.archive or "").startswith(f"archive NOT UPDATED: cannot create the archive folder {blocker}")
    blocker.unlink()
    caught_up = run_at(path, "2025-05-19T09:00")
    assert caught_up.archive_state == "updated" and caught_up.archive == "archive: 1 page"
    again = run_at(path, "2025-05-19T10:00")
    assert again.archive_state == "unchanged" and again.archive == "archive: 1 page"


def test_no_archive_is_off_and_says_nothing(tmp_path: Path) -> None:
    report = run_at(demo.demo_config(tmp_path, editions=[], archive=None), "2025-05-19T08:00")
    assert report.archive_state == "off" and report.archive is None
