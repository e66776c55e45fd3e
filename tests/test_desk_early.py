"""A change's email before its verdict (digest.desk.early): the page asks ``GET /email.html?early=<id>``
as it sends the change, and the desk answers once the email is rendered, while it still judges it.
Real HTTP on 127.0.0.1, the demo's store."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

from helpers.desk import Answer, build_demo, request, running_desk

from digest.desk.early import KEEP, EarlyEmails
from digest.desk.preview import EMAIL_POLICY
from digest.desk.server import DeskServer


def asked_early(server: DeskServer, change: str, query: str = "") -> tuple[threading.Thread, list[Answer]]:
    """``GET /email.html?early=<change>`` sent now, on its own connection, answered into the list."""
    answers: list[Answer] = []
    thread = threading.Thread(
        target=lambda: answers.append(request(server, "GET", f"/email.html?early={change}{query}")))
    thread.start()
    time.sleep(0.05)  # asked before the change is sent, as the page asks it
    return thread, answers


def test_the_email_of_a_change_is_served_to_its_early_request(demo: Path) -> None:
    build_demo(demo)
    change = secrets.token_hex(16)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        thread, answers = asked_early(server, change)
        assert answers == []  # it waits for the change
        posted = request(server, "POST", "/change",
                         {**page.fields("note"), "note": "Seen before the verdict", "early": change})
        thread.join(10)
    assert posted.status == 200, posted.text
    [early] = answers
    assert early.status == 200
    assert "Seen before the verdict" in early.text
    assert early.headers["content-security-policy"] == EMAIL_POLICY  # as sandboxed as any email it serves
    assert early.headers["x-content-type-options"] == "nosniff"


def test_the_early_email_takes_the_query_of_the_frames(demo: Path) -> None:
    build_demo(demo)
    change = secrets.token_hex(16)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        thread, answers = asked_early(server, change, "&scheme=dark")
        request(server, "POST", "/change", {**page.fields("note"), "note": "Dark and early", "early": change})
        thread.join(10)
    [early] = answers
    assert "Dark and early" in early.text
    assert "prefers-color-scheme" not in early.text  # forced dark, as /email.html?scheme=dark is


def test_a_change_that_renders_no_email_ends_its_early_request_at_once(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        stale, moved = secrets.token_hex(16), secrets.token_hex(16)
        thread, answers = asked_early(server, stale)
        started = time.monotonic()
        refused = request(server, "POST", "/change",
                          {**page.fields("note"), "note": "Too late", "version": "0" * 64, "early": stale})
        thread.join(10)
        assert refused.status == 409
        assert [a.status for a in answers] == [204] and time.monotonic() - started < 2  # not its 5 s wait
        thread, answers = asked_early(server, moved)
        withdrawn = request(server, "POST", "/change", {**page.fields("withdraw"), "early": moved})
        thread.join(10)
        assert withdrawn.status == 200, withdrawn.text
        assert [a.status for a in answers] == [204]  # the archive's button builds nothing: the page asks again


def test_an_early_request_that_cannot_name_a_change_is_answered_at_once(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo) as server:
        started = time.monotonic()
        for change in ("short", "x" * 65, "../../etc/passwd" + "a" * 20, "%00" + "a" * 20):
            assert request(server, "GET", f"/email.html?early={change}").status == 204
        assert request(server, "GET", f"/email.html?early={'a' * 32}&edition=nosuch").status == 204
        assert time.monotonic() - started < 2


def test_early_emails_keep_the_first_word_on_an_id_and_only_the_last_few() -> None:
    emails = EarlyEmails()
    ids = [secrets.token_hex(16) for _ in range(KEEP + 1)]
    emails.publish(ids[0], "<p>rendered</p>")
    emails.publish(ids[0], None)  # the POST's end says "nothing" after the email was published
    assert emails.wait(ids[0], 0.01) == "<p>rendered</p>"
    for change in ids[1:]:
        emails.publish(change, "<p>later</p>")
    assert emails.wait(ids[0], 0.05) is None  # forgotten: the oldest goes first
    assert emails.wait(ids[-1], 0.01) == "<p>later</p>"
    waiting = secrets.token_hex(16)
    later = threading.Timer(0.05, emails.publish, (waiting, "<p>soon</p>"))
    later.start()
    assert emails.wait(waiting, 5) == "<p>soon</p>"  # woken by the publish, not by the timeout
    emails.publish(None, "<p>no id</p>")  # a form without the field (JavaScript off): nothing kept
