"""The editor's hand: ``issues/<week>.toml`` (pins, drops, a note) and the command-line flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario import Scenario, local, make_config

from digest.errors import ConfigError
from digest.select.editor import EditorChoices, PinRequest, issue_file, load_editor_choices, parse_pin

NOW = local(2025, 5, 12, 8)


@pytest.fixture
def sc(tmp_path: Path) -> Scenario:
    scenario = Scenario(tmp_path)
    yield scenario
    scenario.close()


def _week(sc: Scenario) -> dict[str, object]:
    posts = {
        "sinners": sc.review("REVIEW: ‘Sinners’ Is Ryan Coogler’s Best Film Yet", local(2025, 5, 5, 11),
                             section="Film", score="9/10"),
        "andor": sc.review("REVIEW: ‘Andor’ Season 2 Is Star Wars At Its Best", local(2025, 5, 6, 11),
                           section="TV", tags=("Disney+",), score="8.5/10", score_in="page"),
        "witch": sc.review("REVIEW: ‘Witch Watch’ Episode 5 — “Cat Scout”", local(2025, 5, 7, 11),
                           tags=("Crunchyroll",), score="8/10"),
        "batman": sc.review("REVIEW: ‘Absolute Batman’ #8 Keeps Swinging", local(2025, 5, 8, 11),
                            section="Comics", tags=("DC Comics",), score="7.5/10"),
        "fire": sc.review("REVIEW: ‘Fire Force’ Season 3 Episode 5 — “A Chance Meeting”", local(2025, 5, 9, 11),
                          score="5/10"),
    }
    sc.collect_every(local(2025, 5, 5, 12), NOW, hours=24)
    return posts


def _write_issue(tmp_path: Path, text: str, week: str = "2025-W19") -> Path:
    path = tmp_path / "issues" / f"{week}.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _config(tmp_path: Path):
    return make_config(tmp_path, select={"top_count": 3, "trending_count": 0})


def _links(picks) -> list[str]:
    return [p.review.link for p in picks]


def test_issue_file_pins_drops_and_note(sc: Scenario, tmp_path: Path) -> None:
    p = _week(sc)
    _write_issue(tmp_path, f'''
note = """
Big week for **anime**: *Witch Watch* keeps getting better.
"""
drop = ["{p["sinners"].link}?utm_source=twitter&utm_medium=social"]

[[pin]]
url = "{p["fire"].link}"
position = 1
''')
    selection = sc.choose(_config(tmp_path), NOW)
    assert selection.note_markdown == "Big week for **anime**: *Witch Watch* keeps getting better."
    assert _links(selection.top) == [p["fire"].link, p["andor"].link, p["witch"].link]
    assert selection.top[0].kind == "pinned"
    assert any(m.review.link == p["sinners"].link and m.reason == "dropped by the editor"
               for m in selection.near_misses)


def test_short_pin_list_and_a_week_without_a_file(sc: Scenario, tmp_path: Path) -> None:
    p = _week(sc)
    path = _write_issue(tmp_path, f'pin = ["{p["batman"].link}"]\n')
    assert issue_file(_config(tmp_path), "2025-W19") == path
    selection = sc.choose(_config(tmp_path), NOW)
    assert _links(selection.top) == [p["batman"].link, p["sinners"].link, p["andor"].link]
    assert selection.note_markdown is None
    assert load_editor_choices(_config(tmp_path), "2025-W20") == EditorChoices()


def test_flags_override_the_issue_file(sc: Scenario, tmp_path: Path) -> None:
    p = _week(sc)
    _write_issue(tmp_path, f'''note = "From the file."
drop = ["{p["witch"].link}"]
pin = ["{p["batman"].link}"]
''')
    flags = EditorChoices(note="From the **command line**.", pins=(PinRequest(p["witch"].link, 2),),
                          drops=(p["batman"].link,))

    selection = sc.choose(_config(tmp_path), NOW, overrides=flags)

    assert selection.note_markdown == "From the **command line**."
    # --pin of the file's drop un-drops it; --drop of the file's pin un-pins it.
    assert _links(selection.top) == [p["sinners"].link, p["witch"].link, p["andor"].link]
    assert selection.top[1].kind == "pinned"
    assert not selection.warnings
    # Flags without a note keep the file's note.
    kept = sc.choose(_config(tmp_path), NOW, overrides=EditorChoices(drops=(p["sinners"].link,)))
    assert kept.note_markdown == "From the file."
    assert p["sinners"].link not in _links(kept.top)


def test_merged_keeps_one_pin_per_url_and_flag_positions_win() -> None:
    url = "https://site.example/2025/05/07/review-witch-watch-episode-5-cat-scout/"
    other = "https://site.example/2025/05/06/review-andor/"
    file = EditorChoices(pins=(PinRequest(url, 4), PinRequest(other)), drops=(other + "x/",), note="file",
                         source="issues/2025-W19.toml")
    merged = file.merged(EditorChoices(pins=(PinRequest(url, 1),)))
    assert merged.pins == (PinRequest(url, 1), PinRequest(other))
    assert merged.drops == (other + "x/",)
    assert merged.note == "file" and merged.source == "issues/2025-W19.toml"


def test_parse_pin_from_the_command_line() -> None:
    link = "https://site.example/2025/05/07/review-witch-watch-episode-5-cat-scout/"
    assert parse_pin(f"{link}@3") == PinRequest(link, 3)
    assert parse_pin(f"{link}?utm_source=newsletter") == PinRequest(link)
    assert parse_pin(f"{link}?utm_campaign=x@2") == PinRequest(link, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('note = "Hi"\nnotes = "typo"\n', "notes (line 2): unknown key (check the spelling)"),
        ('[[pin]]\nurl = "https://site.example/a/"\n\n[[pin]]\nurl = "https://site.example/b/"\nposition = 0\n',
         "pin[1].position (line 6): Input should be greater than or equal to 1"),
        ('[[pin]]\nposition = 2\n', "pin[0].url (line 1): required key is missing"),
        ('note = "Hi\n', "not valid TOML"),
    ],
)
def test_issue_file_errors_name_the_file_key_and_line(
    sc: Scenario, tmp_path: Path, text: str, expected: str
) -> None:
    path = _write_issue(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        sc.choose(_config(tmp_path), NOW)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert len(message.splitlines()) == 1
    if "TOML" in expected:
        assert "line 1" in message


def test_a_bad_drop_entry_names_its_line(sc: Scenario, tmp_path: Path) -> None:
    path = _write_issue(tmp_path, 'note = "Hi"\ndrop = [42]\n')
    with pytest.raises(ConfigError, match=r"drop\[0\] \(line 2\)") as raised:
        sc.choose(_config(tmp_path), NOW)
    assert str(raised.value).startswith(str(path))
