"""Driving ``digest desk`` in Chromium the way an editor does, on today's page and on the contract's.

The locators hold whether or not desk.js is there: a card is found by its forms' hidden ``url`` field
(the contract adds ``data-url``, the forms stay), the email is the first ``iframe[sandbox]`` (the contract's
``#email-desktop``), the approval form is the one holding Hand off. A change is awaited by what it
changes (the forms' version, the state, the banner), so a full page back (no JavaScript) and a fetch
that swaps ``<main>`` (desk.js) are waited on the same way, never by a sleep.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import FrameLocator, Locator, Page, expect

WAIT = 30_000  # ms: a change rebuilds the issue (about 1.3 s on the demo with SpamAssassin), CI is slower


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class Desk:
    """One browser page on the desk."""

    def __init__(self, page: Page, url: str) -> None:
        self.page, self.url = page, url
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self) -> Desk:
        self.page.goto(self.url)
        self.page.wait_for_load_state()
        return self

    # -- what the page shows -------------------------------------------------------------------

    def card(self, link: str) -> Locator:
        return self.page.locator("li.card").filter(
            has=self.page.locator(f'input[name="url"][value="{_quoted(link)}"]')).first

    def form(self, link: str, action: str) -> Locator:
        return self.card(link).locator("form").filter(
            has=self.page.locator(f'input[name="action"][value="{action}"]')).first

    def version(self) -> str:
        return self.page.locator('input[name="version"]').first.input_value()

    @property
    def email(self) -> FrameLocator:
        """The email as built: the contract's desktop frame, or today's only frame."""
        return self.page.frame_locator("iframe[sandbox]").first

    def email_links(self, link: str) -> Locator:
        return self.email.locator(f'a[href*="{_quoted(urlsplit(link).path)}"]')

    def email_html(self) -> str:
        return self.email.locator("body").inner_html()

    def draggable(self) -> bool:
        return self.page.locator("li.card[draggable=true]").count() > 0

    @property
    def approval(self) -> Locator:
        return self.page.locator("form").filter(has=self.page.locator('button[value="hand_off"]')).first

    # -- changes, each awaited by what it changes ------------------------------------------------

    def changed(self, before: str) -> None:
        """Wait until the page carries another issue-file version than ``before``; a refusal shown
        instead (role=alert) fails at once with its message."""
        newer = self.page.locator(f'input[name="version"]:not([value="{_quoted(before)}"])')
        expect(newer.or_(self.page.locator('[role="alert"]')).first).to_be_attached(timeout=WAIT)
        self.settled()
        alerts = self.page.locator('[role="alert"]')
        assert newer.count() > 0, f"the change was refused: {alerts.all_inner_texts()}"

    def settled(self) -> None:
        """The page is done with a change: loaded, and desk.js no longer busy with it (it ignores a drag
        while a change is in flight)."""
        self.page.wait_for_load_state()
        expect(self.page.locator('body[aria-busy="true"]')).to_have_count(0, timeout=WAIT)

    def press(self, link: str, action: str, **fields: str) -> None:
        """Fill ``fields`` into the card's ``action`` form and press its button (no wait)."""
        form = self.form(link, action)
        for name, value in fields.items():
            form.locator(f'[name="{name}"]').fill(value)
        form.locator('button[type="submit"]').click()

    def edit(self, link: str, action: str, **fields: str) -> None:
        """An editor's change that is accepted: pressed, then awaited by the new version."""
        before = self.version()
        self.press(link, action, **fields)
        self.changed(before)

    def note(self, text: str) -> None:
        before = self.version()
        form = self.page.locator("form").filter(has=self.page.locator("textarea#note")).first
        form.locator("textarea#note").fill(text)
        form.locator('button[type="submit"]').click()
        self.changed(before)

    def drag_to_first(self, link: str, first: str) -> None:
        before = self.version()
        # Both cards on screen first: a drag that has to scroll to its target on the way loses its drop
        # (after a change by fetch, focus, and so the scroll, is wherever the last control was).
        self.card(first).scroll_into_view_if_needed()
        self.card(link).drag_to(self.card(first))
        self.changed(before)

    def move(self, who: str, action: str, comment: str = "") -> int:
        """Press an approval button as ``who``; the answer's status once it is back (a full page without
        JavaScript, a fetch with desk.js: both are a POST to /change). The caller awaits what it shows."""
        form = self.approval
        form.locator('select[name="as"]').select_option(label=who)
        if comment:
            form.locator('input[name="comment"]').fill(comment)
        with self.page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/change"),
                                       timeout=WAIT) as answer:
            form.locator(f'button[name="action"][value="{action}"]').click()
        self.page.wait_for_load_state()
        return answer.value.status

    def says(self, text: str) -> None:
        expect(self.page.get_by_text(text).first).to_be_attached(timeout=WAIT)  # a short failure message
        self.settled()


@contextmanager
def other_origin(folder: Path, desk_url: str, fields: dict[str, str]) -> Iterator[str]:
    """A page on another loopback port whose button posts ``fields`` to the desk's /change, as a hostile
    page would (with the desk's real CSRF token and version: only the origin differs). Yields its URL."""
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    folder.mkdir(parents=True, exist_ok=True)
    target = escape(desk_url.rstrip("/") + "/change")
    (folder / "index.html").write_text(
        f'<!DOCTYPE html><html><body><form method="post" action="{target}">{hidden}'
        '<button id="go" type="submit">win a prize</button></form></body></html>', encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
