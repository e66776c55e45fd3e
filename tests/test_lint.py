"""Each lint rule: a document that breaks it, and the same document fixed."""

from __future__ import annotations

import pytest

from digest.mail.lint import RULES, SIZE_LIMIT, SIZE_WARN, STYLE_LIMIT, Finding, css_blocks, lint_html

HEAD_CSS = """
:root { color-scheme: light dark !important; }
a.button:hover { text-decoration: underline !important; }
@media only screen and (max-width: 599px) { .container { width: 100% !important; } }
@media (prefers-color-scheme: dark) { .body { background-color: #0d0f13 !important; } }
[data-ogsb] .body { background-color: #0d0f13 !important; }
"""

GOOD = f"""<!DOCTYPE html>
<html lang="en" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Issue</title>
<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch>
</o:OfficeDocumentSettings></xml></noscript><![endif]-->
<style>{HEAD_CSS}</style>
</head>
<body class="body" style="margin:0; background-color:#eceef2">
<div class="preheader" style="display:none; max-height:0; overflow:hidden">The week's best reviews</div>
<!--[if mso]><table role="presentation" width="600"><tr><td><![endif]-->
<table role="presentation" class="container" width="600" cellpadding="0" cellspacing="0" border="0">
<tr><td style="color:#16191f; line-height:20px; mso-line-height-rule:exactly">
<a href="https://site.example/review/"><img src="https://site.example/a.jpg" width="180" alt="A review"></a>
<table role="presentation"><tr><td bgcolor="#c13e27" style="background-color:#c13e27; padding:0 24px">
<a class="button" href="https://site.example/review/" style="color:#ffffff">Read the review</a>
</td></tr></table>
<a href="mailto:editors@site.example">Write to us</a>
<a href="*|UNSUB|*">Unsubscribe</a>
</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</body>
</html>
"""
TAGS = ("*|UNSUB|*",)


def rules(html: str, tags: tuple[str, ...] = TAGS, severity: str = "error") -> set[str]:
    return {f.rule for f in lint_html(html, tags) if f.severity == severity}


def swap(old: str, new: str, html: str = GOOD) -> str:
    assert old in html, old
    return html.replace(old, new)


def test_the_good_document_passes_every_rule() -> None:
    assert lint_html(GOOD, TAGS) == []


def test_every_rule_is_documented_and_findings_are_structured() -> None:
    findings = lint_html(swap('alt="A review"', ""), TAGS)
    assert findings == [Finding("img-alt", "error", "image without alt", findings[0].where)]
    assert findings[0].where.startswith("line 23: <img")
    assert all(rule in RULES for rule in ("img-alt", "size", "button", "hex-colors"))


BREAKS = {
    "doctype": swap("<!DOCTYPE html>\n", ""),
    "html-lang": swap('<html lang="en"', "<html"),
    "meta-charset": swap('<meta charset="utf-8">', '<meta charset="iso-8859-1">'),
    "meta-viewport": swap('<meta name="viewport" content="width=device-width, initial-scale=1">', ""),
    "style-in-head": swap("</body>", "<style>@media (max-width: 10px) { .a { color: #000000 !important; } }"
                                     "</style></body>"),
    "style-inlinable": swap(":root {", "p { margin: 0 !important; }\n:root {"),
    "style-important": swap("underline !important", "underline"),
    "external-css": swap("<title>", '<link rel="stylesheet" href="https://site.example/a.css"><title>'),
    "table-role": swap('<table role="presentation"><tr><td bgcolor', "<table><tr><td bgcolor"),
    "container-width": swap('class="container" width="600"', 'class="container" width="640"'),
    "responsive": swap(".container { width: 100% !important; }", ".container { padding: 0 !important; }"),
    "preheader": swap("display:none; ", ""),
    "img-width": swap('width="180"', 'width="100%"'),
    "img-src": swap('src="https://site.example/a.jpg"', 'src="http://site.example/a.jpg"'),
    "img-data-uri": swap('src="https://site.example/a.jpg"', 'src="data:image/png;base64,iVBORw0KGgo="'),
    "img-svg": swap('src="https://site.example/a.jpg"', 'src="https://site.example/logo.svg"'),
    "link-href": swap('href="mailto:editors@site.example"', 'href="/relative/path"'),
    "template-leftover": swap("Write to us", "Write to {{ editor }}"),
    "button": swap('<td bgcolor="#c13e27" style="background-color:#c13e27; padding:0 24px">', "<td>"),
    "outlook": swap("<o:PixelsPerInch>96</o:PixelsPerInch>", ""),
    "cell-spacing": swap('<a href="mailto:editors', '<p style="padding:4px 0">Hi</p><a href="mailto:editors'),
    "mso-line-height": swap("; mso-line-height-rule:exactly", ""),
    "unsafe-element": swap("</td></tr>\n</table>\n", "<form action='https://x.example'></form></td></tr>\n"
                                                    "</table>\n"),
    "event-handler": swap('alt="A review"', 'alt="A review" onerror="alert(1)"'),
    "javascript-url": swap('href="mailto:editors@site.example"', 'href=" JaVaScRiPt:alert(1)"'),
    "dark-mode": swap('<meta name="color-scheme" content="light dark">', ""),
    "hex-colors": swap("color:#16191f", "color:#fff"),
}


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_rule_catches_its_break(rule: str) -> None:
    assert rule in rules(BREAKS[rule]), lint_html(BREAKS[rule], TAGS)
    assert rules(BREAKS[rule]) <= {rule, "preheader"} | ({"doctype"} if rule == "doctype" else set())


def test_size_warns_from_90_kb_and_fails_from_102_kb() -> None:
    pad = "<!-- {} -->".format("x" * (SIZE_WARN + 100 - len(GOOD)))
    warned = swap("</body>", pad + "</body>")
    assert rules(warned, severity="warning") == {"size"} and not rules(warned)
    big = swap("</body>", "<!-- {} --></body>".format("x" * (SIZE_LIMIT - len(GOOD))))
    assert rules(big) == {"size"}


def test_style_blocks_over_16_kb_fail() -> None:
    filler = "".join(f".c{i} {{ color: #000000 !important; }}" for i in range(STYLE_LIMIT // 30))
    dark = "@media (prefers-color-scheme: dark) {"
    assert rules(swap(dark, dark + filler)) == {"style-size"}


def test_import_is_external_css() -> None:
    assert rules(swap(":root {", "@import url(https://site.example/a.css);\n:root {")) == {"external-css"}


def test_merge_tags_must_be_byte_for_byte() -> None:
    assert "link-href" in rules(GOOD, tags=())  # not this mailer's tag
    for mangled in ("*%7CUNSUB%7C*", "https://site.example/*|UNSUB|*"):
        assert "link-href" in rules(swap('href="*|UNSUB|*"', f'href="{mangled}"'))
    brevo = swap('href="*|UNSUB|*"', 'href="{{ unsubscribe }}"')
    assert lint_html(brevo, ("{{ unsubscribe }}",)) == []
    escaped = swap('href="*|UNSUB|*"', 'href="{{%20unsubscribe%20}}"')
    assert "merge tag '{{ unsubscribe }}' was rewritten to '{{%20unsubscribe%20}}'" in [
        f.message for f in lint_html(escaped, ("{{ unsubscribe }}",))]
    sendgrid = swap('href="*|UNSUB|*"', 'href="&lt;%asm_group_unsubscribe_raw_url%&gt;"')
    assert rules(sendgrid, ("<%asm_group_unsubscribe_raw_url%>",)) == {"link-href"}


def test_http_links_and_protocol_relative_links_fail() -> None:
    assert rules(swap('href="mailto:editors@site.example"', 'href="http://site.example/"')) == {"link-href"}
    assert rules(swap('href="mailto:editors@site.example"', 'href="//site.example/"')) == {"link-href"}


def test_preheader_must_be_first_and_non_empty() -> None:
    empty = swap("The week's best reviews", "\u200c\u00a0\u034f")
    assert rules(empty) == {"preheader"}
    moved = swap('<div class="preheader"', '<p>Hello</p><div class="preheader"')
    assert rules(moved) == {"preheader"}


def test_button_needs_text_and_script_in_style_is_caught() -> None:
    assert rules(swap(">Read the review<", "><img src='https://site.example/b.png' width='10' alt=''><")) \
        == {"button"}
    assert "javascript-url" in rules(swap("@media only", "a:hover { width: expression(alert(1)) !important; }\n"
                                                        "@media only"))


def test_a_button_padded_only_on_its_link_fails() -> None:
    """Outlook drops padding on <a>: a button whose cell is bare shrinks to a highlight round its text."""
    cell = '<td bgcolor="#c13e27" style="background-color:#c13e27; padding:0 24px">'
    link = '<a class="button" href="https://site.example/review/" style="color:#ffffff">'
    padded_link = swap(link, link.replace('color:#ffffff"', 'color:#ffffff; padding:12px 22px"'),
                       swap(cell, '<td bgcolor="#c13e27" style="background-color:#c13e27">'))
    found = [f for f in lint_html(padded_link, TAGS) if f.rule == "button"]
    assert len(found) == 1 and "only on the link, which Outlook ignores" in found[0].message
    bare = '<td bgcolor="#c13e27" style="background-color:#c13e27">'
    mso_only = swap(bare, bare.replace('c13e27">', 'c13e27; mso-padding-alt:12px 22px">'), padded_link)
    assert "button" not in rules(mso_only)
    assert rules(swap("padding:0 24px", "padding:0")) == {"button"}


def test_outlook_dark_mode_selectors_are_not_inlinable() -> None:
    assert rules(swap("[data-ogsb] .body", "[data-ogsb] .body, .other")) == {"style-inlinable"}


def test_rgb_and_hsl_colours_fail() -> None:
    assert rules(swap("color:#16191f", "color:rgb(1, 2, 3)")) == {"hex-colors"}
    assert rules(swap('bgcolor="#c13e27"', 'bgcolor="#d64"')) >= {"hex-colors"}


def test_css_blocks_reads_nested_rules_and_comments() -> None:
    css = "/* x { } */ @import url(a.css); a:hover { color: #000000 !important } @media (x) { .a { b: c } }"
    assert list(css_blocks(css)) == [("@import url(a.css)", ""), ("a:hover", " color: #000000 !important "),
                                     ("@media (x)", " .a { b: c } ")]


def test_lint_is_pure_and_handles_garbage() -> None:
    assert lint_html(GOOD, TAGS) == lint_html(GOOD, TAGS)
    assert {f.rule for f in lint_html("", ())} >= {"doctype"}
    assert "doctype" in {f.rule for f in lint_html("not html at all", ())}
