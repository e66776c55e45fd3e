"""The scheduled weekly job: what SpamAssassin adds to a ``digest schedule`` tick that builds.

Run ``.venv/bin/python bench/tick.py`` (``--quick`` for a smoke run). A site that runs ``digest
schedule`` builds its weekly issue in a tick of a long-lived process: collect, then build whatever
the store says is due (digest.job.schedule). Each measurement here is such a process, fresh:

* it serves nothing itself: the corpus of bench/ingest.py is served by a child process on 127.0.0.1,
  as for bench/run.py, and the config is bench/run.py's with a build schedule (Mondays 08:00);
* it first runs one untimed tick on a store of its own, as a scheduler that built last week has
  (its imports made, its stylesheet parsed): a tick does not pay a process's start-up;
* then it times one tick, on a worker thread as APScheduler's executor runs it (so the collect
  parses on a thread, as in a running scheduler), on an empty store at 08:00:30 on the Monday
  after the corpus: collect every feed, then build and write issue 2024-W22.

Each round times three such ticks, in a rotated order: with the pre-send SpamAssassin check off; on,
as a tick that builds with nothing readied (a catch-up at start-up, or a build that a collect tick
found due) starts it before its collect; and on, *readied*: the scheduler's job that fires
``SPAM_LEAD`` (30 s) before each build has started it, and the tick takes it (``--lead`` seconds
before the tick here, 3 s by default: the rules compile in about one). The figures are the medians,
over rounds, of each "on" minus "off", against issue 23's goal of 0.3 s. Only a tick's own wall time
is timed; SpamAssassin starts fresh every time (a week apart, nothing of it is warm).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPAM_GOAL = 0.3  # seconds SpamAssassin may add to the job's wall time (issue 23)
CLOCK = "2024-06-03T08:00:30+00:00"  # just after the Monday 08:00 build: issue 2024-W22 is due
WEEK = "2024-W22"
SCHEDULE = '\n[schedule]\nbuild = "0 8 * * mon"\ncollect = "off"\n'

# One scheduler process: a warm-up tick on its own store; with a lead, the job that readies the build's
# SpamAssassin, then that long a wait; then the timed tick, on a worker thread.
_TICK = """
import json, sys, threading, time
from datetime import datetime
from digest.job.schedule import DigestScheduler
from digest.settings.config import load_config

now = datetime.fromisoformat(sys.argv[3])
lead = float(sys.argv[4])
def scheduler(path):
    return DigestScheduler(load_config(path), clock=lambda: now, triggers={})
warm = scheduler(sys.argv[1]).tick("build")
job = scheduler(sys.argv[2])
if lead:
    job.ready_spam_checks()
    time.sleep(lead)
done = {}
def timed():
    start = time.perf_counter()
    done["line"] = job.tick("build")
    done["wall"] = time.perf_counter() - start
worker = threading.Thread(target=timed, name="job")
worker.start()
worker.join()
print(json.dumps({"warm": warm, **done}))
"""


def scheduled_config(urls: list[str], folder: Path, spamassassin: bool) -> Path:
    """bench/run.py's config for ``folder``, with the weekly build scheduled."""
    from run import digest_config

    path = digest_config(urls, folder, spamassassin)
    path.write_text(path.read_text(encoding="utf-8") + SCHEDULE, encoding="utf-8")
    return path


def one_tick(python: Path, warm: Path, timed: Path, lead: float = 0.0) -> float:
    """A fresh scheduler process: the warm-up tick on ``warm``'s store, then (``lead``: that long after
    readying its SpamAssassin) the timed one on ``timed``'s; the timed tick's wall time, in seconds."""
    for config in (warm, timed):
        for name in ("store", "out"):
            shutil.rmtree(config.parent / name, ignore_errors=True)
        (config.parent / "store").mkdir()
    done = subprocess.run([str(python), "-c", _TICK, str(warm), str(timed), CLOCK, str(lead)],
                          capture_output=True, text=True, cwd=timed.parent, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"the scheduler process exited {done.returncode}:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["line"].startswith(f"build: {WEEK}: built"):
        raise RuntimeError(f"the timed tick did not build {WEEK}: {result['line']}")
    if not (timed.parent / "out" / WEEK / "digest.html").is_file():
        raise RuntimeError(f"the timed tick wrote no {WEEK}/digest.html")
    return float(result["wall"])


VARIANTS = ("off", "on", "on, readied")


def measure(feeds: int, items: int, rounds: int, python: Path, tmp: Path,
            lead: float) -> dict[str, list[float]]:
    """Rounds of the timed tick in each of :data:`VARIANTS`, in a rotated order."""
    from ingest import LocalServer, make_corpus
    from run import CONTENT_TYPE

    corpus = make_corpus(feeds, items)
    work = tmp / f"{feeds}x{items}"
    with LocalServer(corpus, work / "site", CONTENT_TYPE) as server:
        urls = [server.url(path) for path in corpus]
        configs = {}
        for label, spamassassin in (("on", True), ("off", False)):
            for part in ("warm", "timed"):
                (work / label / part).mkdir(parents=True)
            configs[label] = (scheduled_config(urls, work / label / "warm", spamassassin),
                              scheduled_config(urls, work / label / "timed", spamassassin))
        runs = {"off": (configs["off"], 0.0), "on": (configs["on"], 0.0), "on, readied": (configs["on"], lead)}
        walls: dict[str, list[float]] = {label: [] for label in VARIANTS}
        one_tick(python, *configs["on"])  # untimed: warms the page cache and the bytecode
        for number in range(rounds):
            shift = number % len(VARIANTS)
            for label in VARIANTS[shift:] + VARIANTS[:shift]:
                (warm, timed), wait = runs[label]
                walls[label].append(one_tick(python, warm, timed, wait))
    return walls


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(HERE))
    from run import corpus_sizes, round_options

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    round_options(parser, "6x50,24x50", 7)
    parser.add_argument("--lead", type=float, default=3.0,
                        help="seconds between readying SpamAssassin and the readied tick (default 3)")
    parser.add_argument("--install", choices=("user", "dev"), default="user",
                        help="user: bench/.venv-user (`pip install .` of this checkout, no extras); "
                             "dev: this venv")
    args = parser.parse_args(argv)
    sizes = corpus_sizes(parser, args)
    if args.lead <= 0:
        parser.error("--lead must be above 0")
    if args.install == "user":
        from benchvenv import user_digest

        python = user_digest().parent / "python"
    else:
        python = Path(sys.executable)
    print(f"the scheduled build tick, issue {WEEK}, SpamAssassin off, on, and on readied {args.lead:g} s "
          f"ahead; scheduler process: {python}")
    with tempfile.TemporaryDirectory(prefix="digest-bench-tick-") as tmp:
        for feeds, items in sizes:
            walls = measure(feeds, items, args.rounds, python, Path(tmp), args.lead)
            print(f"  {feeds} feeds x {items} items, {args.rounds} interleaved rounds: tick wall "
                  + ", ".join(f"{statistics.median(walls[label]):.2f} s {label}" for label in VARIANTS))
            for label in VARIANTS[1:]:
                added = [a - b for a, b in zip(walls[label], walls["off"], strict=True)]
                figure = statistics.median(added)
                print(f"    SpamAssassin {label}: adds {figure:+.2f} s to the tick (per round: "
                      f"{', '.join(f'{a:+.2f}' for a in added)}); goal at most {SPAM_GOAL:g} s: "
                      f"{'met' if figure <= SPAM_GOAL else 'NOT met'}")
    if args.quick:
        print("(--quick: a tiny corpus and one round: a smoke test, not a measurement)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
