"""``digest preview`` as an editor uses it: any built week, the inbox line, light and dark, and the
issue's images served from the site's mirror, on the demo built offline. Chromium drives the page."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.chromium import ARGS, CHROMIUM
from test_browser import png

from digest.cli import main
from digest.cli.base import Context
from digest.cli.mail import built_issue_dir
from digest.desk.preview import PreviewServer, make_server
from digest.settings.config import load_config

pytestmark = pytest.mark.slow


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.fixture
def served(demo: Path, tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    # The demo store was collected on 2025-05-19: a W19 built with an earlier --now would be empty.
    for week, now in (("2025-W19", "2025-05-19T08:00"), ("2025-W20", "2025-05-19T08:00")):
        result = CliRunner().invoke(main, ["--config", str(demo), "build", "--week", week, "--now", now])
        assert result.exit_code == 0, result.output
    # A mirror holding the first pick's lead image, as the demo's images will be.
    loaded = load_config(demo)
    manifest_dir = built_issue_dir(Context(demo), "2025-W19")
    assert manifest_dir is not None
    html = (manifest_dir / "digest.html").read_text(encoding="utf-8")
    image = html.split('src="https://secondscreen.example/', 1)[1].split('"', 1)[0]
    mirror = tmp_path / "mirror"
    (mirror / image).parent.mkdir(parents=True)
    (mirror / image).write_bytes(png(40, 20))
    ctx = Context(demo)
    server = make_server(loaded.output_root(), port=0, locate=lambda: built_issue_dir(ctx, "2025-W19"),
                         mirrors={"secondscreen.example": mirror},
                         sender="Second Screen <news@secondscreen.example>")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server, mirror / image
    server.shutdown()
    server.server_close()


def test_preview_shows_the_chosen_week_with_its_inbox_line_and_local_images(served: Any) -> None:
    server, image = served
    _, _, page = get(server.url)
    text = page.decode("utf-8")
    assert "digest preview: May 5–11, 2025" in text  # --week, though W20 was built last
    assert '<span class="from">Second Screen &lt;news@secondscreen.example&gt;</span>' in text
    _, _, email = get(server.url + "email.html")
    html = email.decode("utf-8")
    relative = str(image).split("/mirror/", 1)[1]
    assert f'src="/mirror/secondscreen.example/{relative}"' in html
    status, kind, body = get(server.url + f"mirror/secondscreen.example/{relative}")
    assert status == 200 and kind == "image/jpeg" and body == image.read_bytes()  # typed by its name
    _, _, dark = get(server.url + "email.html?scheme=dark")
    assert "prefers-color-scheme" in html and "prefers-color-scheme" not in dark.decode("utf-8")


def test_preview_week_that_was_not_built_is_a_clear_error(demo: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(demo), "preview", "--week", "2025-W18", "--port", "0"])
    assert result.exit_code == 2
    assert f"error: 2025-W18 has not been built with {demo}; run digest build" in result.output


def test_the_dark_switch_and_the_inbox_line_in_chromium(served: Any) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    server, _ = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto(server.url)
        manifest_subject = page.locator(".inbox .subject").inner_text()
        assert manifest_subject and page.locator(".inbox .pre").inner_text()
        frame = page.frame_locator('iframe[title="desktop"]')
        light = frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
        loaded = frame.locator("img").first.evaluate("i => i.complete && i.naturalWidth")
        assert loaded == 40  # the lead image came from the mirror
        page.click('button[data-scheme="dark"]')
        page.wait_for_function(
            "() => { const d = document.querySelector('iframe[title=desktop]').contentDocument;"
            " return d.location.search === '?scheme=dark' && d.readyState === 'complete'; }")
        dark = frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
        assert page.locator('button[data-scheme="dark"]').get_attribute("aria-pressed") == "true"
        browser.close()
    assert light != dark and dark == "rgb(13, 15, 19)"
