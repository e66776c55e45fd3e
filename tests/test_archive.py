"""The web archive after three weeks of the demo: pages, index and Atom feed, safe to publish.

Three weekly issues (2025-W18..W20) of two editions are built from one collect of the demo
site. The weekly best is delivered by webhook, which publishes it; the anime edition goes
out as files and is published only when the editor says so. The archive is read back with
feedparser and lxml, then served by http.server under a sub-path (``/news/archive/``) and
crawled in headless Chromium: every link inside it resolves and nothing private shows.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
import pytest
import test_jobs_demo as demo
from click.testing import CliRunner, Result
from helpers.chromium import launched
from pytest_httpserver import HTTPServer

from digest.cli.archive import archive
from digest.cli.base import Context
from digest.cli.job import run
from digest.cli.select import explain
from digest.errors import DigestError
from digest.mail.archive import update_archive
from digest.mail.web import problems, scrub, strip_tracking
from digest.mailers import MAILER_TAGS
from digest.settings.config import load_config
from digest.store.database import Store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SUBPATH = "/news/archive/"
PUBLIC_NOTE, PRIVATE_NOTE = "Three weeks of **great** television.", "Subscribers only: code SECRET-W19."
# Anything a mailing service would substitute, and any campaign or subscriber parameter.
LEAKS = re.compile(r"\*\||\|\*|\{\{|\}\}|\{%|%\}|<%|%unsubscribe|utm_|mc_eid|mc_cid|SECRET-W19")


@dataclass
class ThreeWeeks:
    folder: Path
    path: Path
    archive: Path
    hook: HTTPServer
    outputs: dict[str, str]


def invoke(path: Path, *args: str, command: Any = run) -> Result:
    result = CliRunner().invoke(command, list(args), obj=Context(path))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def weeks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreeWeeks]:
    folder = tmp_path_factory.mktemp("three-weeks")
    hook = HTTPServer(host="127.0.0.1")
    hook.start()
    hook.expect_request("/hook", method="POST").respond_with_data("ok")
    issues = folder / "issues"
    issues.mkdir()
    (issues / "2025-W19.toml").write_text(f'note = "{PUBLIC_NOTE}"\nprivate_note = "{PRIVATE_NOTE}"\n', "utf-8")
    path = demo.demo_config(
        folder, issues_dir=str(issues),
        email={"utm_source": "newsletter"},  # mailchimp merge tags (the default) and UTM links in the email
        delivery={"method": "webhook", "webhook": {"url": hook.url_for("/hook"), "timeout": 5}},
        archive={"dir": str(folder / "site" / "archive")},
        editions=[{"name": "anime", "title": "Second Screen Anime", "sections": ["Anime"],
                   "select": {"top_count": 3, "trending_count": 2, "min_scored_reviews": 1},
                   "email": {"brand_color": "#6b2fa3"}, "delivery": {"method": "files"}}],
    )
    outputs = {}
    outputs["W18"] = invoke(path, "--now", "2025-05-19T08:00", "--week", "2025-W18").output
    outputs["W19"] = invoke(path, "--now", "2025-05-19T08:05", "--week", "2025-W19").output
    outputs["W20-held"] = invoke(path, "--now", "2025-05-19T08:10", "--week", "2025-W20", "--no-deliver").output
    outputs["held"] = snapshot(folder / "site" / "archive")
    outputs["publish"] = invoke(path, "publish", "2025-W19", "--edition", "anime", "--now", "2025-05-19T09:00",
                                command=archive).output
    outputs["W20"] = invoke(path, "--now", "2025-05-19T10:00", "--week", "2025-W20").output
    yield ThreeWeeks(folder, path, folder / "site" / "archive", hook, outputs)
    hook.stop()


def snapshot(folder: Path) -> str:
    return json.dumps(sorted(str(p.relative_to(folder)) for p in folder.rglob("*")))


def published(weeks: ThreeWeeks) -> dict[str, datetime]:
    with Store.open(load_config(weeks.path).store_path) as store:
        return store.published()


def test_only_published_issues_are_in_the_archive(weeks: ThreeWeeks) -> None:
    held = json.loads(weeks.outputs["held"])
    # W20 built but not delivered; no anime issue published; the record of what digest wrote
    assert held == [".digest-archive.json", "2025-W18.html", "2025-W19.html", "anime", "anime/feed.xml",
                    "anime/index.html", "feed.xml", "index.html"]
    assert "archive: 2 pages" in weeks.outputs["W20-held"]
    assert "anime/2025-W19: published" in weeks.outputs["publish"]
    assert "published 2025-W20" in weeks.outputs["W20"]
    files = sorted(str(p.relative_to(weeks.archive)) for p in weeks.archive.rglob("*"))
    assert files == [".digest-archive.json", "2025-W18.html", "2025-W19.html", "2025-W20.html", "anime",
                     "anime/2025-W19.html", "anime/feed.xml", "anime/index.html", "feed.xml", "index.html"]
    assert not (weeks.folder / "out" / "anime" / "2025-W18" / "nothing").exists()
    assert (weeks.folder / "out" / "anime" / "2025-W18" / "web.html").is_file()  # built, kept back
    when = published(weeks)
    assert set(when) == {"2025-W18", "2025-W19", "2025-W20", "anime/2025-W19"}
    assert when["anime/2025-W19"] == datetime(2025, 5, 19, 14, 0, tzinfo=UTC)  # the editor's --now
    assert when["2025-W20"] == datetime(2025, 5, 19, 15, 0, tzinfo=UTC)  # its delivery
    assert len(weeks.hook.log) == 3


def test_the_feed_parses_back_with_the_right_entries_dates_and_links(weeks: ThreeWeeks) -> None:
    parsed = feedparser.parse((weeks.archive / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.feed.title == "Second Screen newsletter archive"
    assert [link.href for link in parsed.feed.links] == ["feed.xml", "index.html"]
    when = published(weeks)
    entries = parsed.entries
    assert [e.link for e in entries] == ["2025-W20.html", "2025-W19.html", "2025-W18.html"]
    for entry, week in zip(entries, ("2025-W20", "2025-W19", "2025-W18"), strict=True):
        manifest = json.loads((weeks.folder / "out" / week / "manifest.json").read_text("utf-8"))
        assert entry.title == manifest["subject"] and entry.summary == manifest["preheader"]
        assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == when[week]
        assert entry.id == f"tag:secondscreen.example,{manifest['window']['start'][:10]}:{week}"
        content = entry.content[0].value
        assert [p["url"] for p in manifest["picks"]] == re.findall(r'href="([^"]+)"', content)
        assert LEAKS.search(content) is None and LEAKS.search(entry.title) is None
    updated = datetime(*parsed.feed.updated_parsed[:6], tzinfo=UTC)
    assert updated == max(when[w] for w in ("2025-W20", "2025-W19"))
    anime = feedparser.parse((weeks.archive / "anime" / "feed.xml").read_bytes())
    assert [e.link for e in anime.entries] == ["2025-W19.html"] and anime.feed.title == "Second Screen Anime"


def test_the_pages_parse_back_with_their_links_and_nothing_private(weeks: ThreeWeeks) -> None:
    index = lxml.html.parse(str(weeks.archive / "index.html")).getroot()
    items = index.cssselect("ol li > a")
    assert [a.get("href") for a in items] == ["2025-W20.html", "2025-W19.html", "2025-W18.html"]
    home = load_config(weeks.path).site.url
    nav_links = [a.get("href") for a in index.cssselect("nav a")]
    assert nav_links == ["index.html", "anime/index.html", "feed.xml", home]
    assert index.cssselect("link[rel=alternate]")[0].get("href") == "feed.xml"
    for a, week in zip(items, ("2025-W20", "2025-W19", "2025-W18"), strict=True):
        manifest = json.loads((weeks.folder / "out" / week / "manifest.json").read_text("utf-8"))
        assert a.text_content() == manifest["subject"]
        page = lxml.html.parse(str(weeks.archive / f"{week}.html")).getroot()
        assert page.findtext(".//title") == "Second Screen, " + {"2025-W18": "Apr 28 – May 4, 2025",
                                                                "2025-W19": "May 5–11, 2025",
                                                                "2025-W20": "May 12–18, 2025"}[week]
        nav = {x.get("rel") or x.text_content(): x.get("href") for x in page.cssselect("nav.archive-nav a")}
        assert nav["All issues of Second Screen"] == "index.html" and nav["Atom feed"] == "feed.xml"
        assert nav.get("prev") == {"2025-W20": "2025-W19.html", "2025-W19": "2025-W18.html"}.get(week)
        assert nav.get("next") == {"2025-W18": "2025-W19.html", "2025-W19": "2025-W20.html"}.get(week)
        links = [x.get("href") for x in page.cssselect("a[href]")]
        for pick in manifest["picks"]:
            assert pick["url"] in links  # the review links, without their UTM parameters
        text = (weeks.archive / f"{week}.html").read_text("utf-8")
        assert LEAKS.search(text) is None and problems(text) == []
        assert "Unsubscribe" not in text and "View in your browser" not in text
    w19 = (weeks.archive / "2025-W19.html").read_text("utf-8")
    assert "<strong>great</strong> television" in w19 and "SECRET" not in w19
    email = (weeks.folder / "out" / "2025-W19" / "digest.html").read_text("utf-8")
    unsubscribe = "https://secondscreen.example/newsletter/unsubscribe/"  # the demo's plain link (files)
    assert "SECRET-W19" in email and f'href="{unsubscribe}"' in email and "utm_source=newsletter" in email
    assert unsubscribe not in w19
    shown = invoke(weeks.path, "--week", "2025-W19", command=explain).output
    assert "private note (email only, never archived): Subscribers only: code SECRET-W19." in shown
    anime_index = lxml.html.parse(str(weeks.archive / "anime" / "index.html")).getroot()
    anime_links = [a.get("href") for a in anime_index.cssselect("a")]  # masthead, nav, the issue
    assert anime_links == [home, "index.html", "../index.html", "feed.xml", home, "2025-W19.html"]


def test_view_in_browser_points_at_the_archive_when_it_has_an_address(tmp_path: Path) -> None:
    path = demo.demo_config(tmp_path, editions=[],
                            archive={"dir": str(tmp_path / "archive"), "publish": "on-build",
                                     "base_url": "https://secondscreen.example/news/archive"})
    output = invoke(path, "--now", "2025-05-19T08:00").output
    assert "archive: 1 page, published 2025-W20" in output
    email = (tmp_path / "out" / "2025-W20" / "digest.html").read_text("utf-8")
    text = (tmp_path / "out" / "2025-W20" / "digest.txt").read_text("utf-8")
    page_url = "https://secondscreen.example/news/archive/2025-W20.html"
    views = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>View in your browser</a>', email)
    assert views == [page_url, page_url] and "*|ARCHIVE|*" not in email  # header and footer
    assert f"View in your browser:\n{page_url}\n" in text  # the URL on a line of its own
    page = lxml.html.parse(str(tmp_path / "archive" / "2025-W20.html")).getroot()
    assert page.cssselect("link[rel=canonical]")[0].get("href") == page_url
    feed = feedparser.parse((tmp_path / "archive" / "feed.xml").read_bytes())
    assert feed.entries[0].link == page_url and feed.feed.id == "https://secondscreen.example/news/archive/feed.xml"


def test_the_index_and_feed_are_replaced_atomically_pages_first(weeks: ThreeWeeks,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(weeks.path)
    for page in weeks.archive.rglob("*.html"):
        page.write_text(page.read_text("utf-8") + "<!-- stale -->", "utf-8")
    (weeks.archive / "feed.xml").write_text("stale", "utf-8")
    replaced: list[str] = []
    real = os.replace

    def spy(src: Any, dst: Any, *, src_dir_fd: int, dst_dir_fd: int) -> None:
        assert src_dir_fd == dst_dir_fd and Path(src).name.startswith(".")  # a temp sibling
        folder = Path(os.readlink(f"/proc/self/fd/{dst_dir_fd}"))  # renamed by name in the opened folder
        replaced.append(str((folder / dst).relative_to(weeks.archive)))
        real(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    monkeypatch.setattr(os, "replace", spy)
    with Store.open(config.store_path) as store:
        report = update_archive(config, store)
    assert report is not None and report.pages == 4
    assert replaced == ["anime/2025-W19.html", "anime/index.html",
                        "2025-W20.html", "2025-W19.html", "2025-W18.html", "feed.xml", "index.html"]

    def failing(src: Any, dst: Any, **folders: int) -> None:
        if Path(dst).name == "feed.xml":
            raise OSError(28, "No space left on device")
        real(src, dst, **folders)

    (weeks.archive / "feed.xml").write_text("stale", "utf-8")
    before = (weeks.archive / "index.html").read_bytes()
    (weeks.archive / "2025-W20.html").write_text("stale", "utf-8")
    monkeypatch.setattr(os, "replace", failing)
    with Store.open(config.store_path) as store, pytest.raises(DigestError, match="No space left on device"):
        update_archive(config, store)
    monkeypatch.setattr(os, "replace", real)
    assert (weeks.archive / "index.html").read_bytes() == before  # the index still links only whole pages
    assert (weeks.archive / "2025-W20.html").read_text("utf-8") != "stale"
    assert [p.name for p in weeks.archive.rglob(".*")] == [".digest-archive.json"]  # no temporary files left
    with Store.open(config.store_path) as store:
        update_archive(config, store)
        assert "stale" not in (weeks.archive / "feed.xml").read_text("utf-8")
        again = update_archive(config, store)
    assert again is not None and (again.pages, again.written) == (4, 0)  # nothing new: nothing rewritten


# -- in a real browser, served from a sub-path ---------------------------------------------------


class Quiet(SimpleHTTPRequestHandler):
    """Serves ``<root>/news/archive/...`` and nothing else (404), quietly."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def served(weeks: ThreeWeeks, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("www")
    (root / "news").mkdir()
    (root / "news" / "archive").symlink_to(weeks.archive, target_is_directory=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture  # per test: Playwright's sync API keeps an event loop running, which asyncio.run() refuses
def browser() -> Iterator[Any]:
    yield from launched()


@pytest.mark.slow
def test_every_link_inside_the_archive_resolves_in_chromium(weeks: ThreeWeeks, served: str,
                                                            browser: Any) -> None:
    start = served + SUBPATH + "index.html"
    page = browser.new_page()
    statuses: dict[str, int] = {}
    outside: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(served):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("response", lambda response: statuses.__setitem__(response.url, response.status))
    queue, seen, visited = [start], {start}, []
    try:
        while queue:
            url = queue.pop(0)
            response = page.goto(url, wait_until="load")
            assert response is not None and response.status == 200, url
            visited.append(url[len(served):])
            if not url.endswith(".html"):
                continue
            html = page.content()
            assert LEAKS.search(html) is None, url
            hrefs = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
            for href in hrefs:
                absolute = urljoin(url, href).split("#")[0]
                if urlsplit(absolute).netloc != urlsplit(served).netloc:
                    assert absolute.startswith("https://") and "utm_" not in absolute, absolute
                    continue
                assert absolute.startswith(served + SUBPATH), absolute  # relative links stay in the folder
                if absolute not in seen:
                    seen.add(absolute)
                    queue.append(absolute)
    finally:
        page.close()
    assert sorted(visited) == sorted(SUBPATH + name for name in (
        "index.html", "feed.xml", "2025-W20.html", "2025-W19.html", "2025-W18.html",
        "anime/index.html", "anime/feed.xml", "anime/2025-W19.html"))
    assert {url: code for url, code in statuses.items() if code >= 400} == {}
    assert all(not url.startswith(served) for url in outside)


@pytest.mark.slow
def test_the_feed_links_resolve_against_the_served_feed(weeks: ThreeWeeks, served: str) -> None:
    parsed = feedparser.parse(served + SUBPATH + "feed.xml")
    assert parsed.status == 200 and not parsed.bozo
    assert [e.link for e in parsed.entries] == [served + SUBPATH + f"2025-W{n}.html" for n in (20, 19, 18)]


# -- the scrubber on its own ------------------------------------------------------------------------


@pytest.mark.parametrize("mailer", sorted(m for m in MAILER_TAGS if m != "custom"))
def test_every_services_merge_tags_are_found_and_removed(mailer: str) -> None:
    tags = MAILER_TAGS[mailer]
    values = [t for t in (tags.unsubscribe, tags.view_online, tags.address) if t]
    page = ("<!DOCTYPE html><html><head><title>x</title></head><body><p>"
            + "".join(f'<a href="{t}">link</a> {t} ' for t in values)
            + '<a href="https://site.example/a/?utm_source=n&amp;utm_medium=email&amp;id=7">review</a>'
            + "<a href=\"https://site.example/%E2%80%99s/\">quoted</a></p></body></html>")
    assert problems(page)
    clean = scrub(page)
    assert problems(clean) == []
    assert 'href="https://site.example/a/?id=7"' in clean and "https://site.example/%E2%80%99s/" in clean
    assert clean.count("<a ") == 2  # links to a merge tag are dropped, their text with them


def test_strip_tracking_keeps_the_other_parameters() -> None:
    assert strip_tracking("https://s.example/p/?utm_source=x&p=4&fbclid=z&mc_eid=1#c") == "https://s.example/p/?p=4#c"
    assert strip_tracking("https://s.example/p/") == "https://s.example/p/"


def test_the_archive_command_needs_an_archive(tmp_path: Path) -> None:
    path = demo.demo_config(tmp_path, archive=None)
    result = CliRunner().invoke(archive, ["build"], obj=Context(path))
    assert result.exit_code == 2 and "there is no [archive] table" in result.output


def test_a_withdrawn_issue_leaves_the_archive_and_stays_out(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    path = demo.demo_config(tmp_path, editions=[], archive={"dir": str(tmp_path / "archive")},
                            delivery={"method": "webhook", "webhook": {"url": httpserver.url_for("/hook")}})
    for week in ("2025-W18", "2025-W19", "2025-W20"):
        invoke(path, "--now", "2025-05-19T08:00", "--week", week)
    site = tmp_path / "archive"
    pages = sorted(p.name for p in site.glob("2025-*.html"))
    assert pages == ["2025-W18.html", "2025-W19.html", "2025-W20.html"]

    gone = invoke(path, "withdraw", "2025-W19", command=archive).output
    assert "2025-W19: withdrawn" in gone and "archive: 2 pages" in gone
    assert sorted(p.name for p in site.glob("2025-*.html")) == ["2025-W18.html", "2025-W20.html"]
    index = lxml.html.parse(str(site / "index.html")).getroot()
    assert [a.get("href") for a in index.cssselect("ol a")] == ["2025-W20.html", "2025-W18.html"]
    assert [e.link for e in feedparser.parse((site / "feed.xml").read_bytes()).entries] == [
        "2025-W20.html", "2025-W18.html"]
    newest = lxml.html.parse(str(site / "2025-W20.html")).getroot()
    assert newest.cssselect("a[rel=prev]")[0].get("href") == "2025-W18.html"

    rerun = invoke(path, "--now", "2025-05-19T09:00", "--week", "2025-W19").output  # delivered long ago
    assert "archive: 2 pages" in rerun and not (site / "2025-W19.html").exists()
    back = invoke(path, "publish", "2025-W19", command=archive).output
    assert "2025-W19: published" in back and (site / "2025-W19.html").is_file()
    assert "archive: 3 pages" in back


def test_an_archive_that_cannot_be_written_does_not_undo_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the archive folder should be", "utf-8")
    path = demo.demo_config(tmp_path, editions=[], archive={"dir": str(blocker), "publish": "on-build"})
    result = CliRunner().invoke(run, ["--now", "2025-05-19T08:00"], obj=Context(path))
    assert result.exit_code == 2, result.output
    assert "built 2025-W20: " in result.output
    assert f"error: archive NOT UPDATED: cannot create the archive folder {blocker}" in result.output
    blocker.unlink()
    again = invoke(path, "--now", "2025-05-19T09:00")
    assert "2025-W20 was already built" in again.output and "archive: 1 page" in again.output.splitlines()
    assert (blocker / "2025-W20.html").is_file()


def test_a_mailing_service_draft_is_not_a_delivery_for_the_archive(tmp_path: Path) -> None:
    from digest.mail.archive import publish_due
    from digest.weeks import parse_week

    config = load_config(demo.demo_config(tmp_path, archive={"dir": str(tmp_path / "archive")}))
    built = datetime(2025, 5, 19, 13, tzinfo=UTC)
    with Store.open(config.store_path) as store:
        for week in ("2025-W19", "2025-W20"):
            store.record_issue(week, built, parse_week(week).window(config.site.tz), week, str(tmp_path), [])
        store.record_delivery("2025-W19", "mailchimp", built, "draft ready in mailchimp")
        store.record_delivery("2025-W19", "notify", built, "told the editors")
        assert publish_due(config, store) == []  # a draft waits for the editor to send it
        store.record_delivery("2025-W20", "smtp", built + timedelta(minutes=5), "to the list")
        assert publish_due(config, store) == ["2025-W20"]
        assert store.published() == {"2025-W20": built + timedelta(minutes=5)}
