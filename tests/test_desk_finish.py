"""A desk change is shown at once and written a moment later: never lost, never half-way, never stale.

The email the editor sees after a change is the composed issue, served from memory; its files (the
folder, the store's record, the archive) are written once the desk is quiet. These tests hold the quiet
long (``write_quiet``) so the state between the two is there to look at, then check that what is finally
written is what ``digest build`` writes, that every move waits for it, and that a write that cannot
happen is said and stops the hand-off while the issue file keeps the change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.desk import WEEK, build_demo, request, running_desk, written
from test_approval import _config
from test_desk_workflow import _approval_form
from test_smtp import Inbox, smtp_server

import digest.desk.finish
from digest.desk.finish import file_version
from digest.desk.preview import EMAIL_POLICY
from digest.desk.session import open_session
from digest.errors import DigestError
from digest.select.editor import EditorChoices
from digest.settings.config import load_config

LONG = 30.0  # seconds: longer than any test, so only a settle (or the desk's close) writes


def _folder(config: Path) -> Path:
    return load_config(config).output_root() / WEEK


def _note_form(page_fields: dict[str, str], note: str) -> dict[str, str]:
    return {**page_fields, "note": note}


def test_a_change_is_served_from_memory_then_written_as_digest_build_writes_it(demo: Path) -> None:
    build_demo(demo)
    before = (_folder(demo) / "digest.html").read_bytes()
    with running_desk(demo, write_quiet=LONG) as server:
        page = request(server, "GET", "/")
        form = _note_form(page.fields("note"), "Shown before it is written")
        changed = request(server, "POST", "/change", form)
        assert changed.status == 200, changed.text
        assert "changed since the email was built" not in changed.text  # the email shown is the change's
        assert (_folder(demo) / "digest.html").read_bytes() == before  # not written yet
        email = request(server, "GET", "/email.html")
        text = request(server, "GET", "/digest.txt")
        report = request(server, "GET", "/report")
        assert "Shown before it is written" in email.text and "Shown before it is written" in text.text
        assert email.headers["content-security-policy"] == EMAIL_POLICY  # as sandboxed as a built one
        assert 'data-check="spamassassin" data-status="pending"' in report.text
        written(server)
        html = (_folder(demo) / "digest.html").read_bytes()
        assert b"Shown before it is written" in html
        page = request(server, "GET", "/")
        assert "changed since the email was built" not in page.text
    build_demo(demo)  # `digest build` from the same issue file writes the same email, byte for byte
    assert (_folder(demo) / "digest.html").read_bytes() == html


def test_a_burst_of_changes_writes_only_the_newest_once(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_demo(demo)
    writes: list[str] = []
    real = digest.desk.finish.write_composed

    def counted(store, composed):  # type: ignore[no-untyped-def]
        writes.append(composed.selection.note_markdown)
        return real(store, composed)

    monkeypatch.setattr(digest.desk.finish, "write_composed", counted)
    session = open_session(load_config(demo), WEEK, write_quiet=LONG)
    try:
        for note in ("First", "Second", "Third"):
            session.apply(EditorChoices(note=note), file_version(session.issue_path))
        assert writes == []
        session.settle()
    finally:
        session.close()
    assert writes == ["Third"]
    assert "Third" in (_folder(demo) / "digest.txt").read_text(encoding="utf-8")


def test_closing_the_desk_writes_the_change_that_waits(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo, write_quiet=LONG) as server:
        page = request(server, "GET", "/")
        form = _note_form(page.fields("note"), "Written on the way out")
        assert request(server, "POST", "/change", form).status == 200
    assert "Written on the way out" in (_folder(demo) / "digest.txt").read_text(encoding="utf-8")


def test_a_change_made_meanwhile_by_digest_build_is_not_overwritten(demo: Path) -> None:
    build_demo(demo)
    session = open_session(load_config(demo), WEEK, write_quiet=LONG)
    try:
        session.apply(EditorChoices(note="From the desk"), file_version(session.issue_path))
        build_demo(demo, "--note", "From the terminal")  # the issue file and the folder, changed elsewhere
        session.settle()
        assert session.view().background is None
    finally:
        session.close()
    assert "From the terminal" in (_folder(demo) / "digest.txt").read_text(encoding="utf-8")


def test_a_write_that_fails_is_said_refuses_the_hand_off_and_keeps_the_change(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port, required=False)
        build_demo(config)
        root = load_config(config).output_root()
        with running_desk(config, write_quiet=LONG) as server:
            page = request(server, "GET", "/")
            fields = page.fields("note")
            changed = request(server, "POST", "/change", _note_form(fields, "Kept in the issue file"))
            assert changed.status == 200, changed.text
            shutil.move(root, root.with_name("aside"))
            root.write_text("a file where the issues' folder was\n", encoding="utf-8")  # no folder can go there
            refused = request(server, "POST", "/change", _approval_form(changed.fields("note"), "hand_off",
                                                                        "Ana Reyes"))
            assert refused.status == 422, refused.text
            assert "the change is saved in" in refused.text and "its build was not written" in refused.text
            assert "cannot create the issue folder" in refused.text
            assert inbox.messages == []  # nothing sent from a build that is not there
            issue_file = load_config(config).resolve(load_config(config).issues_dir) / f"{WEEK}.toml"
            assert "Kept in the issue file" in issue_file.read_text(encoding="utf-8")
            shown = request(server, "GET", "/")
            assert "its build was not written" in shown.text  # said on the page until a write succeeds
            root.unlink()
            shutil.move(root.with_name("aside"), root)
            again = request(server, "POST", "/change", _note_form(shown.fields("note"), "Written after all"))
            assert again.status == 200, again.text
            written(server)
            assert "its build was not written" not in request(server, "GET", "/").text
        assert "Written after all" in (root / WEEK / "digest.txt").read_text(encoding="utf-8")


def test_settle_says_why_the_build_was_not_written(demo: Path) -> None:
    build_demo(demo)
    root = load_config(demo).output_root()
    session = open_session(load_config(demo), WEEK, write_quiet=LONG)
    try:
        session.apply(EditorChoices(note="Nowhere to go"), file_version(session.issue_path))
        shutil.rmtree(root)
        root.write_text("not a folder\n", encoding="utf-8")
        with pytest.raises(DigestError, match="its build was not written"):
            session.settle()
    finally:
        root.unlink()
        session.close()


def test_an_accepted_change_whose_page_fails_says_it_was_saved(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The status of an accepted change goes out before the page is laid out (the frames reload on it): a
    page that then fails says the change was saved and to reload, never a second status line."""
    import digest.desk.server

    build_demo(demo)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")

        def broken(*_args: object, **_kwargs: object) -> str:
            raise RuntimeError("the page could not be made")

        monkeypatch.setattr(digest.desk.server, "render_desk", broken)
        answer = request(server, "POST", "/change", _note_form(page.fields("note"), "Saved all the same"))
        monkeypatch.undo()
        assert answer.status == 200
        assert "The change was saved, but the desk could not show the page: reload it." in answer.text
        assert "HTTP/1.0" not in answer.text  # one answer, not a second status line inside the first
        issue = load_config(demo).resolve(load_config(demo).issues_dir) / f"{WEEK}.toml"
        assert "Saved all the same" in issue.read_text(encoding="utf-8")
        assert "Saved all the same" in request(server, "GET", "/").text


def test_a_stopped_desk_process_writes_the_change_that_waits(demo: Path) -> None:
    """`digest desk` stopped by SIGTERM (a service manager, `kill`) right after a change, as by Ctrl-C: the
    change's files are written before it exits, so no later hand-off finds the issue file ahead of them."""
    import http.client
    import signal
    import subprocess
    import sys
    from urllib.parse import urlencode

    from helpers.desk import Answer

    build_demo(demo)
    desk = subprocess.Popen([sys.executable, "-c", "from digest.cli.main import main; main()", "--config",
                             str(demo), "desk", "--week", WEEK,
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert desk.stdout is not None
        url = next(w for w in desk.stdout.readline().split() if w.startswith("http://"))
        port = int(url.rstrip("/").rsplit(":", 1)[1])

        def ask(method: str, form: dict[str, str] | None = None) -> Answer:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            body = urlencode(form).encode() if form is not None else None
            headers = {"Host": f"127.0.0.1:{port}"}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, "/" if form is None else "/change", body=body, headers=headers)
            response = conn.getresponse()
            answer = Answer(response.status, {}, response.read().decode("utf-8"))
            conn.close()
            return answer

        page = ask("GET")
        assert ask("POST", _note_form(page.fields("note"), "Written before the process ends")).status == 200
        desk.send_signal(signal.SIGTERM)  # within the desk's quiet moment: the files are not written yet
        out, err = desk.communicate(timeout=60)
    finally:
        desk.kill()
    assert desk.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err
    assert "Written before the process ends" in (_folder(demo) / "digest.txt").read_text(encoding="utf-8")
