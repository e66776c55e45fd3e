"""The desk's whole week on the demo, over real HTTP: reorder by buttons (the keyboard's way), move a pick
to another section, rewrite its blurb with hostile text, then submit, approve as a second person and hand
off to a real SMTP server, exactly once. Each change goes through the same domain calls as ``digest build
--order/--section/--blurb`` and ``digest issue``; the issue file and the store say what happened."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.desk import WEEK, build_demo, request, running_desk, written
from test_approval import _config, _issue, _subjects
from test_smtp import Inbox, smtp_server

from digest.settings.config import load_config


def _manifest(config: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        (load_config(config).output_root() / WEEK / "manifest.json").read_text(encoding="utf-8"))
    return loaded


def _tops(config: Path) -> list[str]:
    return [p["url"] for p in _manifest(config)["picks"] if p["kind"] == "top"]  # type: ignore[union-attr]


def _issue_text(config: Path) -> str:
    loaded = load_config(config)
    return (loaded.resolve(loaded.issues_dir) / f"{WEEK}.toml").read_text(encoding="utf-8")


def test_reorder_by_buttons_writes_the_order_and_refuses_past_the_ends(demo: Path) -> None:
    build_demo(demo)
    first, second = _tops(demo)[:2]
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        moved = request(server, "POST", "/change", page.fields("move_up", second))
        assert moved.status == 200, moved.text
        written(server)
        assert _tops(demo)[:2] == [second, first]
        assert "order = [" in _issue_text(demo)
        refused = request(server, "POST", "/change", moved.fields("move_up", second))
    assert refused.status == 422
    assert "already first of the top picks" in refused.text
    assert _tops(demo)[:2] == [second, first]  # nothing written by the refused move


def test_a_section_move_and_a_hostile_blurb_reach_the_email_inert(demo: Path) -> None:
    build_demo(demo)
    pick = _manifest(demo)["picks"][0]  # type: ignore[index]
    other = next(s.name for s in load_config(demo).sections if s.name != pick["section"])
    hostile = '<img src=x onerror=alert(1)> {{ config }} *|EMAIL|* Bcc: x@evil.example'
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        moved = request(server, "POST", "/change", {**page.fields("section", pick["url"]), "section": other})
        assert moved.status == 200, moved.text
        blurbed = request(server, "POST", "/change", {**moved.fields("blurb", pick["url"]), "blurb": hostile})
        assert blurbed.status == 200, blurbed.text
        email = request(server, "GET", "/email.html")
    shown = next(p for p in _manifest(demo)["picks"] if p["url"] == pick["url"])  # type: ignore[union-attr]
    assert shown["section"] == other
    assert "onerror=alert(1)>" not in email.text and "&lt;img src=x onerror=alert(1)&gt;" in email.text
    text = _issue_text(demo)
    assert f'"{pick["url"]}" = "{other}"' in text and "onerror" in text  # the file says what the editor did


def _approval_form(page_fields: dict[str, str], action: str, who: str, comment: str = "") -> dict[str, str]:
    return {"csrf": page_fields["csrf"], "version": page_fields["version"], "action": action, "as": who,
            "comment": comment}


def test_submit_approve_as_another_person_and_hand_off_exactly_once(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        build_demo(config)
        with running_desk(config) as server:
            page = request(server, "GET", "/")
            assert "state: draft" in page.text
            fields = page.fields("note")
            early = request(server, "POST", "/change", _approval_form(fields, "hand_off", "Ana Reyes"))
            assert early.status == 422 and "not approved" in early.text, early.text
            submitted = request(server, "POST", "/change",
                                _approval_form(fields, "submit", "Ana Reyes", "Week 20, ready"))
            assert submitted.status == 200 and "in review" in submitted.text, submitted.text
            own = request(server, "POST", "/change", _approval_form(fields, "approve", "Ana Reyes"))
            assert own.status == 422 and "Ana Reyes is not an approver" in own.text
            approved = request(server, "POST", "/change", _approval_form(fields, "approve", "Cy Okafor"))
            assert approved.status == 200 and "approved" in approved.text, approved.text
            sent = request(server, "POST", "/change", _approval_form(fields, "hand_off", "Cy Okafor"))
            assert sent.status == 200, sent.text
            again = request(server, "POST", "/change", _approval_form(fields, "hand_off", "Cy Okafor"))
        subjects = _subjects(inbox)
        assert len(subjects) == 3, subjects  # two notices (to the approvers, to the submitter), one issue
        assert "is in review (submit by Ana Reyes)" in subjects[0] and "is approved" in subjects[1]
        assert "+ 8 more" in subjects[2]  # the issue itself, handed off once
        assert again.status == 200 and "already delivered by smtp" in again.text, again.text
        status = _issue(config, "status", "--json")
    state = json.loads(status.output)
    assert state["state"] == "handed off"
    assert [m["action"] for m in state["history"]][:2] == ["submit", "approve"]
    assert [m["by"] for m in state["history"]][:2] == ["Ana Reyes", "Cy Okafor"]
