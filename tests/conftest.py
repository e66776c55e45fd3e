from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.configfile import Clock
from helpers.server import FeedServer

from digest.store.database import Store

REAL_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "feeds" / "real"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "var" / "digest.sqlite") as opened:
        yield opened


@pytest.fixture
def real_feeds() -> Path:
    if not REAL_FEEDS.is_dir() or not any(REAL_FEEDS.glob("*.xml")):
        pytest.fail(f"real captured feeds not found at {REAL_FEEDS} (the shared folder is missing)")
    return REAL_FEEDS
