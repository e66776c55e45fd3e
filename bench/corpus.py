"""`digest init` on real review sites, measured against what a person read on each (issue 20).

    .venv/bin/python bench/corpus.py                       # every site in tests/data/sites
    .venv/bin/python bench/corpus.py tests/data/sites --only hugo-caalden-film,wp-lapizlazulai
    .venv/bin/python bench/corpus.py --json out/corpus.json --keep /tmp/corpus-runs

Each site folder holds ``SOURCES.md`` (its published address), ``labels.toml`` (one ``[[post]]``
per post: ``url``, ``review``, ``score`` + ``scale`` or ``unscored_reason``, ``decoys``) and
``site/``. For each site the script serves ``site/`` on 127.0.0.1 as its host would
(``tests/helpers/sites.py``), then, each a fresh process as an editor would run them:

1. ``digest init <loopback home> --config <tmp>/digest.toml`` (timed);
2. with only what init wrote, ``digest collect --now <newest post + 3 days>`` (timed);
3. every stored post, read with the library call ``digest reviews`` makes
   (``reviews_in_window``; the command itself lists one ISO week only) over a window holding
   every post, and compared with the labels.

Figures: reviews recognised (recall) and non-reviews taken as reviews; score recall (correct
scores / labelled scores) and precision (correct / scores given on labelled posts: a wrong value,
a different scale, a score on a post labelled unscored or a decoy read all count against it);
the feeds and sections init proposed; its timezone against every UTC offset the site's feeds and
pages carry; init's and collect's wall time. Then every miss, with what digest said about it.

A measurement, not a test: it exits 0 whatever the figures (only a broken run exits non-zero).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.corpus import SITES, canonical, corpus_sites, dates_seen, load_labels, score_verdict  # noqa: E402
from helpers.sites import ServedSite, serve_site  # noqa: E402

DIGEST = Path(sys.executable).with_name("digest")
MAX_DAYS = 36_500  # digest.bounds.MAX_DAYS: the largest page_max_age_days a config may hold


@dataclass
class Miss:
    url: str
    kind: str  # "review missed", "non-review taken", "score missed", "score wrong", "not collected" …
    detail: str


@dataclass
class SiteResult:
    site: str
    engine: str
    posts: int = 0
    reviews: int = 0
    recognised: int = 0
    non_reviews: int = 0
    taken: int = 0
    scores: int = 0
    scores_right: int = 0
    scores_given: int = 0
    collected: int = 0
    unlabelled: int = 0
    feeds: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    by_section: dict[str, int] = field(default_factory=dict)
    timezone: str = ""
    timezone_note: str = ""
    offsets_seen: list[str] = field(default_factory=list)
    timezone_ok: bool = False
    review_rules: dict[str, list[str]] = field(default_factory=dict)
    init_seconds: float = 0.0
    init_requests: int = 0
    collect_seconds: float = 0.0
    collect_requests: int = 0
    now: str = ""
    error: str = ""
    misses: list[Miss] = field(default_factory=list)
    # Diagnostic, not the measurement: the same collect with every article page read
    # (page_max_age_days at its maximum), to tell the score rules apart from the page-age limit.
    all_pages_right: int = 0
    all_pages_given: int = 0
    all_pages_misses: list[Miss] = field(default_factory=list)

    def ratio(self, part: int, whole: int) -> str:
        return f"{part / whole:.2f}" if whole else "-"


def engine_of(folder: Path) -> str:
    return folder.name.split("-", 1)[0]


def offset_text(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def digest(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = subprocess.run([str(DIGEST), *args], capture_output=True, text=True, timeout=900)
    return time.monotonic() - started, done


def measure(folder: Path, work: Path, *, all_pages: bool) -> SiteResult:
    from digest.settings.config import load_config

    result = SiteResult(site=folder.name, engine=engine_of(folder))
    labels = {canonical(p["url"]): p for p in load_labels(folder)}
    result.posts = len(labels)
    seen = dates_seen(folder / "site")
    result.offsets_seen = sorted({offset_text(d) for d in seen})
    newest = max((d for d in seen if d <= datetime.now(UTC)), default=datetime.now(UTC))
    config_path = work / folder.name / "digest.toml"
    config_path.parent.mkdir(parents=True, exist_ok=True)
    with serve_site(folder) as site:
        result.init_seconds, done = digest("init", site.url, "--config", str(config_path), "--force")
        result.init_requests = len(site.requests)
        if done.returncode != 0:
            result.error = f"init failed ({done.returncode}): {(done.stdout + done.stderr).strip()[-400:]}"
            return result
        config = load_config(config_path)
        tz = config.site.tz
        result.timezone = config.site.timezone
        note = re.search(r"^# (.*)\ntimezone =", config_path.read_text(encoding="utf-8"), re.MULTILINE)
        result.timezone_note = note.group(1) if note else ""
        # Feeds and sitemaps often write build times in UTC: a +00:00 stamp is a moment, not the
        # site's zone, whenever the site's posts carry another offset.
        local = [d for d in seen if d.utcoffset()] or seen
        result.timezone_ok = all(d.utcoffset() == d.astimezone(tz).utcoffset() for d in local)
        result.feeds = [site.to_published(f.url) for f in config.feeds]
        result.sections = [s.name for s in config.sections]
        result.review_rules = {"categories": list(config.reviews.categories),
                               "title_patterns": list(config.reviews.title_patterns),
                               "url_patterns": list(config.reviews.url_patterns)}
        now = (newest + timedelta(days=3)).astimezone(tz).strftime("%Y-%m-%dT%H:%M")
        result.now = now
        before = len(site.requests)
        result.collect_seconds, done = digest("--config", str(config_path), "collect", "--now", now, "-q")
        result.collect_requests = len(site.requests) - before
        if done.returncode != 0:
            result.error = f"collect exited {done.returncode}: {(done.stdout + done.stderr).strip()[-400:]}"
        compare(result, labels, stored_reviews(config_path), site)
        if all_pages:
            text = config_path.read_text(encoding="utf-8")
            diag_path = config_path.parent / "all-pages" / "digest.toml"
            diag_path.parent.mkdir(exist_ok=True)
            unlimited = f"\n[reviews]\npage_max_age_days = {MAX_DAYS}\n"
            diag_path.write_text(text.replace("\n[reviews]\n", unlimited, 1), encoding="utf-8")
            digest("--config", str(diag_path), "collect", "--now", now, "-q")
            diag = SiteResult(site=folder.name, engine=result.engine)
            compare(diag, labels, stored_reviews(diag_path), site)
            result.all_pages_right, result.all_pages_given = diag.scores_right, diag.scores_given
            result.all_pages_misses = [m for m in diag.misses if m.kind.startswith("score")]
    return result


def stored_reviews(config_path: Path) -> list[Any]:
    """Every stored post, analysed as `digest reviews` does (over a window that holds them all)."""
    from digest.reviews.rules import ReviewRules, reviews_in_window
    from digest.settings.config import load_config
    from digest.store.database import Store

    config = load_config(config_path)
    with Store.open(config.store_path) as store:
        return reviews_in_window(store, ReviewRules.from_config(config),
                                 datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))


def compare(result: SiteResult, labels: dict[str, dict[str, Any]], found: list[Any], site: ServedSite) -> None:
    stored = {canonical(site.to_published(r.link)): r for r in found}
    result.unlabelled = len(set(stored) - set(labels))
    for url, label in labels.items():
        is_review = bool(label.get("review"))
        result.reviews += is_review
        result.non_reviews += not is_review
        result.scores += is_review and "score" in label
        got = stored.get(url)
        if got is None:
            if is_review:
                result.misses.append(Miss(url, "not collected", "in no proposed feed (or dropped by collect)"))
            continue
        result.collected += 1
        what = f"title {got.title!r}, categories {list(got.categories)}, section {got.section!r}"
        if got.is_review:
            result.by_section[got.section] = result.by_section.get(got.section, 0) + 1
        if is_review and not got.is_review:
            result.misses.append(Miss(url, "review missed", what))
        if not is_review and got.is_review:
            result.taken += 1
            result.misses.append(Miss(url, "non-review taken", what))
        result.recognised += is_review and got.is_review
        if got.score is not None:
            result.scores_given += 1
            wrong = score_verdict(label, got.score.value, got.score.raw, got.score.scale)
            if wrong is None:
                result.scores_right += 1
            else:
                result.misses.append(Miss(url, "score wrong", f"{wrong}: read {got.score.raw!r} "
                                          f"({got.score.source}, scale {got.score.scale})"))
        elif is_review and "score" in label:
            why = got.unscored_reason or ("not a review, so not analysed" if not got.is_review else "")
            result.misses.append(Miss(url, "score missed",
                                      f"labelled {label['score']}/{label.get('scale', 10)}; digest: {why}"))


def table(results: list[SiteResult]) -> str:
    head = ("site", "engine", "posts", "reviews", "recog", "recall", "non-rev", "taken", "scores", "s.recall",
            "s.prec", "s.recall all pages", "feeds", "sections", "tz", "tz ok", "init s", "collect s")
    rows = [head]
    for r in results:
        rows.append((r.site, r.engine, str(r.posts), str(r.reviews), str(r.recognised),
                     r.ratio(r.recognised, r.reviews), str(r.non_reviews), str(r.taken), str(r.scores),
                     r.ratio(r.scores_right, r.scores), r.ratio(r.scores_right, r.scores_given),
                     f"{r.ratio(r.all_pages_right, r.scores)} "
                     f"(prec {r.ratio(r.all_pages_right, r.all_pages_given)})",
                     str(len(r.feeds)), str(len(r.sections)), r.timezone, "yes" if r.timezone_ok else "NO",
                     f"{r.init_seconds:.1f}", f"{r.collect_seconds:.1f}"))
    tot = [sum(getattr(r, k) for r in results) for k in ("reviews", "recognised", "non_reviews", "taken",
                                                          "scores", "scores_right", "scores_given")]
    rows.append(("all", "", str(sum(r.posts for r in results)), str(tot[0]), str(tot[1]),
                 f"{tot[1] / tot[0]:.2f}" if tot[0] else "-", str(tot[2]), str(tot[3]), str(tot[4]),
                 f"{tot[5] / tot[4]:.2f}" if tot[4] else "-", f"{tot[5] / tot[6]:.2f}" if tot[6] else "-",
                 "", "", "", "", "", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def details(r: SiteResult) -> str:
    out = [f"\n## {r.site} ({r.engine}): init {r.init_seconds:.1f} s / {r.init_requests} requests, "
           f"collect --now {r.now} {r.collect_seconds:.1f} s / {r.collect_requests} requests"]
    if r.error:
        out.append(f"  ERROR: {r.error}")
    out.append(f"  feeds ({len(r.feeds)}): " + ", ".join(r.feeds))
    out.append(f"  sections: {r.sections}; reviews by section: {r.by_section}")
    out.append(f"  review rules: {r.review_rules}")
    out.append(f"  timezone {r.timezone!r} ({r.timezone_note}); offsets seen {r.offsets_seen}")
    out.append(f"  labelled posts collected {r.collected}/{r.posts}; stored but unlabelled {r.unlabelled}")
    for m in r.misses:
        out.append(f"  - {m.kind}: {m.url}\n      {m.detail}")
    if r.all_pages_misses:
        out.append("  with every article page read (diagnostic, page_max_age_days at its maximum):")
    for m in r.all_pages_misses:
        out.append(f"  - {m.kind}: {m.url}\n      {m.detail}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=str(SITES), help="folder of site folders")
    parser.add_argument("--only", default="", help="comma-separated site folder names")
    parser.add_argument("--json", default="out/corpus-results.json", help="where to write the figures as JSON")
    parser.add_argument("--no-all-pages", action="store_true",
                        help="skip the diagnostic second collect that reads every article page")
    parser.add_argument("--keep", default="", help="keep each site's config and store in this folder")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    sites = [d for d in corpus_sites(Path(args.corpus)) if not only or d.name in only]
    if not sites:
        sys.exit(f"no site folders (with labels.toml and site/) in {args.corpus}")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(args.keep) if args.keep else Path(scratch)
        for folder in sites:
            print(f"… {folder.name}", file=sys.stderr, flush=True)
            try:
                results.append(measure(folder, work, all_pages=not args.no_all_pages))
            except Exception as error:  # noqa: BLE001 - one site's broken copy must not stop the rest
                results.append(SiteResult(site=folder.name, engine=engine_of(folder),
                                          error=f"{type(error).__name__}: {error}"))
    print(table(results))
    for r in results:
        print(details(r))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.json}")


if __name__ == "__main__":
    main()
