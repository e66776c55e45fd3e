"""bench/tick.py runs end to end in its smoke mode (``--quick``: a tiny corpus, one round): a scheduler
process times its build tick with SpamAssassin off, on, and on readied by the lead job, and reports what
each "on" adds. Its figures mean nothing here (a tiny corpus: no collect long enough to hide the check)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[1] / "bench" / "tick.py"


def test_the_tick_bench_times_the_build_tick_with_the_check_off_on_and_readied() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--install", "dev"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    walls = re.search(r"tick wall ([\d.]+) s off, ([\d.]+) s on, ([\d.]+) s on, readied", done.stdout)
    assert walls is not None, done.stdout
    off, on, readied = map(float, walls.groups())
    assert 0 < off < on and readied < on  # readied, the rules compiled before the tick began
    added = re.findall(r"^    SpamAssassin (on|on, readied): adds ([+-][\d.]+) s to the tick",
                       done.stdout, re.M)
    assert [label for label, _ in added] == ["on", "on, readied"]
