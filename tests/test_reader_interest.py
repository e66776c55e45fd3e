"""[select] reader_interest: the last issues' clicks nudge the trending order and top-list ties, capped,
with a floor per section, and explained. Real stores written through the collect path; the click rows
are stored the way ``digest report --fetch`` stores them.

2025-W19 is Monday 5 May to Sunday 11 May 2025, Chicago time; the issue is built on Monday 12 May.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.clicks import WEEK, build
from scenario import Post, Scenario, local, make_config, reason_of

from digest.cli import main
from digest.settings.config import Config, load_config
from digest.store.clicks import ClickRow, replace_clicks
from digest.store.database import Store

NOW = local(2025, 5, 12, 8)
SURGE = local(2025, 5, 10, 8)  # every comment count below jumps at the same moment: the same decay
PERIOD = (datetime(2025, 4, 28, 13, tzinfo=UTC), datetime(2025, 5, 5, 13, tzinfo=UTC))


@pytest.fixture
def sc(tmp_path: Path) -> Scenario:
    scenario = Scenario(tmp_path)
    yield scenario
    scenario.close()


def _clicked(sc: Scenario, issue_id: str, picks: list[tuple[str, str, int]],
             delivered: int | None = 1000) -> None:
    """An earlier issue's stored counts from Mailchimp: (section, kind, unique clicks) per pick."""
    rows = [ClickRow(issue_id, "mailchimp", f"https://secondscreen.com/{issue_id}/{n}/", f"uid-{issue_id}-{n}",
                     n, section, kind, 8.0, clicks, clicks + 3, delivered, *PERIOD, PERIOD[1])
            for n, (section, kind, clicks) in enumerate(picks, 1)]
    replace_clicks(sc.store, issue_id, "mailchimp", rows)


def _comics_readers(sc: Scenario, delivered: int | None = 1000) -> None:
    """Two issues where Comics picks drew twice the average pick's clicks (6% click-through vs 3%)."""
    for issue in ("2025-W17", "2025-W18"):
        _clicked(sc, issue, [("Comics", "trending", 60), ("TV", "trending", 20), ("Anime", "top", 10),
                             ("Comics", "top", 60), ("TV", "top", 20), ("Anime", "trending", 10)], delivered)


def _trending_week(sc: Scenario, warm_section: str = "TV") -> dict[str, Post]:
    hot = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 10),
                    section="TV", comments={SURGE: 60})
    warm = sc.review("REVIEW: ‘The Last Of Us’ Season 2 Episode 4 — “Day One”", local(2025, 5, 6, 12),
                     section=warm_section, comments={SURGE: 50})
    cool = sc.review("REVIEW: ‘Absolute Batman’ #8 Keeps Swinging", local(2025, 5, 7, 9),
                     section="Comics", comments={SURGE: 48})
    far = sc.review("REVIEW: ‘Ultimate Spider-Man’ #15 Takes A Breath", local(2025, 5, 7, 11),
                    section="Comics", comments={SURGE: 30})
    sc.collect_every(local(2025, 5, 6, 8), NOW, hours=12)
    return {"hot": hot, "warm": warm, "cool": cool, "far": far}


def _trending_config(tmp_path: Path, weight: float) -> Config:
    return make_config(tmp_path, select={"top_count": 0, "trending_count": 2, "min_scored_reviews": 0,
                                         "reader_interest": weight})


def test_off_the_clicks_change_nothing_and_on_they_let_a_close_review_pass(
    sc: Scenario, tmp_path: Path
) -> None:
    week = _trending_week(sc)
    _comics_readers(sc)
    hot, warm, cool = week["hot"], week["warm"], week["cool"]
    before = sc.choose(_trending_config(tmp_path, 0), NOW)
    assert [p.review.uid for p in before.trending] == [hot.uid, warm.uid]
    assert [p.trend_score for p in before.trending] == [1.0, 0.8333]

    nudged = sc.choose(_trending_config(tmp_path, 1.0), NOW)
    # Comics at 0.80 + 0.05 passes TV at 0.83: TV still has its other pick, so no floor is needed.
    assert [p.review.uid for p in nudged.trending] == [hot.uid, cool.uid]
    said = " | ".join(nudged.trending[1].reasons)
    assert nudged.trending[1].reasons[0] == ("2nd in the trending order (trend score 0.80 + 0.05 reader "
                                             "interest)")
    assert nudged.trending[0].reasons[0] == "1st in the trending order (trend score 1.00)"
    assert ("trending order nudged (in by reader interest; without it this pick is not in): Comics trending "
            "picks click-through 6.0% over the last 2 issues vs 3.0% overall, +0.05 (capped at 0.05, "
            "reader_interest = 1)") in said
    assert not any("reader interest" in r or "nudge" in r for r in nudged.trending[0].reasons)
    assert "trending pick 2 without the reader-interest nudge" in (reason_of(nudged, warm) or "")
    assert reason_of(before, warm) is None


def test_the_cap_holds_a_higher_trend_score_by_more_than_the_margin_is_never_passed(
    sc: Scenario, tmp_path: Path
) -> None:
    week = _trending_week(sc)
    hot, far = week["hot"], week["far"]
    # Comics clicked a hundred times the average: the nudge is still at most 0.05.
    for issue in ("2025-W17", "2025-W18"):
        _clicked(sc, issue, [("Comics", "trending", 5000), ("TV", "trending", 1), ("Anime", "top", 1)])
    config = make_config(tmp_path, select={"top_count": 0, "trending_count": 3, "min_scored_reviews": 0,
                                           "reader_interest": 1.0})
    chosen = [p.review.uid for p in sc.choose(config, NOW).trending]
    assert chosen[0] == hot.uid
    assert far.uid not in chosen  # 0.50 + 0.05 never passes 0.83 or 0.80


def test_the_floor_keeps_a_section_the_nudge_would_leave_with_no_pick(sc: Scenario, tmp_path: Path) -> None:
    week = _trending_week(sc, warm_section="Film")  # the only Film review in the running
    _comics_readers(sc)
    hot, warm, cool = week["hot"], week["warm"], week["cool"]
    nudged = sc.choose(_trending_config(tmp_path, 1.0), NOW)
    assert [p.review.uid for p in nudged.trending] == [hot.uid, warm.uid]
    assert ("kept by the section floor: the reader-interest nudge would have left Film with no trending pick"
            in nudged.trending[1].reasons)
    assert reason_of(nudged, cool) is not None


def test_top_list_a_close_higher_score_is_passed_a_farther_one_never(sc: Scenario, tmp_path: Path) -> None:
    best = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 10),
                     section="TV", score="9/10")
    next_ = sc.review("REVIEW: ‘Severance’ Season 2 Finale Lands", local(2025, 5, 6, 12), section="TV",
                      score="8.5/10")
    comic = sc.review("REVIEW: ‘Absolute Batman’ #8 Keeps Swinging", local(2025, 5, 7, 9), section="Comics",
                      score="8.2/10")
    sc.collect_every(local(2025, 5, 6, 8), NOW, hours=12)
    _comics_readers(sc, delivered=None)  # no delivered count: clicks per pick are compared instead
    config = make_config(tmp_path, select={"top_count": 2, "trending_count": 0, "reader_interest": 1.0})
    assert [p.review.uid for p in sc.choose(make_config(tmp_path, select={"top_count": 2, "trending_count": 0}),
                                            NOW).top] == [best.uid, next_.uid]
    nudged = sc.choose(config, NOW)
    # 8.2 + 0.5 passes 8.5, never 9.0.
    assert [p.review.uid for p in nudged.top] == [best.uid, comic.uid]
    said = " | ".join(nudged.top[1].reasons)
    assert "top list nudged (position 2" not in said and "in by reader interest" in said
    assert nudged.top[1].reasons[0] == "3rd highest score of the week"  # by score, whatever the nudge
    assert reason_of(nudged, next_) == ("below the cut: 2nd by score (8.5/10); top pick 2 without the "
                                        "reader-interest nudge")
    assert ("Comics top picks 60.0 clicks per pick over the last 2 issues vs 30.0 overall (delivered count "
            "unknown), +0.5 (capped at 0.5") in said


def test_weight_zero_builds_the_demo_issue_byte_for_byte_as_without_the_key(demo: Path, tmp_path: Path) -> None:
    picks = build(demo)
    out = _out_dir(demo)
    without = tmp_path / "without"
    shutil.copytree(out, without)
    assert picks
    demo.write_text(demo.read_text(encoding="utf-8") + "\n[select]\nreader_interest = 0\n", encoding="utf-8")
    assert build(demo) == picks
    for path in sorted(p for p in without.rglob("*") if p.is_file()):
        assert _fixed((out / path.relative_to(without)).read_bytes()) == _fixed(path.read_bytes()), path.name
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == sorted(
        p.relative_to(without) for p in without.rglob("*"))


def _fixed(data: bytes) -> bytes:
    """The .eml's two random parts (each build draws them anew, key or no key) made the same."""
    data = re.sub(rb"Message-ID:\s*<[^>]+>", b"Message-ID: <id>", data)
    return re.sub(rb"={15}\d+==", b"=boundary=", data)


def _out_dir(demo: Path) -> Path:
    with Store.open(load_config(demo).store_path) as store:
        record = store.issue("2025-W20")
        assert record is not None
        return Path(record.out_dir)


def test_explain_and_the_manifest_say_the_nudge_with_its_numbers(demo: Path) -> None:
    picks = build(demo)
    liked = next(p for p in picks if p["kind"] == "trending")
    others = sorted({p["section"] for p in picks} - {liked["section"]})
    rows = [ClickRow("2025-W19", "listmonk", f"https://secondscreen.example/w19/{n}/", f"uid-w19-{n}", n,
                     section, "trending", 8.0, None, clicks, 2400, *PERIOD, PERIOD[1])
            for n, (section, clicks) in enumerate([(liked["section"], 180), *((s, 30) for s in others)], 1)]
    with Store.open(load_config(demo).store_path) as store:
        replace_clicks(store, "2025-W19", "listmonk", rows)
    demo.write_text(demo.read_text(encoding="utf-8") + "\n[select]\nreader_interest = 1\n", encoding="utf-8")
    nudged = build(demo)
    said = [r for p in nudged if p["section"] == liked["section"] and p["kind"] == "trending"
            for r in p["reasons"] if "reader_interest = 1" in r]
    assert said and all(f"{liked['section']} trending picks click-through" in r
                        and "over the last 1 issue vs" in r and "capped at 0.05" in r for r in said)
    result = CliRunner().invoke(main, ["--config", str(demo), "explain", "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert said[0] in result.output.replace("\n" + " " * 32, " ")


def test_the_floor_holds_in_the_top_list_too(sc: Scenario, tmp_path: Path) -> None:
    best = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 10),
                     section="TV", score="9/10")
    film = sc.review("REVIEW: ‘Thunderbolts*’ Visualizes Depression", local(2025, 5, 6, 12), section="Film",
                     score="8.5/10")
    comic = sc.review("REVIEW: ‘Absolute Batman’ #8 Keeps Swinging", local(2025, 5, 7, 9), section="Comics",
                      score="8.2/10")
    sc.collect_every(local(2025, 5, 6, 8), NOW, hours=12)
    _comics_readers(sc)
    nudged = sc.choose(make_config(tmp_path, select={"top_count": 2, "trending_count": 0,
                                                     "reader_interest": 1.0}), NOW)
    assert [p.review.uid for p in nudged.top] == [best.uid, film.uid]
    assert any(r.startswith("kept by the section floor") for r in nudged.top[1].reasons)
    assert reason_of(nudged, comic) is not None


def test_another_editions_clicks_are_not_read(sc: Scenario, tmp_path: Path) -> None:
    week = _trending_week(sc)
    for issue in ("anime/2025-W17", "anime/2025-W18"):
        _clicked(sc, issue, [("Comics", "trending", 60), ("TV", "trending", 20), ("Anime", "top", 10)])
    nudged = sc.choose(_trending_config(tmp_path, 1.0), NOW)
    assert [p.review.uid for p in nudged.trending] == [week["hot"].uid, week["warm"].uid]
    assert not any("reader" in r for p in nudged.trending for r in p.reasons)
