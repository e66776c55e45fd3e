"""Desk latency: from an editor's change to the updated email on screen, in Chromium.

    .venv/bin/python bench/desk.py                  # 40 changes, after 3 warm-up changes
    .venv/bin/python bench/desk.py --changes 100 --js off --out out/desk-latency.json

Starts ``digest desk`` (its own process, kept warm as an editor's is) on a fresh copy of the demo,
collected offline through its mirror and built, then drives Chromium (Playwright, /usr/bin/chromium)
through ``--changes`` edits that each change the email visibly: the editor's note and the first pick's
blurb in turn, each holding a new marker. With JavaScript on, the desk's script sends the form by fetch
and puts the change's email into the frames in place; with it off the form posts and the whole page
comes back. ``--js auto`` (the default) runs whichever the page offers: on when it loads a script.

What is timed, per change (the warm-up changes are not counted; p50, p95 and max of each):

* **on screen** (the goal's figure), on Chromium's own clock: from the form's submit event (the change
  made) to the end of the first paint whose desktop email frame holds the marker (JavaScript on: the
  page's animation frames, watched by an init script; off: the frame's first contentful paint, from the
  page's navigation start);
* **seen by the driver**: from Playwright's click call to the driver seeing the marker. It includes
  Playwright's own click (its actionability checks and mouse events over the devtools protocol come
  before the submit: ``click_to_submit`` in the steps) and the driver's polling;
* with JavaScript, each step after the submit: the POST's status and last byte, the early email asked
  and answered, the frame filled, the email shown.

Writes everything as JSON (``--out``), and exits 1 when the on-screen p95 is over ``--goal-ms`` (issue 21:
150 ms), 2 when a run breaks.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the demo copy as the tests make it: one place
from helpers.chromium import ARGS, CHROMIUM  # noqa: E402 - launched as the tests launch it

FRAMES = ("iframe#email-desktop", "iframe[sandbox]")  # the desktop frame, or the one frame of an older desk
GOAL_MS = 150.0


def demo_copy(folder: Path) -> Path:
    """The demo config in ``folder``, collected as of Monday 19 May 2025 and its week built."""
    from click.testing import CliRunner
    from helpers.desk import NOW, build_demo
    from test_jobs_demo import demo_config

    from digest.cli import main

    config = demo_config(folder, issues_dir=str(folder / "issues"))
    collect = ["--config", str(config), "collect", "--now", "2025-05-19T07:00", "-q"]
    collected = CliRunner().invoke(main, collect)
    if collected.exit_code != 0:
        sys.exit(f"collect failed: {collected.output}")
    build_demo(config, "--now", NOW)
    return config


def start_desk(config: Path, week: str) -> tuple[subprocess.Popen[str], str]:
    """``digest desk`` on a free port, as an editor starts it; its URL from its first line."""
    digest = Path(sys.executable).parent / "digest"
    desk = subprocess.Popen([str(digest), "--config", str(config), "desk", "--week", week, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert desk.stdout is not None
    line = desk.stdout.readline()
    url = next((w for w in line.split() if w.startswith("http://")), None)
    if url is None:
        desk.kill()
        sys.exit(f"digest desk did not start: {line}{desk.stdout.read()}")
    return desk, url


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest sample at or above ``share`` of them."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _frame_selector(page: Any) -> str:
    return next((s for s in FRAMES if page.locator(s).count() > 0), FRAMES[-1])


def _change(page: Any, kind: str, marker: str) -> Any:
    """Fill in one change and return the button that sends it (the timer starts at its click)."""
    if kind == "note":
        form = page.locator("form", has=page.locator('textarea[name="note"]')).first
        form.locator('textarea[name="note"]').fill(f"This week's marker: {marker}.")
    else:
        card = page.locator("li.card").first
        form = card.locator("form", has=page.locator('input[name="action"][value="blurb"]')).first
        form.locator('input[name="blurb"]').fill(f"A blurb with the marker {marker}.")
    return form.locator('button[type="submit"]').first


def wait_shown(page: Any, selector: str, marker: str, timeout_ms: float) -> None:
    """Until the frame ``selector`` names holds ``marker``, asked as fast as Chromium answers.

    Playwright's own waits back off to half a second between tries, and lose the frame when the page
    it is in is replaced (a form posted without JavaScript): both would be measured as latency."""
    from playwright.sync_api import Error

    deadline = time.perf_counter() + timeout_ms / 1000
    frame = None
    while time.perf_counter() < deadline:
        try:
            if frame is None or frame.is_detached():
                element = page.query_selector(selector)
                frame = element.content_frame() if element is not None else None
            if frame is not None and frame.evaluate(_HOLDS, marker):
                return
        except Error:  # the page or the frame was replaced while asked: ask the new one
            frame = None
        time.sleep(POLL)
    raise TimeoutError(f"the email never showed {marker} within {timeout_ms:.0f} ms")


_HOLDS = "m => document.documentElement !== null && document.documentElement.innerHTML.includes(m)"
_ORIGIN = "() => performance.timeOrigin"
_PARSED = "() => { const n = performance.getEntriesByType('navigation')[0]; " \
          "return n ? performance.timeOrigin + n.domInteractive : null }"
# The email frame's first paint with content: when the reader of the desk sees the new email.
_PAINTED = "() => { const p = performance.getEntriesByName('first-contentful-paint')[0]; " \
           "return p ? performance.timeOrigin + p.startTime : null }"
POLL = 0.002  # seconds between two looks into the frame: each look takes the renderer's main thread
WATCH_POLL = 0.01  # seconds between two questions to the page's watch (with JavaScript)


# With JavaScript on: when the editor's submit happened, on the page's clock (a capture listener runs
# before the desk's own script sends the form).
_SENT_CLOCK = """window.__digest_sent = null;
performance.setResourceTimingBufferSize(100000);
addEventListener("submit",
  () => { window.__digest_sent = performance.timeOrigin + performance.now(); }, true);
""" + """
// ... and when the desktop frame's email first showed the awaited marker on screen: at each of the
// page's animation frames (same-origin frames are laid out and painted with it), a frame whose DOM holds
// the marker is being painted now; the task queued from there runs once that paint is done.
// The email's text is read only when the frame's body is a new element (cheap to tell: a new email,
// navigated to or put in place, always brings one), so the watch itself costs the renderer next to nothing.
window.__digest_marker = null;
window.__digest_shown = {};
let lastBody = null;
(function watch() {
  requestAnimationFrame(() => {
    const marker = window.__digest_marker;
    if (marker && !(marker in window.__digest_shown)) {
      const frame = document.getElementById("email-desktop");
      let body = null;
      try { body = frame && frame.contentDocument ? frame.contentDocument.body : null; } catch (e) {}
      const fresh = body !== lastBody;
      lastBody = body;
      if (body && fresh && body.textContent.includes(marker)) {
        window.__digest_shown[marker] = null;
        setTimeout(() => { window.__digest_shown[marker] = performance.timeOrigin + performance.now(); }, 0);
      }
    }
    watch();
  });
})();"""


def _frame_moment(page: Any, selector: str, probe: str, timeout_s: float = 5.0) -> float | None:
    """``probe``'s moment in the email frame (Chromium's clock), waiting a little for a paint entry that
    is recorded just after the document it paints; None when the frame never has one."""
    element = page.query_selector(selector)
    frame = element.content_frame() if element is not None else None
    deadline = time.perf_counter() + timeout_s
    while frame is not None:
        moment = frame.evaluate(probe)
        if moment is not None or time.perf_counter() > deadline:
            return float(moment) if moment is not None else None
        time.sleep(POLL)
    return None


def after_submit(page: Any, selector: str, probe: str) -> float | None:
    """Chromium's own clock, with JavaScript: from the submit event to ``probe`` in the email frame."""
    seen = _frame_moment(page, selector, probe)
    sent = page.evaluate("() => window.__digest_sent")
    return seen - float(sent) if seen is not None and sent is not None else None


def on_screen(page: Any, marker: str, timeout_s: float = 5.0, poll: float = POLL) -> float | None:
    """Chromium's own clock, with JavaScript: from the submit event to the end of the first paint of the
    page whose email frame holds ``marker`` (the init script's watch); None when it never saw it."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        seen, sent = page.evaluate("m => [window.__digest_shown[m], window.__digest_sent]", marker)
        if seen is not None and sent is not None:
            return float(seen) - float(sent)
        time.sleep(poll)
    return None


_STEPS = """() => {
  const sent = window.__digest_sent;
  const last = (path) => performance.getEntriesByType("resource")
    .filter((e) => new URL(e.name).pathname === path && performance.timeOrigin + e.startTime >= sent).pop();
  const at = (e, key) => e ? Math.round(performance.timeOrigin + e[key] - sent) : null;
  const change = last("/change"), email = last("/email.html");
  const mark = (name) => {
    const found = performance.getEntriesByName(name)
      .filter((e) => performance.timeOrigin + e.startTime >= sent).pop();
    return found ? Math.round(performance.timeOrigin + found.startTime - sent) : null;
  };
  return { status: at(change, "responseStart"), page: at(change, "responseEnd"),
           email_asked: at(email, "startTime"), email_first_byte: at(email, "responseStart"),
           email_in: at(email, "responseEnd"), filled: mark("desk:email-filled") };
}"""


def after_navigation(page: Any, selector: str, probe: str) -> float | None:
    """Chromium's own clock, without JavaScript (the page was posted and replaced): from the page's
    navigation start (the click's post) to ``probe`` in the email frame; None when unknown."""
    seen = _frame_moment(page, selector, probe)
    return seen - float(page.evaluate(_ORIGIN)) if seen is not None else None


def measure(url: str, changes: int, warmup: int, js: str, timeout_ms: float,
            pause_ms: float = 0.0) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    run = secrets.token_hex(3)
    latencies: list[float] = []
    parsed: list[float] = []
    painted: list[float] = []
    steps: list[dict[str, float | None]] = []  # with JavaScript: each change's moments after the submit
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            if js == "auto":
                probe = browser.new_context(java_script_enabled=False)
                page = probe.new_page()
                page.goto(url)
                js = "on" if page.locator("script[src]").count() > 0 else "off"
                probe.close()
            context = browser.new_context(java_script_enabled=js == "on",
                                          viewport={"width": 1400, "height": 900})
            context.add_init_script(_SENT_CLOCK)
            page = context.new_page()
            page.goto(url)
            selector = _frame_selector(page)
            for i in range(warmup + changes):
                marker = f"bench{run}n{i:04d}"
                button = _change(page, "note" if i % 2 == 0 else "blurb", marker)
                if js == "on":
                    page.evaluate("m => { window.__digest_marker = m; }", marker)
                started, clicked = time.perf_counter(), time.time() * 1000  # epoch ms, as Chromium's clock
                button.click(no_wait_after=True)
                if js == "on":  # the page's own watch says when (asking it is cheap)
                    on_screen(page, marker, timeout_ms / 1000, WATCH_POLL)
                else:
                    wait_shown(page, selector, marker, timeout_ms)
                elapsed = (time.perf_counter() - started) * 1000
                page.wait_for_load_state("load")
                if i >= warmup:
                    latencies.append(elapsed)
                    if js == "off":
                        for probe, kept in ((_PARSED, parsed), (_PAINTED, painted)):
                            seen = after_navigation(page, selector, probe)
                            if seen is not None:
                                kept.append(seen)
                    else:
                        seen = on_screen(page, marker)
                        if seen is not None:
                            painted.append(seen)
                            sent = page.evaluate("() => window.__digest_sent")
                            steps.append(page.evaluate(_STEPS) | {"shown": round(seen),
                                                                  "click_to_submit": round(sent - clicked)})
                        seen = after_submit(page, selector, _PARSED)
                        if seen is not None and seen > 0:  # the frame was navigated (not filled in place)
                            parsed.append(seen)
                time.sleep(pause_ms / 1000)  # the editor reads the change before making the next
        finally:
            browser.close()
    return {"js": js, "frame": selector, "changes": changes, "warmup": warmup,
            "p50_ms": round(percentile(latencies, 0.50), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
            "max_ms": round(max(latencies), 1), "latencies_ms": [round(x, 1) for x in latencies],
            "pause_ms": pause_ms,
            # Chromium's own clock: from the submit (the page's navigation start without JavaScript, the
            # submit event with it) to the email frame's document parsed, without the observer's own
            # delay in clicking and in asking a busy renderer; for telling the page's cost from the probe's
            "parsed_p50_ms": round(percentile(parsed, 0.50), 1) if parsed else None,
            "parsed_p95_ms": round(percentile(parsed, 0.95), 1) if parsed else None,
            # ... and to the email frame's first contentful paint: the new email on screen
            "painted_p50_ms": round(percentile(painted, 0.50), 1) if painted else None,
            "painted_p95_ms": round(percentile(painted, 0.95), 1) if painted else None,
            "painted_ms": [round(x, 1) for x in painted],
            # ... and each step of it (ms after the submit): the POST's status and its page's last byte,
            # the email's fetch asked and answered, the email shown; the medians of each
            "steps": steps, "steps_p50_ms": _medians(steps)}


def _medians(steps: list[dict[str, float | None]]) -> dict[str, float]:
    keys = steps[0].keys() if steps else ()
    found = {k: [float(v) for s in steps if (v := s.get(k)) is not None] for k in keys}
    return {k: round(percentile(v, 0.5), 1) for k, v in found.items() if v}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40, help="changes timed (default 40)")
    parser.add_argument("--warmup", type=int, default=3, help="changes made first and not timed (default 3)")
    parser.add_argument("--js", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--goal-ms", type=float, default=GOAL_MS, help="the p95 to meet (default 150)")
    parser.add_argument("--pause-ms", type=float, default=500.0,
                        help="the editor's pause after seeing a change, before the next (default 500)")
    parser.add_argument("--timeout-ms", type=float, default=30_000, help="a change that takes longer breaks")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "desk-latency.json")
    args = parser.parse_args()
    if args.changes < 1:
        parser.error("--changes must be at least 1")
    if not CHROMIUM.exists():
        print(f"error: no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    from helpers.desk import WEEK

    with tempfile.TemporaryDirectory(prefix="digest-bench-desk-") as folder:
        config = demo_copy(Path(folder))
        desk, url = start_desk(config, WEEK)
        try:
            result = measure(url, args.changes, args.warmup, args.js, args.timeout_ms, args.pause_ms)
        except Exception as exc:  # a change that never reached the frame: the run is broken, not slow
            print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
        finally:
            desk.terminate()
            desk.wait(10)
    screen = result["painted_p95_ms"] if result["painted_p95_ms"] is not None else result["p95_ms"]
    result |= {"goal_ms": args.goal_ms, "met": screen <= args.goal_ms, "cpus": os.cpu_count(),
               "load_average": [round(x, 2) for x in os.getloadavg()]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    line = f"desk, {result['changes']} changes, JavaScript {result['js']} ({result['frame']}): "
    if result["painted_p50_ms"] is not None:
        line += (f"change -> email on screen (Chromium's clock) p50 {result['painted_p50_ms']:.0f} ms, "
                 f"p95 {result['painted_p95_ms']:.0f} ms; ")
    if result["parsed_p50_ms"] is not None:
        line += f"-> frame parsed p50 {result['parsed_p50_ms']:.0f}, p95 {result['parsed_p95_ms']:.0f} ms; "
    line += (f"seen by the driver (Playwright's click included) p50 {result['p50_ms']:.0f}, p95 "
             f"{result['p95_ms']:.0f}, max {result['max_ms']:.0f} ms; goal on-screen p95 <= "
             f"{args.goal_ms:.0f} ms: {'met' if result['met'] else 'NOT met'} (load average "
             f"{result['load_average'][0]}); {args.out}")
    print(line)
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
