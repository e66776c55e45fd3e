"""From a bare URL to the first built issue on the bundled demo: `digest init`, `collect`, `build`.

Runs the real command line (a fresh process per step, as an editor would) in a temporary folder,
offline through the demo's mirror, and prints each step's wall time and the total.

    .venv/bin/python bench/init_demo.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIGEST = Path(sys.executable).parent / "digest"


def step(name: str, *args: str) -> float:
    started = time.monotonic()
    done = subprocess.run([str(DIGEST), *args], capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{name} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    print(f"{name:<8} {seconds:6.2f} s   {done.stdout.strip().splitlines()[-1][:90]}")
    return seconds


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = str(Path(folder) / "second-screen.toml")
        total = step("init", "init", "https://secondscreen.example", "--config", config,
                     "--mirror", f"secondscreen.example={ROOT / 'config' / 'demo' / 'site'}")
        total += step("collect", "--config", config, "collect", "--now", "2025-05-19T07:00", "-q")
        total += step("build", "--config", config, "build", "--now", "2025-05-19T08:00")
        print(f"{'total':<8} {total:6.2f} s   from a bare URL to the first built issue (goal: under 5 minutes)")


if __name__ == "__main__":
    main()
