"""Every analysis of every captured post and page stays exactly what it was (issue 23).

The readers (score, TL;DR, lead image and its sizes, why a review is unscored) are made faster
without changing what they find: this pins ``analyse_html``'s full result, as a hash of its repr
beside its score for a readable failure, over

* every post of the demo, collected offline through its mirrors, with its article page;
* every entry of every real feed in ``tests/data/feeds/real`` and of every corpus site's feeds;
* every page of every corpus site (``tests/data/sites``), read as an article page and as content.

A change meant to alter what the readers find rewrites the pins on purpose:
``.venv/bin/python tests/test_analysis_pinned.py --write``, and the diff shows which results moved.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_jobs_demo import demo_config

from digest.collect.feeds import parse_feed
from digest.errors import DigestError
from digest.models import Analysis
from digest.reviews.rules import ReviewRules, analyse_html
from digest.settings.config import load_config
from digest.store.heads import analysis_sources
from digest.store.lock import open_store

DATA = Path(__file__).resolve().parent / "data"
PINS = DATA / "analysis" / "pinned.json"
ENOUGH = 1500  # the corpora hold more results than this: a loader that finds nothing fails


def _pin(found: Analysis) -> list[object]:
    digest = hashlib.blake2b(repr(found).encode("utf-8"), digest_size=12).hexdigest()
    return [digest, found.score.raw if found.score else None]


def _demo(rules_dir: Path) -> Iterator[tuple[str, Analysis]]:
    config = demo_config(rules_dir)
    subprocess.run([sys.executable, "-c", "from digest.cli import main; main()", "--config", str(config),
                    "collect", "--quiet", "--now", "2025-05-19T08:00"], check=True, cwd=rules_dir)
    settings = load_config(config)
    rules = ReviewRules.from_config(settings)
    with open_store(settings.store_path, lock=False) as store:
        ids = [row[0] for row in store.db.execute("SELECT id FROM entries ORDER BY id")]
        sources = list(analysis_sources(store, ids))
    for s in sources:
        yield f"demo {s.link}", analyse_html(rules, s.link, s.content, s.summary, s.extras, s.images,
                                             s.page_body or None)


def _feeds(rules: ReviewRules) -> Iterator[tuple[str, Analysis]]:
    files = sorted((DATA / "feeds" / "real").glob("*.xml")) + sorted((DATA / "sites").glob("*/site/**/*.xml"))
    for path in files:
        try:
            parsed = parse_feed(path.read_bytes(), {}, "https://example.org/feed")
        except DigestError:
            continue  # a sitemap, or a feed the collector refuses: nothing to analyse
        name = path.relative_to(DATA).as_posix()
        for index, e in enumerate(parsed.entries):
            yield f"feed {name} #{index}", analyse_html(rules, e.link, e.content, e.summary, e.extras,
                                                        e.images, None)


def _pages(rules: ReviewRules) -> Iterator[tuple[str, Analysis]]:
    """Each page with the demo's settings, and with the options an editor may set (a score selector,
    letter grades, a confirmed bare scale) so their readers are pinned too."""
    tuned = ReviewRules(rules.settings.model_copy(update={
        "score_selector": ".review-score, .rating, .score, strong", "letter_grades": True,
        "bare_score_best": 5}), rules.sections)
    for path in sorted((DATA / "sites").glob("*/site/**/*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        name = path.relative_to(DATA).as_posix()
        site, _, rest = path.relative_to(DATA / "sites").as_posix().partition("/site/")
        link = f"https://{site}.example/{rest}"  # relative image URLs resolve to https, as on the site
        yield f"page {name}", analyse_html(rules, link, "", "", (), (), html)
        yield f"content {name}", analyse_html(rules, link, html, "", (), (), None)
        yield f"tuned {name}", analyse_html(tuned, link, "", "", (), (), html)


def current() -> dict[str, list[object]]:
    with tempfile.TemporaryDirectory() as tmp:
        demo = list(_demo(Path(tmp)))
        rules = ReviewRules.from_config(load_config(demo_config(Path(tmp))))
    found = dict(demo)
    found.update(_feeds(rules))
    found.update(_pages(rules))
    return {key: _pin(value) for key, value in found.items()}


@pytest.fixture(scope="module")
def pinned_now() -> dict[str, list[object]]:
    return current()


def test_every_captured_post_and_page_is_analysed_as_pinned(pinned_now: dict[str, list[object]]) -> None:
    pinned = json.loads(PINS.read_text(encoding="utf-8"))
    assert len(pinned) > ENOUGH and sorted(pinned) == sorted(pinned_now)
    moved = {key: (pinned[key], pinned_now[key]) for key in pinned if pinned[key] != pinned_now[key]}
    assert not moved, f"{len(moved)} analyses changed, e.g. {list(moved.items())[:5]}"


def test_the_pins_cover_scores_from_every_kind_of_document(pinned_now: dict[str, list[object]]) -> None:
    kinds = {key.split(" ", 1)[0] for key, (_, raw) in pinned_now.items() if raw}
    assert kinds == {"demo", "feed", "page", "content", "tuned"}


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    PINS.parent.mkdir(exist_ok=True)
    lines = (f"{json.dumps(key)}: {json.dumps(pin)}" for key, pin in sorted(current().items()))
    PINS.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")  # a line a result: readable diffs
