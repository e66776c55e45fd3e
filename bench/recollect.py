"""Re-collect when nothing changed: every feed (and the trending page) answers 304.

Run ``.venv/bin/python bench/recollect.py`` (``--quick``: one round). A child process serves
``--feeds`` WordPress feeds of ``--items`` recent reviews on 127.0.0.1, their article pages and
the site's trending page, each with an ETag and a Last-Modified, answering 304 to a conditional
request that matches. A first collect fills a fresh store (entries, pages, analyses); then:

* in process: ``run_collect`` again, median of ``--repeats`` (start-up excluded by construction);
* the CLI: ``digest collect`` as a child process, next to ``python -c pass`` (the interpreter's
  start-up), ``digest --help`` (the CLI's) and ``digest feeds`` (a command that loads the config
  and opens the store, as every collect must), interleaved, medians;
* the requests the server saw during one re-collect (one conditional request per feed and for
  the trending page is the floor).

The goal: a re-collect costs at most 0.1 s beyond start-up. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import email.utils
import http.server
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

GOAL_SECONDS = 0.1
DIGEST = Path(sys.executable).with_name("digest")
STAMP = datetime.now(UTC).replace(microsecond=0)


def _feed(index: int, items: int, base: str) -> bytes:
    posts = []
    for i in range(items):
        when = STAMP - timedelta(hours=6 * (i + 1) + index)
        link = f"{base}/{when:%Y/%m/%d}/feed{index}-post{i}/"
        rating = f"<p><strong>Rating - {5 + (i % 5)}/10</strong></p>" if i % 2 else ""
        posts.append(
            f"<item><title>REVIEW: Feed {index} post {i}</title><link>{link}</link>"
            f"<guid isPermaLink=\"false\">{base}/?p={index * 1000 + i}</guid>"
            f"<pubDate>{email.utils.format_datetime(when)}</pubDate>"
            f"<category><![CDATA[Reviews]]></category><category><![CDATA[Anime]]></category>"
            f"<description><![CDATA[<p>Feed {index} post {i}, the first lines [&#8230;]</p>]]></description>"
            f"<content:encoded><![CDATA[<p>TL;DR: Feed {index} post {i} is worth your time this week.</p>"
            f"{'<p>' + 'A patient episode that trusts its cast. ' * 60 + '</p>'}{rating}]]></content:encoded>"
            f"<slash:comments>{i}</slash:comments></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
        f"<title>Busy site, feed {index}</title><link>{base}/</link><description>x</description>"
        + "".join(posts) + "</channel></rss>"
    ).encode()


def _page(path: str) -> bytes:
    return (f"<html><head><title>{path}</title></head><body><article><h1>{path}</h1>"
            + "<p>The article page, with the plugin's score box.</p>" * 40
            + '<div class="review-total-box">7.5/10</div></article></body></html>').encode()


def _serve(port_out: Connection, feeds: int, items: int) -> None:
    bodies: dict[str, bytes] = {}
    modified = email.utils.format_datetime(STAMP, usegmt=True)
    seen = {"200": 0, "304": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            path = self.path
            if path == "/count":
                body = f"{seen['200']} {seen['304']}".encode()
            elif path in bodies:
                body = bodies[path]
            elif path.startswith("/20"):
                body = bodies.setdefault(path, _page(path))
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            if path != "/count" and self.headers.get("If-None-Match") == etag:
                seen["304"] += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            if path != "/count":
                seen["200"] += 1
            kind = "text/html" if path == "/" or path.startswith("/20") else "application/rss+xml"
            self.send_response(200)
            self.send_header("Content-Type", kind + "; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for index in range(feeds):
        bodies[f"/feed{index}/"] = _feed(index, items, base)
    links = "".join(f'<li><a href="{base}/{(STAMP - timedelta(hours=6 * (i + 1))):%Y/%m/%d}/feed0-post{i}/">'
                    f"{i}</a></li>" for i in range(min(items, 5)))
    bodies["/"] = f'<html><body><ol class="trending">{links}</ol></body></html>'.encode()
    port_out.send(base)
    server.serve_forever()


def write_config(folder: Path, base: str, feeds: int) -> Path:
    path = folder / "digest.toml"
    lines = [
        f'output_dir = "{folder / "out"}"', "",
        "[site]", 'name = "Busy site"', f'url = "{base}/"', 'timezone = "UTC"', "",
        "[store]", f'path = "{folder / "store.sqlite"}"', "",
        "[collect]", "per_host_delay = 0", "per_host_concurrency = 8", "backfill_pages = 0", "",
        "[reviews]", 'fetch_pages = "unscored"', "",
        "[trending]", f'site_page = "{base}/"', 'site_selector = "ol.trending a"', "",
    ]
    for index in range(feeds):
        lines += ["[[feeds]]", f'url = "{base}/feed{index}/"', f'name = "Feed {index}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and user+system CPU seconds of one child process (CPU from GNU time: on a shared
    machine the wall clock also counts the time other processes held the cores)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%U %S", "-o", report.name, *args], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.decode()}")
        user, system = report.read().split()[-2:]
    return wall, float(user) + float(system)


def _requests(base: str) -> tuple[int, int]:
    import urllib.request

    with urllib.request.urlopen(f"{base}/count") as answer:  # noqa: S310 (loopback)
        ok, not_modified = answer.read().decode().split()
    return int(ok), int(not_modified)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=6)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="one round, to check the script runs")
    parser.add_argument("--profile", action="store_true", help="also print where one re-collect spends")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats

    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(send, args.feeds, args.items), daemon=True)
    server.start()
    base = receive.recv()
    # Children run as an installed tool does: with byte-code caches (this sandbox may disable them).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    try:
        with tempfile.TemporaryDirectory(prefix="digest-recollect-") as tmp:
            folder = Path(tmp)
            config_path = write_config(folder, base, args.feeds)
            from digest.collect.collector import run_collect
            from digest.settings.config import load_config
            from digest.store.database import Store

            config = load_config(config_path)

            def clock() -> datetime:
                return datetime.now(UTC)

            with Store.open(config.store_path) as store:
                started = time.perf_counter()
                first = run_collect(config, store, clock)
                print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
                      f"{os.getloadavg()[0]:.1f}; {args.feeds} feeds x "
                      f"{args.items} items on {base}")
                print(f"first collect: {sum(o.new for o in first.outcomes)} entries, "
                      f"{first.pages_fetched} article pages, {first.trending_links} trending links, "
                      f"{time.perf_counter() - started:.3f} s")
                run_collect(config, store, clock)  # warm-up
                before = _requests(base)
                report = run_collect(config, store, clock)
                after = _requests(base)
                statuses = sorted({o.status for o in report.outcomes})
                print(f"one re-collect: feeds {', '.join(statuses)}; requests served: "
                      f"{after[0] - before[0]} x 200, {after[1] - before[1]} x 304")
                if args.profile:
                    import cProfile
                    import pstats

                    profile = cProfile.Profile()
                    profile.runcall(run_collect, config, store, clock)
                    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
                walls, cpus = [], []
                for _ in range(repeats):
                    wall, cpu = time.perf_counter(), time.process_time()
                    run_collect(config, store, clock)
                    cpus.append(time.process_time() - cpu)
                    walls.append(time.perf_counter() - wall)
            commands = {
                "python -c pass": [sys.executable, "-c", "pass"],
                "digest --help": [str(DIGEST), "--help"],
                "digest feeds (config + store)": [str(DIGEST), "--config", str(config_path), "feeds"],
                "digest collect, all 304": [str(DIGEST), "--config", str(config_path), "collect", "-q"],
            }
            runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
            for _ in range(repeats):  # interleaved, so load from elsewhere hits them all
                for name, command in commands.items():
                    runs[name].append(_child(command, env))
    finally:
        server.terminate()
        server.join()
    med = statistics.median
    print(f"in process: run_collect, all 304        CPU {med(cpus):.3f} s (best {min(cpus):.3f}), "
          f"wall {med(walls):.3f} s")
    cpu = {name: med(c for _, c in values) for name, values in runs.items()}
    for name, values in runs.items():
        print(f"CLI: {name:<34} CPU {cpu[name]:.3f} s, wall {med(w for w, _ in values):.3f} s")
    collect = cpu["digest collect, all 304"]
    beyond = {name: collect - cpu[name] for name in ("python -c pass", "digest --help",
                                                      "digest feeds (config + store)")}
    print(f"goal: <= {GOAL_SECONDS} s beyond start-up. In process {med(cpus):.3f} s CPU; the CLI collect is "
          + ", ".join(f"{extra:+.3f} s CPU beyond {name}" for name, extra in beyond.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
