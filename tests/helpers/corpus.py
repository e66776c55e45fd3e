"""The labelled corpus of real review sites (tests/data/sites): its labels, its dates, and how a score
digest gave compares with the one a person read. Shared by the end-to-end corpus test and bench/corpus.py,
so the suite and the bench judge a site the same way."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SITES = Path(__file__).resolve().parent.parent / "data" / "sites"
SKIP = {"static-draculascave"}  # a second copy of wp-draculascave

# Items' pubDate only: a channel's lastBuildDate says when (in Hugo, from which section front matter) the
# feed was built, not when a post was published, so it is no evidence of the site's zone.
RFC822 = re.compile(r"<pubDate>([^<]+)</", re.IGNORECASE)
ISO = re.compile(r"(?:<(?:updated|published|dc:date)>"
                 r"|(?:published_time|modified_time|datePublished|dateModified)\"?\s*(?:content=|:)\s*\""
                 r"|datetime=\")"
                 r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)")


def canonical(url: str) -> str:
    """A post URL as labels write it: no fragment or query, no trailing index.html, lower-case host."""
    parts = urlsplit(url.strip())
    path = re.sub(r"/index\.html?$", "/", parts.path)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def dates_seen(site_dir: Path) -> list[datetime]:
    """Every dated timestamp in the site's feeds and pages (offset kept), the zero dates left out."""
    found: list[datetime] = []
    for path in site_dir.rglob("*"):
        if path.suffix.lower() not in (".xml", ".rss", ".atom", ".html", ".htm") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for raw in RFC822.findall(text):
            try:
                found.append(parsedate_to_datetime(raw.strip()))
            except (TypeError, ValueError, IndexError):
                continue
        for raw in ISO.findall(text):
            try:
                found.append(datetime.fromisoformat(raw.replace(" ", "T").replace("Z", "+00:00")))
            except ValueError:
                continue
    return [d for d in found if d.tzinfo is not None and 1990 < d.year < 2100]


def load_labels(folder: Path) -> list[dict[str, Any]]:
    with (folder / "labels.toml").open("rb") as handle:
        posts: list[dict[str, Any]] = tomllib.load(handle).get("post", [])
    return posts


def score_verdict(label: dict[str, Any], value: float, raw: str, scale: str) -> str | None:
    """None when the score is the labelled one; else why it is not."""
    if "score" not in label:
        decoys = [d for d in label.get("decoys", []) if raw and (raw in d or d in raw)]
        return f"decoy taken ({decoys[0]!r})" if decoys else "score on a post labelled unscored"
    want_scale = str(label.get("scale", 10)).removesuffix(".0")
    got_scale = "5" if scale == "stars" else scale
    want = float(label["score"]) * 10 / float(want_scale)
    if got_scale != want_scale:
        return f"scale {scale}, labelled /{want_scale}"
    if abs(value - want) > 0.051:
        return f"value {value:.2f}/10, labelled {label['score']}/{want_scale} = {want:.2f}/10"
    return None


def corpus_sites(root: Path = SITES) -> list[Path]:
    """Every site folder with its labels and its files, by name."""
    return [d for d in sorted(root.iterdir())
            if (d / "labels.toml").is_file() and (d / "site").is_dir() and d.name not in SKIP]
