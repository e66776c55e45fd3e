"""Nothing a run starts outlives it: SpamAssassin and the parse workers die with a run killed by SIGKILL,
and a child that times out is killed with everything it started. Real processes, watched in /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers.processes import gone_within, kill_if_running, read_pid, sigkill_leaves_nothing
from test_jobs_demo import demo_config

from digest.mail.child import run_tied
from digest.mail.report import spam_check

DIGEST = [sys.executable, "-c", "from digest.cli.main import main; main()"]
EML = (b"From: Second Screen <news@secondscreen.example>\r\nTo: reader@example.com\r\n"
       b"Subject: This week: The Long Dark, reviewed\r\nMIME-Version: 1.0\r\n"
       b"Content-Type: text/plain; charset=utf-8\r\n\r\nFour stars for The Long Dark.\r\n")
# Stands in for SpamAssassin (Perl, as the real one): reads the .eml, says where it runs, then hangs.
SLOW_SPAMASSASSIN = """#!/usr/bin/perl
local $/; my $eml = <STDIN>;
open(my $out, '>', $ENV{DIGEST_TEST_PIDFILE}) or die "pidfile: $!";
print $out "$$\\n"; close($out);
sleep 60;
"""


@pytest.fixture
def slow_spamassassin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``spamassassin`` first on PATH that never finishes; the file it writes its pid to."""
    folder = tmp_path / "bin"
    folder.mkdir()
    tool = folder / "spamassassin"
    tool.write_text(SLOW_SPAMASSASSIN, encoding="utf-8")
    tool.chmod(0o755)
    pidfile = tmp_path / "spamassassin.pid"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DIGEST_TEST_PIDFILE", str(pidfile))
    return pidfile


def test_a_tied_child_runs_like_subprocess_run() -> None:
    done = run_tied(["/bin/cat"], EML, timeout=10)
    assert done.returncode == 0 and done.stdout == EML and done.stderr == b""
    failed = run_tied(["/bin/sh", "-c", "echo no rules >&2; exit 3"], b"", timeout=10)
    assert failed.returncode == 3 and failed.stderr == b"no rules\n"
    with pytest.raises(OSError):
        run_tied(["/nonexistent/spamassassin"], b"", timeout=10)


def test_a_timeout_kills_the_child_and_what_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    script = f"sleep 60 & echo $! > {pidfile}; wait"
    with pytest.raises(subprocess.TimeoutExpired):
        run_tied(["/bin/sh", "-c", script], b"", timeout=1.0)
    grandchild = read_pid(pidfile, 5)
    try:
        assert gone_within(grandchild, 5), "the timed-out child's own child still runs"
    finally:
        kill_if_running(grandchild)


# A run that ties a shell to itself; the shell starts a child of its own (as a wrapper script would).
TIED_SHELL = textwrap.dedent("""\
    import sys
    from digest.mail.child import run_tied
    run_tied(["/bin/sh", "-c", "sleep 60 & echo $! > " + sys.argv[1] + "; wait"], b"", timeout=120)
""")
# A tool that leaves a daemon behind: it forks, the child leaves the group and session (setsid) and
# forks again, and that grandchild keeps stdout and stderr open. Writes the daemon's pid; sleeps.
DAEMONISING = textwrap.dedent("""\
    import os, sys, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            with open(sys.argv[1], "w") as out:
                out.write(str(os.getpid()))
            time.sleep(90)
        os._exit(0)
    time.sleep(float(sys.argv[2]))
""")


def daemonising_tool(tmp_path: Path) -> list[str]:
    script = tmp_path / "daemonising.py"
    script.write_text(DAEMONISING, encoding="utf-8")
    return [sys.executable, str(script), str(tmp_path / "daemon.pid")]


def test_a_timeout_returns_at_once_and_kills_what_left_the_group(tmp_path: Path) -> None:
    """A daemon that left the tool's group and session, holding the pipes open, must neither survive
    nor keep the run waiting on pipes it holds."""
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as caught:
        run_tied([*daemonising_tool(tmp_path), "60"], b"", timeout=1.0)
    daemon = read_pid(tmp_path / "daemon.pid", 5)
    try:
        assert time.monotonic() - started < 10  # not the daemon's 90 s
        assert gone_within(daemon, 5), "the daemon the tool left outlived the timeout"
        assert "daemonising.py" in str(caught.value) and "import" not in str(caught.value)
    finally:
        kill_if_running(daemon)


def test_what_a_tool_leaves_behind_is_killed_when_it_exits(tmp_path: Path) -> None:
    done = run_tied([*daemonising_tool(tmp_path), "0.5"], b"", timeout=30)
    daemon = read_pid(tmp_path / "daemon.pid", 5)
    try:
        assert done.returncode == 0
        assert gone_within(daemon, 5), "the daemon the tool left outlived it"
    finally:
        kill_if_running(daemon)


def test_a_run_killed_by_sigkill_takes_a_daemon_its_tool_left_too(tmp_path: Path) -> None:
    runner = textwrap.dedent("""\
        import sys
        from digest.mail.child import run_tied
        run_tied(sys.argv[1:] + ["60"], b"", timeout=120)
    """)
    sigkill_leaves_nothing([sys.executable, "-c", runner, *daemonising_tool(tmp_path)], tmp_path / "daemon.pid",
                           "the daemon the tool left")


def test_a_run_killed_by_sigkill_takes_what_its_child_started_too(tmp_path: Path) -> None:
    """The parent-death signal is not inherited across fork: the tied child's own children must die
    with the run all the same (a wrapper script, a tool that forks a worker)."""
    pidfile = tmp_path / "grandchild.pid"
    sigkill_leaves_nothing([sys.executable, "-c", TIED_SHELL, str(pidfile)], pidfile,
                           "the tied child's own child")


def test_a_spamassassin_that_hangs_is_killed_and_not_checked(slow_spamassassin: Path) -> None:
    check = spam_check(EML, timeout=1.0)
    assert check.status == "not checked" and "did not finish" in check.summary
    spamassassin = read_pid(slow_spamassassin, 5)
    try:
        assert gone_within(spamassassin, 5)
    finally:
        kill_if_running(spamassassin)


@pytest.mark.slow
def test_a_build_killed_by_sigkill_takes_spamassassin_with_it(slow_spamassassin: Path, tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    # the pid is written after the collect, while the build checks the .eml
    sigkill_leaves_nothing([*DIGEST, "--config", str(config), "run", "--now", "2025-05-19T08:00"],
                           slow_spamassassin, "SpamAssassin", start_within=120, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, cwd=tmp_path)
    assert not (tmp_path / "out" / "2025-W20" / "digest.html").exists()  # never a half-written issue


# A collect's parse pool, parsing feeds that never finish parsing; each worker writes its pid.
PARSING = textwrap.dedent("""\
    import asyncio, os, sys, time
    from pathlib import Path
    from digest.collect.parsepool import ParsePool

    def stuck(content, headers, url):
        (Path(sys.argv[1]) / str(os.getpid())).write_text("parsing " + url)
        time.sleep(60)

    pool = ParsePool(2, parse=stuck)
    assert pool.in_processes, "no worker processes"

    async def collect():
        feeds = [f"https://reviews.example/category/c{n}/feed/" for n in range(2)]
        await asyncio.gather(*(pool.parse(b"<rss/>", {"content-type": "application/rss+xml"}, url)
                               for url in feeds))

    asyncio.run(collect())
""")


def test_a_collect_killed_by_sigkill_takes_its_parse_workers_with_it(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("parse workers are Linux only")
    seen = tmp_path / "workers"
    seen.mkdir()
    process = subprocess.Popen([sys.executable, "-c", PARSING, str(seen)], stderr=subprocess.PIPE,
                               start_new_session=True)
    workers: list[int] = []
    try:
        for _ in range(200):
            workers = [int(p.name) for p in seen.iterdir()]
            if len(workers) == 2 or process.poll() is not None:
                break
            time.sleep(0.05)
        assert len(workers) == 2, process.stderr.read() if process.poll() is not None else workers  # type: ignore[union-attr]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        assert all(gone_within(pid, 5) for pid in workers), "a parse worker outlived its collect"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stderr.close()  # type: ignore[union-attr]
        for pid in workers:
            kill_if_running(pid)
