from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.configfile import Clock
from helpers.data import real_feeds_dir
from helpers.server import FeedServer
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Fake

from digest.store.database import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"


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
