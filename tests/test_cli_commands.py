"""Commands behave as an editor expects: ``--config`` after the command name, ``build`` of a built week says
it replaces it, pins tolerate the usual variants of a stored URL, a drop of a non-candidate is not kept,
and every failure under ``--json`` is one documented JSON error object on stdout.

Through the real command line on the demo (collected offline once per module: the ``demo`` fixture).
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.errors import UsageError
from digest.select.editor import Candidate, EditorChoices, PinRequest, resolve_urls
from digest.settings.config import load_config
from digest.store.lock import StoreLock

NOW = "2025-05-19T08:00"
HOST = "https://secondscreen.example"
IN_WEEK = f"{HOST}/2025/05/16/review-saint-agnes-street-soars/"
SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "json" / "error.schema.json"


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def issue_file(demo: Path) -> Path:
    return demo.parent / "issues" / "2025-W20.toml"


# -- --config after the command name ---------------------------------------------------------------


def test_config_after_the_command_name_works_and_wins(demo: Path, tmp_path: Path) -> None:
    after = cli("check", "--config", str(demo), "--json")
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["site"]["timezone"] == "America/Chicago"
    # The subcommand's value wins over the group's (here a file that does not exist).
    missing = tmp_path / "nowhere.toml"
    both = cli("--config", str(missing), "reviews", "--config", str(demo), "--week", "2025-W20")
    assert both.exit_code == 0, both.output
    assert "2025-W20" in both.output and str(missing) not in both.output
    # Without it, the group's value still counts.
    only_group = cli("--config", str(missing), "reviews", "--week", "2025-W20")
    assert only_group.exit_code == 2 and str(missing) in only_group.output


def test_every_command_that_reads_a_config_takes_it_after_its_name() -> None:
    commands = list(main.commands.items())  # type: ignore[attr-defined]
    commands += [(f"archive {n}", c) for n, c in main.commands["archive"].commands.items()]  # type: ignore[attr-defined]
    assert len(commands) > 15
    for name, command in commands:
        assert "--config" in [o for p in command.params for o in p.opts], name


def test_archive_subcommands_take_config_after_their_name(demo: Path) -> None:
    result = cli("--config", "nowhere.toml", "archive", "build", "--config", str(demo))
    # The demo's config was read (its [archive] is built), never the group's nowhere.toml.
    assert result.exit_code == 0, result.stderr
    assert "nowhere.toml" not in result.stdout + result.stderr
    assert (demo.parent / "out" / "archive" / "index.html").is_file()


# -- build of an already-built week ----------------------------------------------------------------


def test_building_a_built_week_again_says_it_replaces_it(demo: Path) -> None:
    first = cli("--config", str(demo), "build", "--now", NOW, "--pin", f"{IN_WEEK}@1")
    assert first.exit_code == 0, first.output
    assert "replacing" not in first.output
    again = cli("--config", str(demo), "build", "--now", "2025-05-20")
    assert again.exit_code == 0, again.output
    assert "--now 2025-05-20 has no time of day: taken as Tue 2025-05-20 00:00 CDT" in again.output
    # 5 top and 4 trending, before and after
    assert re.search(r"^replacing the 2025-W20 issue built at Mon 2025-05-19 08:00 CDT \(9 picks\) "
                     r"with this build \(9 picks\)$", again.output, re.M), again.output
    document = json.loads(cli("--config", str(demo), "build", "--now", NOW, "--json").stdout)
    replaced = document["replaced"]
    assert replaced["picks"] == 9 and replaced["built_at"] == "2025-05-20T00:00:00-05:00"
    assert any("has no time" in n for n in json.loads(
        cli("--config", str(demo), "build", "--now", "2025-05-20", "--json").stdout)["notes"])


def test_run_says_what_time_a_bare_date_was_taken_as(demo: Path) -> None:
    result = cli("--config", str(demo), "run", "--now", "2025-05-20", "--no-deliver")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == "note: --now 2025-05-20 has no time of day: taken as Tue 2025-05-20 00:00 CDT"
    assert "2025-W20" in result.output


def test_a_first_build_has_nothing_replaced_in_its_json(demo: Path) -> None:
    document = json.loads(cli("--config", str(demo), "build", "--now", NOW, "--json").stdout)
    assert document["replaced"] is None


# -- pins by the usual variants of a stored URL --------------------------------------------------


@pytest.mark.parametrize("variant", [
    IN_WEEK.rstrip("/"),  # no trailing slash
    IN_WEEK.replace("https://", "http://"),
    IN_WEEK.replace("https://", "https://www."),
    IN_WEEK.replace("secondscreen.example", "SecondScreen.Example").replace("https://", "http://www."),
])
def test_a_pin_tolerates_the_usual_variants_of_a_stored_url(demo: Path, variant: str) -> None:
    result = cli("--config", str(demo), "build", "--now", NOW, "--pin", f"{variant}@2")
    assert result.exit_code == 0, result.output
    kept = tomllib.loads(issue_file(demo).read_text(encoding="utf-8"))
    assert kept["pin"] == [{"url": IN_WEEK, "position": 2}]  # the stored URL is what is kept
    explained = cli("--config", str(demo), "explain", "--week", "2025-W20").output
    assert " 2  pinned" in explained and IN_WEEK in explained


def test_a_pin_matching_several_stored_reviews_is_an_error_listing_them() -> None:
    when = datetime(2025, 5, 16, 12, tzinfo=UTC)
    stored = {u: Candidate(u, when, True) for u in ("http://site.example/review-x", "https://site.example/review-x/")}
    with pytest.raises(UsageError) as raised:
        resolve_urls(EditorChoices(pins=(PinRequest("https://www.site.example/review-x"),)), stored)
    message = str(raised.value)
    assert message.startswith("--pin https://www.site.example/review-x: matches 2 stored reviews")
    assert "http://site.example/review-x\n" in message + "\n" and "https://site.example/review-x/" in message
    # An exact match is never ambiguous.
    exact = resolve_urls(EditorChoices(pins=(PinRequest("https://site.example/review-x/"),)), stored)
    assert exact.pins[0].url == "https://site.example/review-x/"


def test_a_variant_never_matches_another_site_or_path() -> None:
    when = datetime(2025, 5, 16, 12, tzinfo=UTC)
    stored = {"https://site.example/review-x/": Candidate("https://site.example/review-x/", when, True)}
    for other in ("https://evil.example/review-x/", "https://site.example/review-x/more/",
                  "https://site.example/review-x/?p=1", "https://wwwsite.example/review-x/"):
        unchanged = resolve_urls(EditorChoices(pins=(PinRequest(other),), drops=(other,)), stored)
        assert unchanged.pins[0].url == other and unchanged.drops == (other,)


# -- drops of what is not a candidate --------------------------------------------------------------


def test_a_drop_of_a_url_that_is_not_a_candidate_is_said_and_not_kept(demo: Path) -> None:
    unknown = f"{HOST}/2025/05/16/no-such-review/"
    result = cli("--config", str(demo), "build", "--now", NOW, "--drop", unknown)
    assert result.exit_code == 0, result.output
    assert f"not a candidate this week: {unknown}; nothing dropped" in result.output
    assert not issue_file(demo).exists()  # nothing else to keep, so no file at all
    result = cli("--config", str(demo), "build", "--now", NOW, "--drop", unknown, "--drop",
                 IN_WEEK.rstrip("/"), "--note", "Quiet week.")
    assert result.exit_code == 0, result.output
    kept = tomllib.loads(issue_file(demo).read_text(encoding="utf-8"))
    assert kept == {"note": "Quiet week.", "drop": [IN_WEEK]}


# -- errors under --json ---------------------------------------------------------------------------


def json_error(args: list[str], code: int, kind: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert result.stderr == "", result.stderr
    document = json.loads(result.stdout)  # exactly one document
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["error"]["code"] == kind and document["error"]["exit"] == code
    assert document["error"]["message"]
    return document


JSON_COMMANDS = ("check", "collect", "feeds", "reviews", "explain", "build", "run")


@pytest.mark.parametrize("command", JSON_COMMANDS)
def test_a_bad_config_is_a_json_error(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\nurl = "https://site.example"\nname = 3\n', encoding="utf-8")
    document = json_error(["--config", str(bad), command, "--json"], 2, "config")
    assert str(bad) in document["error"]["message"] and document["command"] == command


@pytest.mark.parametrize("command", ["collect", "build", "run"])
def test_a_locked_store_is_a_json_error(demo: Path, command: str) -> None:
    with StoreLock(load_config(demo).store_path):
        document = json_error(["--config", str(demo), command, "--json", "--now", NOW], 4, "locked")
    assert "another digest run" in document["error"]["message"] and document["error"]["hint"]


@pytest.mark.parametrize("command", ["build", "run"])
def test_a_thin_week_is_a_json_error(demo: Path, command: str) -> None:
    document = json_error(["--config", str(demo), command, "--json", "--now", NOW, "--week", "2025-W02"],
                          5, "thin-week")
    assert "2025-W02" in document["error"]["message"]
    if command == "run":  # what the run did before it stopped is inside, in run's own shape
        assert document["document"]["command"] == "run" and document["document"]["action"] == "build stopped"
    else:
        assert "document" not in document


@pytest.mark.parametrize("command", ["reviews", "explain", "build", "run"])
def test_a_bad_week_is_a_json_error(demo: Path, command: str) -> None:
    document = json_error(["--config", str(demo), command, "--json", "--week", "2025-W99"], 2, "usage")
    assert "2025-W99" in document["error"]["message"]


@pytest.mark.parametrize("command", JSON_COMMANDS)
def test_a_click_usage_error_is_a_json_error(demo: Path, command: str) -> None:
    document = json_error(["--config", str(demo), command, "--json", "--no-such-option"], 2, "usage")
    assert "--no-such-option" in document["error"]["message"] and document["error"]["hint"]


def test_a_bad_pin_and_a_bad_now_are_json_errors(demo: Path) -> None:
    json_error(["--config", str(demo), "build", "--json", "--now", NOW, "--pin", f"{HOST}/nope/"], 2, "usage")
    json_error(["--config", str(demo), "build", "--json", "--now", "yesterday"], 2, "usage")
    assert not issue_file(demo).exists()


def test_without_json_errors_stay_one_line_on_stderr(demo: Path) -> None:
    result = cli("--config", str(demo), "reviews", "--week", "2025-W99")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: '2025-W99'")
