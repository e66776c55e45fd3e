"""The web archive stays in its folder, deletes only what digest wrote, and reaches no feed-named host.

Issues are rendered by the real web renderer from the email tests' realistic and hostile weeks,
recorded in a real store and archived into a real folder. Symbolic links are real links to a
folder outside the archive; every test checks that nothing outside changed. The last test
serves the archive to headless Chromium next to a tracker server that must hear nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import pytest
from email_fixtures import BRANDED, email_config_text, hostile_selection, realistic_selection, review

from digest.errors import ArchiveError, DigestError
from digest.mail.archive import update_archive, withdraw
from digest.mail.archive_files import RECORD
from digest.mail.web import render_web
from digest.models import ImageHint, Pick, Selection
from digest.settings.config import load_config
from digest.settings.editions import issue_dir, pick_edition
from digest.store.database import Store
from digest.weeks import parse_week, split_issue_key

WEEKS = ("2025-W18", "2025-W19", "2025-W20")
BUILT = datetime(2025, 5, 19, 13, 0, tzinfo=UTC)
CSP = "Content-Security-Policy"


def write_config(folder: Path, *, archive: dict[str, Any] | None = None, anime: bool = False,
                 **email: Any) -> Path:
    """A real config file: the branded email of the email tests, an [archive] and maybe an edition."""
    folder.mkdir(parents=True, exist_ok=True)
    text = email_config_text(**{**BRANDED, **email})
    table = {"dir": str(folder / "site"), "publish": "on-build", **(archive or {})}
    text += "\n[archive]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())
    if anime:
        text += '\n[[editions]]\nname = "anime"\ntitle = "Anime Weekly"\n'
    path = folder / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def build(path: Path, issue_id: str, selection: Selection | None = None) -> None:
    """What `digest build` leaves for the archive: web.html and manifest.json, and the store's record."""
    config = load_config(path)
    edition_id, week_id = split_issue_key(issue_id)
    edition = pick_edition(config, edition_id)
    selection = selection or realistic_selection()
    subject = f"But Why Tho? Weekly: the best of {week_id}"
    out = issue_dir(edition, week_id)
    out.mkdir(parents=True, exist_ok=True)
    (out / "web.html").write_text(render_web(edition, selection, subject), encoding="utf-8")
    picks = [{"url": p.review.link, "title": p.review.title, "section": p.review.section}
             for p in selection.top]
    manifest = {"issue": issue_id, "subject": subject, "preheader": "The week's best reviews", "picks": picks}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    week = parse_week(week_id)
    built = BUILT - timedelta(weeks=len(WEEKS) - 1 - WEEKS.index(week_id)) if week_id in WEEKS else BUILT
    with Store.open(config.store_path) as store:
        store.record_issue(issue_id, built, week.window(config.site.tz), subject, str(out), [])


def refresh(path: Path) -> Any:
    config = load_config(path)
    with Store.open(config.store_path) as store:
        return update_archive(config, store)


def take_off(path: Path, issue_id: str) -> Any:
    config = load_config(path)
    edition = pick_edition(config, split_issue_key(issue_id)[0])
    with Store.open(config.store_path) as store:
        withdraw(edition, store, issue_id, BUILT + timedelta(hours=1))
        return update_archive(config, store)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed) with its bytes, to prove nothing changed."""
    out = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            full = Path(dirpath) / name
            link = full.is_symlink()
            out[str(full.relative_to(folder))] = os.readlink(full).encode() if link else full.read_bytes()
    return out


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder a person owns next to the archive, with a file digest must never touch."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "2025-W01.html").write_text("<p>someone else's page</p>", encoding="utf-8")
    (folder / "index.html").write_text("<p>someone else's index</p>", encoding="utf-8")
    return folder


# -- writes stay inside the archive folder ---------------------------------------------------------


def test_an_edition_folder_that_is_a_symlink_is_refused_and_nothing_is_written_outside(
        tmp_path: Path, outside: Path) -> None:
    path = write_config(tmp_path / "cfg", anime=True)
    for issue in ("2025-W20", "anime/2025-W20"):
        build(path, issue)
    site = tmp_path / "cfg" / "site"
    site.mkdir()
    (site / "anime").symlink_to(outside, target_is_directory=True)
    before = tree(outside)
    with pytest.raises(ArchiveError) as caught:
        refresh(path)
    message = str(caught.value)
    assert f"{site / 'anime'}" in message and "symbolic link" in message
    assert tree(outside) == before  # no page, index, feed or temporary file went through the link
    assert (site / "anime").is_symlink()
    assert (site / "2025-W20.html").is_file() and (site / "index.html").is_file()  # the rest carried on


@pytest.mark.parametrize("name", ["2025-W20.html", "index.html", "feed.xml", RECORD])
def test_a_page_index_feed_or_record_that_is_a_symlink_is_refused(tmp_path: Path, outside: Path,
                                                                  name: str) -> None:
    path = write_config(tmp_path / "cfg")
    build(path, "2025-W20")
    site = tmp_path / "cfg" / "site"
    site.mkdir()
    (site / name).symlink_to(outside / "index.html")
    before = tree(outside)
    with pytest.raises(ArchiveError, match="symbolic link") as caught:
        refresh(path)
    assert str(site / name) in str(caught.value)
    assert tree(outside) == before
    assert (site / name).is_symlink()  # left for the editor to look at, not replaced


@pytest.mark.parametrize("name", ["anime", "index.html"])
def test_a_symlink_to_somewhere_inside_the_folder_is_refused_too(tmp_path: Path, name: str) -> None:
    path = write_config(tmp_path / "cfg", anime=True)
    for issue in ("2025-W20", "anime/2025-W20"):
        build(path, issue)
    site = tmp_path / "cfg" / "site"
    (site / "mirror").mkdir(parents=True)
    (site / "about.html").write_text("<p>About</p>", encoding="utf-8")
    (site / name).symlink_to(site / ("mirror" if name == "anime" else "about.html"))
    with pytest.raises(ArchiveError, match="symbolic link"):
        refresh(path)
    assert list((site / "mirror").iterdir()) == []
    assert (site / "about.html").read_text("utf-8") == "<p>About</p>"


def test_an_archive_error_is_a_digest_error_with_what_to_do(tmp_path: Path, outside: Path) -> None:
    path = write_config(tmp_path / "cfg")
    build(path, "2025-W20")
    site = tmp_path / "cfg" / "site"
    site.mkdir()
    (site / "feed.xml").symlink_to(outside / "index.html")
    with pytest.raises(DigestError) as caught:
        refresh(path)
    assert isinstance(caught.value, ArchiveError)
    assert "replace it with" in str(caught.value)


# -- the record of what digest wrote, and what it deletes ----------------------------------------------


def record(site: Path) -> dict[str, str]:
    data = json.loads((site / RECORD).read_text(encoding="utf-8"))
    files: dict[str, str] = data["files"]
    return files


def test_the_record_lists_every_file_digest_wrote_with_its_hash(tmp_path: Path) -> None:
    path = write_config(tmp_path / "cfg", anime=True)
    for issue in ("2025-W19", "2025-W20", "anime/2025-W20"):
        build(path, issue)
    refresh(path)
    site = tmp_path / "cfg" / "site"
    (site / "about.html").write_text("<p>About this archive</p>", encoding="utf-8")
    files = record(site)
    assert sorted(files) == ["2025-W19.html", "2025-W20.html", "anime/2025-W20.html", "anime/feed.xml",
                             "anime/index.html", "feed.xml", "index.html"]
    for name, digest in files.items():
        assert hashlib.sha256((site / name).read_bytes()).hexdigest() == digest, name
    assert not [p.name for p in site.rglob(".*") if p.name != RECORD]  # no temporary file left


def test_only_unchanged_pages_digest_wrote_are_deleted(tmp_path: Path) -> None:
    path = write_config(tmp_path / "cfg")
    for week in WEEKS:
        build(path, week)
    refresh(path)
    site = tmp_path / "cfg" / "site"
    (site / "2025-W10.html").write_text("<p>a page a person put here</p>", encoding="utf-8")
    (site / "about.html").write_text("<p>About this archive</p>", encoding="utf-8")

    report = take_off(path, "2025-W19")
    assert not (site / "2025-W19.html").exists() and report.removed == ["2025-W19.html"]
    assert (site / "2025-W10.html").is_file() and (site / "about.html").is_file()
    assert any(
        "2025-W10.html" in w and "not a file digest wrote" in w for w in report.warnings), report.warnings

    edited = (site / "2025-W18.html").read_text("utf-8").replace("</body>", "<p>Corrected.</p></body>")
    (site / "2025-W18.html").write_text(edited, encoding="utf-8")

    report = take_off(path, "2025-W18")
    assert (site / "2025-W18.html").read_text("utf-8") == edited  # changed by a person: kept
    assert report.removed == []
    assert any("2025-W18.html" in w and "changed" in w for w in report.warnings), report.warnings
    assert "2025-W18.html" not in record(site) and "2025-W19.html" not in record(site)
    index = lxml.html.parse(str(site / "index.html")).getroot()
    assert [a.get("href") for a in index.cssselect("ol a")] == ["2025-W20.html"]


def test_a_tampered_record_cannot_reach_outside_the_folder(tmp_path: Path, outside: Path) -> None:
    path = write_config(tmp_path / "cfg")
    build(path, "2025-W20")
    refresh(path)
    site = tmp_path / "cfg" / "site"
    victim = outside / "2025-W01.html"
    sha = hashlib.sha256(victim.read_bytes()).hexdigest()
    data = json.loads((site / RECORD).read_text("utf-8"))
    for name in ("../outside/2025-W01.html", str(victim), "x/../../outside/2025-W01.html"):
        data["files"][name] = sha
    (site / RECORD).write_text(json.dumps(data), encoding="utf-8")
    before = tree(outside)
    refresh(path)
    take_off(path, "2025-W20")
    assert tree(outside) == before
    assert sorted(record(site)) == ["feed.xml", "index.html"]


def test_an_unreadable_record_deletes_nothing_and_is_rewritten(tmp_path: Path) -> None:
    path = write_config(tmp_path / "cfg")
    for week in WEEKS:
        build(path, week)
    refresh(path)
    site = tmp_path / "cfg" / "site"
    (site / RECORD).write_text("{ not json", encoding="utf-8")
    report = take_off(path, "2025-W19")
    assert (site / "2025-W19.html").is_file()  # not provably digest's any more: kept
    assert any(RECORD in w for w in report.warnings), report.warnings
    assert sorted(record(site)) == ["2025-W18.html", "2025-W20.html", "feed.xml", "index.html"]


# -- pinned: an editor's file survives, stale pages go last, the feed's cap -----------------------------


def test_an_editors_own_html_file_survives_every_refresh(tmp_path: Path) -> None:
    path = write_config(tmp_path / "cfg")
    for week in WEEKS:
        build(path, week)
    site = tmp_path / "cfg" / "site"
    site.mkdir()
    own = {"about.html": "<p>About</p>", "2024-W52.html": "<p>our year in review</p>"}
    for name, text in own.items():
        (site / name).write_text(text, encoding="utf-8")
    refresh(path)
    take_off(path, "2025-W20")
    for name, text in own.items():
        assert (site / name).read_text("utf-8") == text


def test_a_withdrawn_page_stays_until_the_index_and_feed_stop_linking_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path / "cfg")
    for week in WEEKS:
        build(path, week)
    refresh(path)
    site = tmp_path / "cfg" / "site"
    real = os.replace

    def index_fails(src: Any, dst: Any, **kwargs: Any) -> None:
        if os.fspath(dst).endswith("index.html"):
            raise OSError(28, "No space left on device")
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", index_fails)
    with pytest.raises(DigestError, match="No space left on device"):
        take_off(path, "2025-W19")
    monkeypatch.setattr(os, "replace", real)
    index = lxml.html.parse(str(site / "index.html")).getroot()
    assert "2025-W19.html" in [a.get("href") for a in index.cssselect("ol a")]  # the old index still links it
    assert (site / "2025-W19.html").is_file()
    refresh(path)
    assert not (site / "2025-W19.html").exists()
    assert [e.link for e in feedparser.parse((site / "feed.xml").read_bytes()).entries] == [
        "2025-W20.html", "2025-W18.html"]


def test_the_feed_keeps_to_its_entry_cap(tmp_path: Path) -> None:
    path = write_config(tmp_path / "cfg", archive={"feed_entries": 2})
    for week in WEEKS:
        build(path, week)
    refresh(path)
    site = tmp_path / "cfg" / "site"
    parsed = feedparser.parse((site / "feed.xml").read_bytes())
    assert [e.link for e in parsed.entries] == ["2025-W20.html", "2025-W19.html"]
    index = lxml.html.parse(str(site / "index.html")).getroot()
    assert len(index.cssselect("ol a")) == 3  # the index lists them all


# -- images and the Content-Security-Policy --------------------------------------------------------------


def with_images(selection: Selection, urls: list[str]) -> Selection:
    """``selection`` with its picks' lead images at ``urls`` in turn."""
    picks = list(selection.top + selection.trending)
    changed: list[Pick] = [replace(p, review=replace(p.review, image=ImageHint(u, "content", 800, 450)))
                           for p, u in zip(picks, urls, strict=False)]
    changed += picks[len(changed):]
    count = len(selection.top)
    return replace(selection, top=tuple(changed[:count]), trending=tuple(changed[count:]))


def image_sources(page: Path) -> list[str]:
    doc = lxml.html.parse(str(page)).getroot()
    return [img.get("src") for img in doc.iter("img")]


def policy(page: Path) -> dict[str, list[str]]:
    head = lxml.html.parse(str(page)).getroot().find("head")
    assert head is not None
    metas = [m for m in head.iter("meta") if (m.get("http-equiv") or "").lower() == CSP.lower()]
    assert len(metas) == 1, page
    assert head[0] is metas[0], "the policy comes first, before anything it must cover"
    directives = {}
    for part in (metas[0].get("content") or "").split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_images_from_hosts_the_editor_did_not_name_are_left_off_the_web_page(tmp_path: Path) -> None:
    path = write_config(tmp_path / "cfg", image_hosts=["cdn.butwhytho.example"],
                        archive={"allow_image_hosts": ["*.partner.example"]})
    urls = ["https://butwhytho.example/wp-content/uploads/a.jpg", "https://evil.example/pixel.gif",
            "https://cdn.butwhytho.example/b.jpg", "https://img.partner.example/c.jpg",
            "http://127.0.0.1:9/tracker.gif"]
    build(path, "2025-W20", with_images(realistic_selection(), urls))
    refresh(path)
    page = tmp_path / "cfg" / "site" / "2025-W20.html"
    shown = [s for s in image_sources(page) if "facebook" not in s]
    assert shown and all(s.startswith(("https://butwhytho.example/", "https://cdn.butwhytho.example/",
                                       "https://img.partner.example/")) for s in shown), shown
    assert {u for u in urls[:4] if "evil" not in u} <= set(shown)
    text = page.read_text("utf-8")
    assert "evil.example" not in text and "127.0.0.1" not in text
    web = (issue_dir(load_config(path), "2025-W20") / "web.html").read_text("utf-8")
    assert "https://evil.example/pixel.gif" in web  # the build's own files are as they were


def test_a_hostile_week_leaves_no_foreign_image_on_the_page(tmp_path: Path) -> None:
    path = write_config(tmp_path / "cfg")
    build(path, "2025-W20", hostile_selection())
    refresh(path)
    page = tmp_path / "cfg" / "site" / "2025-W20.html"
    for src in image_sources(page):
        assert src.startswith("https://butwhytho.example/"), src
    doc = lxml.html.parse(str(page)).getroot()
    assert not doc.xpath("//script | //iframe | //*[@onerror] | //*[@onclick] | //*[@onmouseover]")


def test_every_archive_page_carries_a_policy_that_allows_no_script(tmp_path: Path) -> None:
    path = write_config(tmp_path / "cfg", anime=True, image_hosts=["*.wp.example"],
                        archive={"allow_image_hosts": ["img.partner.example"]})
    for issue in ("2025-W19", "2025-W20", "anime/2025-W20"):
        build(path, issue)
    refresh(path)
    site = tmp_path / "cfg" / "site"
    pages = sorted(site.rglob("*.html"))
    assert [str(p.relative_to(site)) for p in pages] == [
        "2025-W19.html", "2025-W20.html", "anime/2025-W20.html", "anime/index.html", "index.html"]
    for page in pages:
        directives = policy(page)
        assert directives["default-src"] == ["'none'"], page
        assert sorted(directives["img-src"]) == sorted([
            "https://butwhytho.example", "https://www.butwhytho.example", "https://*.wp.example",
            "https://wp.example", "https://img.partner.example", "https://www.img.partner.example"]), page
        assert directives["style-src"] == ["'unsafe-inline'"]
        assert directives["base-uri"] == ["'none'"] and directives["form-action"] == ["'none'"]
        assert set(directives) == {"default-src", "img-src", "style-src", "base-uri", "form-action"}


@pytest.mark.parametrize("hosts", [["cdn.example; script-src *"], ["cdn.example 'unsafe-inline'"],
                                   ["https://cdn.example/"], ["cdn.example/path"]])
def test_an_allowed_host_must_be_a_host_name(tmp_path: Path, hosts: list[str]) -> None:
    from digest.errors import ConfigError

    path = write_config(tmp_path / "cfg", archive={"allow_image_hosts": hosts})
    with pytest.raises(ConfigError, match="allow_image_hosts"):
        load_config(path)


# -- in real headless Chromium: a tracker server that must hear nothing --------------------------------------


class Tracker(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).hits.append(self.path)
        body = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
                b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")  # a 1x1 GIF
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str, list[str]]]:
    """A tracker on one port and the archive folder on another, both on 127.0.0.1."""
    site = tmp_path / "cfg" / "site"
    site.mkdir(parents=True)
    hits: list[str] = []
    tracker = ThreadingHTTPServer(("127.0.0.1", 0), type("T", (Tracker,), {"hits": hits}))
    www = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    for server in (tracker, www):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield (f"http://127.0.0.1:{tracker.server_address[1]}", f"http://127.0.0.1:{www.server_address[1]}", hits)
    for server in (tracker, www):
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_an_archive_page_makes_no_request_to_a_feed_named_host_in_chromium(
        tmp_path: Path, servers: tuple[str, str, list[str]]) -> None:
    tracker, www, hits = servers
    path = write_config(tmp_path / "cfg")
    evil = review(51, f'REVIEW: ‘Pixel’ <img src="{tracker}/title.gif"><script>new Image().src='
                      f'"{tracker}/title-script.gif"</script>', "Film", 9.5,
                  image=ImageHint(f"{tracker}/tracker.gif?page=lead", "content", 600, 338))
    selection = with_images(hostile_selection(), [f"{tracker}/tracker.gif?page=top"])
    selection = replace(selection, top=(replace(selection.top[0], review=evil), *selection.top[1:]))
    build(path, "2025-W20", selection)
    refresh(path)
    site = tmp_path / "cfg" / "site"
    page = (site / "2025-W20.html").read_text("utf-8")
    # A missed escape, as if the page let raw feed markup through: only the policy stands in its way.
    injected = (f'<img src="{tracker}/raw.gif"><div style="background:url({tracker}/bg.gif)">x</div>'
                f'<script>document.title = "ran"; new Image().src = "{tracker}/script.gif";</script>'
                f'<link rel="stylesheet" href="{tracker}/style.css">')
    nav = '<nav class="archive-nav"'
    (site / "missed.html").write_text(page.replace(nav, injected + nav, 1), encoding="utf-8")
    # The same page without its policy proves the tracker would hear a request that got through.
    meta_start = page.index('<meta http-equiv="Content-Security-Policy"')
    unguarded = page[:meta_start] + page[page.index(">", meta_start) + 1:]
    control = injected.replace(f"{tracker}/", f"{tracker}/control/")
    (site / "control.html").write_text(unguarded.replace(nav, control + nav, 1), encoding="utf-8")

    from playwright.sync_api import sync_playwright

    chromium_path = Path("/usr/bin/chromium")
    if not chromium_path.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    titles = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=args)
        try:
            tab = browser.new_page()
            tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                      else route.abort())
            for name in ("2025-W20.html", "index.html", "missed.html", "control.html"):
                response = tab.goto(f"{www}/{name}", wait_until="load")
                assert response is not None and response.status == 200, name
                tab.wait_for_timeout(300)
                titles[name] = tab.title()
            tab.close()
        finally:
            browser.close()
    assert [h for h in hits if "control" not in h] == []  # the archive pages reached no feed-named host
    assert any("control" in h for h in hits), hits  # and the tracker was listening
    assert titles["missed.html"] != "ran" and titles["control.html"] == "ran"


def test_withdraw_says_when_a_page_a_person_changed_stays(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from digest.cli.archive import archive
    from digest.cli.base import Context

    path = write_config(tmp_path / "cfg")
    for week in WEEKS:
        build(path, week)
    refresh(path)
    page = tmp_path / "cfg" / "site" / "2025-W19.html"
    page.write_text(page.read_text("utf-8").replace("</body>", "<p>Errata.</p></body>"), encoding="utf-8")
    result = CliRunner().invoke(archive, ["withdraw", "2025-W19"], obj=Context(path))
    assert result.exit_code == 0, result.output
    assert "2025-W19: withdrawn" in result.output and "archive: 2 pages" in result.output
    assert f"warning: {page} was changed since digest wrote it, so it stays" in result.output
    assert "Errata." in page.read_text("utf-8")
