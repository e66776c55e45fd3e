"""Preparing a render ahead (``digest.mail.render.prepare_render``, issue 23).

A process that knows it will render an issue with an editor's note loads the note's renderer
(markdown-it) ahead, while it would otherwise wait (``digest run`` during the collect, the desk
when it opens): the render itself then pays nothing for it. Without a note, nothing loads it.
Each case runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.desk import WEEK, build_demo
from test_render import GOLDEN, normalise

TESTS = Path(__file__).parent

_PREPARE = """
import json, sys
from digest.mail.render import prepare_render
before = "markdown_it" in sys.modules
prepare_render(notes=sys.argv[1] == "note")
print(json.dumps({"before": before, "markdown_it": "markdown_it" in sys.modules,
                  "note_renderer": "digest.mail.markdown" in sys.modules}))
"""

# Render tests/golden's issue (which has a note) with or without preparing first; print what came out.
_RENDER = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from email_fixtures import BRANDED, email_config, realistic_selection
from digest.mail.render import prepare_render, render_issue
config = email_config(Path(sys.argv[2]), **BRANDED)
if sys.argv[3] == "prepared":
    prepare_render(notes=True)
loaded = "markdown_it" in sys.modules
issue = render_issue(config, realistic_selection())
print(json.dumps({"loaded": loaded, "html": issue.html, "text": issue.text, "subject": issue.subject}))
"""


def child(code: str, *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize(("notes", "loads"), [("note", True), ("none", False)])
def test_prepare_loads_the_notes_renderer_only_for_an_issue_with_a_note(notes: str, loads: bool) -> None:
    found = child(_PREPARE, notes)
    assert found == {"before": False, "markdown_it": loads, "note_renderer": loads}


def test_a_prepared_render_is_byte_identical_to_an_unprepared_one(tmp_path: Path) -> None:
    prepared = child(_RENDER, str(TESTS), str(tmp_path / "a"), "prepared")
    plain = child(_RENDER, str(TESTS), str(tmp_path / "b"), "plain")
    assert prepared["loaded"] is True and plain["loaded"] is False  # the preparation did load it ahead
    for key in ("html", "text", "subject"):
        assert prepared[key] == plain[key], key
    html, text = str(prepared["html"]), str(prepared["text"])
    assert normalise(html) == (GOLDEN / "realistic.html").read_text(encoding="utf-8")
    assert normalise(text) == (GOLDEN / "realistic.txt").read_text(encoding="utf-8")


_DESK = """
import json, sys
from digest.desk.session import open_session
from digest.settings.config import load_config
session = open_session(load_config(sys.argv[1]), sys.argv[2])
print(json.dumps({"markdown_it": "markdown_it" in sys.modules, "issue": session.issue_id}))
session.close()
"""


@pytest.mark.parametrize(("key", "loads"), [("note", True), ("private_note", True), (None, False)])
def test_the_desk_loads_the_notes_renderer_when_it_opens_an_issue_with_a_note(
        demo: Path, key: str | None, loads: bool) -> None:
    """The desk opens a built issue: its first email after a change then pays no import for the note."""
    if key is not None:
        (demo.parent / "issues").mkdir(exist_ok=True)
        (demo.parent / "issues" / f"{WEEK}.toml").write_text(f'{key} = "A *quiet* week."\n', encoding="utf-8")
    build_demo(demo)
    assert child(_DESK, str(demo), WEEK) == {"markdown_it": loads, "issue": WEEK}


# load_build in a fresh interpreter, twice; then tests/golden's issue rendered, counting the collector's
# full (generation 2) passes and the objects each pass had to walk.
_LOAD_BUILD = """
import gc, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from email_fixtures import BRANDED, email_config, realistic_selection
from digest.job.run import load_build
from digest.mail.render import render_issue
config = email_config(Path(sys.argv[2]), **BRANDED)
selection = realistic_selection()
before = gc.get_freeze_count()
load_build()
first = gc.get_freeze_count()
load_build()
second = gc.get_freeze_count()
walked = []
gc.callbacks.append(lambda phase, info: walked.append(len(gc.get_objects(generation=2)))
                    if phase == "start" and info["generation"] == 2 else None)
for _ in range(3):
    render_issue(config, selection)
gc.collect()
print(json.dumps({"before": before, "first": first, "second": second, "walked": walked,
                  "live": len(gc.get_objects())}))
"""


def test_load_build_freezes_what_the_process_holds_once(tmp_path: Path) -> None:
    """The modules and objects made before the build leave the cyclic collector's sight, once a process:
    a full collection in the render then walks only what the render made, not the ~50,000 objects
    the imports made."""
    done = subprocess.run([sys.executable, "-c", _LOAD_BUILD, str(TESTS), str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=True)
    seen = json.loads(done.stdout)
    assert seen["before"] == 0 and seen["first"] > 20_000, seen
    assert seen["second"] == seen["first"], seen  # a second call pins nothing more
    assert seen["walked"] and max(seen["walked"]) < seen["first"] // 5, seen
