"""Top-scored selection, caps, minimum score, thin weeks, pins, drops and memory, over real stores.

Every store is written through the collect path (``save_entries`` at several moments, cached
article pages) and read back through ``digest.job.build.choose``. 2025-W19 is Monday 5 May to
Sunday 11 May 2025, Chicago time; the issue is built on Monday 12 May at 08:00.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario import TZ, Scenario, local, make_config, reason_of

from digest.errors import ThinWeekError
from digest.select.editor import EditorChoices, PinRequest
from digest.select.selection import gather_candidates, select_issue
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


def test_top_scored_ranks_the_weeks_scores_wherever_they_were_found(sc: Scenario, tmp_path: Path) -> None:
    andor = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 10),
                      section="TV", tags=("Disney+", "Star Wars"), score="9.5/10", score_in="page")
    witch = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 7, 9),
                      tags=("Crunchyroll",), score="8/10")
    thunder = sc.review("REVIEW: ‘Thunderbolts*’ Visualizes Depression As Only A Superhero Movie Can",
                        local(2025, 5, 5, 13), section="Film", score="8.5/10", score_in="jsonld")
    doom = sc.review("REVIEW: ‘Doom: The Dark Ages’ Rips And Tears Through History", local(2025, 5, 9, 11),
                     section="Video Games", tags=("PS5", "PC"), score=None, score_in="nowhere")
    sc.post("10 ‘Sunderfolk’ Tips To Help You And Your Party Thrive", local(2025, 5, 8, 15),
            ("Features", "Video Games"))
    last_week = sc.review("REVIEW: ‘The Four Seasons’ Is As Relatable As It Is Messy",
                          local(2025, 5, 4, 23, 30), section="TV", tags=("Netflix",), score="9/10")
    sc.collect_every(local(2025, 5, 4, 20), NOW, hours=12)

    selection = sc.choose(make_config(tmp_path), NOW)

    assert selection.issue_id == "2025-W19"
    assert _links(selection.top) == [andor.link, thunder.link, witch.link]
    assert [p.kind for p in selection.top] == ["top", "top", "top"]
    assert [p.position for p in selection.top] == [1, 2, 3]
    assert selection.top[0].reasons[0] == "highest score of the week"
    assert "found in page-text" in selection.top[0].reasons[1]
    assert "found in page-jsonld" in selection.top[1].reasons[1]
    assert "Rating - 8/10" in selection.top[2].reasons[1] and "feed-text" in selection.top[2].reasons[1]
    # A review from Sunday night of the week before is not in this issue; the feature is not a review.
    all_links = _links(selection.picks) + [m.review.link for m in selection.near_misses]
    assert last_week.link not in all_links
    assert "sunderfolk" not in " ".join(all_links)
    assert selection.scored_reviews == 3
    assert reason_of(selection, doom) == "unscored: no score in the feed or on the article page"


def test_related_and_trending_scores_on_the_page_are_not_the_reviews_score(
    sc: Scenario, tmp_path: Path
) -> None:
    """The page lists other reviews at 9.5 and 9.0 and a reader's 10/10; the review's own box says 6/10."""
    meh = sc.review("REVIEW: ‘Fire Force’ Season 3 Episode 5 — “A Chance Meeting”", local(2025, 5, 6, 9),
                    score="6/10", score_in="page")
    good = sc.review("REVIEW: ‘Apocalypse Hotel’ Episode 6 Checks In", local(2025, 5, 7, 9), score="7/10")
    sc.collect_every(local(2025, 5, 6, 12), NOW, hours=24)
    selection = sc.choose(make_config(tmp_path), NOW)
    assert _links(selection.top) == [good.link, meh.link]
    assert selection.top[1].review.score is not None and selection.top[1].review.score.value == 6.0


def test_score_ties_go_to_more_comments_then_to_the_newer_review(sc: Scenario, tmp_path: Path) -> None:
    best = sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 5, 5, 11),
                     section="Film", score="9/10")
    few = sc.review("REVIEW: ‘The Apothecary Diaries’ Season 2 Episode 17", local(2025, 5, 9, 9),
                    score="8/10", comments={local(2025, 5, 9, 18): 3})
    many_old = sc.review("REVIEW: ‘Daredevil: Born Again’ Finale Sticks The Landing", local(2025, 5, 6, 9),
                         section="TV", score="8/10", comments={local(2025, 5, 6, 20): 9})
    many_new = sc.review("REVIEW: ‘Absolute Batman’ #8 Keeps Swinging", local(2025, 5, 8, 9),
                         section="Comics", tags=("DC Comics",), score="8/10",
                         comments={local(2025, 5, 8, 20): 9})
    sc.collect_every(local(2025, 5, 5, 12), NOW, hours=12)

    selection = sc.choose(make_config(tmp_path, select={"trending_count": 0}), NOW)

    assert _links(selection.top) == [best.link, many_new.link, many_old.link, few.link]
    tie_reason = selection.top[1].reasons[2]
    assert tie_reason.startswith("tied at 8 with 2 others") and "(9)" in tie_reason
    assert not any(r.startswith("tied") for r in selection.top[0].reasons)


def _anime_heavy_week(sc: Scenario) -> dict[str, object]:
    return {
        "a1": sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 5, 9),
                        tags=("Crunchyroll",), score="9.5/10"),
        "a2": sc.review("REVIEW: ‘The Apothecary Diaries’ Season 2 Episode 17", local(2025, 5, 6, 9),
                        tags=("Crunchyroll",), score="9/10"),
        "a3": sc.review("REVIEW: ‘Apocalypse Hotel’ Episode 6 Checks In", local(2025, 5, 7, 9),
                        score="8.5/10"),
        "a4": sc.review("REVIEW: ‘Mobile Suit Gundam GQuuuuuuX’ Episode 5", local(2025, 5, 8, 9),
                        tags=("Amazon Prime Video",), score="8.5/10", score_in="page"),
        "tv": sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 14),
                        section="TV", score="8/10"),
        "film": sc.review("REVIEW: ‘Thunderbolts*’ Finds Its Heart", local(2025, 5, 7, 14),
                          section="Film", score="7.5/10", score_in="jsonld"),
        "comics": sc.review("REVIEW: ‘Ultimate Spider-Man’ #16 Swings Big", local(2025, 5, 7, 16),
                            section="Comics", tags=("Marvel Comics",), score="7/10"),
    }


def test_section_cap_keeps_two_anime_and_backfills_from_the_next_best(sc: Scenario, tmp_path: Path) -> None:
    r = _anime_heavy_week(sc)
    sc.collect_every(local(2025, 5, 5, 12), NOW, hours=12)
    config = make_config(tmp_path, select={"top_count": 4, "max_per_section": 2, "trending_count": 0})

    selection = sc.choose(config, NOW)

    assert _links(selection.top) == [r["a1"].link, r["a2"].link, r["tv"].link, r["film"].link]
    assert [p.review.section for p in selection.top] == ["Anime", "Anime", "TV", "Film"]
    assert reason_of(selection, r["a3"]) == "section cap: already 2 from Anime"
    assert reason_of(selection, r["a4"]) == "section cap: already 2 from Anime"
    assert reason_of(selection, r["comics"]).startswith("below the cut: 7th by score")


def test_without_a_cap_the_same_week_is_all_anime(sc: Scenario, tmp_path: Path) -> None:
    r = _anime_heavy_week(sc)
    sc.collect_every(local(2025, 5, 5, 12), NOW, hours=12)
    selection = sc.choose(make_config(tmp_path, select={"top_count": 4, "trending_count": 0}), NOW)
    assert {p.review.section for p in selection.top} == {"Anime"}
    assert reason_of(selection, r["tv"]).startswith("below the cut: 5th by score")


def test_section_caps_apply_per_section_and_override_the_default(sc: Scenario, tmp_path: Path) -> None:
    r = _anime_heavy_week(sc)
    extra_tv = sc.review("REVIEW: ‘The Last Of Us’ Season 2 Episode 5 Feel Like Falling", local(2025, 5, 8, 20),
                         section="TV", tags=("HBO",), score="7.5/10")
    sc.collect_every(local(2025, 5, 5, 12), NOW, hours=12)
    config = make_config(tmp_path, select={"top_count": 5, "max_per_section": 2, "section_caps": {"Anime": 1},
                                           "trending_count": 0})

    selection = sc.choose(config, NOW)

    sections = [p.review.section for p in selection.top]
    assert sections.count("Anime") == 1 and sections.count("TV") == 2
    assert selection.top[0].review.link == r["a1"].link
    assert reason_of(selection, r["a2"]) == "section cap: already 1 from Anime"
    assert extra_tv.link in _links(selection.top)


def test_minimum_score_leaves_slots_empty_rather_than_feature_weak_reviews(
    sc: Scenario, tmp_path: Path
) -> None:
    strong = sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 5, 5, 11),
                       section="Film", score="9/10")
    ok = sc.review("REVIEW: ‘Clair Obscur: Expedition 33’ Is A Triumph", local(2025, 5, 6, 11),
                   section="Video Games", tags=("PS5",), score="7/10", score_in="page")
    weak = sc.review("REVIEW: ‘Top 10 Horror Remakes’ Misses The Mark", local(2025, 5, 7, 11),
                     section="Film", score="6.5/10")
    sc.collect_every(local(2025, 5, 5, 12), NOW, hours=24)

    selection = sc.choose(make_config(tmp_path, select={"top_count": 5, "min_score": 7}), NOW)

    assert _links(selection.top) == [strong.link, ok.link]
    assert reason_of(selection, weak) == "score 6.5 is under the minimum 7"


def test_thin_week_raises_with_the_counts(sc: Scenario, tmp_path: Path) -> None:
    sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9), score="8/10")
    sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 7, 9), section="TV",
              score="9/10", score_in="page")
    for day in (8, 9, 10):
        sc.review(f"REVIEW: ‘Rust’ Is A Western That Cannot Escape Its Shadow (Part {day})",
                  local(2025, 5, day, 9), section="Film", score=None, score_in="nowhere")
    sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 4, 30, 9), section="Film",
              score="9/10")  # last week: does not count
    sc.collect_every(local(2025, 4, 30, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"min_scored_reviews": 3})

    with pytest.raises(ThinWeekError) as raised:
        sc.choose(config, NOW)
    message = str(raised.value)
    assert message.startswith("2025-W19: only 2 scored reviews this week (at least 3 needed)")
    assert "build_thin_week" in message

    thin = sc.choose(make_config(tmp_path, select={"min_scored_reviews": 3, "build_thin_week": True}), NOW)
    assert len(thin.top) == 2 and thin.scored_reviews == 2


def test_thin_week_pinning_a_scored_review_from_another_week_builds(sc: Scenario, tmp_path: Path) -> None:
    """The ThinWeekError message offers pinning as a way out: a pinned scored review must count."""
    sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 9), score="8/10")
    sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 7, 9), section="TV",
              score="9/10")
    older = sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 4, 30, 9),
                      section="Film", score="9/10")
    sc.collect_every(local(2025, 4, 30, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"min_scored_reviews": 3})

    selection = sc.choose(config, NOW, overrides=EditorChoices(pins=(PinRequest(older.link),)))

    assert older.link in _links(selection.top)
    assert selection.scored_reviews == 2


def _pin_week(sc: Scenario) -> dict[str, object]:
    return {
        "s9": sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 5, 5, 11),
                        section="Film", score="9/10"),
        "s8": sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 11),
                        section="TV", score="8.5/10"),
        "s7": sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 7, 11),
                        score="8/10"),
        "s6": sc.review("REVIEW: ‘Absolute Batman’ #8 Keeps Swinging", local(2025, 5, 8, 11),
                        section="Comics", tags=("DC Comics",), score="7.5/10"),
        "low": sc.review("REVIEW: ‘Fire Force’ Season 3 Episode 5 — “A Chance Meeting”", local(2025, 5, 9, 11),
                         score="5/10", score_in="page"),
        "old": sc.review("REVIEW: ‘The Eternaut’ Is Another International Sci-Fi Hit", local(2025, 4, 23, 10),
                         section="TV", tags=("Netflix",), score="8.5/10"),
    }


def test_pin_at_a_position_forces_a_low_scorer_in_and_keeps_the_count(sc: Scenario, tmp_path: Path) -> None:
    r = _pin_week(sc)
    sc.collect_every(local(2025, 4, 23, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"top_count": 3, "trending_count": 0})

    selection = sc.choose(config, NOW, overrides=EditorChoices(pins=(PinRequest(r["low"].link, 2),)))

    assert _links(selection.top) == [r["s9"].link, r["low"].link, r["s8"].link]
    pick = selection.top[1]
    assert pick.kind == "pinned" and pick.position == 2
    assert pick.reasons == ("pinned by the editor at position 2", "score 5/10")
    assert reason_of(selection, r["s7"]).startswith("below the cut")


def test_positioned_pin_keeps_its_slot_beside_a_pin_without_position(sc: Scenario, tmp_path: Path) -> None:
    r = _pin_week(sc)
    sc.collect_every(local(2025, 4, 23, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"top_count": 5, "trending_count": 0})
    pins = (PinRequest(r["low"].link, 3), PinRequest(r["old"].link))

    selection = sc.choose(config, NOW, overrides=EditorChoices(pins=pins))

    by_link = {p.review.link: p for p in selection.top}
    assert by_link[r["low"].link].position == 3
    assert by_link[r["old"].link].position == 1  # no position: the pins lead the list
    assert by_link[r["old"].link].reasons[0] == "pinned by the editor"
    assert _links(selection.top) == [r["old"].link, r["s9"].link, r["low"].link, r["s8"].link, r["s7"].link]


def test_positioned_pins_given_out_of_order_land_in_their_positions(sc: Scenario, tmp_path: Path) -> None:
    r = _pin_week(sc)
    sc.collect_every(local(2025, 4, 23, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"top_count": 5, "trending_count": 0})
    pins = (PinRequest(r["low"].link, 3), PinRequest(r["old"].link, 1))  # @3 before @1

    selection = sc.choose(config, NOW, overrides=EditorChoices(pins=pins))

    assert _links(selection.top) == [r["old"].link, r["s9"].link, r["low"].link, r["s8"].link, r["s7"].link]
    assert [(p.kind, p.position) for p in selection.top][:3] == [("pinned", 1), ("top", 2), ("pinned", 3)]
    assert selection.top[0].reasons[0] == "pinned by the editor at position 1"


def test_pin_of_a_review_outside_the_window_and_of_an_unknown_url(sc: Scenario, tmp_path: Path) -> None:
    r = _pin_week(sc)
    sc.collect_every(local(2025, 4, 23, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"top_count": 3, "trending_count": 0})
    unknown = "https://site.example/2025/05/10/review-never-collected/"
    pins = (PinRequest(r["old"].link), PinRequest(unknown, 1), PinRequest(r["old"].uid, 2))

    selection = sc.choose(config, NOW, overrides=EditorChoices(pins=pins))

    assert _links(selection.top) == [r["old"].link, r["s9"].link, r["s8"].link]
    assert selection.top[0].kind == "pinned"
    assert selection.warnings == (f"pinned URL is not in the store: {unknown}",
                                  f"pinned twice: {r['old'].uid}; the first pin counts")


def test_drop_keeps_a_review_out_and_backfills(sc: Scenario, tmp_path: Path) -> None:
    r = _pin_week(sc)
    sc.collect_every(local(2025, 4, 23, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"top_count": 3, "trending_count": 0})

    selection = sc.choose(config, NOW, overrides=EditorChoices(drops=(r["s9"].link,)))

    assert _links(selection.top) == [r["s8"].link, r["s7"].link, r["s6"].link]
    assert reason_of(selection, r["s9"]) == "dropped by the editor"
    # WordPress's short link (the guid, https://site.example/?p=N) names the same post.
    by_guid = sc.choose(config, NOW, overrides=EditorChoices(drops=(r["s9"].uid,)))
    assert _links(by_guid.top) == _links(selection.top)


def test_pinned_and_dropped_the_drop_wins_with_a_warning(sc: Scenario, tmp_path: Path) -> None:
    r = _pin_week(sc)
    sc.collect_every(local(2025, 4, 23, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"top_count": 3, "trending_count": 0})
    choices = EditorChoices(pins=(PinRequest(r["s7"].link, 1),), drops=(r["s7"].link,))

    selection = sc.choose(config, NOW, overrides=choices)

    assert r["s7"].link not in _links(selection.top)
    assert _links(selection.top) == [r["s9"].link, r["s8"].link, r["s6"].link]
    assert f"pinned and dropped: {r['s7'].link}; the drop wins" in selection.warnings
    assert reason_of(selection, r["s7"]) == "dropped by the editor"


def test_a_review_in_top_scored_is_not_repeated_in_trending(sc: Scenario, tmp_path: Path) -> None:
    hot_and_good = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 9),
                             section="TV", score="9.5/10",
                             comments={local(2025, 5, 7): 40, local(2025, 5, 10): 120})
    hot = sc.review("REVIEW: ‘Fire Force’ Season 3 Episode 5 — “A Chance Meeting”", local(2025, 5, 7, 9),
                    score="6/10", comments={local(2025, 5, 8): 10, local(2025, 5, 11): 60})
    warm = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 6, 12),
                     score="7/10", comments={local(2025, 5, 8): 5, local(2025, 5, 11): 20})
    sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 5, 5, 11), section="Film",
              score="9/10")
    sc.collect_every(local(2025, 5, 5, 12), NOW, hours=12)
    config = make_config(tmp_path, select={"top_count": 2, "trending_count": 2})

    selection = sc.choose(config, NOW)

    assert hot_and_good.link in _links(selection.top)
    assert _links(selection.trending) == [hot.link, warm.link]
    assert [p.kind for p in selection.trending] == ["trending", "trending"]
    assert len({p.review.uid for p in selection.picks}) == len(selection.picks)
    # A trending pick is not also listed as a near-miss of the top list.
    assert reason_of(selection, hot) is None and reason_of(selection, warm) is None


def _issue_picks(sc: Scenario, selection) -> None:
    sc.store.record_issue(
        selection.issue_id, selection.now, (selection.window_start, selection.window_end),
        f"Digest {selection.issue_id}", str(sc.base_dir / "out" / selection.issue_id),
        [(p.review.uid, p.review.link, p.kind, p.position) for p in selection.picks],
    )


def test_a_review_featured_last_week_is_not_featured_again(sc: Scenario, tmp_path: Path) -> None:
    """W18 is built late (Tuesday): a Monday W19 review already trending is featured in it,
    so W19's top list skips it, with the issue named in the near-miss."""
    early = sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 5, 8),
                      section="TV", score="9.5/10",
                      comments={local(2025, 5, 5, 14): 30, local(2025, 5, 5, 22): 80})
    sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 4, 29, 11), section="Film",
              score="9/10")
    later = sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 7, 9), score="8/10")
    sc.collect_every(local(2025, 4, 29, 12), local(2025, 5, 6, 0), hours=6)
    config = make_config(tmp_path, select={"top_count": 2, "trending_count": 1})
    w18 = sc.choose(config, local(2025, 5, 6, 9), parse_week("2025-W18"))
    assert _links(w18.trending) == [early.link]
    _issue_picks(sc, w18)
    sc.collect_every(local(2025, 5, 6, 6), NOW, hours=6)

    w19 = sc.choose(config, NOW)

    assert early.link not in _links(w19.picks)
    assert _links(w19.top) == [later.link]
    assert reason_of(w19, early) == "featured in 2025-W18 (not repeated for 4 weeks)"
    # Rebuilding W18 itself is not blocked by its own record.
    assert _links(sc.choose(config, local(2025, 5, 6, 9), parse_week("2025-W18")).trending) == [early.link]
    # With no memory it is back.
    assert early.link in _links(sc.choose(make_config(tmp_path, select={"repeat_weeks": 0}), NOW).top)


def test_featured_in_w17_is_held_back_for_four_weeks_and_back_in_w22(sc: Scenario, tmp_path: Path) -> None:
    """A W17 review readers keep returning to: featured in W17, then trending again in W19 and W22."""
    evergreen = sc.review("REVIEW: ‘Clair Obscur: Expedition 33’ Is A Triumph", local(2025, 4, 26, 9),
                          section="Video Games", tags=("PS5", "PC", "Xbox Series X/S"), score="9.5/10",
                          comments={local(2025, 4, 27): 20, local(2025, 5, 9): 70, local(2025, 5, 16): 90,
                                    local(2025, 5, 30): 150, local(2025, 6, 6): 260})
    steady = sc.review("REVIEW: ‘Doom: The Dark Ages’ Rips And Tears", local(2025, 5, 1, 9),
                       section="Video Games", score="8/10",
                       comments={local(2025, 5, 9): 10, local(2025, 5, 16): 12, local(2025, 5, 30): 15,
                                 local(2025, 6, 6): 18})
    sc.collect_every(local(2025, 4, 26, 12), local(2025, 6, 2, 8), hours=24)
    sc.record_issue(parse_week("2025-W17"), [evergreen])
    config = make_config(tmp_path, select={"top_count": 0, "trending_count": 1, "min_scored_reviews": 0},
                         trending={"lookback_days": 45})

    w19 = sc.choose(config, NOW)
    assert _links(w19.trending) == [steady.link]
    assert reason_of(w19, evergreen) == "trending, but featured in 2025-W17 (not repeated for 4 weeks)"

    w21 = sc.choose(config, local(2025, 5, 26, 8))
    assert w21.issue_id == "2025-W21"
    assert evergreen.link not in _links(w21.picks)

    w22 = sc.choose(config, local(2025, 6, 2, 8))
    assert w22.issue_id == "2025-W22"
    assert _links(w22.trending) == [evergreen.link]


def test_select_issue_is_pure_over_candidates(sc: Scenario, tmp_path: Path) -> None:
    """The same candidates, choices and now give the same selection, and featured uids are skipped."""
    r = _pin_week(sc)
    sc.collect_every(local(2025, 4, 23, 12), NOW, hours=24)
    config = make_config(tmp_path, select={"top_count": 3, "trending_count": 0})
    now = NOW.astimezone(TZ)
    candidates = gather_candidates(config, sc.store, W19, now)
    first = select_issue(config, candidates, EditorChoices(), now)
    assert first == select_issue(config, candidates, EditorChoices(), now)

    from dataclasses import replace

    remembered = replace(candidates, featured={r["s9"].uid: "2025-W17"})
    selection = select_issue(config, remembered, EditorChoices(), now)
    assert _links(selection.top) == [r["s8"].link, r["s7"].link, r["s6"].link]
    assert reason_of(selection, r["s9"]) == "featured in 2025-W17 (not repeated for 4 weeks)"
    # A pin overrides the memory: the editor asked for it (pins are looked up by gather_candidates).
    choices = EditorChoices(pins=(PinRequest(r["s9"].link, 1),))
    with_pin = replace(gather_candidates(config, sc.store, W19, now, choices), featured=remembered.featured)
    pinned = select_issue(config, with_pin, choices, now)
    assert pinned.top[0].review.link == r["s9"].link and pinned.top[0].kind == "pinned"
