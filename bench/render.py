"""Render + inline benchmark: one issue's templates, premailer and lint, next to css-inline.

Run ``.venv/bin/python bench/render.py``. The issue is the one tests/golden/ pins (five top
picks, four trending, an editor's note, a branded config), so the HTML is the real thing. It
prints, each the median of ``--repeats`` runs:

* render_issue, first call in a fresh process: what ``digest build`` or ``digest run`` pays for
  its one issue. "First call" is the render_issue call itself, excluding the process's start-up
  and imports, read two ways:

  - **prepared** (the figure issue 23's goal is read from): the first render_issue in a process
    that has done what ``digest run`` does before it renders: its imports (``load_build``: the
    build, the hand-off, the renderer, the inliner) and the preparation for this issue
    (``prepare_render``: markdown-it loaded when the issue has an editor's note, as the run does
    while its collect waits on the parse workers, and the desk when it opens an edition);
  - **unprepared** (the older reading): a process that has imported digest.mail.render (and so
    Jinja, premailer, cssutils, lxml) and nothing more: the call then also loads markdown-it for
    an issue with a note, as ``digest build`` still does.

  Either way it includes what that call derives on first use (the lint's regular expressions,
  Jinja reading its bytecode cache, premailer's first pass). Two cases: the store's first build
  (nothing kept on disk yet: the inliner's parsed stylesheet, digest.mail.inline_cache, is made in
  this call; one process per round, a fresh config folder), and every later build (those files
  were written by an earlier process: a fresh process per run, one config folder for all of
  them). Each with and without the editor's note;
* render_issue, later calls in the same process, of the same issue (templates compiled, the
  CSS parsed; the lint's findings for that exact HTML are remembered, so it does not lint), and
  with the lint's memory cleared before each (the work a first call does: the like-for-like
  figure the issue-23 ratio is taken against);
* inline_css alone (premailer, as digest runs it) on the rendered HTML and stylesheet;
* css-inline (a compiled inliner, in bench/.venv only) on the same HTML and stylesheet: the floor.

The goals: render + inline at most 50 ms per issue; the first call of a process (later builds)
within 2x of a later one (issue 23).
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


def _issue(folder: Path | None = None, note: bool = True) -> tuple[object, object]:
    sys.path.insert(0, str(ROOT / "tests"))
    from email_fixtures import BRANDED, email_config, realistic_selection

    folder = folder or Path(tempfile.mkdtemp(prefix="digest-bench-render-"))
    config = email_config(folder / "config", **BRANDED)
    return config, (realistic_selection() if note else realistic_selection(note=None))


def first_call(folder: Path, note: bool, later: int, prepared: bool) -> None:
    """Child-process entry: time the first render_issue after imports (``prepared``: and after what
    ``digest run`` does before its render), then ``later`` calls of the same issue with the lint's
    findings remembered and ``later`` with them cleared; print milliseconds as JSON."""
    from digest.mail.lint import _lint_html
    from digest.mail.render import prepare_render, render_issue

    config, selection = _issue(folder, note)
    if prepared:  # as digest run while its collect waits: load_build's imports, then prepare_render
        from digest.job.run import load_build

        load_build()
        prepare_render(notes=note)
    start = time.perf_counter()
    render_issue(config, selection)  # type: ignore[arg-type]
    first = (time.perf_counter() - start) * 1e3

    def relint() -> None:
        _lint_html.cache_clear()
        render_issue(config, selection)  # type: ignore[arg-type]

    same = _median_ms(lambda: render_issue(config, selection), later)[0]  # type: ignore[arg-type]
    print(json.dumps({"first": first, "same": same, "lint": _median_ms(relint, later)[0]}))


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
    parser.add_argument("--first-call", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-note", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--unprepared", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--later", type=int, default=7, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: one round, 2 later calls, no css-inline; the figures mean nothing")
    args = parser.parse_args(argv)
    if args.first_call:
        first_call(args.first_call, not args.no_note, args.later, not args.unprepared)
        return 0
    from benchvenv import bench_bin

    from digest.mail.inline import inline_css
    from digest.mail.render import render_issue

    work = Path(tempfile.mkdtemp(prefix="digest-bench-render-"))
    rounds, later = (1, 2) if args.quick else (max(3, args.repeats // 4), 7)
    args.repeats = 2 if args.quick else args.repeats
    runs: dict[tuple[str, bool, bool], list[dict[str, float]]] = {}

    def fresh(folder: Path, note: bool, prepared: bool) -> dict[str, float]:
        command = [sys.executable, __file__, "--first-call", str(folder), "--later", str(later)]
        command += ([] if note else ["--no-note"]) + ([] if prepared else ["--unprepared"])
        out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        return json.loads(out)  # type: ignore[no-any-return]

    for number in range(rounds):  # the eight cases alternate, so a busy moment hits them alike
        for note in (True, False):
            for prepared in (True, False):
                runs.setdefault(("first build", note, prepared), []).append(
                    fresh(work / f"new-{number}-{note}-{prepared}", note, prepared))
                runs.setdefault(("later builds", note, prepared), []).append(
                    fresh(work / f"kept-{note}", note, prepared))
    config, selection = _issue()
    html, css = _inputs(config, selection)
    render_issue(config, selection)  # type: ignore[arg-type]
    warm = _median_ms(lambda: render_issue(config, selection), args.repeats)  # type: ignore[arg-type]
    premailer = _median_ms(lambda: inline_css(html, css), args.repeats)
    floor = {"median": float("nan"), "best": float("nan")}  # --quick: no bench/.venv to set up
    if not args.quick:
        with tempfile.TemporaryDirectory(prefix="digest-bench-render-") as tmp:
            (Path(tmp) / "in.html").write_text(html, encoding="utf-8")
            (Path(tmp) / "in.css").write_text(css, encoding="utf-8")
            command = [str(bench_bin("python")), "-c", _CSS_INLINE, f"{tmp}/in.html", f"{tmp}/in.css",
                       str(args.repeats)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        floor = json.loads(out)
    print(f"issue: tests/golden's realistic week, {len(html) / 1e3:.1f} KB of HTML before inlining, "
          f"{len(css.splitlines())} lines of inline CSS; medians of {args.repeats} runs (best)")
    print()
    median = statistics.median
    print("  render_issue in fresh processes: its first call, then later calls in the same process")
    for (case, note, prepared), found in sorted(runs.items(), key=lambda item: (not item[0][2], item[0][0])):
        label = f"{case}, {'with note' if note else 'no note'}, {'prepared' if prepared else 'unprepared'}"
        first, lint, same = (median(r[k] for r in found) for k in ("first", "lint", "same"))
        print(f"    {label:<38} first {first:6.1f} ms   later, lint run {lint:5.1f} ms   later, same issue "
              f"{same:5.1f} ms   first / later (lint run) {median(r['first'] / r['lint'] for r in found):4.2f}x"
              f"   [{len(found)} processes]")
    print("    (prepared: the process first did what digest run does before its render, imports and "
          "prepare_render; unprepared: it imported digest.mail.render only)")
    print(f"  render_issue, later calls in this process  {warm[0]:7.1f} ms  ({warm[1]:6.1f})")
    print(f"  inline_css (premailer) alone           {premailer[0]:7.1f} ms  ({premailer[1]:6.1f})")
    print(f"  css-inline on the same HTML and CSS    {floor['median'] * 1e3:7.1f} ms  "
          f"({floor['best'] * 1e3:6.1f})")
    print()
    print(f"  premailer / css-inline                 {premailer[0] / (floor['median'] * 1e3):7.1f}x")
    first = median(r["first"] for r in runs[("later builds", True, True)])
    verdict = "met" if first <= GOAL_MS else ("met when warm" if warm[0] <= GOAL_MS else "NOT met")
    print(f"goal: render + inline at most {GOAL_MS:g} ms per issue: {verdict} "
          f"(first call {first:.1f} ms, later calls {warm[0]:.1f} ms)")
    for note in (True, False):
        found = runs[("later builds", note, True)]
        ratio = median(r["first"] / r["lint"] for r in found)
        old = median(r["first"] / r["lint"] for r in runs[("later builds", note, False)])
        case = "with" if note else "no"
        print(f"goal: a prepared process's first call (later builds, {case} note) within 2x of its later "
              f"calls that lint: {'met' if ratio <= 2 else 'NOT met'} ({ratio:.2f}x; against the same "
              f"issue's later calls, whose lint is remembered: "
              f"{median(r['first'] / r['same'] for r in found):.2f}x; unprepared, the older reading: "
              f"{old:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
