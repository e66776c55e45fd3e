"""How long one hostile, huge feed holds a collect: a 100,000-item feed served on loopback.

Prints the parse time of the whole document next to the capped one, and what a real
``run_collect`` did with it (seconds, requests, items kept, pages fetched and deferred).
A script for a person to read; it asserts nothing about speed.

    .venv/bin/python bench/bounds.py [--items 100000] [--cap 500] [--budget 300]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from digest.collect.collector import run_collect
from digest.collect.feeds import parse_feed
from digest.collect.repair import cap_items
from digest.settings.config import load_config
from digest.store.database import Store


def feed(base: str, items: int) -> bytes:
    body = "".join(
        f"<item><title>REVIEW: Post {n}</title><link>{base}/p/{n}/</link><guid>g{n}</guid>"
        f"<pubDate>Sun, 19 May 2024 10:00:00 +0000</pubDate><category>Reviews</category></item>"
        for n in range(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>{base}/</link>'
            f"{body}</channel></rss>").encode()


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--items", type=int, default=100_000)
    args.add_argument("--cap", type=int, default=500)
    args.add_argument("--budget", type=int, default=300)
    options = args.parse_args()
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            body = document if self.path == "/feed/" else b"<html><body><p>Rating: 7/10</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml" if self.path == "/feed/" else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    document = feed(base, options.items)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    started = time.perf_counter()
    whole = len(parse_feed(document, {}, base).entries)
    whole_s = time.perf_counter() - started
    started = time.perf_counter()
    capped = len(parse_feed(cap_items(document, options.cap)[0], {}, base).entries)
    capped_s = time.perf_counter() - started
    print(f"feed: {options.items} items, {len(document) / 1e6:.1f} MB")
    print(f"parse whole: {whole} items in {whole_s:.2f}s; capped at {options.cap}: {capped} items in "
          f"{capped_s:.2f}s ({whole_s / capped_s:.0f}x faster)")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "digest.toml"
        path.write_text(
            f'[site]\nname = "Bench"\nurl = "{base}/"\n[store]\npath = "s.sqlite"\n'
            f"[collect]\nmax_bytes = 50000000\nper_host_delay = 0\nconcurrency = 8\nper_host_concurrency = 8\n"
            f"max_items_per_feed = {options.cap}\nmax_page_fetches = {options.budget}\n"
            f'[[feeds]]\nurl = "{base}/feed/"\n', encoding="utf-8")
        config = load_config(path)
        with Store.open(config.store_path) as store:
            started = time.perf_counter()
            report = run_collect(config, store, lambda: datetime(2024, 5, 20, tzinfo=UTC))
            seconds = time.perf_counter() - started
    server.shutdown()
    print(f"collect: {seconds:.2f}s, {len(requests)} requests; kept {report.outcomes[0].new} items; "
          f"{report.pages_fetched} pages fetched, {report.pages_deferred} deferred to the next collect")


if __name__ == "__main__":
    main()
