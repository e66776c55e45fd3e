"""``digest desk`` guarded as a web app that can rewrite an issue for thousands of readers, over real HTTP:
CSRF on every change, the Host check, a token off loopback, a CSP with no script, feed text escaped, and
the issue file's version so two editors cannot lose each other's change."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest
from helpers.desk import WEEK, build_demo, request, running_desk

from digest.desk.server import DeskServer, make_desk
from digest.desk.session import file_version, open_session
from digest.errors import DigestError
from digest.settings.config import load_config

TOKEN = "s3cret-desk-token-for-tests-0123456789"


def issue_file(config: Path) -> Path:
    loaded = load_config(config)
    return loaded.resolve(loaded.issues_dir) / f"{WEEK}.toml"


def picks(config: Path) -> list[str]:
    import json

    out = load_config(config).output_root() / WEEK / "manifest.json"
    return [p["url"] for p in json.loads(out.read_text(encoding="utf-8"))["picks"]]


def test_a_change_without_the_csrf_token_or_with_another_is_403_and_changes_nothing(demo: Path) -> None:
    build_demo(demo)
    first = picks(demo)[0]
    with running_desk(demo) as server:
        form = request(server, "GET", "/").fields("drop", first)
        missing = request(server, "POST", "/change", {k: v for k, v in form.items() if k != "csrf"})
        wrong = request(server, "POST", "/change", {**form, "csrf": "guessed"})
    with running_desk(demo) as restarted:  # a form from before a restart is not this desk's
        old = request(restarted, "POST", "/change", form)
    assert (missing.status, wrong.status, old.status) == (403, 403, 403)
    assert not issue_file(demo).exists() and first in picks(demo)


def test_another_host_is_refused_before_anything_is_read_or_changed(demo: Path) -> None:
    build_demo(demo)
    first = picks(demo)[0]
    with running_desk(demo) as server:
        form = request(server, "GET", "/").fields("drop", first)
        port = server.server_address[1]
        page = request(server, "GET", "/", host=f"evil.example:{port}")
        email = request(server, "GET", "/email.html", host=f"evil.example:{port}")
        change = request(server, "POST", "/change", form, host=f"evil.example:{port}")
    assert (page.status, email.status, change.status) == (421, 421, 421)
    assert "Review" not in page.text + email.text
    assert not issue_file(demo).exists()


def test_off_loopback_the_desk_refuses_to_start_without_a_token(demo: Path) -> None:
    build_demo(demo)
    session = open_session(load_config(demo), WEEK)
    with pytest.raises(DigestError, match="--host 0.0.0.0 is not loopback.*DIGEST_DESK_TOKEN"):
        make_desk(session, host="0.0.0.0", port=0)


def test_with_a_token_every_request_needs_it_by_header_or_by_the_cookie_the_link_sets(demo: Path) -> None:
    build_demo(demo)
    first = picks(demo)[0]
    with running_desk(demo, token=TOKEN) as server:
        bare = request(server, "GET", "/")
        bare_email = request(server, "GET", "/email.html")
        wrong = request(server, "GET", "/", headers={"Authorization": "Bearer not-the-token"})
        bearer = request(server, "GET", "/", headers={"Authorization": f"Bearer {TOKEN}"})
        link = request(server, "GET", f"/?token={TOKEN}")
        cookie = link.headers.get("set-cookie", "")
        by_cookie = request(server, "GET", "/", headers={"Cookie": cookie.split(";")[0]})
        form = bearer.fields("drop", first)
        unauthorised = request(server, "POST", "/change", form)
        assert not issue_file(demo).exists()
        authorised = request(server, "POST", "/change", form, headers={"Cookie": cookie.split(";")[0]})
    assert (bare.status, bare_email.status, wrong.status) == (401, 401, 401)
    assert "Review" not in bare.text + bare_email.text
    assert bearer.status == 200 and by_cookie.status == 200
    assert link.status == 303 and link.headers["location"] == "/"
    assert cookie.startswith(f"token={TOKEN};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert unauthorised.status == 401
    assert authorised.status == 200 and first not in picks(demo)


def test_the_page_runs_only_its_own_script_and_shows_the_email_only_in_a_sandboxed_frame(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        css = request(server, "GET", "/desk.css")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-" not in policy
    assert page.text.lower().count("<script") == 1 and '<script src="/desk.js?v=' in page.text
    assert " style=" not in page.text and "<style" not in page.text
    assert re.search(r"<[^>]*\son\w+=", page.text) is None  # no inline handler either
    frames = re.findall(r"<iframe [^>]*>", page.text)
    # desktop, phone: sandboxed with one permission, the desk's origin (so the page can fill them in place);
    # never scripts, forms, popups or the top page's navigation
    assert len(frames) == 2 and all(' sandbox="allow-same-origin" ' in f for f in frames)
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")


def test_feed_text_is_escaped_on_the_page(demo: Path) -> None:
    build_demo(demo)
    hostile = '<script>fetch("//evil.example")</script><img src=x onerror=alert(1)> Review'
    with sqlite3.connect(load_config(demo).store_path) as db:
        (link,) = db.execute("SELECT link FROM entries WHERE link = ?", (picks(demo)[0],)).fetchone()
        db.execute("UPDATE entries SET title = ? WHERE link = ?", (hostile, link))
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
    assert "&lt;script&gt;fetch(&quot;//evil.example&quot;)&lt;/script&gt;" in page.text
    assert page.text.count("<script") == 1 and "<img src=x" not in page.text  # /desk.js, none from the feed


def test_a_change_made_from_a_stale_page_is_409_and_the_first_change_survives(demo: Path) -> None:
    build_demo(demo)
    first, second = picks(demo)[:2]
    with running_desk(demo) as server:
        page = request(server, "GET", "/")  # two editors with the same page open
        one = request(server, "POST", "/change", page.fields("drop", first))
        kept = issue_file(demo).read_bytes()
        two = request(server, "POST", "/change", page.fields("drop", second))
        again = request(server, "POST", "/change", one.fields("drop", second))  # after reloading: fine
    assert one.status == 200 and page.fields("drop", first)["version"] == ""
    assert two.status == 409
    assert "someone else changed" in two.text and "nothing was saved" in two.text
    assert b"drop = [" in kept and first.encode() in kept and second.encode() not in kept
    assert again.status == 200
    text = issue_file(demo).read_text(encoding="utf-8")
    assert first in text and second in text
    assert one.fields("drop", second)["version"] == hashlib.sha256(kept).hexdigest()
    assert file_version(issue_file(demo)) == hashlib.sha256(text.encode()).hexdigest()


def test_malformed_requests_are_refused_without_touching_anything(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo) as server:
        form = request(server, "GET", "/").fields("note")
        elsewhere = request(server, "POST", "/other", {**form, "note": "x"})
        unknown = request(server, "POST", "/change", {**form, "action": "send_everyone"})
        dotted = request(server, "GET", "/mirror/../../etc/passwd")
    assert (elsewhere.status, unknown.status, dotted.status) == (404, 400, 400)
    assert not issue_file(demo).exists()


def test_two_editors_posting_at_once_from_one_version_cannot_both_win(demo: Path) -> None:
    """Two desks on one issue (two editors), each dropping a different pick from the same page at once.

    The store's lock refuses the one that overlaps; the version check the one that comes after (the
    test above): with neither, both drops land and each editor thinks theirs was the only change."""
    import threading

    build_demo(demo)
    first, second = picks(demo)[:2]
    with running_desk(demo) as one, running_desk(demo) as two:
        forms = [(one, request(one, "GET", "/").fields("drop", first)),
                 (two, request(two, "GET", "/").fields("drop", second))]
        answers: list[int] = []
        start = threading.Barrier(2)

        def post(server: DeskServer, form: dict[str, str]) -> None:
            start.wait()
            answers.append(request(server, "POST", "/change", form).status)

        threads = [threading.Thread(target=post, args=pair) for pair in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(answers)[0] == 200 and sorted(answers)[1] in (409, 422)  # stale, or the store was busy
    text = issue_file(demo).read_text(encoding="utf-8")
    assert (first in text) != (second in text)  # exactly the winner's change, whole
    assert (first in picks(demo)) != (second in picks(demo))


def test_only_loopback_addresses_count_as_loopback() -> None:
    from digest.desk.server import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"))
    # a name that merely starts like one may resolve to a public address: it needs the token
    assert not any(is_loopback(h) for h in ("127.0.0.1.nip.example", "127.evil.example", "0.0.0.0", "::",
                                            "192.168.1.20", "localhost.evil.example"))


def test_a_token_that_could_break_a_header_or_be_guessed_is_refused(demo: Path) -> None:
    build_demo(demo)
    session = open_session(load_config(demo), WEEK)
    for bad in ("short", "long-enough-but-has;semicolon", "long-enough-but\r\nSet-Cookie: x=1", " " * 20):
        with pytest.raises(DigestError, match="DIGEST_DESK_TOKEN"):
            make_desk(session, port=0, token=bad)


def test_the_desk_binds_loopback_by_default_and_drops_idle_clients_past_its_cap(demo: Path) -> None:
    import socket
    import threading
    import time

    build_demo(demo)
    session = open_session(load_config(demo), WEEK)
    server = make_desk(session, port=0, idle_timeout=0.5, max_connections=2)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        assert server.server_address[0] == "127.0.0.1"
        port = server.server_address[1]
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(2)]
        time.sleep(0.2)
        extra = socket.create_connection(("127.0.0.1", port), timeout=10)
        assert extra.recv(4096).startswith(b"HTTP/1.0 503 ")  # past the cap: answered and closed
        started = time.monotonic()
        for conn in idle:
            assert conn.recv(4096) == b""  # dropped once idle, not held
        assert time.monotonic() - started < 5
        for conn in [*idle, extra]:
            conn.close()
        assert request(server, "GET", "/").status == 200  # the slots came back
    finally:
        server.shutdown()
        server.server_close()


def test_a_change_posted_from_another_origin_is_403_even_with_the_form_fields(demo: Path) -> None:
    build_demo(demo)
    first = picks(demo)[0]
    with running_desk(demo) as server:
        form = request(server, "GET", "/").fields("drop", first)
        port = server.server_address[1]
        other = request(server, "POST", "/change", form, headers={"Origin": "http://evil.example"})
        framed = request(server, "POST", "/change", form, headers={"Origin": "null"})  # a sandboxed frame
        own = request(server, "POST", "/change", form, headers={"Origin": f"http://127.0.0.1:{port}"})
    assert (other.status, framed.status) == (403, 403)
    assert own.status == 200 and first not in picks(demo)
