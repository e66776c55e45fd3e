"""The bundled demo site, served over a real socket, collected and read back against its labels.

config/demo/labels.json is the ground truth written when the demo was
generated (true score or none, section, review or not, for all 201 posts).
This is the end-to-end check of the reviews stage: feeds and article pages
fetched from a local HTTP server, scores found where the site put them.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from digest.collect.collector import run_collect
from digest.collect.fetch import MirrorTransport
from digest.reviews.rules import ReviewRules, reviews_in_window
from digest.settings.config import load_config
from digest.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "config" / "demo"
HOST = "https://secondscreen.example"
NOW = datetime(2025, 5, 19, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A copy of the demo site whose links point at a local server, and that server."""
    site = tmp_path_factory.mktemp("demo") / "site"
    shutil.copytree(DEMO / "site", site)
    mirror = MirrorTransport(site)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            path = mirror.locate(parts.path, parts.query)
            if path is None:
                self.send_response(404)
                self.end_headers()
                return
            body = path.read_bytes()
            kind = "application/rss+xml; charset=UTF-8" if path.suffix == ".xml" else "text/html; charset=UTF-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".xml", ".html"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(HOST, base), encoding="utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def collected(demo_site: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    base, _ = demo_site
    folder = tmp_path_factory.mktemp("cfg")
    demo = (DEMO.parent / "demo.toml").read_text(encoding="utf-8")
    config_text = demo.replace(HOST, base).replace('path = "../var/demo.sqlite"', 'path = "demo.sqlite"')
    config_text = re.split(r"(?m)^\[\[mirrors\]\]", config_text)[0]  # real sockets only: no mirror
    (folder / "demo.toml").write_text(config_text, encoding="utf-8")
    config = load_config(folder / "demo.toml")
    store = Store.open(config.store_path)
    report = run_collect(config, store, lambda: NOW)
    yield base, config, store, report
    store.close()


def _labels(base: str) -> dict[str, dict]:
    labels = json.loads((DEMO / "labels.json").read_text(encoding="utf-8"))
    return {item["link"].replace(HOST, base): item for item in labels}


def test_every_post_is_collected_over_http(collected: tuple) -> None:
    base, _config, store, report = collected
    assert not report.failed, [o.error for o in report.failed]
    assert report.page_failures == ()
    assert store.count("entries") == len(_labels(base)) == 201
    assert report.trending_links == 7


def test_scores_sections_and_review_flags_match_the_labels(collected: tuple) -> None:
    base, config, store, _ = collected
    labels = _labels(base)
    found = reviews_in_window(store, ReviewRules.from_config(config), datetime(2025, 1, 1, tzinfo=UTC), NOW)
    assert {r.link for r in found} == set(labels)
    wrong, invented, missed, correct = [], [], [], 0
    for review in found:
        truth = labels[review.link]
        assert review.is_review == truth["is_review"], review.title
        if not review.is_review:
            assert review.score is None
            continue
        assert review.section == truth["section"], review.title
        if truth["score"] is None:
            if review.score is not None:
                invented.append((review.title, review.score))
        elif review.score is None:
            missed.append(review.title)
        elif review.score.value != truth["score"]:
            wrong.append((review.title, review.score.value, truth["score"]))
        else:
            correct += 1
    scored = sum(1 for t in labels.values() if t["is_review"] and t["score"] is not None)
    print(f"\ndemo: {scored} scored reviews labelled; {correct} correct, {len(wrong)} wrong, "
          f"{len(invented)} invented, {len(missed)} missed")
    assert not invented and not wrong
    assert correct / scored >= 0.95, missed


def test_scores_from_pages_survive_the_related_and_trending_traps(collected: tuple) -> None:
    """Pages list other posts with scores; those never become this review's score."""
    base, config, store, _ = collected
    labels = _labels(base)
    rules = ReviewRules.from_config(config)
    page_scored = [
        r for r in reviews_in_window(store, rules, datetime(2025, 1, 1, tzinfo=UTC), NOW)
        if r.score is not None and r.score.source.startswith("page")
    ]
    assert len(page_scored) >= 90
    assert all(r.score is not None and r.score.value == labels[r.link]["score"] for r in page_scored)


def test_unscored_reviews_say_why(collected: tuple) -> None:
    base, config, store, _ = collected
    rules = ReviewRules.from_config(config)
    unscored = [
        r for r in reviews_in_window(store, rules, datetime(2025, 1, 1, tzinfo=UTC), NOW)
        if r.is_review and r.score is None
    ]
    assert unscored, "the demo has genuinely unscored reviews"
    assert all(r.unscored_reason == "no score in the feed or on the article page" for r in unscored)
