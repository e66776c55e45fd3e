"""SpamAssassin started from the config file before the models load (issue 23): the file's guess agrees
with the validated config, a wrong guess costs nothing (a surplus check is stopped at once, a missing one
started), and ``digest run`` / ``digest build`` start it before pydantic is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.processes import gone_within
from test_jobs_demo import demo_config

from digest.mail import spamcheck
from digest.settings.config import load_config
from digest.settings.early import stock_spam_checks
from digest.settings.editions import all_editions, pick_edition

ROOT = Path(__file__).resolve().parent.parent

ANIME = {"name": "anime", "title": "Second Screen Anime", "sections": ["Anime"]}
VARIANTS: dict[str, dict[str, Any]] = {
    "the demo": {},
    "check off": {"email": {"spamassassin": False}},
    "spamd named": {"email": {"spamd": "127.0.0.1:783"}},
    "an edition turns it off": {"editions": [{**ANIME, "email": {"spamassassin": False}}]},
    "an edition names spamd": {"editions": [{**ANIME, "email": {"spamd": "/run/spamd.sock"}}]},
    "an edition turns it back on": {"email": {"spamassassin": False},
                                    "editions": [{**ANIME, "email": {"spamassassin": True}}]},
    "no editions": {"editions": []},
    "two editions": {"editions": [ANIME, {"name": "games", "title": "Games", "sections": ["Video Games"],
                                        "email": {"spamassassin": False}}]},
}


def reaped(pid: int) -> bool:
    return gone_within(pid, 5) and not Path(f"/proc/{pid}").exists()


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_files_guess_is_what_the_validated_config_says(tmp_path: Path, variant: str) -> None:
    path = demo_config(tmp_path, **VARIANTS[variant])
    config = load_config(path)
    assert stock_spam_checks(path) == spamcheck.ahead_count(all_editions(config))
    for edition in [None, "default", *(e.name for e in config.editions)]:
        expected = spamcheck.ahead_count([pick_edition(config, edition)])
        assert stock_spam_checks(path, edition, every_edition=False) == expected, edition


@pytest.mark.parametrize("name", ["demo.toml", "digest.toml"])
def test_the_bundled_configs_guess_right(name: str) -> None:
    path = ROOT / "config" / name
    assert stock_spam_checks(path) == spamcheck.ahead_count(all_editions(load_config(path)))


def test_a_file_that_cannot_be_read_guesses_none(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[email\nspamassassin = true\n", encoding="utf-8")
    odd = tmp_path / "odd.toml"
    odd.write_text('email = "not a table"\neditions = ["not a table"]\n', encoding="utf-8")
    assert stock_spam_checks(bad) == 0 and stock_spam_checks(tmp_path / "missing.toml") == 0
    assert stock_spam_checks(odd) == 1  # the default is on; the config's own loading refuses the file
    assert stock_spam_checks(odd, "anime", every_edition=False) == 0  # no such edition


def test_a_surplus_check_is_stopped_at_once_and_a_missing_one_started() -> None:
    with spamcheck.started_ahead(1):
        (guessed,) = spamcheck.waiting_pids()
        with spamcheck.started_ahead(0):  # the validated config: the check is off
            assert spamcheck.waiting_pids() == ()
            assert reaped(guessed)  # stopped now, not when the command ends
            with spamcheck.started_ahead(1):  # a later, better-informed count wants one after all
                (started,) = spamcheck.waiting_pids()
                assert started != guessed
    assert spamcheck.waiting_pids() == () and reaped(started)


# Runs the command in a fresh interpreter and says whether pydantic was loaded when SpamAssassin started.
_WATCH = """
import sys
from digest.mail import spamcheck
from digest.cli.main import main

def watched(start=spamcheck._start_one):
    print("pydantic loaded at start:", "pydantic_core" in sys.modules, flush=True)
    start()

spamcheck._start_one = watched
main(sys.argv[1:], prog_name="digest")
"""


@pytest.mark.parametrize("command", [["run", "--now", "2025-05-19T08:00", "--no-deliver"],
                                     ["build", "--week", "2025-W20", "--now", "2025-05-19T08:00"]])
def test_the_command_starts_spamassassin_before_its_config_models_load(tmp_path: Path,
                                                                      command: list[str]) -> None:
    path = demo_config(tmp_path, editions=[])
    if command[0] == "build":  # a build needs the week's reviews in the store
        digest = str(Path(sys.executable).parent / "digest")
        subprocess.run([digest, "--config", str(path), "collect", "--now", "2025-05-19T08:00"], check=True,
                       capture_output=True)
    done = subprocess.run([sys.executable, "-c", _WATCH, "--config", str(path), *command], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    starts = [line for line in done.stdout.splitlines() if line.startswith("pydantic loaded at start:")]
    assert starts == ["pydantic loaded at start: False"], done.stdout
    assert "- checked by spamassassin" in done.stdout
