"""The render stage on realistic and hostile weeks: templates, safety, merge tags, lint."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from email_fixtures import (
    BRANDED,
    XSS_TITLE,
    email_config,
    hostile_selection,
    minimal_selection,
    realistic_selection,
)
from lxml import etree

from digest.errors import LintError
from digest.mail.lint import lint_html
from digest.mail.render import TemplateError, render_issue
from digest.mailers import MAILER_TAGS
from digest.models import RenderedIssue, ScoreInfo
from digest.settings.config import Config

GOLDEN = Path(__file__).parent / "golden"
ADDRESS = "But Why Tho? Media LLC, 1234 Main St, Springfield, IL 62701, USA"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return email_config(tmp_path / "config", **BRANDED)


@pytest.fixture
def issue(config: Config) -> RenderedIssue:
    return render_issue(config, realistic_selection())


def dom(html: str) -> etree._Element:
    return etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))


def test_realistic_issue_passes_lint_with_no_warnings(config: Config, issue: RenderedIssue) -> None:
    assert lint_html(issue.html, config.email.merge_tags) == []
    assert issue.lint_warnings == ()
    assert 20_000 < len(issue.html.encode()) < 70_000
    assert issue.subject == "‘Clair Obscur: Expedition 33’ Is A Stunning, Heartbreaking… (9.5/10) + 8 more"
    assert issue.preheader.startswith("Clair Obscur: Expedition 33 is a turn-based RPG")


def test_cards_show_score_section_tldr_author_date_and_image(issue: RenderedIssue) -> None:
    root = dom(issue.html)
    titles = [("".join(a.itertext())) for a in root.xpath("//h3/a")]
    assert titles[0] == "‘Clair Obscur: Expedition 33’ Is A Stunning, Heartbreaking Masterpiece"  # no "REVIEW:"
    assert "‘Twilight Out Of Focus’ Episode 12 — “A Red Thread”" in titles and len(titles) == 9
    badges = [(span.get("aria-label"), "".join(span.itertext()), span.getparent().get("bgcolor"))
              for span in root.xpath("//span[@role='img']")]
    assert badges[:5] == [
        ("Score: 9.5 out of 10", "9.5/10", "#274075"), ("Score: 9 out of 10", "9/10", "#274075"),
        ("Score: 8 out of 10", "8/10", "#325297"), ("Score: 8.5 out of 10", "8.5/10", "#274075"),
        ("Score: 7 out of 10", "7/10", "#325297")]
    assert [b[2] for b in badges[5:]] == ["#274075", "#274075", "#3c62b4", "#4d73c4"]  # trending: one scale
    assert root.xpath("//td[contains(@class, 'big-score')]//span[@role='img']/@aria-label") == [
        "Score: 9.5 out of 10"]  # the review of the week: one large score
    text = "".join(root.itertext())
    assert "By Charles Hartford · May 13" in text  # site timezone, not UTC
    kickers = [" ".join("".join(p.itertext()).split()) for p in root.xpath("//p[contains(@class, 'kicker')]")]
    assert kickers[:3] == ["No. 1 · Video Games", "No. 2 · TV · Editor's pick", "No. 3 · Anime"]
    assert kickers[5:7] == ["No. 1 trending · TV", "No. 2 trending · TV"]
    images = {img.get("alt"): (img.get("width"), img.get("height")) for img in root.iter("img")}
    assert images["‘Clair Obscur: Expedition 33’ Is A Stunning, Heartbreaking Masterpiece"] == ("600", "338")
    assert images["‘Twilight Out Of Focus’ Episode 12 — “A Red Thread”"] == ("180", None)  # size unknown
    assert images["‘The Eternaut’ Is Another International Sci-Fi Hit"] == ("96", "54")  # trending thumbnail
    assert len(images) == 8  # Absolute Batman has no image: none is invented
    assert "41 new comments in the last 2 weeks · No. 2 in Trending on But Why Tho?" in text
    buttons = root.xpath("//a[contains(@class, 'button')]")
    assert len(buttons) == 1 and "".join(buttons[0].itertext()) == "Read the review\xa0→"
    assert buttons[0].get("aria-label") == f"Read the review: {titles[0]}"


def test_headings_wrapper_and_one_link_per_card_for_screen_readers(issue: RenderedIssue) -> None:
    root = dom(issue.html)
    assert ["|".join(h.itertext()) for h in root.iter("h1")] == ["The week's best reviews|, |May 12–18, 2025"]
    assert [h.text for h in root.iter("h2")] == [
        "From the editor", "Review of the week", "Top-scored this week", "Trending now"]
    wrapper = root.xpath("//div[@role='article']")[0]
    assert [wrapper.get(a) for a in ("aria-roledescription", "lang", "dir")] == ["email", "en", "ltr"]
    assert wrapper.get("aria-label") == issue.subject
    assert "2025-W20" not in "".join(root.itertext())  # readers see dates, not ISO weeks
    cards = root.xpath("//td[@class='card' or @class='trend']")
    assert len(cards) == 8
    for card in cards:
        spoken = [a for a in card.iter("a") if a.get("aria-hidden") != "true"]
        assert len(spoken) == 1  # the image link is hidden from screen readers and the keyboard
        hidden = [a for a in card.iter("a") if a.get("aria-hidden") == "true"]
        assert all(a.get("tabindex") == "-1" for a in hidden)
    glyphs = [el for el in root.iter() if isinstance(el.tag, str) and (el.text or "").strip() in ("·", "→")]
    assert glyphs and all(el.get("aria-hidden") == "true" for el in glyphs)


def test_letter_grades_are_shown_as_the_site_writes_them(config: Config) -> None:
    selection = realistic_selection()
    first = selection.top[0]
    grade = ScoreInfo(8.5, "Grade: B+", "letter", "content")  # the raw text is in the Score record
    graded = replace(first, review=replace(first.review, score=grade))
    root = dom(render_issue(config, replace(selection, top=(graded, *selection.top[1:]))).html)
    big = root.xpath("//td[contains(@class, 'big-score')]//span[@role='img']")[0]
    assert "".join(big.itertext()) == "B+" and big.get("aria-label") == "Grade: B+ (8.5 out of 10)"


def test_trending_reasons_can_be_turned_off(tmp_path: Path) -> None:
    on = render_issue(email_config(tmp_path / "on", **BRANDED), realistic_selection())
    off = render_issue(email_config(tmp_path / "off", **BRANDED, trending_reasons=False), realistic_selection())
    assert "new comments in the last 2 weeks" in on.html and "new comments in the last 2 weeks" in on.text
    assert "new comments" not in off.html and "new comments" not in off.text


def test_site_links_carry_utm_and_editors_note_is_markdown(issue: RenderedIssue) -> None:
    root = dom(issue.html)
    site_links = [a.get("href") for a in root.iter("a") if "butwhytho.example" in a.get("href", "")
                  and not a.get("href", "").startswith("mailto:")]
    assert site_links and all(h.endswith("utm_source=newsletter&utm_medium=email&utm_campaign=2025-W20")
                              for h in site_links)
    assert "<strong>anime</strong>" in issue.html and "<em>Clair Obscur</em>" in issue.html
    assert 'href="mailto:editors@butwhytho.example"' in issue.html
    assert [a.text for a in root.xpath("//td[contains(@class, 'social')]//a")] == ["Facebook", "X", "YouTube"]


def test_hostile_feed_data_is_shown_as_text_and_never_runs(config: Config) -> None:
    rendered = render_issue(config, hostile_selection())
    html = rendered.html
    root = dom(html)
    assert "<script" not in html.lower() and "<iframe" not in html.lower()
    assert not root.xpath("//script | //iframe | //object | //embed | //form")
    for el in root.iter():
        if isinstance(el.tag, str):
            assert not [n for n in el.attrib if n.lower().startswith("on")], etree.tostring(el)
            for value in el.attrib.values():
                assert not re.match(r"\s*(javascript|vbscript|data):", value, re.I), value
    srcs = [img.get("src") for img in root.iter("img")]
    assert srcs == ["https://butwhytho.example/wp-content/uploads/plain.jpg"]  # http upgraded; data/js/svg gone
    hrefs = [a.get("href") for a in root.iter("a")]
    assert all(h.startswith(("https://", "mailto:")) or h in config.email.merge_tags for h in hrefs)
    assert not any("evil.example/x" in h or "user:pass" in h for h in hrefs)
    title = "".join(root.xpath("//h3/a")[0].itertext())
    assert title == XSS_TITLE  # escaped, shown as the text it is
    assert "{\u200b{ 7*7 }\u200b}" in html and "*\u200b|UNSUB|\u200b*" in html  # merge-tag injection inert
    assert lint_html(html, config.email.merge_tags) == []


def test_hostile_links_fall_back_to_the_site(config: Config) -> None:
    root = dom(render_issue(config, hostile_selection()).html)
    first_title_link = root.xpath("//h3/a")[0].get("href")
    assert first_title_link.startswith("https://butwhytho.example/?utm_source=newsletter")
    quoted = [a.get("href") for a in root.iter("a") if "vector" in (a.get("href") or "")]
    assert quoted and all("%22%3E%3Cscript%3E" in h for h in quoted)  # percent-encoded, not broken out


MAILERS = sorted(MAILER_TAGS)


def _mailer_config(tmp_path: Path, mailer: str) -> Config:
    extra: dict[str, str] = {}
    if MAILER_TAGS[mailer].address is None:
        extra["postal_address"] = ADDRESS
    if mailer == "custom":
        extra["unsubscribe_url"] = "<%asm_group_unsubscribe_raw_url%>"
        extra["view_online_url"] = "https://butwhytho.example/newsletter/archive/"
    if mailer == "plain":
        extra["unsubscribe_url"] = "https://butwhytho.example/newsletter/unsubscribe/"
    return email_config(tmp_path, mailer=mailer, **extra)


@pytest.mark.parametrize("mailer", MAILERS)
def test_merge_tags_come_out_byte_for_byte(tmp_path: Path, mailer: str) -> None:
    config = _mailer_config(tmp_path, mailer)
    rendered = render_issue(config, realistic_selection())
    settings = config.email
    assert settings.unsubscribe and f'href="{settings.unsubscribe}"' in rendered.html
    assert f"Unsubscribe:\n{settings.unsubscribe}\n" in rendered.text
    if settings.view_online:
        assert f'href="{settings.view_online}"' in rendered.html
        assert f"View in your browser:\n{settings.view_online}\n" in rendered.text
    else:
        assert "View in your browser" not in rendered.html
    address = settings.address
    assert address and re.search(r'class="footer-text address" style=[^>]*>' + re.escape(address) + "</p>",
                                 rendered.html)
    assert rendered.text.rstrip().endswith(address)
    assert "dgmt" not in rendered.html  # every placeholder was put back
    assert lint_html(rendered.html, settings.merge_tags) == []


def test_https_unsubscribe_url_is_a_plain_link(tmp_path: Path) -> None:
    config = email_config(tmp_path, mailer="custom", unsubscribe_url="https://butwhytho.example/unsub?l=1&x=2",
                          postal_address=ADDRESS)
    rendered = render_issue(config, realistic_selection())
    assert 'href="https://butwhytho.example/unsub?l=1&amp;x=2"' in rendered.html
    assert config.email.merge_tags == ()


def test_editor_templates_override_builtins_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "my-templates"
    (folder / "partials").mkdir(parents=True)
    (folder / "subject.txt").write_text("{{ site.name }} weekly, {{ issue.range }}\n", encoding="utf-8")
    (folder / "partials" / "section_heading.html").write_text(
        '<tr><td class="section"><h2 class="section-title">&#9733; {{ heading | upper }}</h2>'
        "</td></tr>\n",
        encoding="utf-8")
    config = email_config(tmp_path / "config", templates_dir="my-templates")
    rendered = render_issue(config, realistic_selection())
    assert rendered.subject == "But Why Tho? weekly, May 12–18, 2025"
    assert "★ TOP-SCORED THIS WEEK" in rendered.html and "★ REVIEW OF THE WEEK" in rendered.html
    assert "No. 2 · TV" in " ".join(dom(rendered.html).xpath("string(//body)").split())  # the rest built-in


def test_one_environment_per_template_folders_that_still_sees_edits(tmp_path: Path) -> None:
    """Templates compile once per process, but an edited template (``digest preview``) is re-read."""
    from digest.mail.render import make_environment

    folder = tmp_path / "config" / "my-templates"
    folder.mkdir(parents=True)
    subject = folder / "subject.txt"
    subject.write_text("First {{ issue.id }}\n", encoding="utf-8")
    config = email_config(tmp_path / "config", templates_dir="my-templates")
    again = email_config(tmp_path / "config", templates_dir="my-templates")
    assert make_environment(config) is make_environment(again)
    assert make_environment(config) is not make_environment(email_config(tmp_path / "other"))
    assert render_issue(config, realistic_selection()).subject == "First 2025-W20"

    subject.write_text("Second {{ issue.id }}\n", encoding="utf-8")
    later = subject.stat().st_mtime + 5
    os.utime(subject, (later, later))
    assert render_issue(again, realistic_selection()).subject == "Second 2025-W20"


def test_template_typo_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "t" / "partials"
    folder.mkdir(parents=True)
    (folder / "trending.html").write_text("{% for card in trending %}\n<tr><td>\n{{ card.titel }}\n"
                                          "</td></tr>\n{% endfor %}\n", encoding="utf-8")
    config = email_config(tmp_path / "config", templates_dir="t")
    with pytest.raises(TemplateError) as caught:
        render_issue(config, realistic_selection())
    message = str(caught.value)
    assert message.startswith(f"{folder / 'trending.html'}, line 3: ")
    assert "has no attribute 'titel'" in message


def test_template_syntax_error_and_missing_folder_are_clear(tmp_path: Path) -> None:
    (tmp_path / "config" / "t").mkdir(parents=True)
    (tmp_path / "config" / "t" / "preheader.txt").write_text("line one\n{% if hero %}\n", encoding="utf-8")
    config = email_config(tmp_path / "config", templates_dir="t")
    with pytest.raises(TemplateError, match=r"preheader.txt, line 2: Unexpected end of template"):
        render_issue(config, realistic_selection())
    missing = email_config(tmp_path / "other", templates_dir="nowhere")
    with pytest.raises(TemplateError, match=r"email.templates_dir: .*nowhere is not a folder"):
        render_issue(missing, realistic_selection())


def test_lint_errors_fail_the_render_listing_every_rule(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "t" / "partials"
    folder.mkdir(parents=True)
    (folder / "note.html").write_text('<tr><td><img src="http://x.example/a.png"><table><tr><td>{{ note_html }}'
                                      "</td></tr></table></td></tr>\n", encoding="utf-8")
    config = email_config(tmp_path / "config", templates_dir="t")
    with pytest.raises(LintError) as caught:
        render_issue(config, realistic_selection())
    message = str(caught.value)
    assert message.startswith("the 2025-W20 email breaks 4 rules (nothing was written):")
    for rule in ("img-alt", "img-width", "img-src", "table-role"):
        assert f"\n  {rule}: " in message


def test_plain_text_is_a_readable_wrapped_digest(issue: RenderedIssue) -> None:
    text = issue.text
    for heading in ("BUT WHY THO? — The week's best reviews", "FROM THE EDITOR", "REVIEW OF THE WEEK",
                    "TOP-SCORED THIS WEEK", "TRENDING NOW"):
        assert f"{heading}\n" in text
    hero = ("REVIEW OF THE WEEK\n==================\n\n1. ‘Clair Obscur: Expedition 33’ Is A Stunning, "
            "Heartbreaking\n   Masterpiece\n"
            "   Video Games · Score: 9.5 out of 10 · by Charles Hartford · May 13\n")
    assert hero in text  # numbering starts at 1, as the cards' ranks do
    card = ("2. ‘The Four Seasons’ Is As Relatable As It Is Messy\n"
            "   TV · Score: 9 out of 10 · by Kate Sánchez · May 14\n")
    assert card in text
    assert "   Read the review:\n   https://butwhytho.example/2025/05/15/review-2/?utm_source=" in text
    assert "   41 new comments in the last 2 weeks · No. 2 in Trending on But Why\n" in text
    for line in text.splitlines():  # a URL stands alone on its line; everything else fits 78 columns
        assert len(line) <= 78 or re.fullmatch(r"\s*\(?(https://|\*\|)\S+\)?", line), line
    assert "\n-- \nYou're receiving this" in text  # the signature separator mail clients recognise
    assert "2025-W20" not in text.replace("utm_campaign=2025-W20", "")
    assert "<" not in text.replace("<%", "")  # no markup in the text part


def test_quiet_and_trending_only_weeks_render(config: Config) -> None:
    quiet = render_issue(config, minimal_selection())
    assert quiet.subject == "‘Quiet Week’ (5.5/10)" and "#3c62b4" in quiet.html
    assert "Top-scored this week" not in quiet.html and "Trending now" not in quiet.html
    trending_only = replace(realistic_selection(), top=())
    rendered = render_issue(config, trending_only)
    assert rendered.subject == "What's trending at But Why Tho?, May 12–18, 2025"
    assert rendered.preheader.startswith("Trending this week: ‘The Eternaut’")


def test_http_images_are_dropped_when_upgrading_is_off(tmp_path: Path) -> None:
    config = email_config(tmp_path, upgrade_http=False)
    rendered = render_issue(config, hostile_selection())
    assert "<img" not in rendered.html
    assert "plain-http" not in rendered.html  # the http review link fell back to the site


def test_golden_files(issue: RenderedIssue) -> None:
    """The whole output, normalised: set DIGEST_UPDATE_GOLDEN=1 to accept a deliberate change."""
    for name, actual in (("realistic.html", normalise(issue.html)), ("realistic.txt", normalise(issue.text))):
        path = GOLDEN / name
        if os.environ.get("DIGEST_UPDATE_GOLDEN"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        assert actual == path.read_text(encoding="utf-8"), f"{name} changed; see {path}"


def normalise(text: str) -> str:
    """Line ends as LF, and the version in the HTML generator comment (none today) left out: what
    differs between machines and is not the email's content."""
    text = text.replace("\r\n", "\n")
    return re.sub(r'(<meta name="generator" content=")[^"]*"', r'\1"', text)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://butwhytho.example/a b/?q=x y#top", "https://butwhytho.example/a%20b/?q=x%20y#top"),
    ("HTTP://butwhytho.example", "https://butwhytho.example/"),
    ("https://bücher.example/ä", "https://xn--bcher-kva.example/%C3%A4"),
    ("https://butwhytho.example:8443/x", "https://butwhytho.example:8443/x"),
    ('https://butwhytho.example/x"><script>', "https://butwhytho.example/x%22%3E%3Cscript%3E"),
    ("https://butwhytho.example/{{x}}|*", "https://butwhytho.example/%7B%7Bx%7D%7D%7C*"),
    ("https://butwhytho.example:99999/", None),
    ("https://user:pw@evil.example/", None),
    ("//evil.example/x", None),
    ("ftp://butwhytho.example/", None),
    ("https://butwhytho.example/\x00", None),
    ("", None),
])
def test_link_policy_keeps_only_clean_https(config: Config, url: str, expected: str | None) -> None:
    from digest.mail.render import link_policy

    assert link_policy(config, "2025-W20").clean(url) == expected


def test_a_logo_replaces_the_wordmark(tmp_path: Path) -> None:
    config = email_config(tmp_path, logo_url="https://butwhytho.example/logo.png", logo_width=160,
                          logo_height=40)
    root = dom(render_issue(config, realistic_selection()).html)
    logo = root.xpath("//img[contains(@class, 'logo')]")[0]
    assert (logo.get("src"), logo.get("width"), logo.get("height"), logo.get("alt")) == (
        "https://butwhytho.example/logo.png", "160", "40", "But Why Tho?")
    assert not root.xpath("//a[contains(@class, 'site-name')]")


def test_a_missing_include_is_named(tmp_path: Path) -> None:
    (tmp_path / "config" / "t").mkdir(parents=True)
    (tmp_path / "config" / "t" / "issue.html").write_text('{% include "partials/nope.html" %}',
                                                          encoding="utf-8")
    config = email_config(tmp_path / "config", templates_dir="t")
    with pytest.raises(TemplateError, match=r"template 'partials/nope.html' \(for issue.html\) is in neither"):
        render_issue(config, realistic_selection())


def test_why_a_review_trends_is_worded_from_the_signals_numbers() -> None:
    from digest.mail.wording import trend_why
    from digest.models import Pick, PickKind, Signal, SignalName

    review = realistic_selection().trending[0].review
    signals = (Signal(SignalName.SITE, 0.6, 0.6, rank=2),
               Signal(SignalName.ANALYTICS, 12_400.0, 1.0, views=12_400.0),
               Signal(SignalName.COMMENTS, 9.1, 0.8, comments=1234, days=7))
    pick = Pick(PickKind.TRENDING, 1, review, ("1st most talked-about",), signals, 0.8)
    assert trend_why(pick) == "read 12,400 times · 1,234 new comments this week · No. 2 in Trending on the site"
    assert trend_why(pick, "But Why Tho?").endswith("No. 2 in Trending on But Why Tho?")
    fortnight = (Signal(SignalName.COMMENTS, 1.0, 1.0, comments=1, days=14),)
    assert trend_why(Pick(PickKind.TRENDING, 1, review, (), fortnight)) == "1 new comment in the last 2 weeks"
    assert [s.detail for s in signals] == [
        "#2 on the site's trending list", "12,400 page views", "+1234 comments in the last 7 days"]
    assert trend_why(Pick(PickKind.TRENDING, 1, review, ("1st most talked-about",))) == "1st most talked-about"
