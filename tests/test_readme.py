"""Every command in the README's ``sh`` blocks runs, in README order, on a fresh copy of the collected
demo, and does what the comment beside it says: its exit code and a phrase of its output.

``EXPECTED`` maps each README command (as written, without its comment) to that promise. A command in
the README without a row here fails the test, so a README that drifts from the code fails CI. A line
needing what the demo lacks ends in ``# needs: WHAT`` and is skipped (the mark is asserted). ``make run``
and ``make test`` are exempt: the first builds a venv (the suite already runs inside one, and the
commands below are the job it runs), the second is the suite itself.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEMO_CONFIG = ".venv/bin/digest --config config/demo.toml"
EXEMPT = {"make run", "make test"}
NEEDS = re.compile(r"#\s*needs:\s*(?P<what>network|systemd|a real mailing service)\s*$")
PIN = "https://secondscreen.example/2025/05/14/review-lantern-row-detectives-episode-7-a-confession-in-ink/"
DROP = "https://secondscreen.example/2025/05/17/review-salt-road-is-worth-every-minute/"
LONG_RUNNING = {"preview", "desk"}  # serve until stopped: run in a subprocess, first line read, then stopped


@dataclass(frozen=True)
class Promise:
    phrase: str  # in the output; "{out}" is the demo copy's output folder
    code: int = 0


EXPECTED: dict[str, Promise] = {
    "$D check": Promise("(no base_url; publish on-build)"),
    "$D collect": Promise("7 feeds, 0 failed"),
    "$D reviews --week 2025-W20": Promise("REVIEW: ‘Lantern Row Detectives’ Episode 7"),
    "$D explain --week 2025-W20": Promise("May 12–18, 2025 (2025-W20)  subject:"),
    f'$D build --week 2025-W20 --pin {PIN}@1 --drop {DROP} --note "Big week for **anime**"':
        Promise("built 2025-W20"),
    "$D preview --week 2025-W20": Promise("previewing May 12–18, 2025 (2025-W20) at http://127.0.0.1:"),
    "$D desk --week 2025-W20": Promise("desk for 2025-W20 at http://127.0.0.1:"),
    "$D issue status --week 2025-W20": Promise("2025-W20: state: draft"),
    "$D lint": Promise("pre-send report:"),
    "$D send-test --to me@example.com": Promise("as a test for me@example.com to {out}/test/2025-W20.eml"),
    "$D run --now 2025-05-19T08:00": Promise("built anime/2025-W20: Anime this week: "),
    "$D schedule --show": Promise("build ('0 8 * * mon', America/Chicago): "),
    "$D feeds": Promise("All posts: last success"),
    "$D prune": Promise("observations older than"),
    "$D config-reference": Promise("archive.publish"),
    "$D explain --edition anime": Promise("(anime/2025-W20)  subject:"),
    "$D archive publish 2025-W20": Promise("2025-W20: was already published"),
}


@dataclass(frozen=True)
class Line:
    number: int
    command: str  # without its comment
    needs: str | None


def readme_lines(text: str) -> list[Line]:
    """The command lines of the README's ```sh blocks, in order; comment-only lines left out."""
    lines: list[Line] = []
    inside = False
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("```"):
            inside = raw.strip() == "```sh" if not inside else False
            continue
        stripped = raw.strip()
        if not inside or not stripped or stripped.startswith("#"):
            continue
        needs = NEEDS.search(stripped)
        command = re.split(r"\s+#\s", stripped, maxsplit=1)[0].strip()
        lines.append(Line(number, command, needs.group("what") if needs else None))
    return lines


@pytest.fixture(scope="module")
def demo_copy(demo_collected: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One fresh copy of the collected demo for the whole README, which runs in order on it."""
    folder = tmp_path_factory.mktemp("readme") / "demo"
    shutil.copytree(demo_collected, folder)
    path = folder / "demo.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(str(demo_collected), str(folder)),
                    encoding="utf-8")
    yield path


def run_long(args: list[str]) -> tuple[int, str]:
    """A serving command: its first line of output, then it is stopped (it never ends by itself)."""
    script = "import sys; from digest.cli import main; sys.exit(main())"
    process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return 0 if first else process.returncode, first


def test_every_readme_command_has_a_promise_and_the_promises_are_all_in_the_readme() -> None:
    lines = readme_lines(README.read_text(encoding="utf-8"))
    commands = [line.command for line in lines if not line.needs]
    assert f'D="{DEMO_CONFIG}"' in commands, "the editor's block defines $D"
    unknown = [c for c in commands if c not in EXPECTED and c not in EXEMPT and not c.startswith("D=")]
    assert not unknown, f"README commands with no row in tests/test_readme.py EXPECTED: {unknown}"
    stale = [c for c in EXPECTED if c not in commands]
    assert not stale, f"rows in EXPECTED that the README no longer has: {stale}"
    assert EXEMPT <= set(commands)


def test_the_readme_links_lead_to_files_that_exist() -> None:
    """What moved out of the README is linked from it: every relative link must resolve."""
    docs = sorted(ROOT.glob("docs/*.md"))
    for page in [README, *docs]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links {target}, which is missing"
    linked = set(re.findall(r"\(docs/([A-Z]+\.md)\)", README.read_text(encoding="utf-8")))
    assert {p.name for p in docs} <= linked, "a docs page the README does not link"


def test_lines_needing_what_the_demo_lacks_are_marked() -> None:
    marked = [line for line in readme_lines(README.read_text(encoding="utf-8")) if line.needs]
    assert [(line.command.split()[1], line.needs) for line in marked] == [
        ("init", "network"),
        ("report", "a real mailing service")]  # tests/test_clicks_fetch.py runs it against a service fake


def test_the_readme_commands_run_on_the_demo_and_do_what_they_say(demo_copy: Path) -> None:
    out = Path(tomllib.loads(demo_copy.read_text(encoding="utf-8"))["output_dir"])
    runner = CliRunner()
    ran = 0
    for line in readme_lines(README.read_text(encoding="utf-8")):
        if line.needs or line.command in EXEMPT or line.command.startswith("D="):
            continue
        promise = EXPECTED[line.command]
        words = shlex.split(line.command)
        assert words[0] == "$D", f"README line {line.number}: {line.command!r} does not use $D"
        args = ["--config", str(demo_copy), *words[1:]]
        if words[1] in LONG_RUNNING:
            args.append("--port=0")  # 8025 may be taken on a shared machine: any free port
            code, output = run_long(args)
        else:
            result = runner.invoke(main, args)
            code, output = result.exit_code, result.output
        where = f"README line {line.number}: {line.command}\n{output}"
        assert code == promise.code, where
        assert promise.phrase.format(out=out) in output, where
        ran += 1
    assert ran == len(EXPECTED)
