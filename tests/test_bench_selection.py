"""bench/selection.py runs end to end on its smallest stores (``--quick``): a config the build accepts, the
CLI and in-process figures for both sizes, and their growth. It broke once unnoticed when the plain
email came to need its unsubscribe link and postal address: this run says so at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[1] / "bench" / "selection.py"


def test_the_selection_bench_runs_its_quick_sizes() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.strip().startswith(("2,000", "5,000"))]
    assert [row[0] for row in rows] == ["2,000", "5,000"]
    assert all(float(row[2]) > 0 and float(row[4]) > 0 for row in rows)  # choose and build were timed
    assert "growth 5,000/2,000 entries" in done.stdout
