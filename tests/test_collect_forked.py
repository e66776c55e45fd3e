"""``digest run``'s collect in a forked child (issue 23's peak memory): the same report, progress and output
as a collect in-process; the child's errors and death reach the run as clear errors; a store a killed
child was writing stays sound; and the child never outlives the run.

The feeds are files served by a child process (helpers.static_server): this process keeps a single
thread, as the CLI's does, so the CLI forks here too. One feed may "hang": a listening socket that
never answers, to keep the child busy while a test kills it or its parent.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.configfile import make_config, write_config
from helpers.processes import (
    children_of,
    cmdline,
    exit_or_stacks,
    gone_within,
    holds_tcp_port,
    ignores_sigint,
    kill_if_running,
    process_state,
    running,
    session_processes,
)
from helpers.static_server import StaticServer
from helpers.wordpress import make_posts, rss

from digest.collect import forked
from digest.collect.collector import run_collect
from digest.errors import CollectError, StoreError
from digest.models import CollectReport, FeedOutcome
from digest.store.database import Store

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the collect forks on Linux only")

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)
NOW_TEXT = "2024-05-20T07:00"  # NOW in the config's America/Chicago
FEEDS = 3
POSTS = 8


def clock() -> datetime:
    return NOW


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Three WordPress feeds of eight scored reviews each, served by a child process."""
    folder = tmp_path_factory.mktemp("site")
    for number in range(FEEDS):
        posts = make_posts(POSTS, newest=NOW - timedelta(days=1), first_id=1000 * (number + 1),
                           title=f"Review {{n}}: Feed {number} Film {{n}}", categories=("Reviews", "Film"))
        (folder / f"feed{number}.xml").write_bytes(rss(posts, title=f"Example Reviews {number}"))
    with StaticServer(folder) as server:
        yield [server.url(f"feed{number}.xml") for number in range(FEEDS)]


@pytest.fixture()
def listener() -> Iterator[socket.socket]:
    """A server socket that takes connections (the kernel does, up to its backlog) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server


@pytest.fixture()
def hanging(listener: socket.socket) -> str:
    """A feed address on ``listener``."""
    return f"http://127.0.0.1:{listener.getsockname()[1]}/feed/"


class Heard:
    """A CollectProgress that writes down what it hears."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def feeds(self, total: int) -> None:
        self.calls.append(("feeds", total))

    def feed_done(self, outcome: FeedOutcome) -> None:
        self.calls.append(("feed_done", outcome))

    def pages(self, total: int) -> None:
        self.calls.append(("pages", total))

    def page_done(self, url: str, error: str | None) -> None:
        self.calls.append(("page_done", (url, error)))


def _folder(base: Path, name: str) -> Path:
    (base / name).mkdir()
    return base / name


def _same(report: CollectReport) -> CollectReport:
    return replace(report, seconds=0.0)


def _children() -> set[int]:
    """This process's children now."""
    found: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        found.update(int(pid) for pid in Path(f"/proc/self/task/{task}/children").read_text().split())
    return found


def test_the_childs_report_and_progress_equal_an_in_process_collects(site: list[str], tmp_path: Path) -> None:
    apart = make_config(_folder(tmp_path, "apart"), site)
    here = make_config(_folder(tmp_path, "here"), site)
    heard_apart, heard_here = Heard(), Heard()
    fed_apart: list[FeedOutcome] = []
    fed_here: list[FeedOutcome] = []
    before = _children()
    report = forked.collect_in_child(apart, clock, on_feed=fed_apart.append, progress=heard_apart)
    assert _children() == before  # the child was reaped
    with Store.open(here.store_path) as store:
        expected = run_collect(here, store, clock, on_feed=fed_here.append, progress=heard_here)
    assert _same(report) == _same(expected)
    assert sum(o.new for o in report.outcomes) == FEEDS * POSTS
    assert sorted(map(repr, fed_apart)) == sorted(map(repr, fed_here)) and len(fed_apart) == FEEDS
    assert heard_apart.calls[0] == heard_here.calls[0] == ("feeds", FEEDS)
    assert sorted(map(repr, heard_apart.calls)) == sorted(map(repr, heard_here.calls))
    with Store.open(apart.store_path) as written, Store.open(here.store_path) as store:  # the child wrote
        assert written.count("entries") == store.count("entries") == FEEDS * POSTS


def test_a_digest_error_in_the_child_arrives_as_itself_with_its_message(site: list[str],
                                                                       tmp_path: Path) -> None:
    config = make_config(tmp_path, site)
    with pytest.raises(StoreError) as in_process:
        Store.open(tmp_path)  # a folder where the store should be
    with pytest.raises(StoreError) as apart:
        forked.collect_in_child(config, clock, store_path=tmp_path)
    assert str(apart.value) == str(in_process.value) and "is a folder" in str(apart.value)


def test_a_child_killed_mid_collect_is_a_clear_error_and_leaves_a_sound_store(
        site: list[str], hanging: str, tmp_path: Path) -> None:
    config = make_config(tmp_path, [*site, hanging], read_timeout=30.0, deadline=60.0)
    before = _children()
    killed: list[int] = []

    def kill_the_child(outcome: FeedOutcome) -> None:  # the first feed stored: the child is at the others
        for pid in _children() - before:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with pytest.raises(CollectError, match="killed by signal SIGKILL") as stopped:
        forked.collect_in_child(config, clock, on_feed=kill_the_child)
    assert killed and "run it again" in str(stopped.value)
    with sqlite3.connect(config.store_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_feed = dict(db.execute("SELECT feed_url, count(*) FROM entry_feeds GROUP BY feed_url").fetchall())
    assert per_feed and set(per_feed.values()) == {POSTS}  # each feed stored whole or not at all
    assert _children() == before


def test_an_error_in_the_callers_callback_stops_the_child_at_once(
        site: list[str], hanging: str, tmp_path: Path) -> None:
    """The caller's error (or a KeyboardInterrupt) while it hears the child: the child is killed and
    reaped before the error goes on, not left fetching for a caller that no longer listens."""
    config = make_config(tmp_path, [*site, hanging], read_timeout=30.0, deadline=60.0)
    before = _children()
    seen: list[int] = []

    def broken(outcome: FeedOutcome) -> None:
        seen.extend(_children() - before)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        forked.collect_in_child(config, clock, on_feed=broken)
    assert seen and not any(running(pid) for pid in seen)
    assert _children() == before


def _json_without_times(output: str, folder: Path) -> Any:
    document = json.loads(output.replace(str(folder), "<folder>"))

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in ("seconds", "started", "finished")}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(document)


def _text_without_times(output: str, folder: Path) -> str:
    return re.sub(r"\d+\.\d+s\b", "<t>s", output.replace(str(folder), "<folder>"))


# CliRunner in a fresh interpreter: pytest-httpserver's session server thread, left by an earlier test in
# this worker, would make this process one where digest rightly does not fork. Prints the output, the exit
# code and how many collects ran in a child; "here" makes the collect run in-process.
_CLI = """
import json, sys
from click.testing import CliRunner
from digest.cli import main
from digest.collect import forked
children = []
real = forked.collect_in_child
def counted(*args, **kwargs):
    children.append(1)
    return real(*args, **kwargs)
forked.collect_in_child = counted
if sys.argv[1].startswith("here"):
    forked.can_fork = lambda: False
if len(sys.argv[1].split(":")) == 2:  # "where:bytes": files may not grow past that (a full disk, for SQLite)
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[1].split(":")[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
done = CliRunner().invoke(main, sys.argv[2:])
print(json.dumps({"output": done.output, "code": done.exit_code, "children": len(children)}))
"""


def test_run_prints_the_same_through_the_child_and_in_process(site: list[str], tmp_path: Path) -> None:
    """``digest run`` (text and --json) says and writes the same whether its collect ran in the child
    (through CliRunner, whose stdout the child cannot write to, and in a real process) or in-process."""

    def invoke(name: str, where: str, *args: str) -> tuple[str, Path]:
        folder = _folder(tmp_path, name)
        config = write_config(folder, site)
        done = subprocess.run([sys.executable, "-c", _CLI, where, "--config", str(config), "run", "--now",
                               NOW_TEXT, *args], capture_output=True, text=True, timeout=300, check=True)
        answer = json.loads(done.stdout)
        assert answer["code"] == 0, answer["output"]
        assert answer["children"] == (where == "apart")  # the child was used where it could be
        return answer["output"], folder

    text_apart, text_folder_apart = invoke("text-apart", "apart")
    json_apart, json_folder_apart = invoke("json-apart", "apart", "--json")
    text_here, text_folder_here = invoke("text-here", "here")
    json_here, json_folder_here = invoke("json-here", "here", "--json")
    assert "collected 3 feeds, 24 new entries" in text_apart
    assert (_text_without_times(text_apart, text_folder_apart)
            == _text_without_times(text_here, text_folder_here))
    assert (_json_without_times(json_apart, json_folder_apart)
            == _json_without_times(json_here, json_folder_here))
    built = sorted(p.relative_to(text_folder_here) for p in (text_folder_here / "out").rglob("*.html"))
    assert built
    for path in built:
        assert (text_folder_apart / path).read_bytes() == (text_folder_here / path).read_bytes()

    folder = _folder(tmp_path, "process")
    config = write_config(folder, site)
    done = subprocess.run([sys.executable, "-c", "from digest.cli import main; main()", "--config", str(config),
                           "run", "--now", NOW_TEXT], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _text_without_times(done.stdout, folder) == _text_without_times(text_here, text_folder_here)


def test_a_full_disk_met_in_the_child_is_the_runs_error_with_its_message_and_exit_code(tmp_path: Path) -> None:
    """The collect's store error (files may not grow: SQLite's "disk full") ends ``digest run`` as it does
    in-process: the same one-line message, the same exit code, nothing half-written."""
    site = _folder(tmp_path, "site")
    posts = [replace(p, body="<p>A long paragraph of the review, as real ones are.</p>" * 60)
             for p in make_posts(80, newest=NOW - timedelta(days=1), categories=("Reviews", "Film"))]
    (site / "feed.xml").write_bytes(rss(posts))
    answers = {}
    with StaticServer(site) as server:
        for where in ("apart", "here"):
            config = write_config(_folder(tmp_path, where), [server.url("feed.xml")])
            done = subprocess.run([sys.executable, "-c", _CLI, f"{where}:400000", "--config", str(config),
                                   "run", "--now", NOW_TEXT], capture_output=True, text=True, timeout=300,
                                  check=True)
            answers[where] = json.loads(re.sub(r"\d+ MB free", "<n> MB free",  # the disk's, not the store's
                                               done.stdout.replace(str(config.parent), "<folder>")))
            with sqlite3.connect(config.parent / "var" / "digest.sqlite") as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert db.execute("SELECT count(*) FROM entries").fetchone() == (0,)
    assert answers["apart"]["children"] == 1 and answers["here"]["children"] == 0
    assert answers["apart"]["code"] == answers["here"]["code"] != 0
    assert answers["apart"]["output"] == answers["here"]["output"]
    assert "full" in answers["apart"]["output"] and "Traceback" not in answers["apart"]["output"]


def test_the_run_killed_leaves_no_collect_child(hanging: str, listener: socket.socket, tmp_path: Path) -> None:
    """The child waits on a feed that never answers (it has nothing to write to its parent, which would
    fail and end it): only the kernel's death signal can end it with its run."""
    config = write_config(tmp_path, [hanging], read_timeout=30.0, deadline=60.0)
    run = subprocess.Popen([sys.executable, "-c", "from digest.cli import main; main()", "--config",
                            str(config), "run", "--now", NOW_TEXT],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        listener.settimeout(60)
        connection, _ = listener.accept()  # the child is fetching the feed: it will not write for 30 s
        child = _child_of(run.pid, within=10)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        assert gone_within(child, 10), "the collect's child outlived its run"
        connection.close()
    finally:
        kill_if_running(run.pid)
        run.wait()


# Each run these tests interrupt starts as it would at a terminal, where Ctrl-C raises KeyboardInterrupt: a
# command a shell starts in the background (`make test &`, some CI runners) inherits SIGINT ignored, and
# Python then leaves it ignored, so the Ctrl-C these tests send would be lost before digest could hear it.
_AT_A_TERMINAL = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"


def test_ctrl_c_ends_the_run_and_its_collect_child(hanging: str, listener: socket.socket,
                                                   tmp_path: Path) -> None:
    """Ctrl-C reaches the terminal's whole process group; the child ignores it and its run kills it.

    The Ctrl-C is sent once the connection on ``listener`` is known to be the run's collect child's (a
    connection from elsewhere, say another test's process trying a port it found free and ours took since,
    would send it at some earlier step), and that child ignores SIGINT: so it lands where this test means
    it to, the run waiting on its collect. A run that outlives it says where it was: its processes, and the
    Python stack of every thread (``-X faulthandler``, dumped by SIGABRT)."""
    config = write_config(tmp_path, [hanging], read_timeout=30.0, deadline=60.0)
    stderr = tmp_path / "run.stderr"
    with stderr.open("wb") as written:
        run = subprocess.Popen([sys.executable, "-X", "faulthandler", "-c", _AT_A_TERMINAL + "from digest.cli "
                                "import main; main()", "--config", str(config), "run", "--now", NOW_TEXT],
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=written)
    try:
        listener.settimeout(60)
        connection, child = _accept_from_child_of(listener, run.pid, within=10)
        assert ignores_sigint(child), "the collect's child is fetching, yet does not ignore Ctrl-C"
        os.killpg(run.pid, signal.SIGINT)
        code = exit_or_stacks(run, 20, stderr, "Ctrl-C")
        assert code != 0
        assert gone_within(child, 5), "the collect's child outlived its run's Ctrl-C"
        connection.close()
    finally:
        kill_if_running(run.pid)
        run.wait()


# ``digest run`` where Ctrl-C reaches the run while it forks its collect's child. The kernel then runs the
# signal's handler and restarts fork(); Python raises KeyboardInterrupt at its first check, which falls in
# the parent's after-fork callbacks (logging's ``_releaseLock``, once the CLI has imported logging), where
# an exception is printed ("Exception ignored in") and dropped. Here the SIGINT comes at that very point:
# an after-fork callback registered before logging's sends it, by kill(2) through ctypes (no check for
# signals follows, as none does in the kernel's restart).
_CTRL_C_DURING_FORK = _AT_A_TERMINAL + """
import ctypes, functools, os, signal
os.register_at_fork(after_in_parent=functools.partial(ctypes.CDLL(None).kill, os.getpid(), signal.SIGINT))
from digest.cli import main
main()
"""


# ``digest run`` where Ctrl-C's handler has run, yet the run's read of its child's pipe is not interrupted: as
# when the SIGINT comes after Python's last check for signals and before the read begins (the run preempted
# there on a loaded machine). Here the main thread blocks SIGINT as it calls ``pickle.load`` for the answer
# that does not come, and a thread started then sends it half a second later: the kernel hands it to that
# thread, Python's handler notes it, and the main thread's read goes on waiting.
_CTRL_C_BESIDE_THE_READ = _AT_A_TERMINAL + """
import os, pickle, signal, sys, threading, time
def later():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a new thread starts with its maker's mask
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGINT)
loads = []
def hook(frame, event, arg):
    if event == "c_call" and arg is pickle.load and frame.f_code.co_name == "_replay":
        loads.append(1)
    if len(loads) == 2:  # the child's first answer (the feeds it will fetch) read; the next never comes
        sys.setprofile(None)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        threading.Thread(target=later, daemon=True).start()
sys.setprofile(hook)
from digest.cli import main
main()
"""


@pytest.mark.parametrize("script", [_CTRL_C_DURING_FORK, _CTRL_C_BESIDE_THE_READ], ids=["fork", "read"])
def test_ctrl_c_the_run_did_not_raise_at_once_still_ends_it_and_its_child(script: str, hanging: str,
                                                                           tmp_path: Path) -> None:
    """The child, waiting on a feed that never answers, would keep the run waiting 30 s and more."""
    config = write_config(tmp_path, [hanging], read_timeout=30.0, deadline=60.0)
    stderr = tmp_path / "run.stderr"
    with stderr.open("wb") as written:
        run = subprocess.Popen([sys.executable, "-X", "faulthandler", "-c", script, "--config",
                                str(config), "run", "--now", NOW_TEXT],
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=written)
    try:
        code = exit_or_stacks(run, 20, stderr, "Ctrl-C")
        assert code != 0 and "Aborted!" in stderr.read_text()
        deadline = time.monotonic() + 5
        while session_processes(run.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = session_processes(run.pid)
        assert not left, f"the run's Ctrl-C left its child behind: {left}"
    finally:
        kill_if_running(run.pid)
        run.wait()


def _accept_from_child_of(listener: socket.socket, pid: int, within: float) -> tuple[socket.socket, int]:
    """The next connection on ``listener`` made by a child of ``pid`` that shares its command line (its
    forked collect), with that child; a connection from any other process is closed and passed over."""
    while True:
        connection, peer = listener.accept()
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            owner = next((kid for kid in children_of(pid) if holds_tcp_port(kid, peer[1])), None)
            if owner is not None:
                assert cmdline(owner) == cmdline(pid), f"{cmdline(owner)!r} is not the run's fork"
                return connection, owner
            if not running(pid):
                state = process_state(pid)
                raise AssertionError(f"the run ended (status {state}) before its collect connected")
            time.sleep(0.02)
        connection.close()  # not the run's: wait for the run's own


def _child_of(pid: int, within: float) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        mine = cmdline(pid)  # a fork keeps its parent's command line
        live = [kid for kid in children_of(pid) if running(kid) and cmdline(kid) == mine]
        if live:
            return live[0]
        time.sleep(0.02)
    raise AssertionError(f"process {pid} started no child within {within} s")


