"""The desk's email panel in Chromium (JavaScript off): the email at 600 and 375 px side by side on a
wide screen, one under the other on a phone, both frames showing the build; the dark view is reached
by a plain link."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers.chromium import launched
from helpers.desk import WEEK, build_demo, running_desk

from digest.settings.config import load_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser(demo_collected: Path) -> Iterator[Any]:
    """Chromium for the module; after the demo's collect, whose asyncio.run cannot share Playwright's loop."""
    yield from launched()


def boxes(page: Any) -> tuple[dict[str, float], dict[str, float]]:
    desktop = page.locator("iframe#email-desktop").bounding_box()
    phone = page.locator("iframe#email-phone").bounding_box()
    assert desktop is not None and phone is not None
    return desktop, phone


def test_the_email_at_desktop_and_phone_width_side_by_side_then_stacked(browser: Any, demo: Path) -> None:
    with ThreadPoolExecutor(1) as pool:  # the build's asyncio.run, away from Playwright's running loop
        pool.submit(build_demo, demo).result()
    subject = json.loads((load_config(demo).output_root() / WEEK / "manifest.json").read_text())["subject"]
    with running_desk(demo) as server:
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1800, "height": 900})
        page = context.new_page()
        page.goto(server.url)
        desktop, phone = boxes(page)
        assert (desktop["width"], phone["width"]) == (600, 375)
        assert phone["y"] == desktop["y"] and phone["x"] >= desktop["x"] + 600  # side by side
        for name in ("email-desktop", "email-phone"):
            assert page.frame_locator(f"iframe#{name}").locator("title").inner_text() == subject
        page.set_viewport_size({"width": 375, "height": 800})
        desktop, phone = boxes(page)
        assert phone["y"] >= desktop["y"] + desktop["height"]  # stacked on a phone
        assert desktop["width"] <= 375 and phone["width"] <= 375
        href = page.locator('a[href="/email.html?scheme=dark"]').get_attribute("href")
        page.goto(server.url.rstrip("/") + href)
        dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.goto(server.url + "email.html")
        light = page.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert dark != light
