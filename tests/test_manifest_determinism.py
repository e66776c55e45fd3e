"""The manifest explains every pick and near-miss, and the same store and ``now`` give the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scenario import SITE, TRENDING_PAGE, TZ, Scenario, local, make_config

from digest.job.build import choose
from digest.mail.manifest import build_manifest, dumps, format_manifest, load_manifest
from digest.select.editor import EditorChoices
from digest.weeks import parse_week

NOW = local(2025, 5, 12, 8)


def _busy_week(sc: Scenario, tmp_path: Path) -> dict[str, object]:
    """A full week: five sections, scores in feed, page and JSON-LD, comments, the site list, analytics."""
    p = {
        "andor": sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 10),
                           section="TV", tags=("Disney+", "Star Wars"), score="9.5/10", score_in="page",
                           comments={local(2025, 5, 6, 20): 14, local(2025, 5, 9, 8): 33}),
        "witch": sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 7, 9),
                           tags=("Crunchyroll",), score="8/10",
                           comments={local(2025, 5, 7, 21): 2, local(2025, 5, 11, 9): 19}),
        "apoth": sc.review("REVIEW: ‘The Apothecary Diaries’ Season 2 Episode 17", local(2025, 5, 9, 9),
                           tags=("Crunchyroll",), score="8/10", comments={local(2025, 5, 10, 9): 6}),
        "hotel": sc.review("REVIEW: ‘Apocalypse Hotel’ Episode 6 Checks In", local(2025, 5, 10, 9),
                           score="8/10", score_in="jsonld"),
        "thunder": sc.review("REVIEW: ‘Thunderbolts*’ Visualizes Depression As Only A Superhero Movie Can",
                             local(2025, 5, 5, 13), section="Film", score="7.5/10",
                             comments={local(2025, 5, 5, 20): 40, local(2025, 5, 6, 20): 41}),
        "doom": sc.review("REVIEW: ‘Doom: The Dark Ages’ Rips And Tears Through History", local(2025, 5, 8, 11),
                          section="Video Games", tags=("PS5", "PC", "Xbox Series X/S"), score="7/10",
                          score_in="page", comments={local(2025, 5, 8, 20): 5, local(2025, 5, 11, 20): 50}),
        "batman": sc.review("REVIEW: ‘Absolute Batman’ #8 Keeps Swinging", local(2025, 5, 7, 16),
                            section="Comics", tags=("DC Comics",), score="6.5/10"),
        "rust": sc.review("REVIEW: ‘Rust’ Is A Western That Cannot Escape Its Shadow", local(2025, 5, 8, 15),
                          section="Film", score=None, score_in="nowhere"),
        "eternaut": sc.review("REVIEW: ‘The Eternaut’ Is Another International Sci-Fi Hit",
                              local(2025, 5, 1, 10), section="TV", tags=("Netflix",), score="8.5/10",
                              comments={local(2025, 5, 1, 20): 3, local(2025, 5, 10, 20): 30}),
    }
    sc.post("10 ‘Sunderfolk’ Tips To Help You And Your Party Thrive", local(2025, 5, 8, 15),
            ("Features", "Video Games"), comments={local(2025, 5, 9): 80})
    sc.collect_every(local(2025, 5, 1, 12), NOW, hours=6)
    sc.snapshot(local(2025, 5, 12, 6), [f"{SITE}/2025/05/08/10-sunderfolk-tips/", p["eternaut"], p["doom"]])
    sc.record_issue(parse_week("2025-W18"), [p["eternaut"]])
    (tmp_path / "views.csv").write_text(
        "# GA4\nPage path and screen class,Views\n"
        f"{p['doom'].link.removeprefix(SITE)},4100\n{p['witch'].link.removeprefix(SITE)}?utm_source=x,900\n",
        encoding="utf-8")
    return p


def _config(tmp_path: Path):
    return make_config(
        tmp_path,
        select={"top_count": 4, "trending_count": 2, "max_per_section": 2, "near_misses": 10},
        trending={"site_page": TRENDING_PAGE, "analytics_csv": "views.csv"},
    )


@pytest.fixture
def busy(tmp_path: Path):
    sc = Scenario(tmp_path)
    posts = _busy_week(sc, tmp_path)
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "2025-W19.toml").write_text(
        f'note = "Anime week! *Witch Watch* is a delight."\ndrop = ["{posts["batman"].link}"]\n',
        encoding="utf-8")
    yield sc, posts
    sc.close()


def test_manifest_explains_every_pick_and_near_miss(busy, tmp_path: Path) -> None:
    sc, p = busy
    selection = sc.choose(_config(tmp_path), NOW)
    manifest = build_manifest(selection, "Andor, Thunderbolts* and more", TZ)

    assert manifest["issue"] == "2025-W19"
    assert manifest["now"] == "2025-05-12T08:00:00-05:00"
    assert manifest["window"] == {"start": "2025-05-05T00:00:00-05:00", "end": "2025-05-12T00:00:00-05:00"}
    assert manifest["note"] == "Anime week! *Witch Watch* is a delight."
    assert manifest["signals_available"] == ["comments", "site", "analytics"]
    assert manifest["scored_reviews"] == 7
    picks = manifest["picks"]
    assert [(x["kind"], x["position"], x["url"]) for x in picks[:4]] == [
        ("top", 1, p["andor"].link), ("top", 2, p["witch"].link),
        ("top", 3, p["apoth"].link), ("top", 4, p["thunder"].link)]
    first = picks[0]
    assert first["section"] == "TV" and first["score"] == 9.5 and first["score_raw"] == "9.5/10"
    assert first["score_source"] == "page-text"
    assert first["title"] == "REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best"
    assert first["published"] == "2025-05-06T10:00:00-05:00"
    assert first["reasons"][0] == "highest score of the week"
    trending = [x for x in picks if x["kind"] == "trending"]
    # The Eternaut was featured in W18; Doom leads on comments, the site list and views.
    assert [x["url"] for x in trending][0] == p["doom"].link
    assert p["eternaut"].link not in [x["url"] for x in picks]
    doom = trending[0]
    assert {s["name"] for s in doom["signals"]} == {"comments", "site", "analytics"}
    assert all(set(s) == {"name", "raw", "normalised", "detail"} for s in doom["signals"])
    assert doom["trend_score"] > 0
    misses = {m["url"]: m["reason"] for m in manifest["near_misses"]}
    assert misses[p["hotel"].link] == "section cap: already 2 from Anime"
    assert misses[p["batman"].link] == "dropped by the editor"
    assert misses[p["eternaut"].link] == "trending, but featured in 2025-W18 (not repeated for 4 weeks)"
    assert misses[p["rust"].link].startswith("unscored:")
    assert not set(misses) & {x["url"] for x in picks}
    assert manifest["warnings"] == []

    table = format_manifest(manifest)
    assert "signals available: comments, site, analytics" in table
    assert "<- section cap: already 2 from Anime" in table


def test_same_store_and_now_give_byte_identical_manifests(busy, tmp_path: Path) -> None:
    sc, _ = busy
    config = _config(tmp_path)
    first = dumps(build_manifest(sc.choose(config, NOW), "subject", TZ))
    second = dumps(build_manifest(sc.choose(config, NOW), "subject", TZ))
    assert first == second
    assert first.encode("utf-8") == second.encode("utf-8")
    assert first.endswith("}\n") and "‘Andor’" in first  # UTF-8 kept, not \u escapes
    assert list(json.loads(first)) == sorted(json.loads(first))

    copy = sc.copy_store("copy.sqlite")
    try:
        from_copy = dumps(build_manifest(choose(config, copy, NOW, None, None), "subject", TZ))
    finally:
        copy.close()
    assert from_copy == first

    # An explicit --week and --now give the same issue as the default.
    explicit_selection = sc.choose(config, NOW, parse_week("2025-W19"), EditorChoices())
    explicit = dumps(build_manifest(explicit_selection, "subject", TZ))
    assert explicit == first
    # A different now is a different (but again stable) manifest.
    later = dumps(build_manifest(sc.choose(config, local(2025, 5, 12, 20)), "subject", TZ))
    assert later != first


def test_manifest_round_trips_through_the_file(busy, tmp_path: Path) -> None:
    sc, _ = busy
    text = dumps(build_manifest(sc.choose(_config(tmp_path), NOW), "subject", TZ))
    path = tmp_path / "out" / "2025-W19" / "manifest.json"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    assert dumps(load_manifest(path)) == text


def test_tldr_keeps_the_opening_quote_of_a_title(busy, tmp_path: Path) -> None:
    """The TL;DR of a review that opens with the quoted title keeps its opening quote."""
    sc, p = busy
    selection = sc.choose(_config(tmp_path), NOW)
    pick = next(x for x in selection.picks if x.review.link == p["witch"].link)
    assert pick.review.tldr == "‘Witch Watch’ Episode 5 — “Cat Scout” is worth your time."


def test_a_rebuild_with_the_same_now_after_more_collects_gives_the_same_issue(tmp_path: Path) -> None:
    """--week/--now reproduce an issue: comment counts (tie-breaks, the manifest) are taken as of then."""
    sc = Scenario(tmp_path)
    try:
        first = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9), score="8/10",
                          comments={local(2025, 5, 7): 12})
        second = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 7, 9),
                           section="TV", score="8/10", comments={local(2025, 5, 8): 5, local(2025, 5, 14): 90})
        sc.collect_every(local(2025, 5, 6, 12), NOW, hours=12)
        config = make_config(tmp_path, select={"trending_count": 0})
        before = sc.choose(config, NOW)
        assert [p.review.link for p in before.top] == [first.link, second.link]
        sc.collect_every(local(2025, 5, 12, 12), local(2025, 5, 20), hours=12)

        again = sc.choose(config, NOW, parse_week("2025-W19"))

        assert [p.review.link for p in again.top] == [first.link, second.link]
        assert again.top[1].review.comments == 5
        assert dumps(build_manifest(again, "s", TZ)) == dumps(build_manifest(before, "s", TZ))
    finally:
        sc.close()
