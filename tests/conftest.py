from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import contract
from helpers.configfile import Clock
from helpers.data import real_feeds_dir
from helpers.fakes import LIVE
from helpers.server import FeedServer
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Fake

from digest.store.database import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
CONTRACT_LOG = Path(__file__).resolve().parent / ".contract-log.json"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "violations_expected(match): the test breaks a service's description on purpose; only the "
        "violations the regular expression ``match`` finds are allowed",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    LIVE.clear()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A request that breaks a vendored description fails the test that made it, in the test's own
    call (so that a strict xfail naming the violation holds), unless the test says it breaks the
    description on purpose (``@pytest.mark.violations_expected(match=...)``, only what ``match`` finds)."""
    try:
        result = yield
    except BaseException as failed:  # the fake refused the bad request, so the test failed first: say why
        found = _violations(item)
        if found:
            failed.add_note("requests or answers that break a vendored API description:\n" + "\n".join(found))
        raise
    found = _violations(item)
    if found:
        raise AssertionError("requests or answers that break a vendored API description:\n" + "\n".join(found))
    return result


def _violations(item: pytest.Item) -> list[str]:
    """This test's violations, less those it makes on purpose (which are counted apart)."""
    expected = item.get_closest_marker("violations_expected")
    allowed = re.compile(expected.kwargs["match"] if expected else "(?!)")
    for fake in LIVE:
        for line in fake.violations:
            if allowed.search(line) and line in contract.PROBLEMS:
                contract.excuse(fake.name, line)
    return [line for fake in LIVE for line in fake.violations if not allowed.search(line)]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its contract counts to the controller, which reports them all."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["contract_log"] = json.dumps({"log": {s: dict(c) for s, c in contract.LOG.items()},
                                             "problems": contract.PROBLEMS})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller adds a finished worker's contract counts to its own (xdist's hook)."""
    sent = getattr(node, "workeroutput", {}).get("contract_log")
    if sent:
        found = json.loads(sent)
        for service, counts in found["log"].items():
            contract.LOG.setdefault(service, Counter()).update(counts)
        contract.PROBLEMS.extend(found["problems"])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many requests each service's description checked, and how many broke it (also on disk)."""
    if not contract.LOG:
        return
    counts = {service: dict(counter) for service, counter in sorted(contract.LOG.items())}
    log = {"services": counts, "violations": sorted(set(contract.PROBLEMS))}
    CONTRACT_LOG.write_text(json.dumps(log, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    terminalreporter.section("vendored API descriptions")
    for service, seen in counts.items():
        terminalreporter.write_line(
            f"{service}: {seen.get('requests', 0)} requests checked, {seen.get('violations', 0)} violations; "
            f"{seen.get('answers', 0)} fake answers checked, {seen.get('bad answers', 0)} broke it; "
            f"{seen.get('expected violations', 0)} made on purpose by tests that expect them"
        )


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def mailchimp(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Fake:
    """The Mailchimp fake on a local server, its API key in the environment."""
    monkeypatch.setenv("DIGEST_MAILCHIMP_API_KEY", KEY)
    return FAKES["mailchimp"](httpserver)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "var" / "digest.sqlite") as opened:
        yield opened


@pytest.fixture
def real_feeds() -> Path:
    return real_feeds_dir()


@pytest.fixture(scope="module")
def demo_collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo collected offline (through its mirror) as of Mon 2025-05-19 07:00, once per module."""
    from test_jobs_demo import demo_config

    from digest.cli import main

    folder = tmp_path_factory.mktemp("demo")
    path = demo_config(folder, issues_dir=str(folder / "issues"))
    result = CliRunner().invoke(main, ["--config", str(path), "collect", "--now", "2025-05-19T07:00", "-q"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def demo(demo_collected: Path, tmp_path: Path) -> Iterator[Path]:
    """The demo config over a fresh copy of the collected store: a test may build, pin and drop."""
    shutil.copytree(demo_collected, tmp_path / "demo")
    path = tmp_path / "demo" / "demo.toml"
    text = path.read_text(encoding="utf-8").replace(str(demo_collected), str(path.parent))
    path.write_text(text, encoding="utf-8")
    yield path


NODE_DIR = Path(__file__).resolve().parent / "node"


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """tests/node with its npm packages (axe-core, doiuse-email) installed by `npm ci` when missing.

    A required tool: without node and npm the tests that need them fail, never skip.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are required for the email-client tests (apt-get install nodejs npm)")
    wanted = [NODE_DIR / "node_modules" / "axe-core" / "axe.min.js",
              NODE_DIR / "node_modules" / "@jsx-email" / "doiuse-email" / "package.json"]
    if not all(p.is_file() for p in wanted):
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True,
                              text=True, timeout=900, check=False)
        if done.returncode != 0:
            pytest.fail(f"npm ci in {NODE_DIR} failed:\n{done.stdout}\n{done.stderr}")
    return NODE_DIR
