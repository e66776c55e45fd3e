"""An archive page as a visitor, a search engine and a link preview see it.

Issues are rendered by the real web renderer from the email tests' realistic and hostile weeks
into a real store and folder (the helpers of test_archive_safety), then read back with lxml:
the title names the site, edition and week in words, the description is the hero's TL;DR, the
sharing tags are there and escaped, navigation says dates and reaches every edition and the
site. One Chromium test looks at the pages at phone and desktop widths, light and dark.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from email_fixtures import SITE, hostile_selection
from test_archive_safety import build, refresh, with_images, write_config

from digest.mail.web import problems
from digest.settings.config import load_config
from digest.settings.editions import pick_edition

CSP = "Content-Security-Policy"
ANIME_BRAND = "#6b2fa3"
HERO_TLDR = ("Clair Obscur: Expedition 33 is a turn-based RPG that marries a gorgeous Belle Époque world to "
             "combat that never stops asking something of you. One of the year's best.")


def head(page: Path) -> Any:
    root = lxml.html.parse(str(page)).getroot()
    return root, root.find("head")


def metas(head_element: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for meta in head_element.xpath("meta[@name or @property]"):
        out.setdefault(meta.get("name") or meta.get("property"), []).append(meta.get("content"))
    return out


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = write_config(tmp_path, anime=True, from_name=None,  # see the note at write_config
                        archive={"base_url": "https://butwhytho.example/newsletter/"})
    path.write_text(path.read_text("utf-8") + f'email = {{ brand_color = "{ANIME_BRAND}" }}\n', "utf-8")
    for week in ("2025-W18", "2025-W19", "2025-W20"):
        build(path, week)
    build(path, "anime/2025-W19")
    refresh(path)
    return tmp_path / "site"


def test_an_issue_page_head_names_the_week_and_carries_sharing_tags(site: Path) -> None:
    root, page_head = head(site / "2025-W19.html")
    assert page_head[0].tag == "meta" and page_head[0].get("http-equiv") == CSP  # the policy stays first
    assert root.findtext(".//title") == "But Why Tho?, May 5–11, 2025"
    tags = metas(page_head)
    assert tags["description"] == [HERO_TLDR[:159].rsplit(" ", 1)[0].rstrip(" ,;:.-") + "…"]
    assert len(tags["description"][0]) <= 160
    assert tags["og:type"] == ["article"] and tags["og:title"] == ["But Why Tho?, May 5–11, 2025"]
    assert tags["og:description"] == tags["description"] and tags["og:site_name"] == ["But Why Tho?"]
    assert tags["og:url"] == ["https://butwhytho.example/newsletter/2025-W19.html"]
    hero = root.xpath('//img[contains(@class, "hero-img")]')[0].get("src")
    assert hero.startswith(SITE) and tags["og:image"] == [hero] and tags["twitter:image"] == [hero]
    assert tags["twitter:card"] == ["summary_large_image"]
    feeds = page_head.xpath('link[@rel="alternate"][@type="application/atom+xml"]')
    assert [f.get("href") for f in feeds] == ["feed.xml"]
    nav = root.cssselect("nav.archive-nav")[0]
    links = {a.text_content(): a.get("href") for a in nav.cssselect("a")}
    assert links == {"← Apr 28 – May 4, 2025": "2025-W18.html", "All issues of But Why Tho?": "index.html",
                     "Anime Weekly": "anime/index.html", "Atom feed": "feed.xml",
                     "But Why Tho? home": f"{SITE}/", "May 12–18, 2025 →": "2025-W20.html"}
    assert "W1" not in nav.text_content()  # no ISO week codes for readers


def test_an_editions_page_and_index_name_the_edition_and_link_every_edition(site: Path) -> None:
    root, page_head = head(site / "anime" / "2025-W19.html")
    assert root.findtext(".//title") == "But Why Tho? — Anime Weekly, May 5–11, 2025"
    assert root.cssselect(".site-link")[0].text_content() == "Anime Weekly"  # not the site's name
    links = {a.text_content(): a.get("href") for a in root.cssselect("nav.archive-nav a")}
    assert links["All issues of Anime Weekly"] == "index.html" and links["But Why Tho?"] == "../index.html"
    assert metas(page_head)["og:url"] == ["https://butwhytho.example/newsletter/anime/2025-W19.html"]
    index, index_head = head(site / "anime" / "index.html")
    assert index_head[0].get("http-equiv") == CSP
    assert index.findtext(".//title") == "But Why Tho? — Anime Weekly: past issues"
    assert index.cssselect("h1")[0].text_content() == "Anime Weekly"
    tags = metas(index_head)
    assert tags["og:type"] == ["website"] and tags["og:title"] == ["But Why Tho? — Anime Weekly: past issues"]
    assert tags["og:url"] == ["https://butwhytho.example/newsletter/anime/index.html"]
    assert tags["description"][0].startswith("Past issues of Anime Weekly")
    assert [a.get("href") for a in index.cssselect("nav a")] == ["index.html", "../index.html", "feed.xml",
                                                                f"{SITE}/"]
    assert index.cssselect("ol .when")[0].text_content().startswith("May 5–11, 2025 · sent")
    top, _ = head(site / "index.html")
    assert top.findtext(".//title") == "But Why Tho?: past issues"
    assert [a.text_content() for a in top.cssselect("ol li > a")] == [
        "But Why Tho? Weekly: the best of 2025-W20", "But Why Tho? Weekly: the best of 2025-W19",
        "But Why Tho? Weekly: the best of 2025-W18"]


def test_hostile_text_stays_text_in_the_head_and_a_foreign_hero_image_is_no_preview(tmp_path: Path) -> None:
    path = write_config(tmp_path, from_name=None)
    selection = with_images(hostile_selection(), ["https://tracker.example/pixel.jpg"])
    build(path, "2025-W20", selection)
    refresh(path)
    text = (tmp_path / "site" / "2025-W20.html").read_text("utf-8")
    root, page_head = head(tmp_path / "site" / "2025-W20.html")
    assert problems(text) == [] and "tracker.example" not in text
    assert not root.xpath("//script") and page_head[0].get("http-equiv") == CSP
    tags = metas(page_head)
    assert "og:image" not in tags and tags["twitter:card"] == ["summary"] and "og:url" not in tags
    for name in ("description", "og:title", "og:description", "twitter:title"):
        assert len(tags[name]) == 1 and len(tags[name][0]) <= 160 and "{{" not in tags[name][0], name
    assert all(set(m.attrib) <= {"name", "property", "content", "http-equiv", "charset"}
               for m in page_head.iter("meta"))


def rgb_of(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))


# -- in Chromium: layout, colours and what a screen reader hears ---------------------------------


@pytest.fixture
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = Path("/usr/bin/chromium")
    if not executable.exists():
        pytest.fail("Chromium not installed at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable),
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield browser
        browser.close()


@pytest.mark.slow
def test_pages_in_chromium_at_phone_and_desktop_widths_light_and_dark(site: Path, chromium: Any,
                                                                       tmp_path: Path) -> None:
    palette = pick_edition(load_config(tmp_path / "digest.toml"), "anime").email.palette
    assert palette.brand == ANIME_BRAND
    rgb = {"light": rgb_of(palette.brand), "dark": rgb_of(palette.brand_dark)}
    for width in (1024, 375):
        for scheme in ("light", "dark"):
            context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                           offline=True)
            page = context.new_page()
            page.goto((site / "anime" / "2025-W19.html").as_uri())
            page.screenshot(path=str(tmp_path / f"anime-{width}-{scheme}.png"), full_page=True)
            nav = page.locator("nav.archive-nav").bounding_box()
            header = page.locator("td.header").bounding_box()
            assert nav is not None and header is not None
            assert nav["y"] + nav["height"] <= header["y"] + 1  # the links above the header, not over it
            assert nav["x"] >= 0 and nav["x"] + nav["width"] <= width and header["x"] + header["width"] <= width
            colour = page.eval_on_selector("td.header", "e => getComputedStyle(e).backgroundColor")
            assert colour == rgb[scheme], colour  # the edition's own colour
            assert page.locator(".site-link").inner_text() == "Anime Weekly"
            heading = page.get_by_role("heading", level=1)
            spoken = heading.aria_snapshot()  # the name Chromium gives it (the fixture's week is May 12–18)
            assert spoken.startswith('- heading "The week\'s best reviews, May 12–18, 2025" [level=1]'), spoken
            index = context.new_page()
            index.goto((site / "anime" / "index.html").as_uri())
            index.screenshot(path=str(tmp_path / f"index-{width}-{scheme}.png"), full_page=True)
            masthead = index.locator("header.masthead").bounding_box()
            assert masthead is not None and masthead["x"] + masthead["width"] <= width
            assert index.eval_on_selector("header.masthead", "e => getComputedStyle(e).backgroundColor") == (
                rgb[scheme])
            assert index.locator("h1").inner_text() == "Anime Weekly"
            context.close()
