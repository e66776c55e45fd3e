"""The `reviews` stage's analysis of the demo's posts, per post and as a ratio to one bare parse.

Run ``.venv/bin/python bench/analysis.py [--before PATH]``. It collects the bundled demo (offline,
through its mirrors) into a temporary store, then analyses every stored post as a collect does
(``digest.reviews.rules.analyse_html``: the entry's content, summary and article page), after one
warm-up pass, ``--repeats`` times (the warm-up is timed too, as "first pass": what one collect
pays, before the readers' bounded caches of class verdicts, heading texts and image URLs have
seen a site's pages). It prints the median milliseconds a post and the median, over
the rounds, of the ratio of that time to parsing the same documents once each with lxml.html's
own parser (the floor the analysis cannot go under: "one parse per document"; defined here, not
taken from the code measured, so that both sides of ``--before`` are divided by the same floor),
which varies less from machine to machine than the milliseconds. The goal (issue 23):
at most 1 ms a post. With ``--before PATH`` (another checkout, e.g.
``git archive <commit> | tar -x -C PATH``) the same run uses that code too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_MEASURE = """
import json, statistics, sys, time
import lxml.html
from digest.reviews.rules import ReviewRules, analyse_html
from digest.settings.config import load_config
from digest.store.heads import analysis_sources
from digest.store.lock import open_store

config = load_config(sys.argv[1])
rules = ReviewRules.from_config(config)
with open_store(config.store_path, lock=False) as store:
    ids = [row[0] for row in store.db.execute("SELECT id FROM entries")]
    sources = list(analysis_sources(store, ids))

def analyse():
    for s in sources:
        analyse_html(rules, s.link, s.content, s.summary, s.extras, s.images, s.page_body or None)

def parse():
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    for s in sources:
        for html in (s.content, s.summary, s.page_body):
            if html and html.strip():
                lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)

def timed(work):
    start = time.perf_counter()
    work()
    return time.perf_counter() - start

import digest.reviews.extract, digest.reviews.images, digest.reviews.scores  # imports before any timing
parse()
cold = timed(analyse)  # the first pass: nothing remembered from an earlier one (a collect's one pass)
rounds = [(timed(analyse), timed(parse)) for _ in range(int(sys.argv[2]))]  # a pair per round: same load
analysis = statistics.median(a for a, _ in rounds)
print(json.dumps({"posts": len(sources), "pages": sum(1 for s in sources if s.page_body),
                  "ms_a_post": analysis / len(sources) * 1000, "cold_ms_a_post": cold / len(sources) * 1000,
                  "ratio": statistics.median(a / p for a, p in rounds)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare with")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from test_jobs_demo import demo_config  # the tests' own offline copy of the demo

    with tempfile.TemporaryDirectory() as tmp:
        config = demo_config(Path(tmp))
        subprocess.run([sys.executable, "-c", "from digest.cli import main; main()", "--config", str(config),
                        "collect", "--quiet", "--now", "2025-05-19T08:00"], check=True, cwd=tmp)
        codes = {"now": None, **({"before": args.before.resolve()} if args.before else {})}
        for label, code in codes.items():
            env = dict(os.environ, **({"PYTHONPATH": str(code)} if code else {}))
            done = subprocess.run([sys.executable, "-c", _MEASURE, str(config), str(args.repeats)], env=env,
                                  check=True, capture_output=True, text=True, cwd=tmp)
            found = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{label:7} {found['posts']} posts ({found['pages']} with their page): "
                  f"{found['ms_a_post']:.2f} ms a post, {found['ratio']:.1f}x one bare parse of each document; "
                  f"first pass {found['cold_ms_a_post']:.2f} ms a post")


if __name__ == "__main__":
    main()
