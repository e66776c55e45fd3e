"""One way to show a week to a person: "May 12–18, 2025", in reviews, explain, preview and the email.

ISO ids (2025-W20) stay where programs read them: file names, --week and JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.weeks import label_or_name, parse_week, week_label


@pytest.mark.parametrize(("week", "label"), [
    ("2025-W20", "May 12\u201318, 2025"),
    ("2025-W18", "Apr 28 \u2013 May 4, 2025"),  # across a month
    ("2026-W01", "Dec 29, 2025 \u2013 Jan 4, 2026"),  # week 1 starts in the year before
    ("2025-W01", "Dec 30, 2024 \u2013 Jan 5, 2025"),
    ("2020-W53", "Dec 28, 2020 \u2013 Jan 3, 2021"),  # a 53-week year
    ("2024-W09", "Feb 26 \u2013 Mar 3, 2024"),  # a leap February
    ("2023-W09", "Feb 27 \u2013 Mar 5, 2023"),
    ("2025-W36", "Sep 1\u20137, 2025"),  # a week from the 1st, single digits
    ("2025-W52", "Dec 22\u201328, 2025"),  # the year's last week inside the year
])
def test_week_label_across_month_and_year_boundaries(week: str, label: str) -> None:
    assert week_label(parse_week(week)) == label


def cli(path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(path), *args])
    return result.exit_code, result.output


def test_reviews_and_explain_show_the_week_as_people_read_it(demo: Path) -> None:
    code, out = cli(demo, "reviews", "--week", "2025-W20", "--now", "2025-05-19T08:00")
    assert code == 0, out
    assert out.splitlines()[0].startswith("May 12\u201318, 2025 (2025-W20, times in ")
    code, out = cli(demo, "explain", "--week", "2025-W19", "--now", "2025-05-19T08:00")
    assert code == 0, out
    assert out.splitlines()[1].startswith("May 5\u201311, 2025 (2025-W19)  subject: ")
    assert "2025-05-05 .. " not in out


def test_the_ids_stay_in_json_and_file_names(demo: Path) -> None:
    code, out = cli(demo, "reviews", "--week", "2025-W20", "--now", "2025-05-19T08:00", "--json")
    assert code == 0, out
    assert json.loads(out)["issue"] == "2025-W20"
    code, out = cli(demo, "build", "--now", "2025-05-19T08:00")
    assert code == 0, out
    code, out = cli(demo, "explain", "--json")
    manifest = json.loads(out)["manifest"]
    assert manifest["issue"] == "2025-W20" and manifest["week"] == "2025-W20"
    code, out = cli(demo, "explain")
    assert out.splitlines()[0].startswith("May 12\u201318, 2025 (2025-W20)  subject: ")
    html = (demo.parent / "out" / "2025-W20" / "digest.html").read_text("utf-8")
    assert "May 12\u201318, 2025" in html


def test_a_folder_that_is_not_a_week_keeps_its_name() -> None:
    assert label_or_name("2025-W20") == "May 12\u201318, 2025"
    assert label_or_name("drafts") == "drafts"
