"""ISO weeks in the site's timezone: DST changes, the year boundary, the default week, undated entries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scenario import FEED_URL, TZ, Scenario, local, make_config, utc

from digest.errors import DigestError
from digest.weeks import Week, last_full_week, parse_now, parse_week, week_of


def _hours(week: Week, tz: ZoneInfo = TZ) -> float:
    start, end = week.window(tz)
    return (end - start).total_seconds() / 3600


def test_spring_forward_week_is_167_hours() -> None:
    week = parse_week("2025-W10")
    start, end = week.window(TZ)
    assert _hours(week) == 167
    assert start == local(2025, 3, 3) and end == local(2025, 3, 10)
    assert start.tzinfo is UTC and start.hour == 6 and end.hour == 5  # CST -6, then CDT -5
    assert start <= local(2025, 3, 9, 3, 30) < end  # the Sunday of the change


def test_fall_back_week_is_169_hours() -> None:
    # In 2025 the clocks go back on Sunday 2 November, the last day of 2025-W44.
    assert date(2025, 11, 2).isocalendar()[:2] == (2025, 44)
    assert _hours(parse_week("2025-W44")) == 169
    assert _hours(parse_week("2025-W45")) == 168
    assert _hours(parse_week("2025-W19")) == 168
    assert _hours(parse_week("2025-W19"), ZoneInfo("UTC")) == 168


def test_year_boundary_weeks() -> None:
    w53 = parse_week("2020-W53")
    assert w53.monday == date(2020, 12, 28)
    assert w53.window(TZ) == (utc(local(2020, 12, 28)), utc(local(2021, 1, 4)))
    assert w53.next() == parse_week("2021-W01")
    assert parse_week("2021-W01").previous() == w53
    with pytest.raises(DigestError, match="2021 has no week 53"):
        parse_week("2021-W53")
    w01 = parse_week("2025-W01")
    assert w01.monday == date(2024, 12, 30)
    assert w01.window(TZ)[0] == utc(local(2024, 12, 30))
    assert parse_week("2025-W01").previous() == Week(2024, 52)
    assert parse_week("2026-W01").monday == date(2025, 12, 29)


def test_parse_week_forms_and_errors() -> None:
    assert parse_week("2025-W19") == parse_week("2025w19") == parse_week(" 2025-W19 ") == Week(2025, 19)
    assert parse_week("2025-W9").id == "2025-W09"
    for bad in ("2025-19", "W19", "2025-W", "2025-W00", "next week"):
        with pytest.raises(DigestError):
            parse_week(bad)


def test_last_full_week_is_taken_in_the_sites_timezone() -> None:
    assert last_full_week(utc(local(2026, 1, 5, 8)), TZ).id == "2026-W01"
    assert last_full_week(utc(local(2025, 5, 12, 8)), TZ).id == "2025-W19"
    # Sunday 23:30 in Chicago is already Monday in UTC: the week has not ended at the site yet.
    sunday_night = local(2025, 5, 11, 23, 30)
    assert utc(sunday_night).isocalendar()[1] == 20
    assert last_full_week(utc(sunday_night), TZ).id == "2025-W18"
    assert last_full_week(utc(local(2025, 5, 12, 0, 0)), TZ).id == "2025-W19"
    assert last_full_week(utc(local(2021, 1, 4, 6)), TZ).id == "2020-W53"
    assert week_of(date(2024, 12, 31)).id == "2025-W01"


def test_parse_now_naive_is_local_and_aware_is_kept() -> None:
    assert parse_now("2025-05-12T08:00", TZ) == datetime(2025, 5, 12, 13, 0, tzinfo=UTC)
    assert parse_now("2025-05-12T08:00+00:00", TZ) == datetime(2025, 5, 12, 8, 0, tzinfo=UTC)
    with pytest.raises(DigestError, match="not a date-time"):
        parse_now("monday", TZ)


@pytest.fixture
def sc(tmp_path: Path) -> Scenario:
    scenario = Scenario(tmp_path)
    yield scenario
    scenario.close()


def _in_week(sc: Scenario, tmp_path: Path, week: str, now: datetime) -> set[str]:
    config = make_config(tmp_path, select={"min_scored_reviews": 0, "top_count": 10, "trending_count": 0})
    selection = sc.choose(config, now, parse_week(week))
    return {p.review.link for p in selection.top} | {m.review.link for m in selection.near_misses}


def test_sunday_2330_belongs_to_that_week_monday_0010_to_the_next(sc: Scenario, tmp_path: Path) -> None:
    sunday = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 11, 23, 30))
    monday = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 12, 0, 10),
                       section="TV")
    sc.collect(local(2025, 5, 12, 1))
    now = local(2025, 5, 19, 8)
    assert _in_week(sc, tmp_path, "2025-W19", now) == {sunday.link}
    assert _in_week(sc, tmp_path, "2025-W20", now) == {monday.link}


def test_entries_around_the_spring_forward_night(sc: Scenario, tmp_path: Path) -> None:
    before = sc.review("REVIEW: ‘Severance’ Season 2 Finale Breaks Out", local(2025, 3, 9, 1, 30), section="TV")
    after = sc.review("REVIEW: ‘The White Lotus’ Season 3 Episode 4", local(2025, 3, 9, 23, 30), section="TV")
    next_week = sc.review("REVIEW: ‘Daredevil: Born Again’ Premiere", local(2025, 3, 10, 0, 10), section="TV")
    sc.collect(local(2025, 3, 10, 2))
    now = local(2025, 3, 17, 8)
    assert _in_week(sc, tmp_path, "2025-W10", now) == {before.link, after.link}
    assert _in_week(sc, tmp_path, "2025-W11", now) == {next_week.link}


def test_the_default_issue_is_the_week_that_just_ended(sc: Scenario, tmp_path: Path) -> None:
    sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9))
    sc.collect(local(2025, 5, 6, 12))
    config = make_config(tmp_path)
    assert sc.choose(config, local(2025, 5, 12, 8)).issue_id == "2025-W19"
    assert sc.choose(config, local(2025, 5, 18, 23, 59), parse_week("2025-W19")).issue_id == "2025-W19"
    selection = sc.choose(config, local(2025, 5, 12, 8))
    assert (selection.window_start, selection.window_end) == parse_week("2025-W19").window(TZ)


def test_an_undated_entry_is_dated_by_when_it_was_first_seen(sc: Scenario, tmp_path: Path) -> None:
    undated = sc.review("REVIEW: ‘Invincible’ #1 Anniversary Edition Hits Hard", None, section="Comics",
                        tags=("Image Comics",), appears=local(2025, 5, 11, 22), slug="review-invincible-1")
    sc.collect(local(2025, 5, 11, 22))
    sc.collect(local(2025, 5, 12, 10))
    sc.collect(local(2025, 5, 13, 10))
    stored = sc.store.entry_by_link(undated.link)
    assert stored is not None and not stored.published_from_feed
    assert stored.published == utc(local(2025, 5, 11, 22))
    now = local(2025, 5, 19, 8)
    assert _in_week(sc, tmp_path, "2025-W19", now) == {undated.link}
    assert _in_week(sc, tmp_path, "2025-W20", now) == set()


def test_an_undated_entry_that_changes_keeps_its_first_seen_date(sc: Scenario, tmp_path: Path) -> None:
    undated = sc.review("REVIEW: ‘Invincible’ #1 Anniversary Edition Hits Hard", None, section="Comics",
                        appears=local(2025, 5, 11, 22), slug="review-invincible-1")
    sc.collect(local(2025, 5, 11, 22))
    undated.title += " (Updated)"  # an edited post: new fingerprint
    sc.collect(local(2025, 5, 13, 10))
    assert sc.store.entry_by_link(undated.link).published == utc(local(2025, 5, 11, 22))


def test_a_dated_entry_seen_later_without_a_date_keeps_its_date(sc: Scenario, tmp_path: Path) -> None:
    post = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9))
    sc.collect(local(2025, 5, 6, 12))
    undated = replace(post.feed_entry(local(2025, 5, 13, 9)), published=None)
    with sc.store.transaction():
        sc.store.save_entries(FEED_URL.replace("/feed/", "/category/anime/feed/"), [undated],
                              utc(local(2025, 5, 13, 9)))
    assert sc.store.entry_by_link(post.link).published == utc(local(2025, 5, 6, 9))


def test_trending_of_an_old_week_is_measured_as_it_was(sc: Scenario, tmp_path: Path) -> None:
    """Rebuilding W19 a month later measures trending up to a day after the week, not today."""
    early = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9),
                      comments={local(2025, 5, 10): 30})
    late = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 7, 9), section="TV",
                     comments={local(2025, 5, 10): 5, local(2025, 6, 1): 400})
    sc.collect_every(local(2025, 5, 6, 12), local(2025, 6, 2), hours=24)
    config = make_config(tmp_path, select={"top_count": 0, "trending_count": 1, "min_scored_reviews": 0})
    on_time = sc.choose(config, local(2025, 5, 12, 8))
    later = sc.choose(config, local(2025, 6, 10, 8), parse_week("2025-W19"))
    assert [p.review.link for p in on_time.trending] == [early.link]
    assert [p.review.link for p in later.trending] == [early.link]
    assert late.link not in [p.review.link for p in later.trending]
    assert later.now - on_time.now == timedelta(days=29)
