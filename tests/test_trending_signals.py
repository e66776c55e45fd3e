"""Trending: comment growth with decay, the site's own list, the analytics export, each one missing.

Stores are filled collect by collect, so comment growth is measured between real observations.
The 2025-W19 issue is built on Monday 12 May 2025 at 08:00 Chicago time; trending looks back
14 days from then, with a 48-hour half-life unless a test says otherwise.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from scenario import SITE, TRENDING_PAGE, Scenario, local, make_config, utc

from digest.select.selection import gather_candidates
from digest.select.trending import TrendInputs, comment_growth, trends
from digest.settings.config import TrendingSettings
from digest.weeks import parse_week

W19 = parse_week("2025-W19")
NOW = local(2025, 5, 12, 8)


@pytest.fixture
def sc(tmp_path: Path) -> Scenario:
    scenario = Scenario(tmp_path)
    yield scenario
    scenario.close()


def _links(picks) -> list[str]:
    return [p.review.link for p in picks]


def _config(tmp_path: Path, **trending):
    # Top-scored takes nothing here, so every review is free to trend.
    return make_config(tmp_path, select={"top_count": 0, "trending_count": 3, "min_scored_reviews": 0},
                       trending=trending)


def _signal(pick, name):
    return next((s for s in pick.signals if s.name == name), None)


def test_recent_comment_growth_beats_the_same_growth_earlier_in_the_look_back(
    sc: Scenario, tmp_path: Path
) -> None:
    early = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 1, 9), section="TV",
                      comments={local(2025, 5, 1, 12): 5, local(2025, 5, 2, 12): 25})
    recent = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 1, 9),
                       comments={local(2025, 5, 1, 12): 5, local(2025, 5, 11, 12): 25})
    quiet = sc.review("REVIEW: ‘Thunderbolts*’ Finds Its Heart", local(2025, 5, 1, 9), section="Film",
                      comments={local(2025, 5, 1, 12): 2})
    sc.collect_every(local(2025, 5, 1, 12), NOW, hours=12)

    selection = sc.choose(_config(tmp_path), NOW)

    assert _links(selection.trending) == [recent.link, early.link, quiet.link]
    top, second = selection.trending[0], selection.trending[1]
    # Same +25 since publication, but the later growth is worth more.
    details = {_signal(top, "comments").detail, _signal(second, "comments").detail}
    assert details == {"+25 comments in the last 14 days"}
    assert _signal(top, "comments").normalised == 1.0
    assert top.trend_score > second.trend_score
    assert top.reasons[0] == "1st most talked-about (trend score 1.00)"


def test_half_life_halves_the_weight_of_growth_every_half_life(sc: Scenario, tmp_path: Path) -> None:
    as_of = utc(NOW)
    a = sc.review("REVIEW: ‘The Apothecary Diaries’ Season 2 Episode 17", local(2025, 5, 1, 9),
                  comments={local(2025, 5, 1, 10): 0, NOW.replace(hour=2): 10})
    b = sc.review("REVIEW: ‘Apocalypse Hotel’ Episode 6 Checks In", local(2025, 5, 1, 9),
                  comments={local(2025, 5, 1, 10): 0, local(2025, 5, 10, 2): 10})
    sc.collect(local(2025, 5, 1, 10))
    sc.collect(local(2025, 5, 10, 2), [b])
    sc.collect(NOW.replace(hour=2), [a])
    config = _config(tmp_path, half_life_hours=48.0)
    candidates = gather_candidates(config, sc.store, W19, as_of)

    by_id, available = trends(candidates.trend_pool, candidates.trend_inputs, config.trending)
    ids = {r.link: r.entry_id for r in candidates.trend_pool}
    assert available == ("comments",)
    fresh, older = by_id[ids[a.link]].signals[0], by_id[ids[b.link]].signals[0]
    # a grew 6 h before as_of, b 54 h before: one half-life apart.
    assert fresh.raw == pytest.approx(10 * 0.5 ** (6 / 48), abs=1e-3)
    assert older.raw == pytest.approx(10 * 0.5 ** (54 / 48), abs=1e-3)
    assert older.normalised == pytest.approx(0.5, abs=1e-3)

    slow = _config(tmp_path, half_life_hours=480.0)
    slow_by_id, _ = trends(candidates.trend_pool, candidates.trend_inputs, slow.trending)
    assert slow_by_id[ids[b.link]].signals[0].normalised == pytest.approx(0.5 ** (48 / 480), abs=1e-3)


def test_velocity_not_raw_count(sc: Scenario, tmp_path: Path) -> None:
    """A review that got 150 comments in its first day, twelve days ago, and none since, is not
    'talked about right now'; one going from 4 to 30 over the weekend is."""
    old_storm = sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 4, 29, 9),
                          section="Film", comments={local(2025, 4, 29, 21): 120, local(2025, 4, 30, 9): 150})
    weekend = sc.review("REVIEW: ‘Fire Force’ Season 3 Episode 5 — “A Chance Meeting”", local(2025, 5, 9, 9),
                        comments={local(2025, 5, 9, 21): 4, local(2025, 5, 10, 21): 18,
                                  local(2025, 5, 11, 21): 30})
    sc.collect_every(local(2025, 4, 29, 9), NOW, hours=12)

    selection = sc.choose(_config(tmp_path), NOW)

    assert _links(selection.trending)[:2] == [weekend.link, old_storm.link]
    assert selection.trending[0].review.comments < selection.trending[1].review.comments


def test_flat_comment_counts_do_not_trend(sc: Scenario, tmp_path: Path) -> None:
    flat = sc.review("REVIEW: ‘Daredevil: Born Again’ Finale Sticks The Landing", local(2025, 5, 6, 9),
                     section="TV", comments={local(2025, 5, 6, 9): 0})
    sc.collect_every(local(2025, 5, 6, 12), NOW, hours=12)
    selection = sc.choose(_config(tmp_path), NOW)
    assert selection.trending == ()
    assert selection.signals_available == ("comments",)
    assert flat.link not in _links(selection.picks)


def test_no_comment_counts_no_site_list_no_analytics_means_no_trending(sc: Scenario, tmp_path: Path) -> None:
    sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 9), section="TV",
              no_comment_count=True)
    sc.collect_every(local(2025, 5, 6, 12), NOW, hours=12)
    selection = sc.choose(_config(tmp_path), NOW)
    assert selection.signals_available == ()
    assert selection.trending == ()


def test_comments_only_reasons_say_which_signals_were_missing(sc: Scenario, tmp_path: Path) -> None:
    talked = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9),
                       comments={local(2025, 5, 8, 9): 12})
    sc.collect_every(local(2025, 5, 6, 12), NOW, hours=12)
    config = _config(tmp_path, site_page=TRENDING_PAGE, analytics_csv="exports/views.csv")

    selection = sc.choose(config, NOW)

    assert selection.signals_available == ("comments",)
    assert _links(selection.trending) == [talked.link]
    assert selection.trending[0].reasons[-1] == "signals not available: site, analytics"
    assert "trending: the site's trending list has never been read (collect reads it)" in selection.warnings
    assert any(w.startswith("analytics signal left out:") and "not found" in w for w in selection.warnings)


def test_site_list_only_is_rank_weighted(sc: Scenario, tmp_path: Path) -> None:
    first = sc.review("REVIEW: ‘The Four Seasons’ Is As Relatable As It Is Messy", local(2025, 5, 6, 9),
                      section="TV", tags=("Netflix",), no_comment_count=True)
    third = sc.review("REVIEW: ‘The Eternaut’ Is Another International Sci-Fi Hit", local(2025, 5, 7, 9),
                      section="TV", tags=("Netflix",), no_comment_count=True)
    fourth = sc.review("REVIEW: ‘Exterritorial’ Is A Netflix Action Movie Worth Watching", local(2025, 5, 8, 9),
                       section="Film", no_comment_count=True)
    sc.review("REVIEW: ‘Rust’ Cannot Escape Its Shadow", local(2025, 5, 8, 12), section="Film",
              no_comment_count=True)
    sc.collect_every(local(2025, 5, 6, 12), NOW, hours=12)
    feature = f"{SITE}/2025/05/02/10-sunderfolk-tips-to-help-you-and-your-party-thrive/"
    sc.snapshot(NOW.replace(hour=7, minute=30), [first, feature, third, fourth])
    sc.snapshot(NOW.replace(hour=9), [fourth, third, first])  # after now: not seen by this build

    selection = sc.choose(_config(tmp_path, site_page=TRENDING_PAGE), NOW)

    assert selection.signals_available == ("site",)
    assert _links(selection.trending) == [first.link, third.link, fourth.link]
    shares = [_signal(p, "site").normalised for p in selection.trending]
    decay = 0.5 ** (0.5 / 48)  # the snapshot is half an hour old
    assert shares == pytest.approx([1.0 * decay, 0.5 * decay, 0.25 * decay], abs=1e-3)
    assert [_signal(p, "site").detail for p in selection.trending] == [
        "#1 on the site's trending list", "#3 on the site's trending list", "#4 on the site's trending list"]
    assert selection.trending[0].reasons[-1] == "signals not available: comments, analytics"


@pytest.mark.parametrize(("age_hours", "winner"), [(0, "listed"), (96, "discussed")])
def test_a_stale_site_list_counts_less(sc: Scenario, tmp_path: Path, age_hours: int, winner: str) -> None:
    """The list's weight decays with the snapshot's age (a collect that stopped reaching the page)."""
    posts = {
        "listed": sc.review("REVIEW: ‘The Four Seasons’ Is As Relatable As It Is Messy", local(2025, 5, 6, 9),
                            section="TV", comments={local(2025, 5, 6, 10): 0}),
        "discussed": sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9),
                               comments={local(2025, 5, 6, 10): 0, local(2025, 5, 11, 20): 9}),
    }
    sc.collect_every(local(2025, 5, 6, 10), NOW, hours=12)
    sc.snapshot(NOW - timedelta(hours=age_hours), [posts["listed"]])

    selection = sc.choose(_config(tmp_path, site_page=TRENDING_PAGE, site_weight=2.0), NOW)

    assert selection.trending[0].review.link == posts[winner].link
    listed = next(p for p in selection.trending if p.review.link == posts["listed"].link)
    assert _signal(listed, "site").normalised == pytest.approx(0.5 ** (age_hours / 48), abs=1e-3)


GA4_EXPORT = """\
# ----------------------------------------
# Pages and screens: Page path and screen class
# Account: But Why Tho
# Property: butwhytho.net - GA4
# ----------------------------------------
#
# All Users
# Start date: 20250428
# End date: 20250511
Page path and screen class,Views,Active users,Views per active user,Average engagement time per active user
/,48210,20114,2.4,31.5
{andor_path},"12,400",9001,1.38,95.1
{witch_url}?utm_source=newsletter&utm_medium=email&utm_campaign=w18,800,700,1.14,60.2
{witch_path},2300,2000,1.15,58.0
/2025/05/02/10-sunderfolk-tips-to-help-you-and-your-party-thrive/,5000,4100,1.22,70.0
"""


def test_analytics_matches_by_canonical_url_paths_and_utm_params(sc: Scenario, tmp_path: Path) -> None:
    andor = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 9), section="TV",
                      no_comment_count=True)
    witch = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 7, 9),
                      no_comment_count=True)
    unseen = sc.review("REVIEW: ‘Apocalypse Hotel’ Episode 6 Checks In", local(2025, 5, 8, 9),
                       no_comment_count=True)
    sc.collect_every(local(2025, 5, 6, 12), NOW, hours=24)
    export = tmp_path / "exports" / "ga4-pages.csv"
    export.parent.mkdir()
    export.write_text(GA4_EXPORT.format(
        andor_path=andor.link.removeprefix(SITE), witch_path=witch.link.removeprefix(SITE),
        witch_url=witch.link.replace("https://site.example", "https://SITE.example")), encoding="utf-8")

    selection = sc.choose(_config(tmp_path, analytics_csv="exports/ga4-pages.csv"), NOW)

    assert selection.signals_available == ("analytics",)
    assert _links(selection.trending) == [andor.link, witch.link]
    views = [_signal(p, "analytics") for p in selection.trending]
    assert [v.raw for v in views] == [12400, 3100]  # the utm-tagged row adds to the plain path
    assert views[1].detail == "3,100 page views"
    assert views[1].normalised == pytest.approx(3100 / 12400, abs=1e-4)
    assert unseen.link not in _links(selection.trending)
    assert selection.warnings == ()


@pytest.mark.parametrize(
    ("text", "in_warning"),
    [
        ("Page,Pageviews\n/2025/05/06/x/,lots\n", "line 2: 'lots' is not a number of views"),
        ("Title,Clicks\nAndor,12\n", "need a URL column"),
        ("", "empty"),
        ("# just a comment\n\n", "empty"),
    ],
)
def test_a_bad_analytics_file_is_a_warning_not_a_crash(
    sc: Scenario, tmp_path: Path, text: str, in_warning: str
) -> None:
    talked = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9),
                       comments={local(2025, 5, 8, 9): 12})
    sc.collect_every(local(2025, 5, 6, 12), NOW, hours=12)
    (tmp_path / "views.csv").write_text(text, encoding="utf-8")

    selection = sc.choose(_config(tmp_path, analytics_csv="views.csv"), NOW)

    assert selection.signals_available == ("comments",)
    assert _links(selection.trending) == [talked.link]
    [warning] = selection.warnings
    assert warning.startswith("analytics signal left out: ") and str(tmp_path / "views.csv") in warning
    assert in_warning in warning


def test_all_three_signals_weighted_together(sc: Scenario, tmp_path: Path) -> None:
    chatter = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9),
                        comments={local(2025, 5, 6, 10): 0, local(2025, 5, 11, 9): 40})
    listed = sc.review("REVIEW: ‘The Four Seasons’ Is As Relatable As It Is Messy", local(2025, 5, 6, 9),
                       section="TV", comments={local(2025, 5, 6, 10): 0, local(2025, 5, 11, 9): 10})
    viewed = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 7, 9), section="TV",
                       comments={local(2025, 5, 7, 10): 0})
    sc.collect_every(local(2025, 5, 6, 10), NOW, hours=12)
    sc.snapshot(NOW, [listed, chatter])
    (tmp_path / "views.csv").write_text(
        f"Page path,Views\n{viewed.link.removeprefix(SITE)},9000\n{listed.link.removeprefix(SITE)},3000\n",
        encoding="utf-8")
    config = _config(tmp_path, site_page=TRENDING_PAGE, analytics_csv="views.csv")

    selection = sc.choose(config, NOW)

    assert selection.signals_available == ("comments", "site", "analytics")
    # listed: 0.25 comments + 1.0 site + 0.33 views; chatter: 1.0 + 0.5; viewed: 1.0 views.
    assert _links(selection.trending) == [listed.link, chatter.link, viewed.link]
    assert selection.trending[0].trend_score == pytest.approx((0.25 + 1.0 + 3000 / 9000) / 3, abs=1e-3)
    assert not any(r.startswith("signals not available") for p in selection.trending for r in p.reasons)
    assert [s.name for s in selection.trending[0].signals] == ["comments", "site", "analytics"]

    # A weight of 0 turns a signal off entirely.
    no_site_config = _config(tmp_path, site_page=TRENDING_PAGE, analytics_csv="views.csv", site_weight=0)
    no_site = sc.choose(no_site_config, NOW)
    assert no_site.signals_available == ("comments", "analytics")
    # chatter (comments 1.0) and viewed (views 1.0) tie at 0.5: the newer review goes first.
    assert [p.trend_score for p in no_site.trending[:2]] == [0.5, 0.5]
    assert _links(no_site.trending) == [viewed.link, chatter.link, listed.link]


def test_comment_growth_counts_a_new_post_from_zero_and_ignores_later_observations(
    sc: Scenario, tmp_path: Path
) -> None:
    post = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9),
                     comments={local(2025, 5, 6, 12): 7, local(2025, 5, 9, 12): 10, local(2025, 5, 13, 12): 90})
    sc.collect_every(local(2025, 5, 6, 12), local(2025, 5, 14), hours=12)
    config = _config(tmp_path)
    candidates = gather_candidates(config, sc.store, W19, utc(NOW))
    [review] = [r for r in candidates.trend_pool if r.link == post.link]
    history = candidates.trend_inputs.comment_history[review.entry_id]
    settings = TrendingSettings(lookback_days=14, half_life_hours=876000)  # a century: next to no decay

    decayed, plain = comment_growth(review, history, utc(NOW), settings)

    assert plain == 10  # 0 at publication -> 7 -> 10; the +80 on the 13th is after as_of
    assert decayed == pytest.approx(10, abs=1e-2)
    assert candidates.trend_inputs.as_of == utc(NOW)


def test_trend_inputs_without_any_source_give_zero_trends() -> None:
    inputs = TrendInputs(utc(NOW), {}, None, None)
    assert trends((), inputs, TrendingSettings()) == ({}, ())


def test_analytics_paths_without_the_final_slash_count_for_the_post(sc: Scenario, tmp_path: Path) -> None:
    andor = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 9), section="TV",
                      no_comment_count=True)
    witch = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 7, 9),
                      no_comment_count=True)
    sc.collect_every(local(2025, 5, 7, 12), NOW, hours=24)
    andor_path = andor.link.removeprefix(SITE)
    (tmp_path / "views.csv").write_text(
        f"Page path,Views\n{andor_path.rstrip('/')},700\n{andor_path},600\n"
        f"{witch.link.removeprefix(SITE)},1000\n",
        encoding="utf-8")

    selection = sc.choose(_config(tmp_path, analytics_csv="views.csv"), NOW)

    assert _links(selection.trending) == [andor.link, witch.link]
    assert _signal(selection.trending[0], "analytics").raw == 1300
