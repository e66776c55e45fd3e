"""The editor's changes as the desk makes them: one domain call that checks them as ``build`` does, keeps
them in ``issues/<week>.toml``, and refuses a write over a change made since the file was read.

Real parts: the demo collected into a real store (the ``demo`` fixture), the real issue file.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from digest.errors import UsageError
from digest.select.editor import EditConflict, EditorChoices, PinRequest, issue_version, load_editor_choices
from digest.select.edits import record_edits
from digest.settings.config import load_config
from digest.store.database import Store
from digest.weeks import parse_week

HOST = "https://secondscreen.example"
SALT = f"{HOST}/2025/05/17/review-salt-road-is-worth-every-minute/"
LOW_TIDE = f"{HOST}/2025/05/17/review-low-tide-is-worth-your-time/"
RIOT = f"{HOST}/2025/05/14/review-riot-grrrl-rangers-1/"
W20 = parse_week("2025-W20")


def test_record_edits_checks_like_build_and_keeps_the_change(demo: Path) -> None:
    config = load_config(demo)
    path = demo.parent / "issues" / "2025-W20.toml"
    assert issue_version(config, "2025-W20") == "none"
    with Store.open(config.store_path) as store:
        with pytest.raises(UsageError, match="--section .*unknown section 'Cinema' .sections: Anime, Comics"):
            record_edits(config, store, W20, EditorChoices(sections=((SALT, "Cinema"),)))
        assert not path.exists()
        change = EditorChoices(order=(LOW_TIDE,), blurbs=((SALT, " Short\nand sweet "),))
        done = record_edits(config, store, W20, change, expected_version="none")
    assert done.path == path and done.notes == []
    assert done.version == issue_version(config, "2025-W20") != "none"
    kept = tomllib.loads(path.read_text(encoding="utf-8"))
    assert kept == {"order": [LOW_TIDE], "blurb": {SALT: "Short and sweet"}}
    assert done.choices == load_editor_choices(config, "2025-W20")


def test_a_write_over_a_change_made_since_reading_is_refused(demo: Path) -> None:
    config = load_config(demo)
    path = demo.parent / "issues" / "2025-W20.toml"
    with Store.open(config.store_path) as store:
        first = record_edits(config, store, W20, EditorChoices(note="Editor one."), expected_version="none")
        # Editor two read the file before editor one wrote it: their write is refused, nothing lost.
        with pytest.raises(EditConflict) as refused:
            record_edits(config, store, W20, EditorChoices(drops=(RIOT,)), expected_version="none")
        assert str(refused.value) == (f"{path} was changed since it was read (by another editor, or by hand); "
                                      "nothing was written: reload it and make the change again")
        assert tomllib.loads(path.read_text(encoding="utf-8")) == {"note": "Editor one."}
        second = record_edits(config, store, W20, EditorChoices(drops=(RIOT,)), expected_version=first.version)
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"note": "Editor one.", "drop": [RIOT]}
    assert second.version != first.version


def test_replacing_the_whole_choices_undoes_a_drop_a_pin_and_an_order(demo: Path) -> None:
    config = load_config(demo)
    path = demo.parent / "issues" / "2025-W20.toml"
    with Store.open(config.store_path) as store:
        done = record_edits(config, store, W20, EditorChoices(drops=(RIOT,), pins=(PinRequest(SALT, 2),),
                                                              order=(LOW_TIDE,), note="Hi"))
        current = load_editor_choices(config, "2025-W20")
        undone = replace(current, drops=(), pins=(), order=None)
        again = record_edits(config, store, W20, undone, expected_version=done.version, whole=True)
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"note": "Hi"}
    assert again.choices.drops == () and again.choices.pins == ()
