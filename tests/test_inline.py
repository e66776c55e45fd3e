"""Each premailer pitfall, shown with premailer's defaults and avoided by digest.mail.inline."""

from __future__ import annotations

import logging
import re

import cssutils
from helpers.server import FeedServer, Reply
from premailer import Premailer

from digest.mail.inline import inline_css

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<style>@media (prefers-color-scheme: dark) { .card { background-color: #171a21 !important; } }</style>
</head><body>
<table role="presentation" class="card"><tr><td class="cell">Hello</td></tr></table>
<img class="hero" src="https://site.example/a.jpg" width="600" alt="">
<a href="*|UNSUB|*">Unsubscribe</a> <a href="{{ unsubscribe }}">Brevo</a>
<a href="&lt;%asm_group_unsubscribe_raw_url%&gt;">SendGrid</a>
</body></html>
"""
CSS = ".card { background-color: #ffffff; } .cell { color: #112233; mso-line-height-rule: exactly; } " \
      ".hero { width: 100%; height: auto; } a:hover { color: #ff0000; }"
QUIET = {"cssutils_logging_level": logging.CRITICAL}


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_inline_css_inlines_and_keeps_only_the_head_style() -> None:
    out = inline_css(PAGE, CSS)
    assert 'class="card" style="background-color:#ffffff"' in out
    assert "color:#112233; mso-line-height-rule:exactly" in out  # vendor property kept (no validation)
    styles = re.findall(r"<style>(.*?)</style>", out, re.S)
    assert styles == ["@media (prefers-color-scheme: dark) { .card { background-color: #171a21 !important; } }"]
    assert "a:hover" not in out  # pseudo-classes cannot be inlined: they go in the head sheet, not css_text


def test_pitfall_strip_important_default_kills_dark_mode() -> None:
    default = Premailer(PAGE, keep_style_tags=True, **QUIET).transform()
    assert "#171a21 !important" not in default and "#171a21" in default
    assert "#171a21 !important" in inline_css(PAGE, CSS)


def test_pitfall_base_url_rewrites_merge_tags_into_broken_urls() -> None:
    broken = Premailer(PAGE, base_url="https://site.example/", **QUIET).transform()
    assert "https://site.example/*|UNSUB|*" in hrefs(broken)
    assert "*|UNSUB|*" in hrefs(inline_css(PAGE, CSS))


def test_pitfall_lxml_escapes_some_merge_tags_even_without_base_url() -> None:
    """Why render.py swaps merge tags for placeholders: serialising percent-encodes spaces
    and entity-escapes "<": Brevo's and SendGrid's tags would never be substituted."""
    out = hrefs(inline_css(PAGE, CSS))
    assert "*|UNSUB|*" in out
    assert "{{ unsubscribe }}" not in out and "{{%20unsubscribe%20}}" in out
    assert "&lt;%asm_group_unsubscribe_raw_url%&gt;" in out


def test_pitfall_network_stylesheets_are_fetched_by_default() -> None:
    with FeedServer() as server:
        url = server.route("/style.css", Reply(body=b".cell { color: #00ff00; }",
                                               headers={"Content-Type": "text/css"}))
        page = PAGE.replace("</head>", f'<link rel="stylesheet" href="{url}"></head>')
        fetched = Premailer(page, **QUIET).transform()
        assert len(server.requests_to("/style.css")) == 1
        assert re.search(r'class="cell" style="color:#0f0', fetched)  # fetched at build time, and inlined
        ours = inline_css(page, CSS)
        assert len(server.requests_to("/style.css")) == 1  # not fetched again
    assert "#00ff00" not in ours and f'href="{url}"' in ours  # left for the lint to reject


def test_pitfall_basic_attributes_overwrite_numeric_image_width() -> None:
    default = Premailer(PAGE, css_text=CSS, **QUIET).transform()
    assert re.search(r'<img[^>]*width="100%"', default) and 'height="auto"' in default
    ours = inline_css(PAGE, CSS)
    assert re.search(r'<img[^>]*width="600"', ours) and 'height="auto"' not in ours


def test_pitfall_cssutils_shortens_hex_colours() -> None:
    default = Premailer(PAGE, css_text=CSS, **QUIET).transform()
    assert "background-color:#fff" in default and "#123" in default
    ours = inline_css(PAGE, CSS)
    assert "background-color:#ffffff" in ours and "#112233" in ours
    assert cssutils.ser.prefs.minimizeColorHash is True  # the global preference is restored


def test_pitfall_remove_classes_would_break_media_queries() -> None:
    stripped = Premailer(PAGE, remove_classes=True, keep_style_tags=True, **QUIET).transform()
    assert 'class="card"' not in stripped
    assert 'class="card"' in inline_css(PAGE, CSS)


def test_inline_styles_win_over_sheet_rules_and_bgcolor_is_added() -> None:
    page = PAGE.replace('<td class="cell">', '<td class="cell" style="color:#445566">')
    out = inline_css(page, CSS)
    assert 'style="color:#445566' in out and "color:#112233" not in out
    assert 'bgcolor="#ffffff"' in out  # Outlook paints table backgrounds from bgcolor


def test_sheets_parsed_once_per_process_still_follow_the_sheet_given() -> None:
    """The parsed-rules cache is keyed by the sheet: a new brand colour is a new sheet, and the
    cached first sheet gives the same output as it did the first time."""
    first = inline_css(PAGE, CSS)
    other = inline_css(PAGE, CSS.replace("#112233", "#445566"))
    assert "color:#445566" in other and "#112233" not in other
    assert inline_css(PAGE, CSS) == first


def test_a_head_style_marked_ignore_is_kept_as_written_and_not_inlined() -> None:
    page = PAGE.replace("<style>", '<style data-premailer="ignore">').replace(
        "@media", ".cell { font-weight: 700; } @media")
    out = inline_css(page, CSS)
    assert "font-weight" not in out.split("</head>")[1]  # not inlined into the body
    assert "<style>.cell { font-weight: 700; } @media" in out  # kept, its marker dropped


_TWICE = """
import sys, tempfile
from pathlib import Path
from digest.mail.render import render_issue  # imports premailer through digest.mail.inline, as a build does
from email_fixtures import BRANDED, email_config, realistic_selection
import premailer.cache

cache = premailer.cache.cache
missed = []
class Counting(type(cache)):
    def __setitem__(self, key, value):  # cachetools stores a value only after a miss
        missed.append(key)
        super().__setitem__(key, value)
config = email_config(Path(tempfile.mkdtemp()), **BRANDED)
render_issue(config, realistic_selection())
cache.__class__ = Counting
render_issue(config, realistic_selection())
print(len(missed), cache.maxsize)
"""


def test_a_second_render_in_one_process_finds_every_declaration_in_premailers_cache() -> None:
    """premailer caches each style attribute's parse in one process-wide cache; sized at its default
    (128) the demo issue's declarations evict each other and every render parses them all again."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREMAILER_")}
    env["PYTHONPATH"] = str(tests)
    out = subprocess.run([sys.executable, "-c", _TWICE], capture_output=True, text=True, env=env, check=True)
    missed, maxsize = map(int, out.stdout.split())
    assert missed == 0, f"the second render missed premailer's cache {missed} times (maxsize {maxsize})"
