"""WCAG contrast: the maths, the palette derived from config colours, and the check at load."""

from __future__ import annotations

import colorsys
from pathlib import Path
from typing import Any

import pytest
from email_fixtures import BRANDED, email_config, email_config_text, realistic_selection

from digest.colours import (
    AA_TEXT,
    DARK_SURFACE,
    PAGE,
    accent_problem,
    contrast,
    luminance,
    mix,
    palette,
    readable,
)
from digest.errors import ConfigError
from digest.mail.contrast import text_contrasts
from digest.mail.render import render_issue
from digest.settings.config import load_config


def test_contrast_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert contrast("#d6452b", "#ffffff") == pytest.approx(4.43, abs=0.01)  # the old default accent


def test_readable_moves_the_least_needed() -> None:
    assert readable("#16191f", ("#ffffff",)) == "#16191f"  # already fine: unchanged
    darker = readable("#d6452b", ("#ffffff",))
    assert contrast(darker, "#ffffff") >= AA_TEXT and darker < "#d6452b"
    lighter = readable("#d6452b", ("#171a21",))
    assert contrast(lighter, "#171a21") >= AA_TEXT


def test_every_palette_pair_the_templates_use_passes_aa() -> None:
    p = palette("#1d2433", "#d6452b")
    light = [(p.ink, p.surface), (p.body_text, p.surface), (p.muted, p.surface), (p.muted, p.footer_bg),
             (p.muted, p.page), (p.body_text, p.footer_bg), (p.accent_text, p.surface),
             (p.accent_text, p.note_bg), (p.body_text, p.note_bg), ("#ffffff", p.accent_text),
             (p.tagline, p.brand), ("#ffffff", p.brand)]
    dark = [(p.dark_ink, p.dark_surface), (p.dark_body_text, p.dark_surface), (p.dark_muted, p.dark_surface),
            (p.dark_muted, p.dark_footer_bg), (p.dark_muted, p.dark_page), (p.accent_text_dark, p.dark_surface),
            (p.accent_text_dark, p.dark_note_bg), (p.dark_body_text, p.dark_note_bg), ("#ffffff", p.brand_dark)]
    for fg, bg in light + dark:
        assert contrast(fg, bg) >= AA_TEXT, (fg, bg)


def test_an_accent_that_fails_gets_a_derived_shade_and_says_so(tmp_path: Path) -> None:
    config = email_config(tmp_path, accent_color="#f0a500")  # amber: 2.1:1 on white
    notes = config.email.palette.notes
    assert len(notes) == 1 and notes[0].startswith("email.accent_color #f0a500 is 2.08:1 on white: text and "
                                                   "buttons use the derived shade #")
    html = render_issue(config, realistic_selection()).html
    for dark in (False, True):
        assert all(run.passes for run in text_contrasts(html, dark)), dark
    assert "#f0a500" in html  # still the brand's accent, on borders


def test_an_accent_that_fails_is_refused_when_derivation_is_off(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(email_config_text(accent_color="#f0a500", derive_colors=False), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "email.accent_color" in message and "1.97:1 on white" in message and "4.5:1" in message


def test_a_brand_colour_too_light_for_white_header_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(email_config_text(brand_color="#f5c518"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "email.brand_color" in message and "#f5c518 is 1.6" in message and "against the white header text" \
        in message


def test_the_default_colours_need_no_note_for_brand_and_pass_in_both_modes(tmp_path: Path) -> None:
    config = email_config(tmp_path, **BRANDED)
    html = render_issue(config, realistic_selection()).html
    light, dark = text_contrasts(html), text_contrasts(html, dark=True)
    assert len(light) > 80 and len(dark) == len(light)
    assert min(r.ratio for r in light) >= AA_TEXT and min(r.ratio for r in dark) >= AA_TEXT
    assert {r.colour for r in dark} != {r.colour for r in light}  # dark mode really recolours the text


def test_the_static_contrast_check_catches_a_failing_colour(tmp_path: Path) -> None:
    config = email_config(tmp_path, **BRANDED)
    html = render_issue(config, realistic_selection()).html.replace("color:#5b6270", "color:#aaaaaa")
    failing = [r for r in text_contrasts(html) if not r.passes]
    assert failing and failing[0].colour == "#aaaaaa" and failing[0].ratio < 2.5


def test_digest_check_says_which_shade_it_derived(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from digest.cli.base import Context
    from digest.cli.collect import check

    path = tmp_path / "digest.toml"
    path.write_text(email_config_text(accent_color="#f0a500"), encoding="utf-8")
    result = CliRunner().invoke(check, [], obj=Context(path))
    assert result.exit_code == 0, result.output
    assert "colours: email.accent_color #f0a500 is 2.08:1 on white: text and buttons use the derived shade #" \
        in result.output


def test_the_shipped_default_accent_passes_on_white_and_check_says_nothing(demo: Path) -> None:
    """The default config's colours need no note: `digest check` prints no "colours:" line for them."""
    from click.testing import CliRunner

    from digest.cli import main
    from digest.settings.email import EmailSettings

    accent = EmailSettings.model_fields["accent_color"].default
    assert accent_problem(accent) is None and contrast(accent, PAGE) >= AA_TEXT
    assert "accent_color" not in demo.read_text(encoding="utf-8")  # the demo keeps the default
    result = CliRunner().invoke(main, ["--config", str(demo), "check"])
    assert result.exit_code == 0, result.output
    assert not [line for line in result.output.splitlines() if line.startswith("colours:")]


def test_the_default_accent_is_accepted_when_derivation_is_off(tmp_path: Path) -> None:
    """No colour is 4.5:1 on both white and the dark background, so derive_colors = false judges white;
    dark mode still gets its lighter shade."""
    path = tmp_path / "digest.toml"
    path.write_text(email_config_text(derive_colors=False), encoding="utf-8")
    config = load_config(path)
    p = config.email.palette
    assert p.notes == () and p.accent_text == p.accent
    assert contrast(p.accent_text_dark, p.dark_surface) >= AA_TEXT


@pytest.mark.parametrize("brand", ["#1d2433", "#0b5394", "#333333", "#5a1e6e", "#000000", "#595959"])
def test_the_dark_header_stands_apart_and_keeps_its_white_text(brand: str) -> None:
    p = palette(brand, "#d6452b")
    assert contrast("#ffffff", p.brand_dark) >= AA_TEXT
    assert contrast(p.brand_dark, p.dark_surface) >= 1.2 and contrast(p.brand_dark, p.dark_page) >= 1.2


def test_the_old_dark_header_merged_with_the_body() -> None:
    """What the check guards against: the brand darkened by 12 % on the dark surface, 1.03:1."""
    assert contrast(mix("#1d2433", "#000000", 0.12), DARK_SURFACE) < 1.2


@pytest.mark.parametrize("brand", ["#1d2433", "#0b5394", "#5a1e6e", "#333333"])
def test_scores_use_one_scale_of_the_brand_hue(brand: str) -> None:
    scale = palette(brand, "#d6452b").scores
    assert [floor for floor, _ in scale] == [8.5, 7.0, 5.0, 0.0]
    colours = [colour for _, colour in scale]
    assert len(set(colours)) == 4
    hues = [colorsys.rgb_to_hls(*(int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0] * 360 for c in colours]
    assert max(hues) - min(hues) < 10  # one hue
    lightness = [luminance(c) for c in colours]
    assert lightness == sorted(lightness)  # darker for a better score
    assert all(contrast("#ffffff", c) >= AA_TEXT for c in colours)  # the badge's white text


def test_badges_follow_the_scale_not_traffic_lights(tmp_path: Path) -> None:
    config = email_config(tmp_path, brand_color="#0b5394")
    html = render_issue(config, realistic_selection()).html
    for colour in ("#1a7f37", "#0b7285", "#b35900", "#c0282d"):  # the old green, teal, orange and red
        assert colour not in html
    assert all(f'bgcolor="{c}"' in html for _, c in config.email.palette.scores[:2])


def _cssselect(selector: str, root: Any) -> set[Any]:
    from lxml.cssselect import CSSSelector

    return set(CSSSelector(selector)(root))


def test_the_dark_rules_class_index_matches_what_cssselect_matches(tmp_path: Path) -> None:
    """The class index finds, for every rule of the email's own sheets, exactly the elements cssselect
    finds; and so for class attributes written oddly, nested classes and a tag that carries the class."""
    from lxml import etree

    from digest.mail.contrast import _class_index, _matching
    from digest.mail.lint import _style_rules

    config = email_config(tmp_path, **BRANDED)
    html = render_issue(config, realistic_selection()).html
    odd = ('<a class="social" href="#">alone</a><div class="social"><a class="social" href="#">self</a>'
           '<p class="\tsocial\n x"><a href="#">nested</a></p></div>'
           '<span class="tldr\u00a0x">nbsp is no separator</span>'
           '<b class="Tldr">case</b><i class="">empty</i><div class="card-title card">two</div>')
    html = html.replace("</body>", odd + "</body>")
    root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    index = _class_index(root)
    selectors = {one.strip() for style in root.iter("style")
                 for _at, selector, _body in _style_rules(style.text or "") for one in selector.split(",")}
    selectors |= {".social a", ".tldr", ".Tldr", ".card", ".x", ".social", ".missing", "div.card", "a"}
    assert len(selectors) > 40
    for selector in sorted(selectors):
        assert set(_matching(selector, root, index)) == _cssselect(selector, root), selector
