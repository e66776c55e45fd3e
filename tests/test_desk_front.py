"""``digest desk`` in Chromium with JavaScript on (/desk.js): a top pick dragged onto #1 is first in the
issue file and the email; the Up button and Alt+ArrowUp move a pick by keyboard alone and focus comes back to
the same review; the page raises no CSP violation and no console error. axe-core finds nothing serious on
the page, with JavaScript on and off; at 375 px the page does not scroll sideways and every control is on
screen."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from helpers.chromium import launched
from helpers.clicks import store_clicks
from helpers.desk import WEEK, build_demo, running_desk, written
from test_desk import issue_file

from digest.desk.server import DeskServer
from digest.settings.config import load_config

pytestmark = pytest.mark.slow

# Every CSP violation the page raises, kept where the test can read it (an init script runs outside the CSP).
WATCH = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));"""
GIF = bytes.fromhex("47494638396101000100800000c0c0c000000021f90401000000002c00000000010001000002024401003b")
FOCUS = """() => { const a = document.activeElement; const card = a && a.closest("li.card");
  const form = a && a.closest("form"); const action = form && form.querySelector('input[name="action"]');
  return [a ? a.tagName : "", card ? card.dataset.url : "", action ? action.value : ""]; }"""
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                         first: v.nodes[0].html.slice(0, 160)}));
}"""


@pytest.fixture(scope="module")
def browser(demo_collected: Path) -> Iterator[Any]:
    """One Chromium for the module, started after the demo's collect (its own event loop runs first)."""
    yield from launched()


def tops(config: Path) -> list[str]:
    out = load_config(config).output_root() / WEEK / "manifest.json"
    return [p["url"] for p in json.loads(out.read_text(encoding="utf-8"))["picks"] if p["kind"] == "top"]


@contextmanager
def desk_page(browser: Any, server: DeskServer, *, js: bool = True, width: int = 1400, height: int = 900,
              script: bool = True, expected: tuple[str, ...] = ()) -> Iterator[Any]:
    """The desk in a fresh context; on leaving, no console error (but ``expected``), no page error, no CSP
    violation."""
    context = browser.new_context(java_script_enabled=js, viewport={"width": width, "height": height})
    context.add_init_script(WATCH)
    # The demo's images are on secondscreen.example, which does not resolve: a grey pixel stands in.
    context.route(lambda url: urlsplit(url).hostname != "127.0.0.1",
                  lambda route: route.fulfill(status=200, content_type="image/gif", body=GIF))
    if not script:  # the page as it is without its script, but with JS on for axe to run
        context.route("**/desk.js*", lambda route: route.abort())
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and script
            and not any(e in m.text for e in expected) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url)
    try:
        yield page
        violations = page.evaluate("window.__violations") if js else []
    finally:
        context.close()
    assert problems == [] and violations == []


TALL = 1400  # px: the first three top picks' cards and the email beside them, all on screen
SHOWN = "() => document.getElementById('email-desktop').dataset.shown || null"


def new_email(page: Any, before: str | None) -> str:
    """The desktop frame's email once desk.js has put a newer one into it than ``before`` (the frame's
    ``data-shown`` then): its whole HTML."""
    page.wait_for_function("old => { const f = document.getElementById('email-desktop'); "
                           "return !!f.dataset.shown && f.dataset.shown !== old; }", arg=before)
    return str(page.evaluate("() => document.getElementById('email-desktop').contentDocument"
                             ".documentElement.outerHTML"))


def top_cards(page: Any) -> Any:
    return page.locator('#picks > li.card[data-kind="top"]')


def test_drag_the_third_top_pick_onto_the_first_and_the_email_shows_it_first(browser: Any, demo: Path) -> None:
    from playwright.sync_api import expect

    build_demo(demo)
    before = tops(demo)
    # A screen tall enough for the first three cards: Playwright's mouse does not scroll during a drag.
    with running_desk(demo) as server, desk_page(browser, server, height=TALL) as page:
        cards = top_cards(page)
        expect(cards.nth(2)).to_have_attribute("draggable", "true")
        shown = page.evaluate(SHOWN)
        cards.nth(2).hover(position={"x": 4, "y": 4})  # the card's own padding, not a link in it
        page.mouse.down()
        cards.nth(0).hover(position={"x": 4, "y": 4})
        cards.nth(0).hover(position={"x": 6, "y": 6})  # dragover again, over the same card
        expect(cards.nth(0)).to_have_class("card drop-target")  # where it will land, outlined
        expect(cards.nth(2)).to_have_class("card dragging")
        page.mouse.up()
        email = new_email(page, shown)
        expect(cards.nth(0)).to_have_attribute("data-url", before[2])
        assert "moved" in page.locator("#messages").inner_text()
        assert page.evaluate(FOCUS)[:2] == ["LI", before[2]]  # focus stays on the moved card
    wanted = [before[2], before[0], before[1], *before[3:]]
    assert tops(demo) == wanted
    assert issue_file(demo).read_text(encoding="utf-8").index(before[2]) < issue_file(demo).read_text(
        encoding="utf-8").index(before[0])
    paths = [email.find(urlsplit(u).path) for u in wanted[:3]]
    assert -1 not in paths and paths == sorted(paths), paths  # the email shows the dragged pick first


def test_keyboard_alone_moves_a_pick_and_focus_comes_back_to_it(browser: Any, demo: Path) -> None:
    from playwright.sync_api import expect

    build_demo(demo)
    before = tops(demo)
    with running_desk(demo) as server, desk_page(browser, server) as page:
        for _ in range(400):  # Tab to the second top pick's Up button
            page.keyboard.press("Tab")
            if page.evaluate(FOCUS) == ["BUTTON", before[1], "move_up"]:
                break
        else:
            raise AssertionError("Tab never reached the second top pick's Up button")
        started = time.perf_counter()
        page.keyboard.press("Enter")
        expect(top_cards(page).nth(0)).to_have_attribute("data-url", before[1])
        print(f"\nUp by fetch, pressed to page updated: {time.perf_counter() - started:.2f} s")
        assert page.evaluate(FOCUS) == ["BUTTON", before[1], "move_up"]
        assert f"moved {before[1]} to #1" in page.locator("#messages").inner_text()
        for _ in range(400):  # on to the third top pick's card itself
            page.keyboard.press("Tab")
            if page.evaluate(FOCUS)[:2] == ["LI", before[2]]:
                break
        else:
            raise AssertionError("Tab never reached the third top pick's card")
        page.keyboard.press("Alt+ArrowUp")
        expect(top_cards(page).nth(1)).to_have_attribute("data-url", before[2])
        assert page.evaluate(FOCUS)[:2] == ["LI", before[2]]
        assert f"moved {before[2]} to #2" in page.locator("#messages").inner_text()
        page.keyboard.press("Alt+ArrowDown")
        expect(top_cards(page).nth(2)).to_have_attribute("data-url", before[2])
        assert page.evaluate(FOCUS)[:2] == ["LI", before[2]]
    assert tops(demo)[:3] == [before[1], before[0], before[2]]


def test_a_change_sent_by_fetch_refreshes_the_email_and_a_refusal_shows_in_the_banner(
    browser: Any, demo: Path
) -> None:
    from playwright.sync_api import expect

    build_demo(demo)
    first = tops(demo)[0]
    linked = f'a[href*="{urlsplit(first).path}"]'
    refused = tuple(f"the server responded with a status of {n}" for n in (422, 403))  # the refusals below
    with running_desk(demo) as server, desk_page(browser, server, expected=refused) as page:
        assert page.frame_locator("iframe[sandbox]").first.locator(linked).count() > 0
        card = page.locator(f'#picks > li.card[data-url="{first}"]')
        shown = page.evaluate(SHOWN)
        card.get_by_role("button", name="Drop:").click()
        email = new_email(page, shown)
        expect(page.locator("#messages")).to_contain_text("rebuilt 2025-W20")
        assert urlsplit(first).path not in email and email.count("<body") == 1
        assert page.frame_locator("#email-desktop").locator(linked).count() == 0
        assert page.locator(f'#picks > li.card[data-url="{first}"]').count() == 0
        assert page.evaluate("location.pathname") == "/"  # no navigation: the page stayed
        written(server)  # the change's files (the manifest read next), which the desk writes a moment later
        top = tops(demo)[0]
        page.locator(f'#picks > li.card[data-url="{top}"]').get_by_role("button", name="Up:").click()
        expect(page.locator('#messages [role="alert"]')).to_contain_text("already first of the top picks")
        assert page.evaluate(FOCUS) == ["BUTTON", top, "move_up"]
        page.evaluate("""for (const f of document.querySelectorAll('input[name="csrf"]')) f.value = 'x';""")
        page.locator(f'#picks > li.card[data-url="{top}"]').get_by_role("button", name="Drop:").click()
        alert = page.locator('#messages [role="alert"]')
        expect(alert).to_contain_text("the desk refused the change (403)")  # the server's words, as text
        expect(alert).to_contain_text("this form is not from this desk")
        assert page.locator(f'#picks > li.card[data-url="{top}"]').count() == 1


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_axe_finds_nothing_serious_on_the_desk(browser: Any, demo: Path, node_tools: Path, js: bool) -> None:
    build_demo(demo)
    store_clicks(demo, "2025-W19", "listmonk", [("u1", "TV", "top", 30), ("u2", "Film", "trending", 12)], 900)
    axe = (node_tools / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    with running_desk(demo) as server, desk_page(browser, server, script=js) as page:
        page.evaluate(axe)  # through the devtools protocol: the page's CSP does not apply to it
        found = page.evaluate(AXE_RUN)
        page.evaluate("document.querySelector('#picks button').setAttribute('aria-label', '')")
        page.evaluate("document.querySelector('#picks button').textContent = ''")
        broken = page.evaluate(AXE_RUN)  # the check itself: a button with no name is a critical finding
    print(f"\naxe desk js={js}: {json.dumps(found, indent=1)}")
    assert [v for v in found if v["impact"] in ("serious", "critical")] == []
    assert any(v["id"] == "button-name" and v["impact"] == "critical" for v in broken), broken


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_at_375_px_nothing_scrolls_sideways_and_every_control_is_on_screen(
    browser: Any, demo: Path, js: bool
) -> None:
    build_demo(demo)
    store_clicks(demo, "2025-W19", "listmonk", [("u1", "TV", "top", 30), ("u2", "Film", "trending", 12)], 900)
    with running_desk(demo) as server, desk_page(browser, server, width=375, script=js) as page:
        page.evaluate("for (const d of document.querySelectorAll('details')) d.open = true")  # all shown
        width = page.evaluate("document.scrollingElement.scrollWidth")
        off = page.evaluate("""() => Array.from(document.querySelectorAll(
              'button, input:not([type=hidden]), select, textarea, summary, a[href], iframe, li.card'))
            .map((c) => [c.outerHTML.slice(0, 80), c.getBoundingClientRect()])
            .filter(([, r]) => r.width < 1 || r.height < 1 || r.left < 0 || r.right > 375.5)
            .map(([html, r]) => `${html} ${r.left}..${r.right}`)""")
    assert width <= 375
    assert off == []


def test_on_a_laptop_screen_the_email_stays_in_view_beside_the_picks_as_the_editor_scrolls(
        browser: Any, demo: Path) -> None:
    """At 1400 x 900 the email is beside the work, not under it, and stays on screen wherever the editor
    has scrolled to (the last card's forms): a change is seen where it is made."""
    build_demo(demo)
    shown = """() => { const r = document.getElementById('email-desktop').getBoundingClientRect();
                       return [r.top, r.left, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)] }"""
    with running_desk(demo) as server, desk_page(browser, server) as page:
        main = page.evaluate("document.getElementById('desk').getBoundingClientRect().right")
        top, left, visible = page.evaluate(shown)
        assert left >= main and top < 900 and visible > 400  # beside the picks, on the first screen
        page.locator("#picks > li.card").last.scroll_into_view_if_needed()
        assert page.evaluate("scrollY") > 900  # the editor is far down the page ...
        top, left, visible = page.evaluate(shown)
        assert left >= main and visible > 400  # ... and the email is still in view


def test_the_dark_toggle_stays_on_across_a_change_and_a_pending_spam_check_fills_in_without_a_reload(
    browser: Any, demo: Path
) -> None:
    import re

    from playwright.sync_api import expect

    build_demo(demo)
    first = tops(demo)[0]
    with running_desk(demo) as server, desk_page(browser, server) as page:
        scheme = page.locator("#scheme")
        frames = [page.locator("#email-desktop"), page.locator("#email-phone")]
        dark = ("() => { const d = document.getElementById('email-desktop').contentDocument;"
                " return !d.head.innerHTML.includes('prefers-color-scheme'); }")  # its dark rules forced on
        assert not page.evaluate(dark)
        scheme.click()
        expect(scheme).to_have_attribute("aria-pressed", "true")
        for frame in frames:  # both frames hold the dark view (put in place: the frames stay)
            expect(frame).to_have_attribute("data-shown", re.compile(r"scheme=dark"))
        assert page.evaluate(dark)
        page.evaluate("window.__same_page = true")
        # the change comes back with SpamAssassin pending; the script asks /report until it is filled in
        with page.expect_request(lambda r: urlsplit(r.url).path == "/report", timeout=30_000):
            page.locator(f'#picks > li.card[data-url="{first}"]').get_by_role("button", name="Drop:").click()
            expect(page.locator("#messages")).to_contain_text("rebuilt 2025-W20")
        for frame in frames:  # the frames show the new build, still dark
            expect(frame).to_have_attribute("data-shown",
                                            re.compile(r"scheme=dark.*early=|early=.*scheme=dark"))
        assert page.evaluate(dark)
        expect(scheme).to_have_attribute("aria-pressed", "true")
        spam = page.locator('#report li[data-check="spamassassin"]')
        expect(spam).not_to_have_attribute("data-status", "pending", timeout=60_000)
        expect(spam).to_contain_text("score")
        assert page.evaluate("window.__same_page") is True  # filled in by the script, not by a reload
        scheme.click()
        expect(scheme).to_have_attribute("aria-pressed", "false")
        for frame in frames:
            expect(frame).not_to_have_attribute("data-shown", re.compile(r"scheme=dark"))
        assert not page.evaluate(dark)
