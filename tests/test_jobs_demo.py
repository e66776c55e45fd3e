"""End to end on the bundled demo: ``digest run --now 2025-05-19T08:00`` builds 2025-W20 once.

Runs the real collect, select, render and output stages.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from test_jobs_support import FixedClock, local

from digest.cli.base import Context
from digest.cli.job import run
from digest.job.schedule import DigestScheduler
from digest.settings.config import load_config

DEMO = Path(__file__).resolve().parents[1] / "config" / "demo.toml"
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def dump_toml(data: dict[str, Any], prefix: str = "") -> str:
    """Enough TOML for a config: scalars, tables, arrays of tables."""
    def is_tables(value: Any) -> bool:
        return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)

    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items()
             if not isinstance(v, dict) and not is_tables(v)]
    for key, value in data.items():
        name = f"{prefix}{_key(key)}"
        if isinstance(value, dict):
            lines += ["", f"[{name}]", dump_toml(value, name + ".")]
        elif is_tables(value):
            for item in value:
                lines += ["", f"[[{name}]]", dump_toml(item, name + ".")]
    return "\n".join(lines)


def _absolute(value: Any, folder: Path) -> Any:
    """Relative paths in the demo config resolve against its folder: make the existing ones absolute."""
    if isinstance(value, dict):
        return {k: _absolute(v, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [_absolute(v, folder) for v in value]
    if isinstance(value, str) and "://" not in value and value and not Path(value).is_absolute():
        candidate = folder / value
        if candidate.exists():
            return str(candidate.resolve())
    return value


def demo_config(folder: Path, **tables: Any) -> Path:
    """The demo config in ``folder`` with its store, output, archive and editor's files redirected there."""
    raw = _absolute(tomllib.loads(DEMO.read_text(encoding="utf-8")), DEMO.parent)
    raw["issues_dir"] = str(folder / "issues")  # never the checkout's var/demo/issues: no stray pins
    raw["output_dir"] = str(folder / "out")
    raw.setdefault("store", {})["path"] = str(folder / "var" / "demo.sqlite")
    if "archive" in raw:  # the demo's archive lives in its output folder: keep it in ``folder`` too
        raw["archive"]["dir"] = str(folder / "out" / "archive")
    raw.update({name: {**raw.get(name, {}), **value} if name == "email" else value
                for name, value in tables.items()})  # the demo's own [email] values stay
    raw = {name: value for name, value in raw.items() if value is not None}  # ``archive=None``: no such table
    path = folder / "demo.toml"
    path.write_text(dump_toml(raw) + "\n", encoding="utf-8")
    return path


def test_run_builds_the_demo_issue_once_and_delivers_it_once(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    path = demo_config(tmp_path, editions=[], delivery={"method": "webhook",  # the default edition alone
                                           "webhook": {"url": f"http://127.0.0.1:{httpserver.port}/hook"}})
    runner = CliRunner()
    first = runner.invoke(run, ["--now", "2025-05-19T08:00"], obj=Context(path))
    assert first.exit_code == 0, first.output
    assert "built 2025-W20: " in first.output and "delivered by webhook HTTP 200 OK" in first.output
    out = tmp_path / "out" / "2025-W20"
    for name in ("digest.html", "digest.txt", "digest.eml", "manifest.json"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["issue"] == "2025-W20" and manifest["picks"]
    posted = json.loads(httpserver.log[0][0].get_data())
    assert posted["issue"] == "2025-W20" and posted["manifest"] == manifest
    assert posted["html"] == (out / "digest.html").read_text(encoding="utf-8")
    assert posted["subject"] == manifest["subject"]

    again = runner.invoke(run, ["--now", "2025-05-19T09:00"], obj=Context(path))
    assert again.exit_code == 0, again.output
    assert "2025-W20 was already built on Mon 2025-05-19 08:00 CDT" in again.output
    assert "already delivered by webhook" in again.output
    assert len(httpserver.log) == 1


def test_the_scheduler_catches_up_the_missed_demo_build(tmp_path: Path) -> None:
    config = load_config(demo_config(tmp_path, editions=[]))  # the default edition alone
    scheduler = DigestScheduler(config, clock=FixedClock(local(2025, 5, 19, 10, 30)), triggers={})
    line = scheduler.tick("catch-up")
    assert re.match(r"catch-up: 2025-W20: built; \d+ picks \(\d+ top, \d+ trending\), \d+ KB html, "
                    r"\d+ warnings; collected 7 feeds, \d+ new entries; "
                    r"archive: \d+ pages?, published 2025-W20; [\d.]+s$", line), line
    assert "2025-W20 is built" in scheduler.tick("collect")
