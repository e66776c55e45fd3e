"""``--json`` on check, collect, feeds, reviews, explain, build and run: every document validated
against its committed schema (docs/json/<command>.schema.json), on the demo collected offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from digest.cli import main

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "json"
COMMANDS = ("check", "collect", "feeds", "reviews", "explain", "build", "run", "report")
OTHER_SCHEMAS = ("error",)  # not a command: what any of them prints when it stops on an error
SUBCOMMANDS = ("issue-status",)  # `digest issue status --json`: validated in tests/test_approval.py


def validated(demo: Path, command: str, *args: str, code: int = 0) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["--config", str(demo), command, "--json", *args])
    assert result.exit_code == code, result.output
    document = json.loads(result.stdout)
    schema = json.loads((SCHEMAS / f"{command}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["schema"] == 1 and document["command"] == command
    return document


def test_every_json_command_has_a_committed_schema() -> None:
    wanted = sorted(f"{c}.schema.json" for c in COMMANDS + OTHER_SCHEMAS + SUBCOMMANDS)
    assert sorted(p.name for p in SCHEMAS.glob("*.schema.json")) == wanted


def test_check_feeds_and_reviews(demo: Path) -> None:
    checked = validated(demo, "check")
    assert checked["site"]["timezone"] == "America/Chicago" and len(checked["feeds"]) == 7
    health = validated(demo, "feeds")
    assert all(f["collected"] and f["last_success"].endswith("-05:00") for f in health["feeds"])
    listed = validated(demo, "reviews", "--week", "2025-W20")
    assert listed["reviews_count"] == len(listed["reviews"]) > 10
    assert all(r["url"].startswith("https://secondscreen.example/") for r in listed["reviews"])
    assert listed["scored_count"] == sum(1 for r in listed["reviews"] if r["score"] is not None)


def test_collect_build_explain_and_run(demo: Path) -> None:
    report = validated(demo, "collect", "--now", "2025-05-19T07:30")
    assert report["failed_feeds"] == 0 and report["seconds"] > 0  # a real duration under --now
    built = validated(demo, "build", "--now", "2025-05-19T08:00")
    assert built["issue"] == "2025-W20" and built["top"] == 5 and Path(built["out_dir"]).is_dir()
    explained = validated(demo, "explain")
    assert explained["built"] and [p["url"] for p in explained["manifest"]["picks"]] == [
        p["url"] for p in built["picks"]]
    unbuilt = validated(demo, "explain", "--week", "2025-W19", "--now", "2025-05-19T08:00")
    assert unbuilt["built"] is False and unbuilt["manifest"]["issue"] == "2025-W19"
    ran = validated(demo, "run", "--now", "2025-05-19T08:00")
    # the default edition was built above; the demo's anime edition was not, so this run collects and builds it
    assert ran["action"] == "already built" and ran["collect"]["command"] == "collect"
    editions = [(e["edition"], e["action"]) for e in ran["editions"]]
    assert editions == [("default", "already built"), ("anime", "built")]
    again = validated(demo, "run", "--now", "2025-05-19T08:00")
    assert again["action"] == "already built" and again["collect"] is None  # nothing left to build: no collect
    forced = validated(demo, "run", "--now", "2025-05-19T08:00", "--force")
    assert forced["action"] == "rebuilt" and forced["collect"]["command"] == "collect"


@pytest.mark.parametrize("command", ["reviews", "explain"])
def test_text_output_shows_urls(demo: Path, command: str) -> None:
    CliRunner().invoke(main, ["--config", str(demo), "build", "--now", "2025-05-19T08:00"])
    out = CliRunner().invoke(main, ["--config", str(demo), command, "--week", "2025-W20"]).output
    listed = validated(demo, "reviews", "--week", "2025-W20")
    scored = [r["url"] for r in listed["reviews"] if r["score"] is not None]
    shown = [url for url in scored if url in out]
    assert len(shown) >= (len(scored) if command == "reviews" else 5)
