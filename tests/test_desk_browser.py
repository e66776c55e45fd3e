"""``digest desk`` in Chromium with JavaScript off: the forms alone drop a pick and the framed email
changes; the page raises no CSP violation, and the email's frame is sandboxed (no script, no same origin)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers.chromium import ARGS, CHROMIUM
from helpers.desk import WEEK, build_demo, running_desk

from digest.settings.config import load_config

pytestmark = pytest.mark.slow


def test_drop_a_pick_in_chromium_without_javascript(demo: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    build_demo(demo)
    out = load_config(demo).output_root() / WEEK / "manifest.json"
    first = json.loads(out.read_text(encoding="utf-8"))["picks"][0]
    with running_desk(demo) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(server.url)
        frame = page.frame_locator("iframe#email-desktop[sandbox]")
        linked = f'a[href*="{urlsplit(first["url"]).path}"]'  # the pick's links in the email
        assert frame.locator(linked).count() > 0
        frames = ("email-desktop", "email-phone")
        sandboxes = [page.locator(f"iframe#{n}").get_attribute("sandbox") for n in frames]
        assert sandboxes == ["allow-same-origin", "allow-same-origin"]  # nothing runs; the desk's origin
        card = page.locator("li.card", has=page.locator(f'input[name="url"][value="{first["url"]}"]')).first
        card.locator("form", has=page.locator('input[name="action"][value="drop"]')).locator("button").click()
        page.wait_for_load_state()
        assert "rebuilt 2025-W20" in page.locator('[role="status"]').inner_text()
        frame = page.frame_locator("iframe#email-phone[sandbox]")
        assert frame.locator("body").count() == 1 and frame.locator(linked).count() == 0
        browser.close()
    assert not [p for p in problems if "Content Security Policy" in p], problems
