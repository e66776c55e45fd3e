"""The desk's email frames in Chromium with JavaScript on: a change's email is put into both frames'
documents in place (no navigation: Chromium's cost of a new document is off the change's path), as soon
as the desk has rendered it; a change the desk then refuses puts the frames back; and nothing in the
email runs, even written into a frame by the page (the frames are sandboxed without scripts at the
desk's origin, and the email's CSP says so again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.desk import build_demo, running_desk
from test_desk_front import browser, desk_page  # noqa: F401 - the module's one Chromium, the desk in it
from test_jobs_demo import demo_config

pytestmark = pytest.mark.slow

FRAMES = ("email-desktop", "email-phone")
SHOWS = """([id, text]) => { const d = document.getElementById(id).contentDocument;
  return !!(d && d.body && d.body.textContent.includes(text)); }"""


def _note(page: Any, text: str) -> None:
    page.locator("#note").fill(text)
    page.get_by_role("button", name="Save the note").click()


def test_a_change_is_put_into_both_email_frames_in_place(browser: Any, demo: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    build_demo(demo)
    with running_desk(demo) as server, desk_page(browser, server) as page:
        navigated: list[str] = []
        page.on("framenavigated", lambda frame: navigated.append(frame.url))
        page.evaluate("ids => ids.forEach((id) => { "
                      "document.getElementById(id).contentDocument.__kept = id; })", list(FRAMES))
        _note(page, "Put in place, not navigated")
        for name in FRAMES:
            page.wait_for_function(SHOWS, arg=[name, "Put in place, not navigated"])
        expect(page.locator("#messages")).to_contain_text("rebuilt 2025-W20")
        kept = page.evaluate("ids => ids.map((id) => document.getElementById(id).contentDocument.__kept)",
                             list(FRAMES))
        assert kept == list(FRAMES)  # the same documents: filled, not replaced
        assert navigated == []
        root = page.evaluate("() => { const r = document.getElementById('email-desktop').contentDocument"
                             ".documentElement; return [r.getAttribute('lang'), r.getAttribute('dir'), "
                             "r.querySelectorAll('head > style').length, r.querySelectorAll('body').length]; }")
        assert root[:2] == ["en", "ltr"] and root[2] >= 1 and root[3] == 1  # the email's own <html>, head, body


def test_a_refused_change_puts_the_email_back(browser: Any, demo: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    # A note template that adds a table wider than a phone when the note asks it to: the email renders
    # (and is shown early), then the pre-send report's layout check refuses it.
    templates = demo.parent / "templates"
    (templates / "partials").mkdir(parents=True)
    note = (Path(__file__).resolve().parents[1] / "templates" / "partials" / "note.html").read_text("utf-8")
    (templates / "partials" / "note.html").write_text(note.replace(
        "<div class=\"note-body\">{{ note_html }}</div>",
        "<div class=\"note-body\">{{ note_html }}</div>{% if 'refuse me' in note_html|string %}"
        "<table role=\"presentation\" width=\"500\"><tr><td>too wide</td></tr></table>{% endif %}"),
        "utf-8")
    config = demo_config(demo.parent, email={"templates_dir": str(templates)})
    build_demo(config, "--note", "The note as built")
    with running_desk(config) as server, desk_page(browser, server, expected=("status of 422",)) as page:
        early: list[int] = []
        page.on("response", lambda r: early.append(r.status) if "early=" in r.url else None)
        _note(page, "Please refuse me")
        expect(page.locator("#messages [role=alert]")).to_contain_text("fails its pre-send report")
        expect(page.locator("#messages [role=alert]")).to_contain_text("wider than the phone")
        assert early == [200]  # the refused email was rendered and sent to the page before its verdict
        for name in FRAMES:
            page.wait_for_function(SHOWS, arg=[name, "The note as built"])
            assert not page.evaluate(SHOWS, [name, "refuse me"])
        _note(page, "Accepted after all")  # and the frames take the next change as before
        for name in FRAMES:
            page.wait_for_function(SHOWS, arg=[name, "Accepted after all"])


def test_nothing_in_the_email_runs_even_written_into_its_frame(browser: Any, demo: Path) -> None:  # noqa: F811
    build_demo(demo)
    # Chromium's console lines for the sandbox's and the email's CSP's refusals
    blocked = ("Blocked script execution",
               "violates the following Content Security Policy directive 'script-src")
    with running_desk(demo) as server, desk_page(browser, server, expected=blocked) as page:
        for name in FRAMES:
            assert page.locator(f"iframe#{name}").get_attribute("sandbox") == "allow-same-origin"  # no scripts
        page.evaluate("""ids => ids.forEach((id) => {
            const doc = document.getElementById(id).contentDocument;
            doc.documentElement.innerHTML = '<body><img src="data:," onerror="top.__ran = 1">'
              + '<svg onload="top.__ran = 2"></svg><a id="go" href="javascript:top.__ran = 3">go</a></body>';
            const script = doc.createElement("script");
            script.textContent = "top.__ran = 4";
            doc.body.append(script);
            doc.getElementById("go").click();
        })""", list(FRAMES))
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__ran") is None
