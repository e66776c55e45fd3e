"""The desk's side panels over real HTTP on the demo: the email at desktop and phone width, light and
dark; the pre-send report beside it (and alone at ``/report``), escaped; the archive's publish and
withdraw, as ``digest archive`` does them; a desk page per edition of the week."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

from helpers.desk import WEEK, build_demo, request, running_desk

from digest.desk.server import DESK_POLICY
from digest.select.editor import issue_file
from digest.settings.config import load_config
from digest.settings.editions import archive_dir, pick_edition

TOKEN = "s3cret-desk-token-for-tests-0123456789"


def manifest_path(config: Path, edition: str | None = None) -> Path:
    root = load_config(config).output_root()
    return (root / edition if edition else root) / WEEK / "manifest.json"


def read_manifest(config: Path, edition: str | None = None) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(manifest_path(config, edition).read_text(encoding="utf-8"))
    return loaded


def test_the_email_is_framed_at_desktop_and_phone_width_with_a_dark_view_and_the_text_part(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        dark = request(server, "GET", "/email.html?scheme=dark")
        light = request(server, "GET", "/email.html")
        text = request(server, "GET", "/digest.txt")
    assert page.status == 200
    assert '<iframe id="email-desktop" sandbox="allow-same-origin" src="/email.html" width="600"' in page.text
    assert '<iframe id="email-phone" sandbox="allow-same-origin" src="/email.html" width="375"' in page.text
    button = re.search(r'<button id="scheme"[^>]*>', page.text)
    assert button is not None and 'type="button"' in button[0] and 'aria-pressed="false"' in button[0]
    assert 'data-dark-src="/email.html?scheme=dark"' in button[0]
    assert '<a href="/email.html?scheme=dark" target="_blank">' in page.text  # dark without any script
    assert '<a href="/digest.txt" target="_blank">' in page.text
    assert re.search(r"prefers-color-scheme\s*:\s*dark", light.text)  # the demo's email has dark rules...
    assert not re.search(r"prefers-color-scheme\s*:\s*dark", dark.text)  # ...always on in the dark view
    assert text.status == 200 and text.headers["content-type"].startswith("text/plain")


def test_the_report_lists_every_check_of_the_build_on_the_page_and_alone_at_report(demo: Path) -> None:
    build_demo(demo)
    checks = read_manifest(demo)["report"]["checks"]  # type: ignore[index]
    assert checks
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        alone = request(server, "GET", "/report")
    assert alone.status == 200 and alone.headers["content-security-policy"] == DESK_POLICY
    assert alone.text.startswith('<section id="report"') and alone.text.endswith("</section>")
    assert alone.text in page.text
    for check in checks:
        name, status = escape(check["name"]), escape(check["status"])
        assert f'<li data-check="{name}" data-status="{status}">' in alone.text
        assert escape(check["summary"]) in alone.text


def test_a_hostile_check_is_escaped_and_a_pending_one_says_checking(demo: Path) -> None:
    build_demo(demo)
    path = manifest_path(demo)
    built = json.loads(path.read_text(encoding="utf-8"))
    built["report"]["checks"] = [
        {"name": 'spam" onclick="x()', "status": "pending", "summary": "<script>alert(1)</script>",
         "details": ["<img src=x onerror=alert(2)>"]},
        {"name": "links", "status": "error", "summary": "a & b", "details": []},
    ]
    path.write_text(json.dumps(built), encoding="utf-8")
    with running_desk(demo) as server:
        alone = request(server, "GET", "/report").text
        page = request(server, "GET", "/").text
    for text in (alone, page):
        assert "<script>alert(1)" not in text and "<img src=x" not in text and 'onclick="x()' not in text
        assert '<li data-check="spam&quot; onclick=&quot;x()" data-status="pending">' in text
        assert "checking…" in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert '<li data-check="links" data-status="error">' in text and "a &amp; b" in text


def test_a_manifest_without_a_report_says_so_and_the_desk_still_serves(demo: Path) -> None:
    build_demo(demo)
    path = manifest_path(demo)
    built = json.loads(path.read_text(encoding="utf-8"))
    del built["report"]
    path.write_text(json.dumps(built), encoding="utf-8")
    with running_desk(demo) as server:
        alone = request(server, "GET", "/report")
        page = request(server, "GET", "/")
    assert alone.status == 200 and "No report: this build's manifest has none" in alone.text
    assert page.status == 200 and "data-check" not in page.text


def test_the_report_route_has_the_host_and_token_checks_of_every_get(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo, token=TOKEN) as server:
        bare = request(server, "GET", "/report")
        rebound = request(server, "GET", "/report", host="evil.example",
                          headers={"Authorization": f"Bearer {TOKEN}"})
        good = request(server, "GET", "/report", headers={"Authorization": f"Bearer {TOKEN}"})
    assert (bare.status, rebound.status, good.status) == (401, 421, 200)
    assert "data-check" not in bare.text + rebound.text and "data-check" in good.text


def archive_files(config: Path) -> tuple[Path, Path]:
    folder = archive_dir(load_config(config))
    assert folder is not None
    return folder / f"{WEEK}.html", folder / "index.html"


def test_withdraw_takes_the_issue_off_the_archive_and_publish_puts_it_back(demo: Path) -> None:
    build_demo(demo)  # the demo publishes on build
    page_file, index = archive_files(demo)
    assert page_file.exists() and f'href="{WEEK}.html"' in index.read_text(encoding="utf-8")
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        assert re.search(r"2025-W20: published \w{3} \d\d \w{3} 2025 \d\d:\d\d \(on-build\)", page.text)
        gone = request(server, "POST", "/change", page.fields("withdraw"))
        assert gone.status == 200, gone.text
        assert "2025-W20: withdrawn\narchive: 0 pages" in gone.text and "2025-W20: withdrawn " in gone.text
        assert not page_file.exists() and f'href="{WEEK}.html"' not in index.read_text(encoding="utf-8")
        back = request(server, "POST", "/change", gone.fields("publish"))
    assert back.status == 200, back.text
    assert "2025-W20: published\narchive: 1 page" in back.text and "(by the editor)" in back.text
    assert page_file.exists() and f'href="{WEEK}.html"' in index.read_text(encoding="utf-8")


def test_archive_changes_need_the_csrf_token_and_a_current_version(demo: Path) -> None:
    build_demo(demo)
    page_file, _ = archive_files(demo)
    with running_desk(demo) as server:
        form = request(server, "GET", "/").fields("withdraw")
        forged = request(server, "POST", "/change", {k: v for k, v in form.items() if k != "csrf"})
        assert forged.status == 403 and page_file.exists()
        path = issue_file(load_config(demo), WEEK)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + "# by hand\n",
                        encoding="utf-8")
        stale = request(server, "POST", "/change", form)
    assert stale.status == 409 and "nothing was withdrawn" in stale.text
    assert page_file.exists()


def test_each_edition_of_the_week_has_its_own_desk_page_and_changes(demo: Path) -> None:
    build_demo(demo)
    build_demo(demo, "--edition", "anime")
    anime = read_manifest(demo, "anime")
    first = anime["picks"][0]["url"]  # type: ignore[index]
    with running_desk(demo) as server:
        home = request(server, "GET", "/")
        assert '<a href="/?edition=anime">anime</a>' in home.text
        page = request(server, "GET", "/?edition=anime")
        assert page.status == 200 and "(anime/2025-W20)" in page.text
        assert ('<iframe id="email-phone" sandbox="allow-same-origin" src="/email.html?edition=anime" '
                'width="375"') in page.text
        email = request(server, "GET", "/email.html?edition=anime")
        assert email.status == 200 and escape(anime["subject"]) in email.text  # type: ignore[arg-type]
        forms = re.findall(r"<form [^>]*>.*?</form>", page.text, re.S)
        assert len(forms) > 10 and all('<input type="hidden" name="edition" value="anime">' in f for f in forms)
        form = page.fields("drop", first)
        assert form["edition"] == "anime"
        answer = request(server, "POST", "/change", form)
        unknown = request(server, "GET", "/?edition=nope")
        bad_post = request(server, "POST", "/change", {**form, "edition": "nope"})
        forged = request(server, "POST", "/change", {k: v for k, v in form.items() if k != "csrf"})
        rebound = request(server, "GET", "/?edition=anime", host="evil.example")
    assert answer.status == 200, answer.text
    assert "rebuilt anime/2025-W20" in answer.text and "(anime/2025-W20)" in answer.text
    anime_file = issue_file(pick_edition(load_config(demo), "anime"), "anime/2025-W20")
    assert f'drop = ["{first}"]' in anime_file.read_text(encoding="utf-8")
    assert not issue_file(load_config(demo), WEEK).exists()  # the default edition's issue is untouched
    assert first not in [p["url"] for p in read_manifest(demo, "anime")["picks"]]  # type: ignore[union-attr]
    assert (unknown.status, bad_post.status, forged.status, rebound.status) == (404, 400, 403, 421)


def test_an_edition_not_built_this_week_says_how_to_build_it(demo: Path) -> None:
    build_demo(demo)
    with running_desk(demo) as server:
        page = request(server, "GET", "/?edition=anime")
        report = request(server, "GET", "/report?edition=anime")
    assert page.status == 404 and "anime/2025-W20 has not been built" in page.text
    assert "digest build --week 2025-W20 --edition anime" in page.text
    assert report.status == 200 and "No report: the issue has not been built yet" in report.text


def test_an_editions_archive_button_withdraws_that_editions_page_only(demo: Path) -> None:
    build_demo(demo)
    build_demo(demo, "--edition", "anime")
    anime_folder = archive_dir(pick_edition(load_config(demo), "anime"))
    assert anime_folder is not None
    anime_page, default_page = anime_folder / f"{WEEK}.html", archive_files(demo)[0]
    assert anime_page.exists() and default_page.exists()
    with running_desk(demo) as server:
        form = request(server, "GET", "/?edition=anime").fields("withdraw")
        answer = request(server, "POST", "/change", form)
    assert answer.status == 200 and "anime/2025-W20: withdrawn" in answer.text
    assert not anime_page.exists() and default_page.exists()


def test_an_editions_page_and_changes_need_the_token_off_loopback_as_the_desks_own(demo: Path) -> None:
    build_demo(demo)
    build_demo(demo, "--edition", "anime")
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with running_desk(demo, token=TOKEN) as server:
        page = request(server, "GET", "/?edition=anime", headers=bearer)
        bare_page = request(server, "GET", "/?edition=anime")
        form = page.fields("withdraw")
        bare_change = request(server, "POST", "/change", form)
        bare_email = request(server, "GET", "/email.html?edition=anime")
    assert page.status == 200 and form["edition"] == "anime"
    assert (bare_page.status, bare_change.status, bare_email.status) == (401, 401, 401)
    anime_folder = archive_dir(pick_edition(load_config(demo), "anime"))
    assert anime_folder is not None and (anime_folder / f"{WEEK}.html").exists()
