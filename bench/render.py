"""Render + inline benchmark: one issue's templates, premailer and lint, next to css-inline.

Run ``.venv/bin/python bench/render.py``. The issue is the one tests/golden/ pins (five top
picks, four trending, an editor's note, a branded config), so the HTML is the real thing. It
prints, each the median of ``--repeats`` runs:

* render_issue, first call in a fresh process (imports done, nothing compiled or parsed yet):
  what ``digest build`` or ``digest run`` pays for its one issue;
* render_issue, later calls in the same process (templates compiled, the CSS parsed);
* inline_css alone (premailer, as digest runs it) on the rendered HTML and stylesheet;
* css-inline (a compiled inliner, in bench/.venv only) on the same HTML and stylesheet: the floor.

The goal: render + inline at most 50 ms per issue.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL_MS = 50.0

# css-inline with the options that match digest's premailer set-up: the head <style> is kept as
# written, no network, width/height attributes left alone.
_CSS_INLINE = """
import json, statistics, sys, time
import css_inline
html, css, repeats = open(sys.argv[1]).read(), open(sys.argv[2]).read(), int(sys.argv[3])
inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False, extra_css=css)
inliner.inline(html)
times = []
for _ in range(repeats):
    start = time.perf_counter()
    inliner.inline(html)
    times.append(time.perf_counter() - start)
print(json.dumps({"median": statistics.median(times), "best": min(times)}))
"""


def _issue() -> tuple[object, object]:
    sys.path.insert(0, str(ROOT / "tests"))
    from email_fixtures import BRANDED, email_config, realistic_selection

    config = email_config(Path(tempfile.mkdtemp(prefix="digest-bench-render-")) / "config", **BRANDED)
    return config, realistic_selection()


def first_call() -> None:
    """Child-process entry: time the first render_issue after imports, print seconds."""
    from digest.mail.render import render_issue

    config, selection = _issue()
    start = time.perf_counter()
    render_issue(config, selection)  # type: ignore[arg-type]
    print(time.perf_counter() - start)


def _inputs(config: object, selection: object) -> tuple[str, str]:
    """The HTML and stylesheet render_issue hands premailer (as it builds them)."""
    from digest.mail.render import (
        HTML_TEMPLATE,
        INLINE_CSS,
        Links,
        build_context,
        make_environment,
        render_template,
    )

    env = make_environment(config)  # type: ignore[arg-type]
    context = build_context(config, selection, Links("*|UNSUB|*", "*|ARCHIVE|*", "*|LIST:ADDRESS|*"))  # type: ignore[arg-type]
    context.update(subject="Subject", preheader="Preheader")
    return render_template(env, HTML_TEMPLATE, context), render_template(env, INLINE_CSS, context)


def _median_ms(run: object, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, min(times) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed runs of each (default 20)")
    parser.add_argument("--first-call", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.first_call:
        first_call()
        return 0
    from benchvenv import bench_bin

    from digest.mail.inline import inline_css
    from digest.mail.render import render_issue

    python = bench_bin("python")
    colds = []
    for _ in range(max(3, args.repeats // 4)):
        out = subprocess.run([sys.executable, __file__, "--first-call"], check=True, capture_output=True,
                             text=True, cwd=ROOT).stdout
        colds.append(float(out) * 1e3)
    config, selection = _issue()
    html, css = _inputs(config, selection)
    render_issue(config, selection)  # type: ignore[arg-type]
    warm = _median_ms(lambda: render_issue(config, selection), args.repeats)  # type: ignore[arg-type]
    premailer = _median_ms(lambda: inline_css(html, css), args.repeats)
    with tempfile.TemporaryDirectory(prefix="digest-bench-render-") as tmp:
        (Path(tmp) / "in.html").write_text(html, encoding="utf-8")
        (Path(tmp) / "in.css").write_text(css, encoding="utf-8")
        out = subprocess.run([str(python), "-c", _CSS_INLINE, f"{tmp}/in.html", f"{tmp}/in.css",
                              str(args.repeats)], check=True, capture_output=True, text=True).stdout
    floor = json.loads(out)
    print(f"issue: tests/golden's realistic week, {len(html) / 1e3:.1f} KB of HTML before inlining, "
          f"{len(css.splitlines())} lines of inline CSS; medians of {args.repeats} runs (best)")
    print()
    print(f"  render_issue, first call in a process  {statistics.median(colds):7.1f} ms  "
          f"({min(colds):6.1f})  [{len(colds)} fresh processes]")
    print(f"  render_issue, later calls              {warm[0]:7.1f} ms  ({warm[1]:6.1f})")
    print(f"  inline_css (premailer) alone           {premailer[0]:7.1f} ms  ({premailer[1]:6.1f})")
    print(f"  css-inline on the same HTML and CSS    {floor['median'] * 1e3:7.1f} ms  "
          f"({floor['best'] * 1e3:6.1f})")
    print()
    print(f"  premailer / css-inline                 {premailer[0] / (floor['median'] * 1e3):7.1f}x")
    first = statistics.median(colds)
    verdict = "met" if first <= GOAL_MS else ("met when warm" if warm[0] <= GOAL_MS else "NOT met")
    print(f"goal: render + inline at most {GOAL_MS:g} ms per issue: {verdict} "
          f"(first call {first:.1f} ms, later calls {warm[0]:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
