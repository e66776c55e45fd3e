"""Strict editor's choices on the command line, each rule with its message, and kept in the issue file.

The demo site is collected once per module (through its mirror, the ``demo`` fixture in conftest);
every test builds week 2025-W20 from a copy of that store with ``--pin``, ``--drop`` and ``--note``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main

NOW = "2025-05-19T08:00"
HOST = "https://secondscreen.example"
IN_WEEK = f"{HOST}/2025/05/16/review-saint-agnes-street-soars/"  # 10/10, the week's top score
ALSO = f"{HOST}/2025/05/17/review-low-tide-is-worth-your-time/"
OLDER = f"{HOST}/2025/05/08/review-ghost-light-has-real-bite/"  # 2025-W19
NEWS = f"{HOST}/2025/05/09/station-51-trailer-teases-a-darker-second-act/"  # stored, not a review


def build(demo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(demo), "build", "--now", NOW, *args])
    return result.exit_code, result.output


def issue_file(demo: Path) -> Path:
    return demo.parent / "issues" / "2025-W20.toml"


def test_pinning_a_url_that_is_not_stored_is_an_error_with_the_closest_matches(demo: Path) -> None:
    typo = IN_WEEK.replace("soars", "soar")
    code, out = build(demo, "--pin", typo)
    assert code == 2
    assert out.startswith(f"error: --pin {typo}: not a stored review; closest stored reviews:\n  {IN_WEEK}")
    assert not issue_file(demo).exists()  # nothing kept from a refused command
    assert not (demo.parent / "out" / "2025-W20").exists()


def test_pinning_something_that_is_not_a_url_or_not_a_review_is_an_error(demo: Path) -> None:
    code, out = build(demo, "--pin", "not-a-url")
    assert code == 2 and "error: --pin not-a-url: not a stored review (it is not an http(s) URL)" in out
    code, out = build(demo, "--pin", NEWS)
    assert code == 2 and f"error: --pin {NEWS}: not a stored review" in out


@pytest.mark.parametrize("position", ["0", "6", "99"])
def test_out_of_range_positions_are_errors(demo: Path, position: str) -> None:
    code, out = build(demo, "--pin", f"{ALSO}@{position}")
    assert code == 2
    assert (f"error: --pin {ALSO}@{position}: position {position} is out of range; "
            "positions run from 1 to 5 (the top picks)") in out


def test_a_pin_from_another_week_is_allowed_but_said(demo: Path) -> None:
    code, out = build(demo, "--pin", f"{OLDER}@2")
    assert code == 0, out
    assert f"note: pinned from outside 2025-W20: {OLDER} (published Thu 2025-05-08)" in out
    explained = CliRunner().invoke(main, ["--config", str(demo), "explain", "--week", "2025-W20"]).output
    assert " 2  pinned" in explained and OLDER in explained


def test_dropping_what_is_not_a_candidate_says_so(demo: Path) -> None:
    unknown = f"{HOST}/2025/05/16/no-such-review/"
    code, out = build(demo, "--drop", unknown, "--drop", OLDER)
    assert code == 0, out
    assert f"note: not a candidate this week: {unknown}; nothing dropped (not a stored review" in out
    assert f"note: --drop {OLDER}: published Thu 2025-05-08, outside 2025-W20" in out


def test_flags_are_kept_in_the_issue_file_and_later_builds_keep_them(demo: Path) -> None:
    path = issue_file(demo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'drop = ["{IN_WEEK}"]\n', encoding="utf-8")
    code, out = build(demo, "--pin", f"{ALSO}@1", "--note", "Big week for **film**.")
    assert code == 0, out
    assert f"kept in {path}" in out
    kept = tomllib.loads(path.read_text(encoding="utf-8"))
    assert kept == {"note": "Big week for **film**.", "drop": [IN_WEEK], "pin": [{"url": ALSO, "position": 1}]}

    # A later build with no flags, and `run --force`, keep the editor's word.
    for args in (["build", "--now", NOW], ["run", "--now", NOW, "--force"]):
        result = CliRunner().invoke(main, ["--config", str(demo), *args])
        assert result.exit_code == 0, result.output
        explained = CliRunner().invoke(main, ["--config", str(demo), "explain", "--week", "2025-W20"]).output
        assert explained.splitlines()[4].startswith(" 1  pinned") and ALSO in explained.splitlines()[5]
        assert "dropped by the editor" in explained

    # A later --pin of the dropped URL un-drops it in the file, and the file stays valid TOML.
    code, out = build(demo, "--pin", IN_WEEK)
    assert code == 0, out
    kept = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "drop" not in kept
    assert [p["url"] for p in kept["pin"]] == [IN_WEEK, ALSO]
