"""What the demo's commands spend importing, and their wall time, for one or two checkouts.

Run ``.venv/bin/python bench/imports.py [--rounds N] [--before PATH]``. Each round runs, in a fresh
copy of the demo config (tests/test_jobs_demo.py demo_config, offline through its mirrors):
``collect`` (empty store), ``reviews`` and ``build`` (on that store), and ``run`` (a second, empty
copy), as ``digest --config demo.toml ... --now 2025-05-19T08:00``. With ``--before PATH`` (a
checkout of another commit, e.g. ``git archive <commit> | tar -x -C PATH``) each command runs
against that code too, interleaved, with the same interpreter and libraries (PYTHONPATH=PATH).

Import time is the sum of the top-level entries of ``python -X importtime`` (every import the
command made, lazy ones included), from a second run of each command in each round (importtime
slows a process down, so the wall time comes from the first); both are medians over the rounds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2025-05-19T08:00"
WEEK = "2025-W20"
COMMANDS = {
    "collect": ["collect", "--quiet", "--now", NOW],
    "reviews": ["reviews", "--week", WEEK, "--now", NOW],
    "build": ["build", "--week", WEEK, "--now", NOW],
    "run": ["run", "--now", NOW],
}
_CLI = "import sys\nfrom digest.cli import main\nmain(sys.argv[1:])\n"
_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|( *)\S+")


def demo(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_jobs_demo import demo_config  # the tests' own offline copy of the demo

    folder.mkdir(parents=True, exist_ok=True)
    return demo_config(folder)


def command(code: Path | None, config: Path, name: str, importtime: bool = False) -> tuple[float, float]:
    """(wall seconds, import seconds or 0) of one ``digest <name>`` against the code at ``code``."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    argv = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", _CLI, "--config", str(config),
            *COMMANDS[name]]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=config.parent, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{name} exited {done.returncode}: {done.stderr[-2000:]}")
    total = sum(int(m.group(1)) for m in map(_LINE.match, done.stderr.splitlines()) if m and m.group(2) == " ")
    return wall, total / 1e6


def one_round(code: Path | None, scratch: Path, importtime: bool) -> dict[str, tuple[float, float]]:
    shutil.rmtree(scratch, ignore_errors=True)
    first, second = demo(scratch / "a"), demo(scratch / "b")
    return {name: command(code, second if name == "run" else first, name, importtime) for name in COMMANDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare with")
    args = parser.parse_args()
    codes: dict[str, Path | None] = {"now": None, **({"before": args.before.resolve()} if args.before else {})}
    walls: dict[str, dict[str, list[float]]] = {label: {n: [] for n in COMMANDS} for label in codes}
    imports: dict[str, dict[str, list[float]]] = {label: {n: [] for n in COMMANDS} for label in codes}
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(args.rounds):
            order = list(codes.items()) if index % 2 == 0 else list(codes.items())[::-1]
            for label, code in order:
                for name, (wall, _) in one_round(code, Path(tmp) / label, False).items():
                    walls[label][name].append(wall)
                for name, (_, spent) in one_round(code, Path(tmp) / label, True).items():
                    imports[label][name].append(spent)
    for name in COMMANDS:
        cells = [f"{label}: imports {statistics.median(imports[label][name]):.3f} s, "
                 f"wall {statistics.median(walls[label][name]):.2f} s" for label in codes]
        print(f"{name:8} " + " | ".join(cells))


if __name__ == "__main__":
    main()
