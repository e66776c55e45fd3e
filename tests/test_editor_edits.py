"""The editor's edits beyond pins and drops: the order of the picks, a pick moved to another section,
a pick's blurb (the TL;DR shown), in ``issues/<week>.toml`` and as ``digest build`` flags.

Each test builds week 2025-W20 of the real demo (collected once per module by the ``demo`` fixture).
"""

from __future__ import annotations

import email
import json
import re
import tomllib
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.select.editor import EditorChoices, PinRequest

NOW = "2025-05-19T08:00"
HOST = "https://secondscreen.example"
SAINT = f"{HOST}/2025/05/16/review-saint-agnes-street-soars/"  # No. 1, Film
KOMARI = f"{HOST}/2025/05/17/review-komaris-midnight-kitchen-episode-8-a-very-late-breakfast/"  # No. 2, Anime
SALT = f"{HOST}/2025/05/17/review-salt-road-is-worth-every-minute/"  # No. 3, Film
TWILIGHT = f"{HOST}/2025/05/12/review-twilight-out-of-focus-episode-12-a-red-thread/"  # No. 4, Anime
LOW_TIDE = f"{HOST}/2025/05/17/review-low-tide-is-worth-your-time/"  # No. 5, Film
RIOT = f"{HOST}/2025/05/14/review-riot-grrrl-rangers-1/"  # 6th by score, Comics
HOSTILE = ("<script>alert(1)</script> <b>bold</b> **not bold** {{ subscriber.email }} {% if x %} "
           "*|UNSUB|* %recipient.name%\r\nBcc: victim@example.com\n=?utf-8?q?hi?= &amp;")


def cli(demo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(demo), *args])
    return result.exit_code, result.output


def build(demo: Path, *args: str) -> tuple[int, str]:
    return cli(demo, "build", "--now", NOW, *args)


def issue_file(demo: Path) -> Path:
    return demo.parent / "issues" / "2025-W20.toml"


def out(demo: Path) -> Path:
    return demo.parent / "out" / "2025-W20"


def manifest_top(demo: Path) -> list[dict[str, object]]:
    manifest = json.loads((out(demo) / "manifest.json").read_text(encoding="utf-8"))
    return [p for p in manifest["picks"] if p["kind"] != "trending"]


def explain(demo: Path) -> str:
    code, text = cli(demo, "explain", "--week", "2025-W20")
    assert code == 0, text
    return text


# -- order -----------------------------------------------------------------------------------------


def test_order_flag_reorders_the_picks_renders_them_so_and_is_kept(demo: Path) -> None:
    code, text = build(demo, "--order", f"{LOW_TIDE},{SALT}")
    assert code == 0, text
    assert f"kept in {issue_file(demo)}" in text
    assert tomllib.loads(issue_file(demo).read_text(encoding="utf-8")) == {"order": [LOW_TIDE, SALT]}
    wanted = [LOW_TIDE, SALT, SAINT, KOMARI, TWILIGHT]  # the listed first, then the rest as selected
    assert [p["url"] for p in manifest_top(demo)] == wanted
    assert [p["position"] for p in manifest_top(demo)] == [1, 2, 3, 4, 5]
    html = (out(demo) / "digest.html").read_text(encoding="utf-8")
    text_part = (out(demo) / "digest.txt").read_text(encoding="utf-8")
    for titles in (html, text_part):
        found = [titles.index(t) for t in ("Low Tide", "Salt Road", "Saint Agnes Street", "Komari")]
        assert found == sorted(found)
    explained = explain(demo)
    assert "placed at No. 1 by the editor (No. 5 as selected)" in explained
    assert "placed at No. 2 by the editor (No. 3 as selected)" in explained
    # A later build without flags keeps the editor's order.
    code, text = build(demo)
    assert code == 0, text
    assert [p["url"] for p in manifest_top(demo)] == wanted


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (f"{SALT},{HOST}/2025/05/17/review-salt-road/",
         f"error: --order {HOST}/2025/05/17/review-salt-road/: not a stored review; closest stored reviews:"),
        (f"{SALT},{LOW_TIDE},{SALT}", f"error: --order {SALT}: listed twice; each pick has one position"),
        (",".join([SAINT, KOMARI, SALT, TWILIGHT, LOW_TIDE, RIOT]),
         f"error: --order {RIOT}: position 6 is out of range; positions run from 1 to 5 (the top picks)"),
    ],
)
def test_order_refuses_unknown_urls_duplicates_and_positions_beyond_the_issue(
    demo: Path, order: str, message: str
) -> None:
    code, text = build(demo, "--order", order)
    assert code == 2
    assert text.startswith(message), text
    assert not issue_file(demo).exists()  # nothing kept from a refused command
    assert not out(demo).exists()


def test_order_of_a_url_that_is_not_a_pick_is_said(demo: Path) -> None:
    code, text = build(demo, "--order", f"{RIOT},{SALT}")
    assert code == 0, text
    assert f"warning: ordered but not among the top picks: {RIOT} (pin it to bring it in)" in text
    assert [p["url"] for p in manifest_top(demo)][:2] == [SALT, SAINT]


def test_order_wins_over_the_file_pins_position_and_a_later_pin_position_wins_over_the_order() -> None:
    file = EditorChoices(pins=(PinRequest(SALT, 4), PinRequest(RIOT, 2)), order=(SAINT, RIOT))
    merged = file.merged(EditorChoices(order=(RIOT, KOMARI)))
    assert merged.order == (RIOT, KOMARI)
    assert merged.pins == (PinRequest(SALT, 4), PinRequest(RIOT))  # the order now places RIOT
    again = merged.merged(EditorChoices(pins=(PinRequest(RIOT, 3),)))
    assert again.order == (KOMARI,) and again.pins[0] == PinRequest(RIOT, 3)
    dropped = merged.merged(EditorChoices(drops=(KOMARI,)))
    assert dropped.order == (RIOT,)


# -- sections --------------------------------------------------------------------------------------


def test_section_flag_moves_a_pick_into_another_section(demo: Path) -> None:
    code, text = build(demo, "--section", f"{SALT}=Comics")
    assert code == 0, text
    assert tomllib.loads(issue_file(demo).read_text(encoding="utf-8")) == {"section": {SALT: "Comics"}}
    salt = next(p for p in manifest_top(demo) if p["url"] == SALT)
    assert salt["section"] == "Comics"
    assert "moved by the editor from Film to Comics" in explain(demo)
    html = (out(demo) / "digest.html").read_text(encoding="utf-8")
    kicker = re.search(r'class="kicker"[^>]*>(.*?)</p>', html[html.index("salt-road-"):])
    assert kicker is not None and kicker.group(1).endswith("Comics")
    assert "Comics · " in (out(demo) / "digest.txt").read_text(encoding="utf-8").split("Salt Road")[1][:200]


def test_an_unknown_section_is_refused_naming_the_known_ones(demo: Path) -> None:
    code, text = build(demo, "--section", f"{SALT}=Cinema")
    assert code == 2
    assert text.startswith(f"error: --section {SALT}=Cinema: unknown section 'Cinema' "
                           "(sections: Anime, Comics, TV, Film, Video Games, Other)"), text
    assert not issue_file(demo).exists()


def test_section_caps_apply_to_a_moved_review(demo: Path) -> None:
    config = demo.read_text(encoding="utf-8")
    demo.write_text(config.replace("[select]", "[select]\nmax_per_section = 2") if "[select]" in config
                    else config + "\n[select]\nmax_per_section = 2\n", encoding="utf-8")
    code, text = build(demo)
    assert code == 0, text
    assert [p["url"] for p in manifest_top(demo)] == [SAINT, KOMARI, SALT, TWILIGHT, RIOT]
    code, text = build(demo, "--section", f"{KOMARI}=Film")  # Film now has Saint Agnes and Komari
    assert code == 0, text
    assert [p["url"] for p in manifest_top(demo)] == [SAINT, KOMARI, TWILIGHT, RIOT,
                                                      f"{HOST}/2025/05/12/review-skyline-couriers-is-worth-your-time/"]
    code, text = build(demo, "--section", f"{RIOT}=Film")  # into a full Film
    assert code == 0, text
    assert "section cap: already 2 from Film (moved there by the editor from Comics)" in explain(demo)
    # An empty --order removes the file's order.
    code, text = build(demo, "--order", f"{SALT}")
    assert code == 0 and tomllib.loads(issue_file(demo).read_text(encoding="utf-8"))["order"] == [SALT]
    code, text = build(demo, "--order", "")
    assert code == 0 and "order" not in tomllib.loads(issue_file(demo).read_text(encoding="utf-8"))


# -- blurbs ----------------------------------------------------------------------------------------


def test_blurb_replaces_the_tldr_in_email_text_archive_and_explain(demo: Path) -> None:
    code, text = build(demo, "--blurb", f"{SALT}=Two hours on a salt road, and worth all of them.")
    assert code == 0, text
    kept = tomllib.loads(issue_file(demo).read_text(encoding="utf-8"))
    assert kept == {"blurb": {SALT: "Two hours on a salt road, and worth all of them."}}
    salt = next(p for p in manifest_top(demo) if p["url"] == SALT)
    assert salt["tldr"] == "Two hours on a salt road, and worth all of them."
    for name in ("digest.html", "digest.txt"):
        assert "Two hours on a salt road" in (out(demo) / name).read_text(encoding="utf-8")
    web = (demo.parent / "out" / "archive" / "2025-W20.html")
    assert "Two hours on a salt road" in web.read_text(encoding="utf-8")
    assert "TL;DR written by the editor" in explain(demo)
    # An empty blurb gives the review's own TL;DR back.
    code, text = build(demo, "--blurb", f"{SALT}=")
    assert code == 0, text
    assert "blurb" not in tomllib.loads(issue_file(demo).read_text(encoding="utf-8"))
    assert next(p for p in manifest_top(demo) if p["url"] == SALT)["tldr"] != salt["tldr"]


def test_a_hostile_blurb_comes_out_inert_in_html_text_and_headers(demo: Path) -> None:
    code, text = build(demo, "--blurb", f"{SAINT}={HOSTILE}")  # the hero: its TL;DR is also the preheader
    assert code == 0, text
    html = (out(demo) / "digest.html").read_text(encoding="utf-8")
    text_part = (out(demo) / "digest.txt").read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>bold</b>" not in html and "&lt;script&gt;" in html
    assert "**not bold**" in html and "<strong>not bold" not in html
    for part in (html, text_part):
        assert "{{ subscriber.email }}" not in part and "{{" not in part.split("Saint Agnes")[1][:3000]
        assert "*|UNSUB|*" not in part and "%recipient.name%" not in part and "=?utf-8?q?" not in part
        assert "Bcc: victim@example.com" in " ".join(part.split())  # as text, in the paragraph
    assert not re.search(r"^Bcc:", text_part, re.MULTILINE)
    message = email.message_from_bytes((out(demo) / "digest.eml").read_bytes(), policy=policy.default)
    assert message["Bcc"] is None and "victim" not in str(message["Subject"])
    for name, value in message.items():
        assert "\n" not in str(value) and "{{" not in str(value), name
    web = (demo.parent / "out" / "archive" / "2025-W20.html").read_text(encoding="utf-8")
    assert "<script>alert" not in web and "{{ subscriber" not in web


def test_blurb_refusals_name_the_limit(demo: Path) -> None:
    long = "word " * 50  # 250 characters; the demo allows 220
    code, text = build(demo, "--blurb", f"{SALT}={long}")
    assert code == 2
    assert text.startswith(f"error: --blurb {SALT}: 249 characters; at most 220 (reviews.tldr_max_chars)"), text
    code, text = build(demo, "--blurb", f"{HOST}/2025/05/17/review-salt-road/=Hi")
    assert code == 2
    assert text.startswith(f"error: --blurb {HOST}/2025/05/17/review-salt-road/: not a stored review")
    code, text = build(demo, "--blurb", "no equals sign")
    assert code == 2 and "--blurb no equals sign: give URL=TEXT" in text
    assert not issue_file(demo).exists()


# -- the issue file --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'order = ["{SALT}", "{SALT}"]\n', f"order (line 1): {SALT} listed twice; each pick has one position"),
        (f'order = ["{SAINT}", "{KOMARI}", "{SALT}", "{TWILIGHT}", "{LOW_TIDE}", "{RIOT}"]\n',
         "order (line 1): 6 picks listed; positions run from 1 to 5 (the top picks)"),
        (f'note = "Hi"\n[section]\n"{SALT}" = "Cinema"\n',
         "(line 3): unknown section 'Cinema' (sections: Anime, Comics, TV, Film, Video Games, Other)"),
        (f'[blurb]\n"{SALT}" = "{"x" * 221}"\n',
         "(line 2): 221 characters; at most 220 (reviews.tldr_max_chars)"),
        ('[blurb]\n"https://x.example/" = 3\n', "(line 2): Input should be a valid string"),
    ],
)
def test_issue_file_edits_are_validated_with_file_key_and_line(demo: Path, text: str, expected: str) -> None:
    path = issue_file(demo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    code, out_text = build(demo)
    assert code != 0
    assert out_text.startswith(f"error: {path}: "), out_text
    assert expected in out_text, out_text


def test_edits_written_by_hand_build_like_the_flags(demo: Path) -> None:
    path = issue_file(demo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'order = ["{TWILIGHT}"]\n\n[section]\n"{TWILIGHT}" = "TV"\n\n'
                    f'[blurb]\n"{TWILIGHT}" = """A red thread,\nfinally pulled."""\n', encoding="utf-8")
    code, text = build(demo)
    assert code == 0, text
    first = manifest_top(demo)[0]
    assert (first["url"], first["section"], first["tldr"]) == (TWILIGHT, "TV", "A red thread, finally pulled.")
    # A flag adds to the file: the order, section and blurb already there are kept in the rewrite.
    code, text = build(demo, "--note", "Hi")
    assert code == 0, text
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "note": "Hi", "order": [TWILIGHT], "section": {TWILIGHT: "TV"},
        "blurb": {TWILIGHT: "A red thread, finally pulled."}}


def test_a_flag_keeps_the_files_private_note(demo: Path) -> None:
    path = issue_file(demo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('private_note = "Subscribers: code WEEKLY."\n', encoding="utf-8")
    code, text = build(demo, "--blurb", f"{SALT}=Short.")
    assert code == 0, text
    kept = tomllib.loads(path.read_text(encoding="utf-8"))
    assert kept == {"private_note": "Subscribers: code WEEKLY.", "blurb": {SALT: "Short."}}


def test_a_blurb_for_a_review_that_is_not_a_pick_is_said(demo: Path) -> None:
    code, text = build(demo, "--blurb", f"{RIOT}=Punk rock, in panels.")
    assert code == 0, text
    assert f"warning: blurb for a review that is not a pick: {RIOT} (pin it to show it)" in text


def test_control_characters_in_a_blurb_or_note_never_break_the_issue_file(demo: Path) -> None:
    code, text = build(demo, "--blurb", f"{SALT}=Tab\there, bell\x07, delete\x7f, nul\x00 end",
                       "--note", "Note with delete\x7f.")
    assert code == 0, text
    kept = tomllib.loads(issue_file(demo).read_text(encoding="utf-8"))  # still TOML
    assert kept["blurb"] == {SALT: "Tab here, bell , delete , nul end"}
    code, text = build(demo)  # and a later build reads it
    assert code == 0, text
