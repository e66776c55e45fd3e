"""bench/render.py runs end to end in its smoke mode (``--quick``: one round, no css-inline, which needs
bench/.venv): every case is timed, prepared as ``digest run`` prepares (issue 23's reading) and
unprepared (the older one), and both readings are printed. Its figures mean nothing here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[1] / "bench" / "render.py"


def test_the_render_bench_times_each_case_prepared_and_unprepared() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    cases = re.findall(r"^ +((?:first|later) builds?, (?:with|no) note, (?:un)?prepared) +first +([\d.]+) ms",
                       done.stdout, re.M)
    assert sorted(label for label, _ in cases) == sorted(
        f"{case}, {note}, {prep}" for case in ("first build", "later builds")
        for note in ("with note", "no note") for prep in ("prepared", "unprepared"))
    assert all(float(ms) > 0 for _, ms in cases)
    goals = [line for line in done.stdout.splitlines()
             if line.startswith("goal: a prepared process's first call")]
    assert len(goals) == 2 and all("unprepared, the older reading" in line for line in goals)
