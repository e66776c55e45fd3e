"""A fresh clone on a bare machine: the suite's data is inside tests/, and `make test` installs the
Debian tools the suite needs (as root, as in CI) or stops at once with the one command to run first,
instead of failing tests one by one for lack of chromium or spamassassin.

The Makefile runs under the real make and /bin/sh with a PATH holding only what each case has:
stand-ins for the tools (and for ``id`` and ``apt-get``: the test neither is root nor installs).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
DEBS = "chromium spamassassin spamc spamd nodejs npm fonts-liberation"


def _bin(folder: Path, uid: int, tools: dict[str, str]) -> Path:
    """A PATH folder with grep, an ``id`` that answers ``uid``, and each tool as a small script."""
    folder.mkdir()
    grep = shutil.which("grep")
    assert grep is not None
    (folder / "grep").symlink_to(grep)
    scripts = {"id": f'echo {uid}', **tools}
    for name, body in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    return folder


def _deps(tmp_path: Path, path: Path) -> subprocess.CompletedProcess[str]:
    assert MAKE is not None, "make is required"
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    return subprocess.run([MAKE, "-s", "deps"], cwd=tmp_path, env={"PATH": str(path)},
                          capture_output=True, text=True, timeout=60)


def test_not_root_on_a_bare_machine_stops_with_the_one_command_to_run(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    path = _bin(tmp_path / "bin", 1000, {"apt-get": f'echo "$*" >> {log}'})
    done = _deps(tmp_path, path)
    assert done.returncode != 0
    assert f"make test needs {DEBS} (missing)" in done.stderr
    assert f"  sudo apt-get update && sudo apt-get install -y {DEBS}\n" in done.stderr
    assert not log.exists()


def test_root_installs_only_what_is_missing(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    tools = {"apt-get": f'echo "$*" >> {log}', "chromium": "true", "npm": "true",
             "fc-list": 'echo "/usr/share/fonts/DejaVuSans.ttf: DejaVu Sans:style=Book"'}
    done = _deps(tmp_path, _bin(tmp_path / "bin", 0, tools))
    assert done.returncode == 0, done.stdout + done.stderr
    assert log.read_text(encoding="utf-8").splitlines() == [
        "update -qq", "install -y -qq --no-install-recommends spamassassin spamc spamd fonts-liberation"]


def test_a_machine_with_everything_installs_nothing(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    tools = {"apt-get": f'echo "$*" >> {log}', "chromium": "true", "npm": "true", "spamassassin": "true",
             "spamc": "true", "spamd": "true",
             "fc-list": 'echo "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf: '
                        'Liberation Sans:style=Regular"'}
    done = _deps(tmp_path, _bin(tmp_path / "bin", 1000, tools))
    assert done.returncode == 0 and done.stdout == done.stderr == "", done.stdout + done.stderr
    assert not log.exists()


def test_make_test_checks_the_tools_before_npm_and_the_suite(tmp_path: Path) -> None:
    assert MAKE is not None, "make is required"
    for name in ("Makefile", "pyproject.toml", "tests/node/package-lock.json"):  # make -n needs the sources
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    alone = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}  # CI runs us
    planned = subprocess.run([MAKE, "-n", "--no-print-directory", "test"], cwd=tmp_path, capture_output=True,
                             text=True, check=True, env=alone).stdout  # under make test: its flags are not ours
    assert 0 <= planned.index("command -v chromium") < planned.index("npm ci") < planned.index("pytest")


def test_ci_runs_exactly_the_readme_command() -> None:
    """CI installs nothing of its own: what a newcomer runs is what CI runs."""
    lines = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert lines[-1] == "make test"
    assert not any("apt-get" in line for line in lines)


def test_the_suite_reads_nothing_outside_the_checkout() -> None:
    """A fresh clone has no sibling folders: test data is vendored under tests/data (SOURCES.md there)."""
    outside = re.compile(r"\.\./shared|\"shared\"|/work/|parents\[[2-9]\]")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in (ROOT / "tests", ROOT / "bench")
        for path in sorted(folder.rglob("*"))
        if path.suffix in {".py", ".md", ".json", ".toml"} and "node_modules" not in path.parts
        and "data" not in path.relative_to(folder).parts[:1]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line) and path != Path(__file__).resolve()
    ]
    assert offenders == []
