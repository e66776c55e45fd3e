"""Where the suite's vendored real-world data lives: inside tests/, so a fresh clone has all it needs.

``data/feeds/real`` holds feeds captured byte for byte from real sites (SOURCES.md there names each
one's origin); ``data/reference`` holds the text of one real review page. Both are read-only test
data: a test that needs a variant makes its own copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TEST_DATA = Path(__file__).resolve().parents[1] / "data"
REAL_FEEDS = TEST_DATA / "feeds" / "real"
REFERENCE = TEST_DATA / "reference"


def real_feed(name: str) -> Path:
    """The vendored capture ``name``; a missing one fails the test (never skips) and says where it should be."""
    path = REAL_FEEDS / name
    if not path.is_file():
        pytest.fail(f"real captured feed not found: {path} (vendored under tests/data/feeds/real)")
    return path


def real_feeds_dir() -> Path:
    """The folder of vendored captures, failing the test if it holds no feed."""
    if not REAL_FEEDS.is_dir() or not any(REAL_FEEDS.glob("*.xml")):
        pytest.fail(f"real captured feeds not found at {REAL_FEEDS} (vendored under tests/data/feeds/real)")
    return REAL_FEEDS
