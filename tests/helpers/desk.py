"""A running ``digest desk`` on the demo, and a small client that speaks to it over real HTTP."""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

from click.testing import CliRunner

from digest.cli import main
from digest.desk.server import DeskServer, make_desk
from digest.desk.session import open_session
from digest.settings.config import load_config

WEEK, NOW = "2025-W20", "2025-05-19T08:00"  # the demo store was collected on 2025-05-19


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    text: str

    def fields(self, action: str, url: str = "") -> dict[str, str]:
        """The hidden fields of the page's first ``action`` form (for ``url``), as the browser posts them."""
        for form in re.findall(r'<form method="post" action="/change">(.*?)</form>', self.text, re.S):
            found = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
            hidden = {name: unescape(value) for name, value in found}
            if hidden.get("action") == action and (not url or hidden.get("url") == url):
                return hidden
        raise AssertionError(f"no {action} form for {url!r} on the page")


def build_demo(config: Path, *extra: str) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "build", "--week", WEEK, "--now", NOW, *extra])
    assert result.exit_code == 0, result.output


@contextmanager
def running_desk(config: Path, token: str | None = None, edition: str | None = None, *,
                 write_quiet: float | None = None, mirrored: bool = False) -> Iterator[DeskServer]:
    """The desk on ``config``'s week, served on a free port; ``write_quiet``: how long a change's files
    wait for a quiet desk (the desk's own default when None); ``mirrored``: the config's mirrors serve
    the email's images, as ``digest desk`` serves them."""
    quiet = {} if write_quiet is None else {"write_quiet": write_quiet}
    loaded = load_config(config)
    session = open_session(loaded, WEEK, edition, **quiet)
    mirrors = {m.host: loaded.resolve(m.root) for m in loaded.mirrors} if mirrored else None
    server = make_desk(session, port=0, token=token, mirrors=mirrors)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()  # writes what a change left pending, stops the background SpamAssassin check


def written(server: DeskServer) -> None:
    """The desk's last change written to its folder now (as its own buttons do before a move), for a test
    that reads the built files right after a change."""
    for session in server.open_sessions():
        session.settle()


def request(server: DeskServer, method: str, path: str, form: Mapping[str, str] | None = None, *,
            host: str | None = None, headers: Mapping[str, str] | None = None) -> Answer:
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode(form).encode() if form is not None else None
    sent = {"Host": host or f"127.0.0.1:{port}", **(headers or {})}
    if body is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      response.read().decode("utf-8", "replace"))
    finally:
        conn.close()
