"""A build with ``--now`` sees only what was known at that moment: a replayed week is the week
the editor would have got.

Three real collects of a WordPress feed served on 127.0.0.1, through the CLI: Saturday and
Sunday (reviews A and B, A's comments growing), then Monday 10:00 after the usual 08:00 build
(review C appears, backdated to Saturday, and A's comments jump). Replaying Monday 08:00 after
that must neither offer C nor read A's Monday count, and must match what ``explain`` said before
Monday's collect ever happened.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers.configfile import write_config
from helpers.server import RSS_TYPE, FeedServer, Reply, Seen
from helpers.wordpress import Post, rss

from digest.cli import main
from digest.reviews.rules import ReviewRules, reviews_between
from digest.select.selection import known_at
from digest.settings.config import load_config
from digest.store.database import Store
from digest.store.heads import comment_histories

A = Post(5201, "Review: Salt and Ash", datetime(2024, 5, 16, 15, 0, tzinfo=UTC), ("Reviews", "Film"),
         body="<p>A patient, bitter drama.</p><p><strong>Score: 7/10</strong></p>")
B = Post(5202, "Review: The Quiet Orbit", datetime(2024, 5, 17, 15, 0, tzinfo=UTC), ("Reviews", "Games"),
         body="<p>Small, lovely, slow.</p><p><strong>Score: 8/10</strong></p>")
# Published Saturday, but first in the feed on Monday at 10:00 (a scheduled post fixed late).
C = Post(5203, "Review: Glass Cathedral", datetime(2024, 5, 18, 15, 0, tzinfo=UTC), ("Reviews", "Film"),
         body="<p>The best film of the month.</p><p><strong>Score: 9/10</strong></p>")

# What the feed says at each collect (site time, America/Chicago): post -> comment count.
COLLECTS: list[tuple[str, dict[int, int]]] = [
    ("2024-05-18T07:00", {A.id: 2, B.id: 1}),
    ("2024-05-19T17:00", {A.id: 10, B.id: 3}),
    ("2024-05-20T10:00", {A.id: 40, B.id: 3, C.id: 5}),
]
POSTS = {p.id: p for p in (A, B, C)}
BEFORE_MONDAY_COLLECT = "2024-05-20T08:00"
AFTER_MONDAY_COLLECT = "2024-05-20T11:00"


def cli(path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(path), *args])
    return result.exit_code, result.output


def serve(server: FeedServer) -> tuple[str, list[dict[int, int]]]:
    """The feed, answering with whatever the last entry of the returned list holds."""
    shown: list[dict[int, int]] = []

    def answer(_seen: Seen) -> Reply:
        counts = shown[-1]
        posts = [replace(POSTS[i], comments=n) for i, n in counts.items()]
        posts.sort(key=lambda p: p.published or datetime.min.replace(tzinfo=UTC), reverse=True)
        return Reply(body=rss(posts, site=server.base), headers={"Content-Type": RSS_TYPE})

    return server.route("/feed/", answer), shown


def site_config(folder: Path, url: str) -> Path:
    """The test config, where a week of two scored reviews is a week worth an issue."""
    path = write_config(folder, [url])
    with path.open("a", encoding="utf-8") as out:
        out.write("\n[select]\nmin_scored_reviews = 1\ntop_count = 1\ntrending_count = 1\n")
    return path


def collect(config: Path, shown: list[dict[int, int]], step: int) -> None:
    when, counts = COLLECTS[step]
    shown.append(counts)
    code, out = cli(config, "collect", "--now", when, "-q")
    assert code == 0, out


def explained(config: Path, *args: str) -> dict[str, Any]:
    code, out = cli(config, "explain", "--json", *args)
    assert code == 0, out
    manifest: dict[str, Any] = json.loads(out)["manifest"]
    return manifest


def choice(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the editor got: picks with their counts, reasons and signals, and the near-misses."""
    keys = ("picks", "near_misses", "signals_available", "scored_reviews", "trending_note", "window")
    return {key: manifest[key] for key in keys}


def titles(manifest: dict[str, Any]) -> set[str]:
    return {p["title"] for p in manifest["picks"]} | {m["title"] for m in manifest["near_misses"]}


def trending(manifest: dict[str, Any]) -> dict[str, str]:
    """Trending picks: title -> comments gained, as the comments signal states it."""
    return {p["title"]: s["detail"] for p in manifest["picks"] if p["kind"] == "trending"
            for s in p["signals"] if s["name"] == "comments"}


def test_a_replayed_build_sees_only_what_was_known_at_now(feed_server: FeedServer, tmp_path: Path) -> None:
    url, shown = serve(feed_server)
    config = site_config(tmp_path, url)
    collect(config, shown, 0)
    collect(config, shown, 1)
    then = explained(config, "--week", "2024-W20", "--now", BEFORE_MONDAY_COLLECT)
    # A gained 10: from 0 at publication, 2 on Saturday, 10 on Sunday.
    assert trending(then) == {A.title: "+10 comments in the last 14 days"}

    collect(config, shown, 2)  # C appears; A's count jumps to 40
    code, out = cli(config, "build", "--now", BEFORE_MONDAY_COLLECT)
    assert code == 0, out
    assert ("warning: 1 review of this week first collected after Mon 2024-05-20 08:00 (this build's --now) "
            "left out; a later --now, or none, includes them") in out.splitlines()
    html = next(tmp_path.glob("out/**/digest.html")).read_text(encoding="utf-8")
    assert C.title not in html
    replayed = explained(config)
    assert C.title not in titles(replayed)
    assert trending(replayed) == {A.title: "+10 comments in the last 14 days"}  # 40 was read after 08:00
    assert choice(replayed) == choice(then)

    code, out = cli(config, "build", "--now", AFTER_MONDAY_COLLECT)
    assert code == 0, out
    html = next(tmp_path.glob("out/**/digest.html")).read_text(encoding="utf-8")
    assert C.title in html
    later = explained(config)
    assert [p["title"] for p in later["picks"] if p["kind"] == "top"] == [C.title]
    assert trending(later) == {A.title: "+40 comments in the last 14 days"}


def test_known_at_keeps_entries_first_seen_by_then_with_the_counts_seen_by_then(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """The pure step: a review unknown at ``now`` is no candidate; a count read later is no count."""
    url, shown = serve(feed_server)
    config = site_config(tmp_path, url)
    for step in range(3):
        collect(config, shown, step)
    with Store.open(tmp_path / "var" / "digest.sqlite") as store:
        rules = ReviewRules.from_config(load_config(config))
        reviews = reviews_between(store, rules, None, None, reviews_only=True)
        monday_8 = datetime(2024, 5, 20, 13, 0, tzinfo=UTC)
        history = comment_histories(store, (r.entry_id for r in reviews), monday_8 + timedelta(days=1))
    assert {r.title: r.comments for r in reviews} == {A.title: 40, B.title: 3, C.title: 5}

    kept = known_at(reviews, history, monday_8)

    assert {r.title: r.comments for r in kept} == {A.title: 10, B.title: 3}
    sunday = datetime(2024, 5, 19, 12, 0, tzinfo=UTC)
    assert {r.title: r.comments for r in known_at(reviews, history, sunday)} == {A.title: 2, B.title: 1}


def test_a_week_collected_only_after_now_is_thin_and_says_why(feed_server: FeedServer, tmp_path: Path) -> None:
    url, shown = serve(feed_server)
    config = site_config(tmp_path, url)
    collect(config, shown, 2)  # the store first hears of A, B and C on Monday at 10:00
    code, out = cli(config, "build", "--week", "2024-W20", "--now", BEFORE_MONDAY_COLLECT)
    assert code != 0
    assert ("2024-W20: only 0 scored reviews this week (at least 1 needed)" in out
            and "(3 reviews of this week first collected after Mon 2024-05-20 08:00 (this build's --now) left "
                "out; a later --now, or none, includes them.)" in out), out
    assert not list(tmp_path.glob("out/**/digest.html"))
    code, out = cli(config, "build", "--week", "2024-W20", "--now", AFTER_MONDAY_COLLECT)
    assert code == 0, out
