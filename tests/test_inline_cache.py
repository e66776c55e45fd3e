"""premailer's parsed stylesheet kept beside the store for the next process (digest.mail.inline_cache).

Each render runs in its own interpreter, as two `digest build`s would, and reports how many times
cssutils parsed a whole sheet; the HTML of every render is compared with one made with no file at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from digest.mail.inline_cache import cache_folder

TESTS = Path(__file__).resolve().parent

_RENDER = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from digest.mail.render import render_issue  # first: it sizes premailer's cache before premailer loads
from premailer import Premailer
from email_fixtures import BRANDED, email_config, realistic_selection

parsed = []
original = Premailer._parse_css_string
def counting(self, css_body, validate=True):
    parsed.append(len(css_body))
    return original(self, css_body, validate)
Premailer._parse_css_string = counting
import cssutils
styles = []
parse_style = cssutils.parseStyle
def counting_style(text, *args, **kwargs):
    if sys._getframe(1).f_code.co_filename.endswith("merge_style.py"):  # premailer's, not the lint's
        styles.append(text)
    return parse_style(text, *args, **kwargs)
cssutils.parseStyle = counting_style
config = email_config(Path(sys.argv[1]), **BRANDED)
html = render_issue(config, realistic_selection()).html
print(json.dumps({"html": html, "sheets_parsed": len(parsed), "styles_parsed": len(styles),
                  "store": str(config.store_path)}))
"""


def render(folder: Path, temp: Path | None = None) -> dict[str, object]:
    """The realistic issue rendered in a fresh process with its config (and store) in ``folder``;
    ``temp``: the user's temp folder (the shared copy of the parsed sheet), else a new empty one."""
    temp = temp or Path(tempfile.mkdtemp(dir=folder.parent))
    done = subprocess.run([sys.executable, "-c", _RENDER, str(folder), str(TESTS)], capture_output=True,
                          text=True, check=True, timeout=120, env={**os.environ, "TMPDIR": str(temp)})
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def kept_files(folder: Path, store: object) -> list[Path]:
    return sorted(cache_folder(Path(str(store))).glob("inline-css-*.json"))


def test_a_second_process_reads_the_parsed_sheet_and_writes_the_same_html(tmp_path: Path) -> None:
    first = render(tmp_path)
    assert first["sheets_parsed"] == 1  # the inlined sheet (the head <style> is left unparsed)
    (kept,) = kept_files(tmp_path, first["store"])
    assert json.loads(kept.read_text(encoding="utf-8"))["rules"]
    assert first["styles_parsed"] > 20  # each distinct declaration list, the rules' and the elements' own
    second = render(tmp_path)
    assert second["sheets_parsed"] == 0
    assert second["styles_parsed"] == 0
    assert second["html"] == first["html"]


def test_a_foreign_torn_or_stale_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    clean = render(tmp_path)
    (kept,) = kept_files(tmp_path, clean["store"])
    sound = json.loads(kept.read_text(encoding="utf-8"))
    planted = json.loads(json.dumps(sound))
    # A rule the sheet does not hold: every link in the issue would carry it.
    planted["rules"].append([[0, 0, 0, 1, sound["rules"][0][0][4], len(sound["rules"])], "a",
                             "background-image:url(https://tracker.example/p.gif)"])
    renamed = json.loads(json.dumps(sound))
    renamed["rules"][0][1] = "body"  # a real selector moved onto the wrong rule
    renamed["rules"][0][2] = "position:fixed"
    forged_key = {**sound, "key": "0" * 64}
    for content in (json.dumps(planted), json.dumps(renamed), json.dumps(forged_key), kept.read_text()[:100],
                    "[]", '{"format": 1, "key": "' + sound["key"] + '", "rules": [[[1e999], "a", "b"]]}'):
        kept.write_text(content, encoding="utf-8")
        again = render(tmp_path)
        assert again["sheets_parsed"] == 1, content[:80]
        assert again["html"] == clean["html"]
        assert json.loads(kept.read_text(encoding="utf-8")) == sound  # replaced by a sound file


def test_declarations_that_do_not_match_their_text_are_parsed_again(tmp_path: Path) -> None:
    clean = render(tmp_path)
    (kept,) = cache_folder(Path(str(clean["store"]))).glob("inline-pairs-*.json")
    data = json.loads(kept.read_text(encoding="utf-8"))
    text, validate, pairs = data["entries"][0]
    pairs[0][1] = "url(https://tracker.example/p.gif)"  # a value the declaration does not hold
    data["entries"] = [[text, validate, pairs], ["color:#000", None, [["position", "fixed"]]]]
    kept.write_text(json.dumps(data), encoding="utf-8")
    again = render(tmp_path)
    assert again["styles_parsed"] >= 1
    assert again["html"] == clean["html"]


def test_a_new_store_reads_the_sheet_another_store_of_this_user_parsed(tmp_path: Path) -> None:
    """A first build in a new store (bench/run.py's empty store, a new edition's) finds the parsed sheet
    and declarations in the user's private temp folder, as Jinja finds its compiled templates there."""
    temp = tmp_path / "temp"
    temp.mkdir()
    first = render(tmp_path / "one", temp)
    assert first["sheets_parsed"] == 1
    second = render(tmp_path / "two", temp)
    assert second["sheets_parsed"] == 0
    assert second["styles_parsed"] == 0
    assert second["html"] == first["html"]
    assert kept_files(tmp_path / "two", second["store"])  # the store keeps its own copy too


def test_a_shared_folder_others_can_write_is_not_read(tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    first = render(tmp_path / "one", temp)
    (shared,) = [p for p in temp.iterdir() if p.name.startswith("_digest-")]
    shared.chmod(0o777)  # anyone could have put a sheet there
    second = render(tmp_path / "two", temp)
    assert second["sheets_parsed"] == 1
    assert second["html"] == first["html"]
