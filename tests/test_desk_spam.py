"""SpamAssassin off the desk's critical path, never off the hand-off's.

A desk change builds the email with its spam check left pending (the manifest's report says so) and
returns; a background worker runs SpamAssassin on that build's .eml and fills the check in, as the same
text a synchronous ``digest build`` writes. No hand-off (the desk's, ``digest issue hand-off``, ``digest
run``) delivers an issue whose check is pending (it is completed first) or failed (refused, nothing sent).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers.desk import WEEK, build_demo, request, running_desk
from test_approval import _config, _issue
from test_smtp import Inbox, smtp_server

from digest.desk.session import DeskSession, file_version, open_session
from digest.job.build import build_issue
from digest.select.editor import EditorChoices
from digest.settings.config import load_config
from digest.store.lock import open_store
from digest.weeks import parse_week

# SpamAssassin's own test string: any mail holding it scores 1000.
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def _folder(config: Path) -> Path:
    return load_config(config).output_root() / WEEK


def _spam(config: Path) -> dict[str, object]:
    report = json.loads((_folder(config) / "manifest.json").read_text(encoding="utf-8"))["report"]
    found: dict[str, object] = next(c for c in report["checks"] if c["name"] == "spamassassin")
    return found


def _change(session: DeskSession, flags: EditorChoices) -> None:
    session.apply(flags, file_version(session.issue_path))


def test_a_desk_change_leaves_the_spam_check_pending_and_the_background_writes_what_a_build_would(
        demo: Path) -> None:
    build_demo(demo)
    session = open_session(load_config(demo), WEEK)
    try:
        flags = EditorChoices(note="Checked in the background")
        result, _ = session.apply(flags, file_version(session.issue_path))
        assert [c.status for c in result.report.checks if c.name == "spamassassin"] == ["pending"]
        session.settle()  # the files, written now rather than once the desk is quiet
        assert _spam(demo)["status"] == "pending"  # the email is on screen before SpamAssassin has run
        session.wait_spam_check()
    finally:
        session.close()
    assert _spam(demo)["status"] == "ok"
    filled = (_folder(demo) / "manifest.json").read_bytes()
    build_demo(demo)  # `digest build` from the same issue file: SpamAssassin inline, as always
    assert (_folder(demo) / "manifest.json").read_bytes() == filled


def test_a_newer_build_supersedes_an_older_check(demo: Path) -> None:
    build_demo(demo)
    session = open_session(load_config(demo), WEEK)
    try:
        _change(session, EditorChoices(note="First"))
        _change(session, EditorChoices(note="Second"))
        session.wait_spam_check()
    finally:
        session.close()
    manifest = json.loads((_folder(demo) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["note"] == "Second" and _spam(demo)["status"] == "ok"


def _pending_build(config: Path) -> None:
    """The issue built as the desk builds it, with no worker to finish its spam check."""
    loaded = load_config(config)
    now = json.loads((_folder(config) / "manifest.json").read_text(encoding="utf-8"))["now"]
    with open_store(loaded.store_path, lock=True) as store:
        build_issue(loaded, store, datetime.fromisoformat(now), parse_week(WEEK), spam_pending=True)


def test_a_hand_off_completes_a_pending_check_before_it_delivers(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port, required=False)
        build_demo(config)
        _pending_build(config)
        assert _spam(config)["status"] == "pending"
        sent = _issue(config, "hand-off", "--as", "Ana Reyes")
    assert sent.exit_code == 0, sent.output
    assert _spam(config)["status"] == "ok"
    assert len(inbox.messages) == 1


def test_an_approval_stands_when_the_check_is_filled_in(demo: Path) -> None:
    """The approval is of a build; filling in its spam result does not make it another build."""
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        build_demo(config)
        session = open_session(load_config(config), WEEK)
        try:
            _change(session, EditorChoices(note="Approved while SpamAssassin runs"))
            session.settle()  # as the desk's own buttons do before a move
            assert _issue(config, "submit", "--as", "Ana Reyes").exit_code == 0
            assert _issue(config, "approve", "--as", "Cy Okafor").exit_code == 0
            session.wait_spam_check()
        finally:
            session.close()
        status = json.loads(_issue(config, "status", "--json").output)
        assert status["state"] == "approved" and not status["stale"]
        sent = _issue(config, "hand-off", "--as", "Cy Okafor")
    assert sent.exit_code == 0, sent.output
    assert "delivered by smtp" in sent.output and _spam(config)["status"] == "ok"


def test_a_spam_failing_email_is_refused_by_the_desks_hand_off_and_by_the_command(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port, required=False)
        build_demo(config)
        url = json.loads((_folder(config) / "manifest.json").read_text(encoding="utf-8"))["picks"][0]["url"]
        with running_desk(config) as server:
            page = request(server, "GET", "/")
            blurb = {**page.fields("blurb", url), "blurb": f"Read {GTUBE}"}
            changed = request(server, "POST", "/change", blurb)
            assert changed.status == 200, changed.text
            fields = changed.fields("note")
            desk = request(server, "POST", "/change", {"csrf": fields["csrf"], "version": fields["version"],
                                                        "action": "hand_off", "as": "Ana Reyes"})
        command = _issue(config, "hand-off", "--as", "Ana Reyes")
        assert inbox.messages == []  # nothing delivered, by either
    assert desk.status == 422, desk.text
    assert "SpamAssassin" in desk.text and "nothing was sent" in desk.text
    assert command.exit_code != 0 and "SpamAssassin" in command.output and "nothing was sent" in command.output
    assert _spam(config)["status"] == "error"


def test_a_result_for_an_older_eml_is_never_written_over_a_newer_build(demo: Path) -> None:
    from digest.job.spam import eml_hash, record_check
    from digest.mail.report import Check

    build_demo(demo)
    _pending_build(demo)
    folder = _folder(demo)
    found = Check("spamassassin", "ok", "score 0.1 (spam from 5.0); rules: none")
    assert not record_check(folder, eml_hash(b"the email of a build since replaced"), found)
    assert _spam(demo)["status"] == "pending"
    assert record_check(folder, eml_hash((folder / "digest.eml").read_bytes()), found)
    assert _spam(demo) == {"name": "spamassassin", "status": "ok", "summary": found.summary, "details": []}
    report = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["report"]
    assert report["figures"]["spam_score"] == 0.1


def test_changes_made_in_quick_succession_are_checked_once_the_desk_is_quiet(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.desk.spam as worker

    checked: list[bytes] = []
    real = worker.run_check

    def counted(config: Any, eml: bytes, **kwargs: Any) -> Any:
        checked.append(eml)
        return real(config, eml, **kwargs)

    monkeypatch.setattr(worker, "run_check", counted)
    build_demo(demo)
    session = open_session(load_config(demo), WEEK)
    try:
        for n in range(4):  # an editor at work: each change comes before the desk has been quiet a second
            _change(session, EditorChoices(note=f"Change {n}"))
        session.wait_spam_check()
    finally:
        session.close()
    last = (_folder(demo) / "digest.eml").read_bytes()
    assert checked == [last]  # SpamAssassin ran once, on the last change's email, not on each
    assert _spam(demo)["status"] == "ok"
