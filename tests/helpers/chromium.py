"""Debian's Chromium under Playwright, launched one way for every browser test.

A test module's ``browser`` fixture yields from :func:`launched`; its scope is the module's choice (a module
whose other fixtures call ``asyncio.run`` after Playwright starts needs one per test: Playwright's sync API
keeps an event loop running, which ``asyncio.run`` refuses).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def launched() -> Iterator[Any]:
    """A Chromium browser for as long as the generator runs; a clear failure when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
