"""A built demo issue with a service's click report, for the click tests (record, report, CLI)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

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
