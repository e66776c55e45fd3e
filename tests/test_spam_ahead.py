"""SpamAssassin off the run's wall time: started ahead with its rules compiled, the same score and rules as
``spamassassin -L -t``; spamc against a real spamd named in the config; every failure a "not checked" line
and no process left behind. Real SpamAssassin, real spamd on 127.0.0.1, processes watched in /proc."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.processes import gone_within, kill_if_running
from test_jobs_demo import demo_config

from digest.cli.base import Context
from digest.cli.job import run
from digest.cli.select import build
from digest.errors import ConfigError
from digest.mail import spamcheck
from digest.mail.report import spam_check
from digest.settings.config import load_config

# GTUBE, SpamAssassin's own test string: a 1000-point hit whatever else the message says.
GTUBE = (b"From: Second Screen <news@secondscreen.example>\r\nTo: reader@example.com\r\n"
         b"Subject: This week: The Long Dark, reviewed\r\nMessage-ID: <w20@secondscreen.example>\r\n"
         b"Date: Mon, 19 May 2025 08:00:00 +0000\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
         b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n")
NOW = "2025-05-19T08:00"


@pytest.fixture(scope="module")
def demo_eml(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The demo issue's .eml as a run writes it (built with the check off)."""
    folder = tmp_path_factory.mktemp("demo")
    path = demo_config(folder, editions=[], email={"spamassassin": False})
    result = CliRunner().invoke(run, ["--now", NOW], obj=Context(path))
    assert result.exit_code == 0, result.output
    return (folder / "out" / "2025-W20" / "digest.eml").read_bytes()


def reaped(pid: int) -> bool:
    """Gone and waited for: no process and no zombie under that pid."""
    return gone_within(pid, 5) and not Path(f"/proc/{pid}").exists()


def test_a_check_started_ahead_scores_as_spamassassin_does(demo_eml: bytes) -> None:
    for eml in (GTUBE, demo_eml):
        cold = spam_check(eml)
        with spamcheck.started_ahead(1):
            (pid,) = spamcheck.waiting_pids()
            time.sleep(0.5)  # the run collects meanwhile
            warm = spam_check(eml)
            assert spamcheck.waiting_pids() == ()  # it was this one that checked
        assert reaped(pid)
        assert (warm.status, warm.summary, warm.details) == (cold.status, cold.summary, cold.details)
        assert warm.details == ("checked by spamassassin",)
    assert "score 1000." in spam_check(GTUBE).summary and "GTUBE" in spam_check(GTUBE).summary


def test_the_rules_are_compiled_before_the_eml_is_read() -> None:
    """What makes it worth it: once compiled, the answer comes in well under the cold start."""
    with spamcheck.started_ahead(1):
        (pid,) = spamcheck.waiting_pids()
        time.sleep(6)  # generous on a loaded machine: the compile is about 1.2 s of CPU
        started = time.monotonic()
        warm = spam_check(GTUBE)
        waited = time.monotonic() - started
    started = time.monotonic()
    cold = spam_check(GTUBE)
    cold_wait = time.monotonic() - started
    assert warm.summary == cold.summary and waited < cold_wait, (waited, cold_wait)


def test_checks_started_ahead_and_not_used_are_stopped_and_reaped() -> None:
    with spamcheck.started_ahead(2):
        (first,) = spamcheck.waiting_pids()
        assert spam_check(GTUBE).status == "error"
        (second,) = spamcheck.waiting_pids()  # the next edition's started as the first was taken
        assert second != first
    assert spamcheck.waiting_pids() == ()
    assert reaped(first) and reaped(second)


def test_a_run_stopped_before_its_eml_stops_the_check_started_ahead(tmp_path: Path) -> None:
    before = set(spamcheck.started_pids())
    path = demo_config(tmp_path, editions=[])
    # a week long before the demo's reviews: too thin to build, so no .eml is ever made
    result = CliRunner().invoke(run, ["--now", "2024-01-15T08:00"], obj=Context(path))
    assert result.exit_code != 0 and "built" not in result.output.split("\n")[0], result.output
    started = set(spamcheck.started_pids()) - before
    assert len(started) == 1  # the run started one ahead...
    assert all(reaped(pid) for pid in started)  # ...and stopped it


def test_a_run_uses_the_check_started_ahead(tmp_path: Path) -> None:
    before = set(spamcheck.started_pids())
    path = demo_config(tmp_path, editions=[])
    result = CliRunner().invoke(run, ["--now", NOW], obj=Context(path))
    assert result.exit_code == 0, result.output
    assert "- checked by spamassassin" in result.output
    started = set(spamcheck.started_pids()) - before
    assert len(started) == 1 and all(reaped(pid) for pid in started)


def test_a_check_started_ahead_that_times_out_is_not_checked_and_killed() -> None:
    with spamcheck.started_ahead(1):
        (pid,) = spamcheck.waiting_pids()
        check = spam_check(GTUBE, timeout=0.05)
    assert check.status == "not checked" and "did not finish" in check.summary
    assert reaped(pid)


def tool_of(supervisor: int) -> int:
    """The tool a tied child's supervisor started."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        kids = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
        if kids:
            return int(kids[0])
        time.sleep(0.05)
    raise AssertionError("the supervisor never started its tool")


def test_a_check_started_ahead_that_was_killed_is_run_again() -> None:
    with spamcheck.started_ahead(1):
        (pid,) = spamcheck.waiting_pids()
        os.kill(tool_of(pid), signal.SIGKILL)  # the OOM killer, an impatient admin
        check = spam_check(GTUBE)
    assert check.status == "error" and "GTUBE" in check.summary and reaped(pid)


def fake_spamassassin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    tool = folder / "spamassassin"
    tool.write_text(f"#!/bin/sh\ncat >/dev/null\n{body}\n", encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_a_spamassassin_that_crashes_is_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_spamassassin(tmp_path, monkeypatch, 'echo "config: could not find rules" >&2; exit 2')
    with spamcheck.started_ahead(1):  # not the installed script: nothing to start ahead, the tool runs
        assert spamcheck.waiting_pids() == ()
        check = spam_check(GTUBE)
    assert check.status == "not checked"
    assert check.summary == "spamassassin failed: exit 2, config: could not find rules"


def test_a_spamassassin_that_is_killed_is_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_spamassassin(tmp_path, monkeypatch, "kill -9 $$")
    check = spam_check(GTUBE)
    assert (check.status, check.summary) == ("not checked", "spamassassin failed: killed by signal 9")


# -- spamc and a real spamd -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def spamd() -> Iterator[str]:
    """Debian's spamd on 127.0.0.1, offline (``--local``) and not learning, as an editor would run it for
    digest; ``host:port``."""
    assert shutil.which("spamd") and shutil.which("spamc"), "needs Debian's spamd and spamc: make deps"
    port = free_port()
    process = subprocess.Popen(
        ["spamd", "--local", "-i", "127.0.0.1", "-p", str(port), "-A", "127.0.0.1", "-m", "1",
         "--min-children=1", "--min-spare=1", "--max-spare=1", "-s", "stderr", "--cf=bayes_auto_learn 0",
         "--cf=use_auto_welcomelist 0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(["spamc", "-K", "-d", "127.0.0.1", "-p", str(port), "--connect-retries=1"],
                             capture_output=True, check=False).returncode != 0:
            assert process.poll() is None and time.monotonic() < deadline, "spamd did not start"
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        kill_if_running(process.pid)


def test_spamc_against_spamd_scores_as_spamassassin_does(spamd: str, demo_eml: bytes) -> None:
    for eml in (GTUBE, demo_eml):
        cold = spam_check(eml)
        via = spam_check(eml, spamd=spamd)
        assert (via.status, via.summary) == (cold.status, cold.summary)
        assert via.details == (f"checked by spamc via {spamd}",)


def test_an_unreachable_spamd_falls_back_on_spamassassin_with_a_warning() -> None:
    where = f"127.0.0.1:{free_port()}"  # nothing listens there
    check = spam_check(GTUBE, spamd=where)
    assert check.status == "error" and "GTUBE" in check.summary
    assert check.details[-1] == "checked by spamassassin"
    assert check.details[0].startswith(f"warning: spamd at {where} was not used (")
    assert check.details[0].endswith("): checked by spamassassin instead")


def test_a_run_with_spamd_named_asks_it_and_says_so(spamd: str, tmp_path: Path) -> None:
    before = set(spamcheck.started_pids())
    path = demo_config(tmp_path, editions=[], email={"spamd": spamd})
    result = CliRunner().invoke(run, ["--now", NOW], obj=Context(path))
    assert result.exit_code == 0, result.output
    assert f"- checked by spamc via {spamd}" in result.output
    assert set(spamcheck.started_pids()) == before  # no SpamAssassin started for nothing


@pytest.mark.parametrize("value", ["127.0.0.1:783", "localhost:7830", "[::1]:783", "/run/spamd/spamd.sock"])
def test_spamd_takes_host_port_or_a_socket_path(tmp_path: Path, value: str) -> None:
    assert load_config(demo_config(tmp_path, email={"spamd": value})).email.spamd == value


@pytest.mark.parametrize("value", ["127.0.0.1", "spamd:", "spamd:http", "host:99999", "relative/spamd.sock",
                                   "a b:783"])
def test_spamd_refuses_what_is_neither(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(demo_config(tmp_path, email={"spamd": value}))
    assert "spamd" in str(caught.value)


def test_a_build_uses_a_check_started_ahead_and_leaves_none(tmp_path: Path) -> None:
    path = demo_config(tmp_path, editions=[])
    assert CliRunner().invoke(run, ["--now", NOW, "--no-deliver"], obj=Context(path)).exit_code == 0
    before = set(spamcheck.started_pids())
    result = CliRunner().invoke(build, ["--week", "2025-W20", "--now", NOW], obj=Context(path))
    assert result.exit_code == 0, result.output
    assert "- checked by spamassassin" in result.output
    started = set(spamcheck.started_pids()) - before
    assert len(started) == 1 and all(reaped(pid) for pid in started)
