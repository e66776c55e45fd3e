"""bench/desk.py runs end to end: a desk on a demo copy, Chromium making changes, figures as JSON, and an
exit status that says whether the goal was met (a goal no desk can meet here, so the run must say 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.chromium import CHROMIUM

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[1] / "bench" / "desk.py"


def bench_run(tmp_path: Path, js: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """bench/desk.py with two changes after one warm-up, against a goal no desk can meet: it must exit 1."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    out = tmp_path / "desk-latency.json"
    done = subprocess.run([sys.executable, str(BENCH), "--changes", "2", "--warmup", "1", "--js", js,
                           "--goal-ms", "0.001", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr  # measured, and over the goal
    return done, json.loads(out.read_text(encoding="utf-8"))


def test_the_desk_bench_times_each_change_and_fails_a_goal_it_misses(tmp_path: Path) -> None:
    done, result = bench_run(tmp_path, "off")
    assert result["js"] == "off" and result["changes"] == 2 and len(result["latencies_ms"]) == 2
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"] and result["met"] is False
    assert "p95" in done.stdout and "NOT met" in done.stdout


def test_with_javascript_the_desk_bench_times_the_email_on_screen_and_each_step(tmp_path: Path) -> None:
    done, result = bench_run(tmp_path, "on")
    steps = result["steps"]
    assert result["js"] == "on" and len(result["painted_ms"]) == 2 and len(steps) == 2
    for step in steps:  # in order after the submit: asked early, answered, put in, painted
        assert 0 <= step["email_asked"] <= step["email_in"] <= step["filled"] <= step["shown"], step
        assert isinstance(step["click_to_submit"], int)  # two clocks (host and Chromium): no order promised
    assert 0 < result["painted_p95_ms"] and result["met"] is False
    assert "on screen (Chromium's clock)" in done.stdout and "NOT met" in done.stdout
