"""The demo walk in a checkout: the README's editor commands leave the tracked tree as it was.

Everything a demo run writes (store, issues, the editor's pins and notes) belongs in the git-ignored
var/ and out/, which `make clean` removes; a file left under config/ would be untracked clutter that
silently shapes every later demo build.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time: any write shows."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _digest(*args: str) -> str:
    result = CliRunner().invoke(main, ["--config", "config/demo.toml", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_walk_writes_nothing_under_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "digest"  # laid out like the checkout: config/demo.toml, config/demo/site/
    shutil.copytree(ROOT / "config", project / "config", ignore=shutil.ignore_patterns("__pycache__", "issues"))
    monkeypatch.chdir(project)
    before = _tree(project / "config")

    _digest("collect", "--now", "2025-05-19T07:00", "-q")
    reviews = json.loads(_digest("reviews", "--week", "2025-W20", "--now", "2025-05-19T08:00", "--json"))
    scored = [r["url"] for r in reviews["reviews"] if r["score"] is not None]
    assert len(scored) >= 2, reviews
    pinned, dropped = scored[-1], scored[0]
    built = _digest("build", "--week", "2025-W20", "--now", "2025-05-19T08:00",
                    "--pin", f"{pinned}@1", "--drop", dropped, "--note", "Big week for **anime**")

    assert _tree(project / "config") == before
    kept = project / "var" / "demo" / "issues" / "2025-W20.toml"
    assert f"kept in {kept}" in built
    choices = tomllib.loads(kept.read_text(encoding="utf-8"))
    assert choices["note"] == "Big week for **anime**"
    assert choices["drop"] == [dropped] and choices["pin"] == [{"url": pinned, "position": 1}]
    manifest = json.loads((project / "out" / "demo" / "2025-W20" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["picks"][0]["url"] == pinned
    assert dropped not in {p["url"] for p in manifest["picks"]}

    # The editor's file is git-ignored, as the demo's store and issues are ...
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "var/demo/issues/2025-W20.toml",
                              "var/demo.sqlite", "out/demo/2025-W20/digest.html"],
                             cwd=ROOT, capture_output=True, text=True)
    assert ignored.returncode == 0 and len(ignored.stdout.split()) == 3, ignored.stdout + ignored.stderr


def test_make_clean_removes_the_demo_state(tmp_path: Path) -> None:
    """... and `make clean` removes it with the rest of var/ and out/, keeping config/."""
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    for name in ("var/demo/issues/2025-W20.toml", "var/demo.sqlite", "out/demo/2025-W20/digest.html",
                 "config/demo.toml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    done = subprocess.run(["make", "clean"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "var").exists() and not (tmp_path / "out").exists()
    assert (tmp_path / "config" / "demo.toml").is_file()
