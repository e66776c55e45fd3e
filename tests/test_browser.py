"""The built email in real headless Chromium: widths, images, dark mode, nothing executes.

Every request leaving 127.0.0.1 is intercepted: images are answered with a small
local PNG (so boxes have a size), everything else is refused. Screenshots go to
pytest's temporary folder (printed with ``-s``), or to $DIGEST_SCREENSHOTS when set.
"""

from __future__ import annotations

import functools
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from email_fixtures import BRANDED, email_config, hostile_selection, realistic_selection
from helpers.chromium import CHROMIUM, launched

from digest.mail.render import render_issue

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True, scope="module")
def _chromium_required() -> None:
    """A required tool: the suite fails (never skips) without it. .ci/run installs it."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")


def png(width: int, height: int) -> bytes:
    """A gradient PNG made with zlib alone (no imaging library needed)."""
    rows = b"".join(b"\x00" + bytes(c for x in range(width) for c in (40 + y * 120 // height,
                                                                        60 + x * 100 // width, 120))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The realistic and hostile emails served from 127.0.0.1."""
    folder = tmp_path_factory.mktemp("emails")
    config = email_config(folder / "config", **BRANDED)
    (folder / "realistic.html").write_text(render_issue(config, realistic_selection()).html, encoding="utf-8")
    (folder / "hostile.html").write_text(render_issue(config, hostile_selection()).html, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("DIGEST_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


class Visit:
    """One page at one width and colour scheme, with every outside request recorded."""

    IMAGE = png(320, 180)

    def __init__(self, browser: Any, url: str, width: int, scheme: str = "light") -> None:
        self.outside: list[tuple[str, str]] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.emulate_media(color_scheme=scheme)
        self.page.route("**/*", self._route)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url, wait_until="load")

    def _route(self, route: Any) -> None:
        request = route.request
        if request.url.startswith("http://127.0.0.1"):
            route.continue_()
            return
        self.outside.append((request.resource_type, request.url))
        if request.resource_type == "image":
            route.fulfill(body=self.IMAGE, content_type="image/png")
        else:
            route.abort()

    def js(self, script: str) -> Any:
        return self.page.evaluate(script)

    def close(self) -> None:
        self.page.close()


@pytest.mark.parametrize("width", [600, 375])
def test_no_overflow_and_every_image_has_a_box(browser: Any, site: str, shots: Path, width: int) -> None:
    visit = Visit(browser, f"{site}/realistic.html", width)
    try:
        assert visit.js("document.documentElement.scrollWidth") <= visit.js("innerWidth") == width
        boxes = visit.js("""[...document.images].map(i => {
            const r = i.getBoundingClientRect(); return [i.alt, r.width, r.height, i.naturalWidth]; })""")
        assert len(boxes) == 8  # hero, three cards (one review has no image), four trending thumbnails
        for alt, box_w, box_h, natural in boxes:
            assert box_w > 0 and box_h > 0 and natural == 320, alt
            assert box_w <= width
        assert {kind for kind, _url in visit.outside} == {"image"}
        assert visit.js("document.querySelector('.preheader').getBoundingClientRect().height") == 0
        visit.page.screenshot(path=str(shots / f"email-{width}-light.png"), full_page=True)
    finally:
        visit.close()


def test_columns_sit_side_by_side_on_desktop_and_stack_on_phones(browser: Any, site: str) -> None:
    layout = """[...document.querySelectorAll('.card > .col')].slice(0, 2).map(col => {
        const r = col.getBoundingClientRect();
        return [Math.round(r.left), Math.round(r.top), Math.round(r.width)]; })"""
    desktop = Visit(browser, f"{site}/realistic.html", 600)
    phone = Visit(browser, f"{site}/realistic.html", 375)
    try:
        (image_left, image_top, image_width), (text_left, text_top, _) = desktop.js(layout)
        assert image_top == text_top and text_left >= image_left + image_width  # two columns
        (image_left, image_top, image_width), (text_left, text_top, text_width) = phone.js(layout)
        assert text_left == image_left and text_top > image_top and text_width == image_width  # stacked
        assert image_width > 300  # full phone width, not 180 px
    finally:
        desktop.close()
        phone.close()


@pytest.mark.parametrize("width", [600, 375])
def test_dark_mode_changes_backgrounds_and_text(browser: Any, site: str, shots: Path, width: int) -> None:
    probe = """[getComputedStyle(document.body).backgroundColor,
                getComputedStyle(document.querySelector('.surface')).backgroundColor,
                getComputedStyle(document.querySelector('.hero-title a')).color]"""
    light = Visit(browser, f"{site}/realistic.html", width, "light")
    dark = Visit(browser, f"{site}/realistic.html", width, "dark")
    try:
        light_colours, dark_colours = light.js(probe), dark.js(probe)
        assert light_colours == ["rgb(236, 238, 242)", "rgb(255, 255, 255)", "rgb(22, 25, 31)"]
        assert dark_colours == ["rgb(13, 15, 19)", "rgb(23, 26, 33)", "rgb(238, 240, 243)"]
        assert dark.js("document.documentElement.scrollWidth") <= width
        dark.page.screenshot(path=str(shots / f"email-{width}-dark.png"), full_page=True)
    finally:
        light.close()
        dark.close()


def test_hostile_issue_runs_nothing_and_loads_only_safe_images(browser: Any, site: str) -> None:
    visit = Visit(browser, f"{site}/hostile.html", 375)
    try:
        visit.page.wait_for_timeout(200)
        assert visit.dialogs == []
        assert visit.js("document.scripts.length") == 0
        assert visit.outside == [("image", "https://butwhytho.example/wp-content/uploads/plain.jpg")]
        title = visit.js("document.querySelector('.hero-title a').textContent")
        assert title.startswith('<script>alert("t")</script>')
        assert visit.js("document.documentElement.scrollWidth") <= 375
    finally:
        visit.close()
