"""WCAG 2.2 contrast, and the email's palette derived from the configured colours.

One module for the numbers so the config check, the templates and the
pre-send report agree: a colour that passes here is the colour the email
uses. Contrast is WCAG's (relative luminance, sRGB); AA asks 4.5:1 for body
text and 3:1 for large text (24 px, or 18.66 px bold).
"""

from __future__ import annotations

import colorsys
import functools
from dataclasses import dataclass

AA_TEXT, AA_LARGE = 4.5, 3.0
MARGIN = 0.1  # derived shades aim a little above AA, so rounding in a mail client cannot tip them under
# A dark-mode header must read as a band of its own on the dark page and surface, not merge into them.
HEADER_LIFT = 1.35
# The score scale: one hue (the brand's) in four shades, darker for a better score. Each floor's shade is
# the one whose contrast with the white badge text is the ratio given (so all pass AA on their own).
SCORE_SATURATION = 0.5
SCORE_BANDS = ((8.5, 10.0), (7.0, 7.4), (5.0, 5.8), (0.0, AA_TEXT + MARGIN))
WHITE, BLACK = "#ffffff", "#000000"

# The fixed part of the palette; every pair below is checked by tests/test_contrast.py.
INK, BODY_TEXT, MUTED, LINE = "#16191f", "#3b4250", "#5b6270", "#e7e9ee"
PAGE, SURFACE, FOOTER_BG = "#eceef2", "#ffffff", "#f4f5f7"
DARK_PAGE, DARK_SURFACE, DARK_FOOTER_BG, DARK_NOTE_BG = "#0d0f13", "#171a21", "#12151b", "#1f2430"
DARK_INK, DARK_BODY_TEXT, DARK_MUTED, DARK_LINE = "#eef0f3", "#c9ced6", "#a3abb7", "#2a2f3a"


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@functools.lru_cache(maxsize=4096)
def luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour (kept: the contrast checks ask for the same few
    colours thousands of times per email)."""
    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1.0 to 21.0."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(colour: str, other: str = WHITE, amount: float = 0.5) -> str:
    """``colour`` moved ``amount`` of the way to ``other``."""
    a, b = _channels(colour), _channels(other)
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


def readable(colour: str, backgrounds: tuple[str, ...], target: float = AA_TEXT) -> str:
    """The shade of ``colour`` nearest to it that reaches ``target`` on every background.

    Dark backgrounds push it towards white, light ones towards black; it is returned
    unchanged when it already passes.
    """
    toward = WHITE if all(luminance(b) < 0.18 for b in backgrounds) else BLACK
    for step in range(0, 101):
        shade = mix(colour, toward, step / 100)
        if all(contrast(shade, b) >= target for b in backgrounds):
            return shade
    return toward


@dataclass(frozen=True)
class Palette:
    """Every colour the templates use; ``notes`` say what was changed from the config and why."""

    brand: str
    brand_dark: str
    tagline: str
    accent: str  # decorative: borders and rules
    accent_text: str  # accent as text on light surfaces, and the button background under white text
    accent_text_dark: str  # accent as text on the dark surfaces
    note_bg: str
    scores: tuple[tuple[float, str], ...] = ()  # (lowest score, badge colour), best band first
    ink: str = INK
    body_text: str = BODY_TEXT
    muted: str = MUTED
    line: str = LINE
    page: str = PAGE
    surface: str = SURFACE
    footer_bg: str = FOOTER_BG
    dark_page: str = DARK_PAGE
    dark_surface: str = DARK_SURFACE
    dark_footer_bg: str = DARK_FOOTER_BG
    dark_note_bg: str = DARK_NOTE_BG
    dark_ink: str = DARK_INK
    dark_body_text: str = DARK_BODY_TEXT
    dark_muted: str = DARK_MUTED
    dark_line: str = DARK_LINE
    notes: tuple[str, ...] = ()


def shade_with_white(colour: str, ratio: float) -> str:
    """The shade of ``colour`` (mixed toward white or black) whose contrast with white text is closest
    to ``ratio`` without going under it: the same hue, lighter or darker."""
    if contrast(WHITE, colour) >= ratio:
        steps = (mix(colour, WHITE, step / 100) for step in range(100, -1, -1))
    else:
        steps = (mix(colour, BLACK, step / 100) for step in range(0, 101))
    return next((s for s in steps if contrast(WHITE, s) >= ratio), BLACK)


def lifted(brand: str) -> str:
    """The header colour for dark mode: ``brand`` lightened until it stands apart (HEADER_LIFT) from
    the dark page and surface, while white text on it keeps AA."""
    for step in range(0, 101):
        shade = mix(brand, WHITE, step / 100)
        if contrast(WHITE, shade) < AA_TEXT + MARGIN:
            break
        if min(contrast(shade, DARK_SURFACE), contrast(shade, DARK_PAGE)) >= HEADER_LIFT:
            return shade
    return shade_with_white(brand, AA_TEXT + MARGIN)


def _hls_hex(hue: float, lightness: float, saturation: float) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in colorsys.hls_to_rgb(hue, lightness, saturation))


def score_scale(brand: str) -> tuple[tuple[float, str], ...]:
    """Badge colours by score band in the brand's hue, saturated enough to read as colour (a navy brand
    would otherwise give greys): one scale beside the one accent, darker for a better score."""
    hue, _, saturation = colorsys.rgb_to_hls(*(c / 255 for c in _channels(brand)))
    if saturation >= 0.08:  # a grey brand keeps a grey scale: no hue to saturate
        saturation = max(saturation, SCORE_SATURATION)
    scale = []
    for floor, ratio in SCORE_BANDS:
        lightness = next((step / 200 for step in range(200, -1, -1)
                          if contrast(WHITE, _hls_hex(hue, step / 200, saturation)) >= ratio), 0.0)
        scale.append((floor, _hls_hex(hue, lightness, saturation)))
    return tuple(scale)


def brand_problem(brand: str) -> str | None:
    """Why ``brand`` cannot be the header background under white text, or None."""
    ratio = contrast(WHITE, brand)
    if ratio >= AA_TEXT:
        return None
    return (f"{brand} is {ratio:.2f}:1 against the white header text; WCAG AA needs {AA_TEXT}:1 "
            "(choose a darker colour)")


def accent_problem(accent: str) -> str | None:
    """Why ``accent`` cannot be used as text and button colour as it is, or None.

    Judged on white only: no colour is 4.5:1 both on white and on the dark background (one needs a
    luminance under 0.19, the other over 0.25), so dark mode always uses its own lighter shade.
    """
    light = min(contrast(accent, SURFACE), contrast(accent, mix(accent, WHITE, 0.92)))
    if light >= AA_TEXT:
        return None
    return f"{accent} is {light:.2f}:1 on white as text; WCAG AA needs {AA_TEXT}:1"


@functools.lru_cache(maxsize=32)
def palette(brand: str, accent: str) -> Palette:
    """The colours for one brand/accent pair, with compliant text shades derived from the accent.

    Kept per pair (the Palette is frozen): deriving the shades searches hundreds of colours, and a
    render asks for it several times, a long-lived desk on every change."""
    note_bg = mix(accent, WHITE, 0.92)
    target = AA_TEXT + MARGIN
    accent_text = readable(accent, (SURFACE, note_bg, PAGE), target)
    accent_text_dark = readable(accent, (DARK_SURFACE, DARK_NOTE_BG), target)
    tagline = readable(mix(brand, WHITE, 0.72), (brand,), target)
    notes = []
    if accent_text != accent:
        notes.append(f"email.accent_color {accent} is {contrast(accent, SURFACE):.2f}:1 on white: text and "
                     f"buttons use the derived shade {accent_text} ({contrast(accent_text, SURFACE):.2f}:1)")
    # An accent dark enough for white text never passes on the dark background (see accent_problem):
    # its lighter dark-mode shade is the design, not news. Said only when the accent was changed anyway.
    if accent_text_dark != accent and accent_text != accent:
        notes.append(f"email.accent_color {accent} is {contrast(accent, DARK_SURFACE):.2f}:1 on the dark "
                     f"background: dark mode uses {accent_text_dark} "
                     f"({contrast(accent_text_dark, DARK_SURFACE):.2f}:1)")
    return Palette(brand=brand, brand_dark=lifted(brand), tagline=tagline, accent=accent,
                   accent_text=accent_text, accent_text_dark=accent_text_dark, note_bg=note_bg,
                   scores=score_scale(brand), notes=tuple(notes))
