"""The benchmarks' own virtualenv, bench/.venv, for the tools digest is measured against.

rss2email and css-inline are yardsticks, not dependencies: they never enter the project's
venv or pyproject.toml. The first benchmark that needs them creates bench/.venv with the
interpreter running it and installs the pinned versions from the package registry.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

BENCH_VENV = Path(__file__).resolve().parent / ".venv"
REQUIREMENTS = ("rss2email==3.14", "css-inline==0.24.0")


def bench_bin(name: str) -> Path:
    """``bench/.venv/bin/<name>``, creating and filling the venv on first use."""
    marker = BENCH_VENV / ".installed"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if not marker.is_file() or marker.read_text() != wanted:
        print(f"setting up {BENCH_VENV} ({', '.join(REQUIREMENTS)}) ...", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(BENCH_VENV)
        subprocess.run([str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "-q", *REQUIREMENTS],
                       check=True)
        marker.write_text(wanted)
    return BENCH_VENV / "bin" / name
