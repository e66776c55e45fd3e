"""``digest desk`` on the demo built offline, over real HTTP: the week as the editor sees it, and each
change (pick, drop, pin at a position, the note) checked as ``digest build`` checks it, written to the
issue file and rebuilt into the email the page shows."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from pathlib import Path

from click.testing import CliRunner
from helpers.desk import NOW, WEEK, build_demo, request, running_desk

from digest.cli import main
from digest.settings.config import load_config


def manifest(config: Path) -> dict[str, object]:
    out = load_config(config).output_root() / WEEK / "manifest.json"
    loaded: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def issue_file(config: Path) -> Path:
    return load_config(config).resolve(load_config(config).issues_dir) / f"{WEEK}.toml"


def test_the_page_shows_every_pick_with_why_it_won_and_every_near_miss_with_why_it_lost(demo: Path) -> None:
    build_demo(demo)
    built = manifest(demo)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
    assert page.status == 200
    picks, misses = built["picks"], built["near_misses"]
    assert isinstance(picks, list) and isinstance(misses, list) and picks and misses
    for pick in picks:
        assert escape(pick["title"]) in page.text
        day = datetime.fromisoformat(pick["published"]).strftime("%a %d %b")
        assert f'{escape(pick["section"])} · {pick["comments"]} comments · {day}' in page.text
        for reason in pick["reasons"]:
            assert escape(reason) in page.text
        if pick["kind"] == "trending":
            for signal in pick["signals"]:
                assert escape(signal["detail"]) in page.text  # comment growth, trending rank
    for miss in misses:
        assert escape(f"why it lost: {miss['reason']}") in page.text
    assert any(p["tldr"] and escape(p["tldr"][:40]) in page.text
               for p in picks)
    assert '<iframe id="email-desktop" sandbox="allow-same-origin" src="/email.html"' in page.text
    assert "<img src=\"https://" in page.text or "<img src=\"/mirror/" in page.text


def test_drop_writes_the_issue_file_and_the_page_shows_the_rebuilt_email(demo: Path) -> None:
    build_demo(demo)
    first = manifest(demo)["picks"][0]  # type: ignore[index]
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        answer = request(server, "POST", "/change", page.fields("drop", first["url"]))
        email = request(server, "GET", "/email.html")
    assert answer.status == 200, answer.text
    assert "rebuilt 2025-W20" in answer.text
    assert f'drop = ["{first["url"]}"]' in issue_file(demo).read_text(encoding="utf-8")
    assert first["url"] not in [p["url"] for p in manifest(demo)["picks"]]  # type: ignore[union-attr]
    assert first["url"] not in email.text and first["url"] in page.text


def test_pin_at_a_position_puts_a_near_miss_there_as_the_cli_would(demo: Path) -> None:
    build_demo(demo)
    miss = manifest(demo)["near_misses"][0]  # type: ignore[index]
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        answer = request(server, "POST", "/change", {**page.fields("pin_at", miss["url"]), "position": "1"})
    assert answer.status == 200, answer.text
    top = manifest(demo)["picks"][0]  # type: ignore[index]
    assert (top["url"], top["kind"], top["position"]) == (miss["url"], "pinned", 1)
    text = issue_file(demo).read_text(encoding="utf-8")
    assert f'[[pin]]\nurl = "{miss["url"]}"\nposition = 1' in text


def test_pick_and_note_are_kept_and_the_note_is_escaped_in_the_email(demo: Path) -> None:
    build_demo(demo)
    miss = manifest(demo)["near_misses"][0]  # type: ignore[index]
    hostile = 'Big week. <script>alert("x")</script> <img src=x onerror=alert(1)>'
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        picked = request(server, "POST", "/change", page.fields("pick", miss["url"]))
        noted = request(server, "POST", "/change", {**picked.fields("note"), "note": hostile})
        email = request(server, "GET", "/email.html")
    assert picked.status == 200 and noted.status == 200, noted.text
    assert miss["url"] in [p["url"] for p in manifest(demo)["picks"]]  # type: ignore[union-attr]
    assert manifest(demo)["note"] == hostile
    assert "<script>alert" not in email.text and "onerror=alert(1)>" not in email.text
    assert "&lt;script&gt;" in noted.text  # the note's form shows it, escaped


def test_a_refused_pin_shows_the_clis_message_and_writes_nothing(demo: Path) -> None:
    build_demo(demo, "--note", "kept as it was")
    before = issue_file(demo).read_bytes()
    miss = manifest(demo)["near_misses"][0]  # type: ignore[index]
    cli = CliRunner().invoke(main, ["--config", str(demo), "build", "--week", WEEK, "--now", NOW,
                                    "--pin", f"{miss['url']}@99"])
    assert cli.exit_code == 2
    message = cli.output.removeprefix("error: ").strip()
    assert "position 99 is out of range" in message
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        answer = request(server, "POST", "/change", {**page.fields("pin_at", miss["url"]), "position": "99"})
        unknown = request(server, "POST", "/change",
                          {**page.fields("pick"), "url": "https://secondscreen.example/no-such-review/"})
    assert answer.status == 422
    assert escape(message) in answer.text
    assert unknown.status == 422 and "not a stored review" in unknown.text
    assert issue_file(demo).read_bytes() == before


def test_the_command_refuses_an_unbuilt_week_and_a_public_host_without_a_token(demo: Path) -> None:
    unbuilt = CliRunner().invoke(main, ["--config", str(demo), "desk", "--week", "2025-W18", "--port", "0"])
    assert unbuilt.exit_code == 2
    assert "2025-W18 has not been built with this config; run digest build --week 2025-W18" in unbuilt.output
    build_demo(demo)
    public = CliRunner().invoke(main, ["--config", str(demo), "desk", "--host", "0.0.0.0", "--port", "0"],
                                env={"DIGEST_DESK_TOKEN": ""})
    assert public.exit_code == 2
    assert "--host 0.0.0.0 is not loopback" in public.output and "DIGEST_DESK_TOKEN" in public.output


def test_a_desk_change_keeps_what_else_the_issue_file_holds(demo: Path) -> None:
    issue_file(demo).parent.mkdir(parents=True, exist_ok=True)
    issue_file(demo).write_text('note = "Public word"\nprivate_note = "Subscribers: code WEEKLY"\n', "utf-8")
    build_demo(demo)
    first = manifest(demo)["picks"][0]  # type: ignore[index]
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        answer = request(server, "POST", "/change", page.fields("drop", first["url"]))
    assert answer.status == 200, answer.text
    text = issue_file(demo).read_text(encoding="utf-8")
    assert 'note = "Public word"' in text and 'private_note = "Subscribers: code WEEKLY"' in text
    assert manifest(demo)["private_note"] == "Subscribers: code WEEKLY"


def test_a_change_the_build_refuses_leaves_the_issue_file_as_it_was(demo: Path) -> None:
    build_demo(demo, "--note", "kept as it was")
    before = issue_file(demo).read_bytes()
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        answer = request(server, "POST", "/change", {**page.fields("note"), "note": "x" * 5001})
        after = request(server, "GET", "/")
    assert answer.status == 422
    assert "at most 5000 characters" in answer.text
    assert issue_file(demo).read_bytes() == before  # not a file every later build would refuse
    assert after.status == 200 and "kept as it was" in after.text and 'role="alert"' not in after.text
    assert "changed since the email was built" not in after.text  # put back as it was, its time too


def test_an_editions_desk_changes_that_editions_issue_file_only(demo: Path) -> None:
    build_demo(demo)
    build_demo(demo, "--edition", "anime")
    config = load_config(demo)
    out = config.output_root() / "anime" / WEEK / "manifest.json"
    first = json.loads(out.read_text(encoding="utf-8"))["picks"][0]["url"]
    with running_desk(demo, edition="anime") as server:
        page = request(server, "GET", "/")
        answer = request(server, "POST", "/change", page.fields("drop", first))
    assert answer.status == 200, answer.text
    assert "anime/2025-W20" in page.text
    assert first in (issue_file(demo).parent / "anime" / f"{WEEK}.toml").read_text(encoding="utf-8")
    assert not issue_file(demo).exists()
    assert first not in [p["url"] for p in json.loads(out.read_text(encoding="utf-8"))["picks"]]


def test_a_hand_edit_after_the_build_is_said_until_the_email_is_rebuilt(demo: Path) -> None:
    import os

    build_demo(demo)
    first = manifest(demo)["picks"][0]  # type: ignore[index]
    path = issue_file(demo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'drop = ["{first["url"]}"]\n', encoding="utf-8")
    later = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(later, later))
    with running_desk(demo) as server:
        edited = request(server, "GET", "/")
        rebuilt = request(server, "POST", "/change", {**edited.fields("note"), "note": "Now rebuilt"})
    assert "changed since the email was built" in edited.text
    assert first["url"] not in [p["url"] for p in manifest(demo)["picks"]]  # type: ignore[union-attr]
    assert rebuilt.status == 200 and "changed since the email was built" not in rebuilt.text
