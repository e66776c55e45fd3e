"""The demo issue as mail clients and their readers meet it, measured with real tools.

- Real headless Chromium at 375 and 600 px, light and dark, with every <style>
  removed (as Gmail's apps do for non-Google accounts): no horizontal overflow
  and no text column under 240 px.
- axe-core (npm, injected through Playwright): no serious or critical
  accessibility violation, light and dark.
- caniemail's data (npm @jsx-email/doiuse-email) for Gmail, Apple Mail, Outlook,
  Yahoo, Samsung and Thunderbird: nothing unsupported beyond BASELINE, the short
  list of what a minimal correct responsive email needs anyway.
- SpamAssassin, offline with its shipped rules, on the demo .eml: under 2.0.

The demo issue is built by `digest run` from config/demo.toml; its images are
answered from the demo site's folder (the mirror), every other request refused.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from email_fixtures import BRANDED, email_config, realistic_selection
from test_jobs_demo import demo_config

from digest.cli.base import Context
from digest.cli.job import run
from digest.mail.render import render_issue
from digest.mail.report import spam_check, spam_score

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "config" / "demo" / "site"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
CLIENTS = ["gmail.*", "apple-mail.*", "outlook.*", "yahoo.*", "samsung-email.*", "thunderbird.*"]

# What caniemail lists as unsupported somewhere that a minimal, correct responsive email still needs.
BASELINE = {
    "@media": "the phone and dark-mode rules; progressive: the layout works without them",
    "Class selector": "the same <style> rules (Gmail's mobile webmail drops <style> altogether)",
    "Type selector": "the same <style> rules",
    "<body> element": "every HTML document has one; clients replace it with a <div>",
    "role attribute": 'role="presentation" on layout tables and the role="article" wrapper',
    "display:none": "the hidden preheader (and mso-hide:all for Outlook)",
    "opacity": "the hidden preheader",
    "overflow": "the hidden preheader",
    "border-radius": "rounded corners: decoration that degrades to square",
    "outline": "the image reset (outline:none)",
    "word-break": "a long unbroken word from a feed wraps instead of widening a phone screen",
    "Attribute selector": "[data-ogsc]/[data-ogsb]: Outlook.com's dark mode, ignored where unsupported",
    "Descendant combinator": "the same Outlook.com dark-mode rules ([data-ogsc] .title)",
    "aria-hidden attribute": "decorative glyphs and duplicate image links hidden from screen readers",
    "aria-label attribute": "the article wrapper's label, spoken scores and button names",
}
# axe rules about page landmarks: an email body has no <main>/<nav>; accepted as moderate.
ACCEPTED_AXE = {"region", "landmark-one-main", "landmark-complementary-is-top-level"}

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True, scope="module")
def _chromium_required() -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    # The layout is measured as readers' clients draw the font stack (Helvetica, Arial): in Arial's
    # metrics. A wider fallback (DejaVu Sans) would wrap lines a reader never sees wrapped.
    found = subprocess.run(["fc-match", "-f", "%{family}", "Arial"], capture_output=True, text=True).stdout
    if "Liberation Sans" not in found and "Arial" not in found:
        pytest.fail(f"Arial resolves to {found or 'nothing'}: apt-get install fonts-liberation (.ci/run does)")


@pytest.fixture(scope="module")
def demo_issue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's 2025-W20 issue folder, built by `digest run` as `make run` does."""
    folder = tmp_path_factory.mktemp("demo-issue")
    result = CliRunner().invoke(run, ["--now", "2025-05-19T08:00"], obj=Context(demo_config(folder)))
    assert result.exit_code == 0, result.output
    printed = result.output.splitlines()
    report = printed[printed.index("pre-send report:") + 1:]
    assert [line.split()[:2] for line in report[:8]] == [  # every build prints its report
        ["ok", "merge"], ["ok", "lint"], ["ok", "size"], ["ok", "contrast"], ["ok", "layout-375"],
        ["ok", "links"], ["ok", "list-unsubscribe"], ["ok", "spamassassin"]]
    return folder / "out" / "2025-W20"


@pytest.fixture(scope="module")
def realistic_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("realistic")
    path = folder / "digest.html"
    path.write_text(render_issue(email_config(folder / "config", **BRANDED), realistic_selection()).html,
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(demo_issue: Path) -> Iterator[Any]:
    """Built after the demo issue: Playwright's sync API keeps an event loop running (asyncio.run
    inside `digest run` refuses to start beside it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _route(route: Any) -> None:
    """Images of the demo site come from its mirror folder; nothing else leaves the machine."""
    url = route.request.url
    if url.startswith("file://"):
        route.continue_()
        return
    if url.startswith("https://secondscreen.example/"):
        path = MIRROR / url.split("/", 3)[3].split("?", 1)[0]
        if path.is_file():
            route.fulfill(body=path.read_bytes(), content_type="image/jpeg")
            return
    route.abort()


def open_page(browser: Any, path: Path, width: int, scheme: str, *, strip_styles: bool = False) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    page.route("**/*", _route)
    page.goto(path.as_uri(), wait_until="load")
    if strip_styles:
        page.evaluate("document.querySelectorAll('style').forEach(s => s.remove())")
    return page


SQUEEZED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('p, h1, h2, h3, li, .col')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || !el.textContent.trim()) continue;
    const line = parseFloat(getComputedStyle(el).lineHeight) || 20;
    const wraps = box.height > line * 1.5;
    if (box.width < 240 && (wraps || el.classList.contains('col')))
      found.push(`${el.tagName}.${el.className}: ${Math.round(box.width)} px: ${el.textContent.trim()}`);
  }
  return found;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 600])
@pytest.mark.parametrize("which", ["demo", "realistic"])
def test_without_any_style_columns_stack_and_nothing_overflows(
    browser: Any, demo_issue: Path, realistic_html: Path, which: str, width: int, scheme: str
) -> None:
    path = demo_issue / "digest.html" if which == "demo" else realistic_html
    page = open_page(browser, path, width, scheme, strip_styles=True)
    try:
        assert page.evaluate("document.querySelectorAll('style').length") == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(SQUEEZED) == []
        columns = page.evaluate("""[...document.querySelectorAll('.card')].map(card => {
            const [image, text] = [...card.querySelectorAll(':scope > .col')]
                .map(c => c.getBoundingClientRect());
            return text ? [Math.round(image.top), Math.round(text.top), Math.round(image.left),
                           Math.round(text.left)] : null; }).filter(Boolean)""")
        assert columns, "no two-column cards"
        for image_top, text_top, image_left, text_left in columns:
            if width == 375:
                assert text_top > image_top and text_left == image_left  # stacked
            else:
                assert text_top == image_top and text_left > image_left  # side by side
    finally:
        page.close()


def test_touch_targets_are_44_px_on_phones(browser: Any, demo_issue: Path) -> None:
    page = open_page(browser, demo_issue / "digest.html", 375, "light")
    try:
        small = page.evaluate("""[...document.querySelectorAll('a.title-link, a.button, a.tap')]
            .map(a => [a.textContent.trim().slice(0, 30), a.getBoundingClientRect().height])
            .filter(([_, h]) => h < 44)""")
        assert small == []
        assert page.evaluate("document.querySelectorAll('a.title-link, a.button, a.tap').length") >= 12
    finally:
        page.close()


def test_the_demo_issue_shows_its_images(browser: Any, demo_issue: Path) -> None:
    page = open_page(browser, demo_issue / "digest.html", 600, "light")
    try:
        images = page.evaluate("""[...document.images].map(i => [i.getAttribute('width'),
            i.getAttribute('height'), i.naturalWidth, i.complete, i.getAttribute('src').split('/').pop()])""")
        assert len(images) == 9
        for width, height, natural, complete, _name in images:
            assert complete and natural >= 2 * int(width) and height  # sharp on a 2x screen, size stated
        # The sizes came through collect, the stored analyses and the build: the smallest sharp one each.
        names = [name for *_, name in images]
        assert not names[0].endswith(("-1024x576.jpg", "-300x169.jpg"))  # the 1200 px original, shown at 600
        assert all(n.endswith("-1024x576.jpg") for n in names[1:5])  # 180 px cards: 1024, not the original
        assert all(n.endswith("-300x169.jpg") for n in names[5:])  # 96 px thumbnails
    finally:
        page.close()


def axe_violations(browser: Any, path: Path, scheme: str, node_tools: Path) -> list[dict[str, Any]]:
    page = open_page(browser, path, 600, scheme)
    try:
        page.add_script_tag(path=str(node_tools / "node_modules" / "axe-core" / "axe.min.js"))
        return list(page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                                 first: v.nodes[0].html.slice(0, 120)}));
        }"""))
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation(
    browser: Any, demo_issue: Path, node_tools: Path, scheme: str
) -> None:
    violations = axe_violations(browser, demo_issue / "digest.html", scheme, node_tools)
    print(f"\naxe {scheme}: {json.dumps(violations, indent=1)}")
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []
    assert {v["id"] for v in violations} <= ACCEPTED_AXE
    assert all(v["impact"] in ("moderate", "minor") for v in violations)


def test_axe_catches_the_old_accent_colour(browser: Any, tmp_path: Path, node_tools: Path) -> None:
    """The check itself: the accent as configured (4.43:1) put back as text colour is a serious finding."""
    config = email_config(tmp_path / "config", **BRANDED)
    html = render_issue(config, realistic_selection()).html
    bad = tmp_path / "bad.html"
    bad.write_text(html.replace(config.email.palette.accent_text, "#d6452b"), encoding="utf-8")
    violations = axe_violations(browser, bad, "light", node_tools)
    assert any(v["id"] == "color-contrast" and v["impact"] == "serious" for v in violations)


def caniemail(node_tools: Path, path: Path) -> dict[str, set[str]]:
    """Feature -> the clients caniemail says do not support it."""
    done = subprocess.run(["node", str(node_tools / "caniemail.mjs"), str(path), *CLIENTS],
                          capture_output=True, text=True, check=True, timeout=300)
    found: dict[str, set[str]] = {}
    for error in json.loads(done.stdout)["errors"]:
        feature, client = error.split("`")[1], error.split("`")[3]
        found.setdefault(feature, set()).add(client)
    return found


def test_caniemail_finds_nothing_beyond_the_baseline(demo_issue: Path, node_tools: Path) -> None:
    found = caniemail(node_tools, demo_issue / "digest.html")
    print("\ncaniemail: " + "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(found.items())))
    assert set(found) <= set(BASELINE), {k: v for k, v in found.items() if k not in BASELINE}


def test_caniemail_check_catches_an_unsupported_feature(demo_issue: Path, node_tools: Path,
                                                        tmp_path: Path) -> None:
    html = (demo_issue / "digest.html").read_text(encoding="utf-8")
    shadowed = tmp_path / "shadow.html"
    column = 'class="col col-text" style="'
    shadowed.write_text(html.replace(column, column + "box-shadow:0 0 4px #000000; ", 1), encoding="utf-8")
    found = caniemail(node_tools, shadowed)
    assert "box-shadow" in found and "outlook.windows" in found["box-shadow"]


def test_spamassassin_scores_the_demo_eml_under_2(demo_issue: Path) -> None:
    check = spam_check((demo_issue / "digest.eml").read_bytes())
    assert check.status == "ok", check
    score = float(check.summary.split()[1])
    print(f"\nspamassassin: {check.summary}")
    assert score < 2.0
    manifest = json.loads((demo_issue / "manifest.json").read_text(encoding="utf-8"))
    saved = {c["name"]: c for c in manifest["report"]["checks"]}
    assert saved["spamassassin"]["summary"] == check.summary
    assert manifest["report"]["figures"]["spam_score"] == score


def test_spamassassin_is_really_consulted(demo_issue: Path) -> None:
    """A spammy rewrite of the same message scores higher: the number comes from the tool."""
    eml = (demo_issue / "digest.eml").read_bytes()
    spammy = eml.replace(b"Subject: ", b"Subject: FREE!!! CLICK NOW viagra 100% FREE money back guarantee ", 1)
    done = subprocess.run(["spamassassin", "-L", "-t"], input=spammy, capture_output=True, check=False)
    base = spam_score(subprocess.run(["spamassassin", "-L", "-t"], input=eml, capture_output=True,
                                     check=False).stdout)
    assert base is not None and (spam_score(done.stdout) or 0) > base
