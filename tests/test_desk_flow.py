"""Issue 21's whole flow in Chromium on the demo, as an editor and an approver do it in the desk.

Open the week, drop a pick, move another top pick to position 1 (by drag when the page offers it, else
Pin at 1), give a pick a hostile blurb, write the note in Markdown, and see the framed email change after
each; submit as the editor, fail to approve one's own submission ([approval] separate_approver), approve
as a second person, hand off to a real SMTP server (aiosmtpd) or to the Buttondown fake: one delivery,
and a second press delivers nothing. The issue file, the store and ``digest issue status`` say what
happened; no script ever runs (a dialog handler stays silent). Also: two editors on one desk (the stale
page gets 409 and nothing of the first is lost), and a page on another loopback port cannot post a change.

Each test runs with JavaScript on and off where it matters: the page works without it, desk.js
enhances it; the locators (helpers.desk_flow) hold on both.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from helpers.desk import WEEK, build_demo, running_desk, written
from helpers.desk_flow import WAIT, Desk, other_origin
from helpers.smtp import Inbox, smtp_server
from playwright.sync_api import Browser, expect
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Fake
from test_approval import ANA, BO, CY
from test_browser import browser  # noqa: F401 - the module's one Chromium, launched as test_browser does
from test_jobs_demo import demo_config

from digest.cli import main
from digest.desk.server import DeskServer
from digest.settings.config import load_config

pytestmark = pytest.mark.slow

# Tall enough for the cards a drag goes between: Playwright's mouse does not scroll during a drag.
SCREEN = {"width": 1400, "height": 1400}
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> "quotes" & {{ merge }} *|FNAME|*'
SHOWN = '<script>alert(1)</script><img src=x onerror=alert(2)> "quotes" &'  # before the neutralised tags
NOTE = "**A loud week.** Start with [the list](https://secondscreen.example/list), then the rest."
LIST = "list@secondscreen.example"
EDITOR, APPROVER = str(BO["name"]), str(CY["name"])  # Bo may approve, but not what Bo submitted


def approval_table() -> dict[str, Any]:
    return {"required": True, "separate_approver": True, "people": [ANA, BO, CY]}


def smtp_delivery(port: int) -> dict[str, Any]:
    return {"method": "smtp", "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5,
                                       "from": "Second Screen <digest@secondscreen.example>", "to": [LIST]}}


def _manifest(config: Path) -> dict[str, Any]:
    out = load_config(config).output_root() / WEEK / "manifest.json"
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def _tops(config: Path) -> list[str]:
    return [p["url"] for p in _manifest(config)["picks"] if p["kind"] == "top"]


def _issue_file(config: Path) -> dict[str, Any]:
    loaded = load_config(config)
    return tomllib.loads((loaded.resolve(loaded.issues_dir) / f"{WEEK}.toml").read_text(encoding="utf-8"))


def _issue_bytes(config: Path) -> bytes | None:
    loaded = load_config(config)
    path = loaded.resolve(loaded.issues_dir) / f"{WEEK}.toml"
    return path.read_bytes() if path.exists() else None


def _status(config: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["--config", str(config), "issue", "status", "--week", WEEK, "--json"])
    assert result.exit_code == 0, result.output
    loaded: dict[str, Any] = json.loads(result.output)
    return loaded


@pytest.fixture(params=[False, True], ids=["no-js", "js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def buttondown(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Fake:
    """The Buttondown fake (driven by its vendored API description) on a local server, its key set."""
    monkeypatch.setenv("DIGEST_BUTTONDOWN_API_KEY", KEY)
    return FAKES["buttondown"](httpserver)


@pytest.fixture
def desk_page(browser: Browser, javascript: bool) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(java_script_enabled=javascript, viewport=SCREEN)
    yield context
    context.close()


def edit_the_week(desk: Desk, config: Path, javascript: bool, server: DeskServer) -> dict[str, str]:
    """Drop, move to 1, hostile blurb, note: each seen in the framed email and in the issue file, and
    in the built files once the desk has written them."""
    tops = _tops(config)
    dropped, moved = tops[1], tops[3]  # after the drop, the third top pick: two places up
    expect(desk.email_links(dropped).first).to_be_attached(timeout=WAIT)

    desk.edit(dropped, "drop")
    expect(desk.email_links(dropped)).to_have_count(0, timeout=WAIT)  # the email changed
    written(server)
    assert dropped not in [p["url"] for p in _manifest(config)["picks"]]
    assert dropped in _issue_file(config)["drop"]
    expect(desk.card(dropped)).to_contain_text("dropped by the editor", timeout=WAIT)  # and the desk says why

    first = _tops(config)[0]
    dragged = javascript and desk.draggable()
    if dragged:
        desk.drag_to_first(moved, first)
    else:
        desk.edit(moved, "pin_at", position="1")
    written(server)
    lead = _manifest(config)["picks"][0]
    assert (lead["url"], lead["position"]) == (moved, 1), lead  # a pin's kind is "pinned", a drag's "top"
    lead_link = desk.email.locator('a[href*="secondscreen.example/2025/"]').first  # the reloaded frame's lead
    expect(lead_link).to_have_attribute("href", re.compile(re.escape(urlsplit(moved).path)), timeout=WAIT)
    html = desk.email_html()
    assert -1 < html.find(urlsplit(moved).path) < html.find(urlsplit(first).path)  # the email leads with it
    saved = _issue_file(config)
    if dragged:
        assert saved["order"][0] == moved
    else:
        assert {"url": moved, "position": 1} in saved["pin"], saved

    desk.edit(moved, "blurb", blurb=HOSTILE)
    expect(desk.email.locator("body")).to_contain_text(SHOWN, timeout=WAIT)  # shown as text
    assert desk.email.locator("script").count() == 0
    assert desk.email.locator('img[src="x"]').count() == 0
    assert _issue_file(config)["blurb"][moved] == HOSTILE  # the file keeps what the editor typed

    desk.note(NOTE)
    expect(desk.email.locator("strong", has_text="A loud week.")).to_have_count(1, timeout=WAIT)
    expect(desk.email.locator('a[href^="https://secondscreen.example/list"]')).to_have_count(1, timeout=WAIT)
    assert _issue_file(config)["note"] == NOTE
    return {"dropped": dropped, "moved": moved}


def approve_the_week(desk: Desk) -> None:
    """Submit as the editor; the editor's own approval is refused, with its message; another approves."""
    assert desk.move(EDITOR, "submit", "Week 20 is ready") == 200
    desk.says("state: in review (submit by Bo Lindqvist")
    assert desk.move(EDITOR, "approve") == 422
    desk.says("Bo Lindqvist submitted it for review, and [approval] separate_approver is on")
    expect(desk.page.locator('[role="alert"]')).to_contain_text("another approver must approve it")
    assert desk.move(APPROVER, "approve") == 200
    desk.says("state: approved (approve by Cy Okafor")


def assert_inert(html: str, text: str = "") -> None:
    """The hostile blurb as delivered: escaped text, no element, no merge tag a mailer would fill in."""
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script" not in html.lower() and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
    for part in (html, text):
        assert "*|FNAME|*" not in part and "{{ merge }}" not in part, "a merge tag was made from feed text"


def assert_the_record(config: Path, picked: dict[str, str]) -> None:
    saved = _issue_file(config)
    assert picked["dropped"] in saved["drop"] and saved["blurb"][picked["moved"]] == HOSTILE
    assert saved["note"] == NOTE
    state = _status(config)
    assert state["state"] == "handed off"
    moves = [(m["action"], m["by"]) for m in state["history"]]
    assert moves == [("submit", "Bo Lindqvist"), ("approve", "Cy Okafor"), ("hand off", "Cy Okafor")], moves
    assert all(m["at"] for m in state["history"])


def test_the_week_is_edited_approved_and_handed_off_to_smtp_once(
        demo: Path, desk_page: Any, javascript: bool) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = demo_config(demo.parent, editions=[], approval=approval_table(), delivery=smtp_delivery(port))
        build_demo(config)
        with running_desk(config) as server:
            desk = Desk(desk_page.new_page(), server.url).open()
            picked = edit_the_week(desk, config, javascript, server)
            approve_the_week(desk)
            assert desk.move(APPROVER, "hand_off") == 200
            desk.says("state: handed off (hand off by Cy Okafor")
            desk.says("delivered by smtp")
            issues = [m for m in inbox.messages if LIST in m[1]]
            assert len(issues) == 1, [m[1] for m in inbox.messages]
            assert desk.move(APPROVER, "hand_off") == 200
            desk.says("already delivered by smtp")
            assert len([m for m in inbox.messages if LIST in m[1]]) == 1  # the second press sent nothing
            assert desk.dialogs == []
    message = inbox.parsed(inbox.messages.index(issues[0]))
    html, text = (message.get_body((kind,)).get_content() for kind in ("html", "plain"))  # type: ignore[union-attr]
    assert_inert(html, text)
    assert '<script>alert(1)</script><img src=x onerror=alert(2)> "quotes"' in text  # plain text, as typed
    assert "{\u200b{ merge }\u200b} *\u200b|FNAME|\u200b*" in text  # shown, never substituted
    assert_the_record(config, picked)


def test_the_week_is_handed_off_to_buttondown_as_one_draft(
        demo: Path, browser: Browser, buttondown: Fake) -> None:  # noqa: F811
    delivery = {"method": "buttondown", "buttondown": buttondown.settings()}
    config = demo_config(demo.parent, editions=[], approval=approval_table(), delivery=delivery)
    build_demo(config)
    context = browser.new_context(viewport=SCREEN)
    try:
        with running_desk(config) as server:
            desk = Desk(context.new_page(), server.url).open()
            picked = edit_the_week(desk, config, javascript=True, server=server)
            approve_the_week(desk)
            assert desk.move(APPROVER, "hand_off") == 200
            desk.says("state: handed off (hand off by Cy Okafor")
            desk.says("buttondown draft em_101 is ready to approve")
            assert buttondown.count("create") == 1 and len(buttondown.campaigns) == 1
            asked = list(buttondown.requests)
            # A second press: the run's delivery finds its own draft in the store and says so; the
            # domain's words for a service are "ready to approve", not the SMTP path's "already delivered".
            assert desk.move(APPROVER, "hand_off") == 200
            desk.says("buttondown draft em_101 is ready to approve")
            assert buttondown.count("create") == 1 and len(buttondown.campaigns) == 1
            assert buttondown.count("update") == 0, buttondown.requests[len(asked):]
            assert desk.dialogs == []
    finally:
        context.close()
    assert_inert(str(buttondown.only["html"]))
    assert_the_record(config, picked)


def test_the_built_email_runs_no_script_when_opened_on_its_own(demo: Path, browser: Browser) -> None:  # noqa: F811
    """The delivered HTML opened as a file with JavaScript on (no CSP, no sandbox): no dialog, no element."""
    config = demo_config(demo.parent, editions=[])
    build_demo(config)
    context = browser.new_context(java_script_enabled=True)
    try:
        with running_desk(config) as server:
            desk = Desk(context.new_page(), server.url).open()
            desk.edit(_tops(config)[0], "blurb", blurb=HOSTILE)
            expect(desk.email.locator("body")).to_contain_text(SHOWN, timeout=WAIT)
        page = context.new_page()
        seen = Desk(page, "").dialogs  # its handler records and dismisses any dialog
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else route.abort())
        page.goto((load_config(config).output_root() / WEEK / "digest.html").as_uri())
        page.wait_for_load_state("load")
        expect(page.locator("body")).to_contain_text(SHOWN)
        assert page.locator("script").count() == 0 and page.locator('img[src="x"]').count() == 0
        assert seen == [] and desk.dialogs == []
    finally:
        context.close()


def test_two_editors_on_one_desk_lose_nothing(demo: Path, browser: Browser) -> None:  # noqa: F811
    config = demo_config(demo.parent, editions=[])
    build_demo(config)
    tops = _tops(config)
    one, two = (browser.new_context(viewport=SCREEN) for _ in range(2))
    try:
        with running_desk(config) as server:
            first, second = Desk(one.new_page(), server.url).open(), Desk(two.new_page(), server.url).open()
            first.edit(tops[1], "drop")
            assert tops[1] in _issue_file(config)["drop"]
            second.press(tops[2], "blurb", blurb="Written on a stale page")
            second.says("someone else changed")
            expect(second.page.locator('[role="alert"]')).to_contain_text("nothing was saved")
            saved = _issue_file(config)
            assert saved["drop"] == [tops[1]] and "blurb" not in saved  # the first change is whole
            second.edit(tops[2], "blurb", blurb="Written after a reload")  # the 409 page is fresh
            saved = _issue_file(config)
            assert saved["drop"] == [tops[1]] and saved["blurb"] == {tops[2]: "Written after a reload"}
            expect(second.email.locator("body")).to_contain_text("Written after a reload", timeout=WAIT)
    finally:
        one.close()
        two.close()


def test_a_page_on_another_port_cannot_change_the_issue(
        demo: Path, browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    config = demo_config(demo.parent, editions=[])
    build_demo(config)
    victim = _tops(config)[0]
    context = browser.new_context()
    try:
        with running_desk(config) as server:
            desk = Desk(context.new_page(), server.url).open()
            fields = {name: desk.form(victim, "drop").locator(f'input[name="{name}"]').input_value()
                      for name in ("csrf", "version", "action", "url")}
            before = _issue_bytes(config)
            with other_origin(tmp_path / "evil", server.url, fields) as evil:
                page = context.new_page()
                page.goto(evil)
                with page.expect_response(f"{server.url.rstrip('/')}/change") as answer:
                    page.locator("#go").click()
                assert answer.value.status == 403
                assert answer.value.request.all_headers().get("origin", "").startswith("http://127.0.0.1:")
            desk.open()
            assert desk.email_links(victim).count() > 0
        assert _issue_bytes(config) == before and victim in _tops(config)
    finally:
        context.close()


def test_a_token_desk_opens_from_the_printed_link_and_to_no_one_without_it(
        demo: Path, browser: Browser) -> None:  # noqa: F811
    """The link `digest desk` prints with DIGEST_DESK_TOKEN: the token becomes an HttpOnly, SameSite
    cookie and leaves the address bar; the page, its script, the email and its images then work as on a
    plain desk; another browser without the token gets 401 for every route."""
    import secrets

    config = demo_config(demo.parent, editions=[])
    build_demo(config)
    token = secrets.token_urlsafe(24)
    victim = _tops(config)[1]
    context = browser.new_context(viewport=SCREEN)
    stranger = browser.new_context()
    try:
        with running_desk(config, token=token, mirrored=True) as server:
            page = context.new_page()
            answered: list[tuple[str, int]] = []
            page.on("response", lambda r: answered.append((r.url, r.status)))
            assert page.goto(server.url).status == 401  # type: ignore[union-attr]
            answered.clear()
            page.goto(f"{server.url}?token={token}")
            assert "token" not in page.url
            cookie = next(c for c in context.cookies() if c["name"] == "token")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            desk = Desk(page, server.url)
            expect(desk.email_links(victim).first).to_be_attached(timeout=WAIT)
            desk.edit(victim, "drop")
            expect(desk.email_links(victim)).to_have_count(0, timeout=WAIT)
            expect(desk.email.locator("img").first).to_be_attached(timeout=WAIT)
            page.wait_for_load_state("networkidle")
            paths = {urlsplit(url).path for url, _status in answered}
            assert {"/", "/desk.js", "/email.html", "/change"} <= paths, paths
            mirrored = [status for url, status in answered if urlsplit(url).path.startswith("/mirror/")]
            assert 200 in mirrored, answered  # the email's images, asked for from its sandboxed frame
            assert [a for a in answered if a[1] in (401, 403)] == []  # each let in by the cookie
            other = stranger.new_page()
            for path in ("", "email.html", "desk.js", "report", "digest.txt"):
                assert other.goto(server.url + path).status == 401, path  # type: ignore[union-attr]
    finally:
        context.close()
        stranger.close()
