"""WordPress size variants: every known size of the lead image, and the email's choice among them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from email_fixtures import BRANDED, email_config, realistic_selection
from lxml import etree

from digest.mail.render import render_issue
from digest.models import ImageHint
from digest.reviews.extract import lead_image
from digest.reviews.images import image_sizes

UP = "https://site.example/wp-content/uploads/2025/05"
CONTENT = (f'<figure><img width="1024" height="576" src="{UP}/moon-1024x576.jpg" alt="" '
           f'srcset="{UP}/moon-1024x576.jpg 1024w, {UP}/moon-300x169.jpg 300w, {UP}/moon-768x432.jpg 768w, '
           f'{UP}/other-150x150.jpg 150w"></figure><p>Text <img src="{UP}/unrelated.png" width="40"></p>')
FEED = (ImageHint(f"{UP}/moon.jpg", "media:content", 1200, 675),
        ImageHint(f"{UP}/moon-300x169.jpg", "media:thumbnail", 300, 169))


def test_every_size_of_the_lead_image_is_found_with_its_dimensions() -> None:
    lead = lead_image(FEED, CONTENT, None, "https://site.example/p/")
    assert lead is not None and lead.url == f"{UP}/moon.jpg"
    sizes = image_sizes(lead, FEED, CONTENT, "https://site.example/p/")
    assert [(h.url.rsplit("/", 1)[1], h.width, h.height) for h in sizes] == [
        ("moon-300x169.jpg", 300, 169), ("moon-768x432.jpg", 768, 432), ("moon-1024x576.jpg", 1024, 576),
        ("moon.jpg", 1200, 675)]  # other pictures and their sizes are left out


def test_no_lead_no_sizes_and_a_lone_image_is_its_own_size() -> None:
    assert image_sizes(None, FEED, CONTENT, "https://site.example/") == ()
    lone = ImageHint(f"{UP}/lone.jpg", "content", None, None)
    assert image_sizes(lone, (), "", "https://site.example/") == ()  # no width known: nothing to choose from


def test_the_email_takes_the_smallest_size_at_least_twice_as_wide(tmp_path: Path) -> None:
    sizes = image_sizes(FEED[0], FEED, CONTENT, "https://site.example/")
    selection = realistic_selection()
    hero, card = selection.top[0], selection.top[2]
    trend = selection.trending[0]

    def sized(pick):  # type: ignore[no-untyped-def]
        return replace(pick, review=replace(pick.review, image=FEED[0], image_sizes=sizes))

    selection = replace(selection, top=(sized(hero), selection.top[1], sized(card), *selection.top[3:]),
                        trending=(sized(trend), *selection.trending[1:]))
    html = render_issue(email_config(tmp_path, **BRANDED), selection).html
    root = etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))
    shown = {img.get("class"): (img.get("src").rsplit("/", 1)[1], img.get("width"), img.get("height"))
             for img in root.iter("img") if "moon" in img.get("src", "")}
    assert shown == {
        "hero-img": ("moon.jpg", "600", "338"),  # 600 px shown: 1200 needed, the original
        "card-img": ("moon-768x432.jpg", "180", "101"),  # 360 needed: 768, not the 1024 nor the original
        "thumb-img": ("moon-300x169.jpg", "96", "54"),  # 192 needed: the 300 px thumbnail
    }
    alt_styled = root.xpath("//img[@class='card-img']")[0].get("style")
    assert "font-size:14px" in alt_styled and "background-color:#e7e9ee" in alt_styled  # images-off readers
