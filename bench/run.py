"""`digest run` from an empty store against rss2email 3.14 in digest mode, on the same feeds.

Run ``.venv/bin/python bench/run.py`` (``--quick`` for a smoke run). Both tools read the
generated WordPress corpus of bench/ingest.py, served by a child process on 127.0.0.1, and
start from nothing each time (with SpamAssassin on, each round also runs digest with it off, to
report what the check adds to the wall time against the 0.3 s goal):

* digest: ``digest --config bench.toml run --now 2024-06-03T08:00`` with a fresh store and
  output folder: collect every feed, recognise reviews and scores, choose, render, inline, lint
  and write issue 2024-W22 (html, text, .eml, manifest) for hand-off as files;
* rss2email 3.14 (bench/.venv only, see benchvenv.py): ``r2e run`` on a fresh data file
  holding the same feeds, ``digest = True`` (one multipart/mixed digest per feed), handing each
  digest to a sendmail stand-in that writes it to a file.

Each round runs both once, alternating which goes first, and the ratio is taken within the
round; the figure is the median ratio. Wall time, CPU time (user + system, the process and the
children it waited for) and peak memory (the largest resident set among them) come from
``os.wait4``. The goals (issue 23): digest doing the same work as rss2email (the run with
SpamAssassin off) at most 0.7x rss2email's wall time on 6 feeds x 50 items and 0.4x on 24 x 50;
SpamAssassin adding at most 0.3 s to the run with its default pre-send check.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAME_WORK_GOALS = {(6, 50): 0.7, (24, 50): 0.4}  # digest without SpamAssassin / rss2email, wall time
SPAM_GOAL = 0.3  # seconds SpamAssassin may add to a run's wall time (issue 23)
NOW = "2024-06-03T08:00"  # the Monday after the corpus ends: the issue is 2024-W22
WEEK = "2024-W22"
CONTENT_TYPE = "application/rss+xml; charset=UTF-8"


@dataclass(frozen=True)
class Usage:
    wall: float  # seconds
    cpu: float  # user + system seconds, with waited-for children
    peak_mb: float  # largest resident set, MB
    pss_mb: float = 0.0  # largest sum of the process tree's proportional set sizes (sampled runs only), MB


def timed(argv: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None, pss: bool = False) -> Usage:
    """Run ``argv`` to the end; its wall time, CPU time and peak memory (from wait4).

    ``pss``: also sample the sum of the PSS of the process and its descendants every few ms (a
    page shared by n processes counts 1/n in each: what the tree really holds, which ru_maxrss,
    the largest single resident set, does not say). The sampling takes CPU from the run: such a
    run is for its memory, not its time."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        most = 0
        while pss:
            done, status, usage = os.wait4(process.pid, os.WNOHANG)
            if done:
                break
            most = max(most, tree_pss(process.pid))
            time.sleep(0.004)
        if not pss:
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv[:3])} ... exited {process.returncode}:\n{tail}")
    return Usage(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, most / 1024)


def tree_pss(pid: int) -> int:
    """The sum of ``Pss`` (KiB) over ``pid`` and its descendants now (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):  # gone meanwhile
            pass
    return total


# --------------------------------------------------------------------------- digest

def digest_config(urls: list[str], folder: Path, spamassassin: bool = True, spamd: str | None = None) -> Path:
    """A config as a site would write it, for the local server standing in for the feeds' hosts.

    ``spamassassin=False`` turns off the pre-send report's SpamAssassin pass (an external
    process, about 1 s of CPU per issue), to show digest's own share of the time."""
    feeds = "".join(f'\n[[feeds]]\nurl = "{url}"\nname = "feed {i:02d}"\n' for i, url in enumerate(urls, 1))
    # A plain email sent as built carries its own unsubscribe link and postal address.
    email = ('\n[email]\nunsubscribe_url = "https://bench.example/unsubscribe"\n'
             'postal_address = "1 Bench Street, Testville"\n')
    email += "" if spamassassin else "spamassassin = false\n"
    email += f'spamd = "{spamd}"\n' if spamd and spamassassin else ""
    text = f'''output_dir = "out"

[site]
name = "Bench Weekly"
url = "https://bench.example/"

[store]
path = "store/digest.sqlite"

[collect]
# One local host stands in for every site: its politeness pause and per-host limit are set as
# for distinct hosts (rss2email has neither).
per_host_delay = 0
per_host_concurrency = 16

[reviews]
# Every generated post is a review ("... review: ..."), so every one is analysed; each carries
# its score ("Rating - 7/10"), so no article page is needed (the corpus has none to serve).
title_patterns = ['(?i)\\breview\\b']
fetch_pages = "unscored"

[delivery]
method = "files"
{email}{feeds}'''
    path = folder / "bench.toml"
    path.write_text(text, encoding="utf-8")
    return path


_PROFILE = """
import cProfile, sys
from digest.cli import main
sys.argv = ["digest", "--config", sys.argv[1], "run", "--now", sys.argv[2]]
cProfile.run("main()", PROFILE_OUT)
"""


def profile_digest(config: Path, folder: Path, log: Path, top: int) -> None:
    """One more `digest run` under cProfile (this process only: parse workers are not seen)."""
    import pstats

    for name in ("store", "out"):
        shutil.rmtree(folder / name, ignore_errors=True)
    (folder / "store").mkdir()
    out = folder / "run.prof"
    code = _PROFILE.replace("PROFILE_OUT", repr(str(out)))
    timed([sys.executable, "-c", code, str(config), NOW], folder, log)
    stats = pstats.Stats(str(out))
    print(f"    profile of one digest run ({stats.total_tt:.2f} s under cProfile), by cumulative time:")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])  # type: ignore[attr-defined]
    shown = 0
    for (filename, line, function), (_, calls, _, cumulative, _) in rows:
        if "/digest/" not in filename or function.startswith("<"):
            continue
        where = filename.split("/digest/", 1)[1]
        print(f"      {cumulative:6.2f} s  {calls:6d} calls  digest/{where}:{line} {function}")
        shown += 1
        if shown >= top:
            break


def run_digest(config: Path, folder: Path, log: Path, digest: Path | None = None, pss: bool = False) -> Usage:
    """One ``digest run`` from an empty store; ``digest``: which install's command (default this venv's)."""
    for name in ("store", "out"):
        shutil.rmtree(folder / name, ignore_errors=True)
    (folder / "store").mkdir()
    digest = digest or Path(sys.executable).parent / "digest"
    usage = timed([str(digest), "--config", str(config), "run", "--now", NOW], folder, log, pss=pss)
    html = folder / "out" / WEEK / "digest.html"
    if not html.is_file():
        raise RuntimeError(f"digest run wrote no {html}")
    return usage


# --------------------------------------------------------------------------- rss2email

SINK = """#!/bin/sh
# sendmail stand-in for rss2email: keep each message as a file, as digest keeps its issue.
cat > "$(dirname "$0")/sent/$$.eml"
"""


def r2e_setup(r2e: Path, urls: list[str], folder: Path) -> tuple[Path, Path]:
    """rss2email's config and a pristine data file holding the feeds (set up untimed)."""
    folder.mkdir(parents=True, exist_ok=True)
    sink = folder / "sendmail"
    sink.write_text(SINK)
    sink.chmod(0o755)
    config, data = folder / "r2e.cfg", folder / "pristine.json"
    base = [str(r2e), "-c", str(config), "-d", str(data)]
    subprocess.run([*base, "new", "reader@example.com"], check=True, capture_output=True)
    settings = {"from": "bench@example.com", "digest": "True", "digest-type": "multipart/mixed",
                "email-protocol": "sendmail", "sendmail": str(sink)}
    lines = config.read_text(encoding="utf-8").splitlines()
    for key, value in settings.items():  # `r2e new` wrote every default into [DEFAULT]
        index = next(i for i, line in enumerate(lines) if line.split("=", 1)[0].strip() == key)
        lines[index] = f"{key} = {value}"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i, url in enumerate(urls, 1):
        subprocess.run([*base, "add", f"feed{i:02d}", url], check=True, capture_output=True)
    return config, data


def run_r2e(r2e: Path, config: Path, pristine: Path, folder: Path, log: Path, feeds: int) -> Usage:
    data = folder / "data.json"
    shutil.copyfile(pristine, data)
    shutil.rmtree(folder / "sent", ignore_errors=True)
    (folder / "sent").mkdir()
    usage = timed([str(r2e), "-c", str(config), "-d", str(data), "run"], folder, log)
    sent = len(list((folder / "sent").iterdir()))
    if sent != feeds:
        raise RuntimeError(f"rss2email sent {sent} digests for {feeds} feeds (see {log})")
    return usage


# --------------------------------------------------------------------------- rounds

def measure(feeds: int, items: int, rounds: int, r2e: Path, tmp: Path, profile: int,
            spamassassin: bool = True, spamd: str | None = None, installs: dict[str, Path] | None = None,
            ) -> tuple[dict[str, list[Usage]], list[Usage], list[Usage], dict[str, Usage]]:
    """Rounds of digest (each of ``installs``: name -> its ``digest`` command; default this venv's),
    rss2email and (with ``spamassassin``) the first install with the check off, each round in a rotated
    order; the third list is empty without ``spamassassin``. Then one more run of each install whose
    process tree's PSS is sampled (its own figure: the sampling costs the run CPU time)."""
    from ingest import LocalServer, make_corpus

    installs = installs or {"dev": Path(sys.executable).parent / "digest"}
    first = next(iter(installs.values()))
    corpus = make_corpus(feeds, items)
    work = tmp / f"{feeds}x{items}"
    with LocalServer(corpus, work / "site", CONTENT_TYPE) as server:
        urls = [server.url(path) for path in corpus]
        (work / "digest").mkdir(parents=True)
        config = digest_config(urls, work / "digest", spamassassin, spamd)
        (work / "digest-off").mkdir(parents=True)
        config_off = digest_config(urls, work / "digest-off", False)
        r2e_config, pristine = r2e_setup(r2e, urls, work / "r2e")
        mine: dict[str, list[Usage]] = {name: [] for name in installs}
        theirs: list[Usage] = []
        off: list[Usage] = []
        # One untimed pair warms the page cache and both interpreters' bytecode.
        for command in installs.values():
            run_digest(config, work / "digest", work / "digest.log", command)
        run_r2e(r2e, r2e_config, pristine, work / "r2e", work / "r2e.log", feeds)

        def one_of(name: str, command: Path) -> Callable[[], None]:
            return lambda: mine[name].append(run_digest(config, work / "digest", work / "digest.log", command))

        for number in range(rounds):
            runs = [one_of(name, command) for name, command in installs.items()]
            runs.append(lambda: theirs.append(run_r2e(r2e, r2e_config, pristine, work / "r2e", work / "r2e.log",
                                                      feeds)))
            if spamassassin:  # the same run without the check: what SpamAssassin adds to the wall time
                runs.append(lambda: off.append(run_digest(config_off, work / "digest-off",
                                                          work / "digest-off.log", first)))
            shift = number % len(runs)
            for run in runs[shift:] + runs[:shift]:
                run()
        sampled = {name: run_digest(config, work / "digest", work / "digest.log", command, pss=True)
                   for name, command in installs.items()}
        if profile:
            profile_digest(config, work / "digest", work / "digest-profile.log", profile)
    return mine, theirs, off, sampled


def row_of(name: str, runs: list[Usage]) -> str:
    median = statistics.median
    best = min(r.wall for r in runs)
    return (f"    {name:<14} wall {median(r.wall for r in runs):6.2f} s (best {best:5.2f})"
            f"   cpu {median(r.cpu for r in runs):6.2f} s   peak {max(r.peak_mb for r in runs):6.1f} MB")


def report(feeds: int, items: int, mine: list[Usage], theirs: list[Usage], name: str = "digest",
           sampled: Usage | None = None) -> float:
    ratios = [m.wall / t.wall for m, t in zip(mine, theirs, strict=True)]
    cpu_ratios = [m.cpu / t.cpu for m, t in zip(mine, theirs, strict=True)]
    median = statistics.median

    row = row_of
    print(f"  {feeds} feeds x {items} items, {len(mine)} interleaved rounds:")
    print(row(name, mine))
    print(row("rss2email", theirs))
    print(f"    {name} / rss2email: wall {median(ratios):.2f}x (per round: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}), cpu {median(cpu_ratios):.2f}x, "
          f"peak memory {max(m.peak_mb for m in mine) / max(t.peak_mb for t in theirs):.2f}x")
    if sampled is not None:
        print(f"    {name}, one more run sampled every 4 ms: peak {sampled.peak_mb:.1f} MB (ru_maxrss), "
              f"largest sum of its processes' PSS {sampled.pss_mb:.1f} MB")
    return median(ratios)


def report_spamassassin(mine: list[Usage], off: list[Usage]) -> float:
    """SpamAssassin's share of the wall time: the median, over rounds, of the run with the check minus
    the same run without it (both from an empty store, in the same round)."""
    added = [m.wall - o.wall for m, o in zip(mine, off, strict=True)]
    figure = statistics.median(added)
    print(f"    SpamAssassin adds {figure:+.2f} s of wall time (with minus without the check, per round: "
          f"{', '.join(f'{a:+.2f}' for a in added)}); goal at most {SPAM_GOAL:g} s: "
          f"{'met' if figure <= SPAM_GOAL else 'NOT met'}")
    return figure


def round_options(parser: argparse.ArgumentParser, sizes: str, rounds: int) -> None:
    """``--sizes``, ``--rounds`` and ``--quick``, as the scripts that time rounds on corpora take them."""
    parser.add_argument("--sizes", default=sizes,
                        help=f"feeds x items per corpus, comma-separated (default {sizes})")
    parser.add_argument("--rounds", type=int, default=rounds,
                        help=f"interleaved rounds per size (default {rounds})")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 feeds x 5 items, one round")


def corpus_sizes(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[tuple[int, ...]]:
    """The corpora ``--sizes`` asks for (``--quick``: one round of 2 x 5); a usage error when malformed."""
    if args.quick:
        args.sizes, args.rounds = "2x5", 1
    try:
        sizes = [tuple(int(n) for n in size.lower().split("x")) for size in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes: {args.sizes!r} is not like 6x50,24x50")
    if args.rounds < 1 or any(len(s) != 2 or min(s) < 1 for s in sizes):
        parser.error("--rounds and every feeds x items must be at least 1")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    round_options(parser, "6x50,6x10,24x50", 5)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="after the rounds, profile one digest run per size: its top N digest functions")
    parser.add_argument("--no-spamassassin", dest="spamassassin", action="store_false",
                        help="digest's config turns off the pre-send SpamAssassin pass ([email] spamassassin)")
    parser.add_argument("--installs", default="user,dev",
                        help="which digest to run: user (bench/.venv-user, `pip install .` of this checkout, "
                             "no extras), dev (this venv's); comma-separated, default user,dev")
    parser.add_argument("--spamd", metavar="HOST:PORT",
                        help="digest asks this running spamd through spamc ([email] spamd)")
    args = parser.parse_args(argv)
    sizes = corpus_sizes(parser, args)
    sys.path.insert(0, str(HERE))
    from benchvenv import bench_bin, user_digest

    r2e = bench_bin("r2e")
    print(f"machine: {len(os.sched_getaffinity(0))} usable CPUs, Python {sys.version.split()[0]}; "
          f"digest run --now {NOW} (issue {WEEK}) vs rss2email 3.14 `r2e run` in digest mode")
    print("medians of the rounds; peak = the largest resident set of the process and its children")
    installs = {}
    for name in args.installs.split(","):
        if name not in ("user", "dev"):
            parser.error(f"--installs: {name!r} is neither user nor dev")
        installs[name] = user_digest() if name == "user" else Path(sys.executable).parent / "digest"
    print("digest installs: " + "; ".join(f"{name} = {command}" for name, command in installs.items()))
    ratios = {}
    with tempfile.TemporaryDirectory(prefix="digest-bench-run-") as tmp:
        for feeds, items in sizes:
            runs, theirs, off, sampled = measure(feeds, items, args.rounds, r2e, Path(tmp), args.profile,
                                                 args.spamassassin, args.spamd, installs)
            for name, mine in runs.items():
                ratio = report(feeds, items, mine, theirs, f"digest ({name})", sampled[name])
                ratios.setdefault((feeds, items), ratio)  # the goal is judged on the first install
            mine = next(iter(runs.values()))
            if off:
                print(row_of("digest, SpamAssassin off", off))
                report_spamassassin(mine, off)
                same = [o.wall / t.wall for o, t in zip(off, theirs, strict=True)]
                ratios[(feeds, items)] = statistics.median(same)
                print(f"    digest with SpamAssassin off / rss2email: wall {statistics.median(same):.2f}x "
                      f"(per round: {', '.join(f'{r:.2f}' for r in same)})")
    for size, goal in SAME_WORK_GOALS.items():  # the same work: SpamAssassin off (or --no-spamassassin)
        if size in ratios:
            met = "met" if ratios[size] <= goal else "NOT met"
            print(f"goal: digest with the same work as rss2email at most {goal:g}x its wall time on "
                  f"{size[0]} x {size[1]}: {met} ({ratios[size]:.2f}x)")
    if args.quick:
        print("(--quick: a tiny corpus and one round: a smoke test, not a measurement)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
