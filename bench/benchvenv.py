"""The benchmarks' own virtualenvs: bench/.venv for the tools digest is measured against, and
bench/.venv-user for digest as a user installs it.

rss2email and css-inline are yardsticks, not dependencies: they never enter the project's
venv or pyproject.toml. The first benchmark that needs them creates bench/.venv with the
interpreter running it and installs the pinned versions from the package registry.

A developer's venv holds digest editable with its test extras (import-linter brings rich and
pygments, which httpx imports for its own command line when they are there: 3.5 MB of a run's
peak memory no user has). bench/.venv-user holds ``pip install .`` of this checkout, not
editable, no extras: what a user runs. It is installed again whenever a file pip would package
(pyproject.toml, digest/, templates/) changed since.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

BENCH_VENV = Path(__file__).resolve().parent / ".venv"
USER_VENV = Path(__file__).resolve().parent / ".venv-user"
ROOT = Path(__file__).resolve().parent.parent
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


def _source_digest() -> str:
    """A hash of what ``pip install .`` packages from this checkout (its tracked and untracked files)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "pyproject.toml", "digest",
                             "templates"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    digest = hashlib.sha256()
    for name in sorted(listed.split("\n")):
        path = ROOT / name
        if name and path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def user_digest() -> Path:
    """``bench/.venv-user/bin/digest``: this checkout installed as a user would (``pip install .``)."""
    marker = USER_VENV / ".installed"
    wanted = _source_digest()
    if not marker.is_file() or marker.read_text() != wanted:
        print(f"installing this checkout into {USER_VENV} (pip install ., no extras) ...", file=sys.stderr,
              flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(USER_VENV)
        subprocess.run([str(USER_VENV / "bin" / "python"), "-m", "pip", "install", "-q", str(ROOT)], check=True)
        marker.write_text(wanted)
    return USER_VENV / "bin" / "digest"
