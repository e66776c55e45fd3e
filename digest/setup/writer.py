"""Write the proposal as a complete, commented TOML config, checked by the real loader first.

The text is validated by :func:`digest.settings.config.load_config` from a
temporary file and then moved into place, so ``init`` never leaves a config
that ``digest check`` would refuse, nor a half-written one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from digest.bounds import MAX_DAYS
from digest.settings.config import load_config
from digest.setup.propose import Proposal

_FORMS = {
    "feed-element": "an element of the feed (a review plugin's score tag)",
    "feed-structured": "structured data (schema.org rating) in the feed's post text",
    "feed-text": "the score text in the feed's post text",
    "page-structured": "structured data (schema.org rating) on the article pages",
    "page-text": "the score box or text on the article pages",
    "page-selector": "an element of the article pages (score_selector below)",
    "none": "nowhere yet: no sampled review had a score digest could read",
}


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "site"


EARLIEST_YEAR = 1990  # earlier "dates" are a generator's zero date, as collect reads them
DEFAULT_PAGE_DAYS = 21  # reviews.page_max_age_days's default
MARGIN_DAYS = 14  # a first collect run up to a fortnight after init still reaches the oldest review


def first_collect_days(p: Proposal, now: datetime) -> int | None:
    """Days back a first collect must fetch article pages to score every review the feeds hold.

    Collect fetches pages only of reviews newer than ``reviews.page_max_age_days`` (21 by default):
    on a site that posts a review a month, a first collect would score one or none. None when the
    default already reaches them all.
    """
    dates = [d for d in p.review_dates if d.year >= EARLIEST_YEAR]
    if not dates:
        return None
    days = (now - min(dates)).days + 1 + MARGIN_DAYS
    return min(days, MAX_DAYS) if days > DEFAULT_PAGE_DAYS else None


def _collect_lines(p: Proposal, reach: int | None) -> list[str]:
    """Paged feeds (``?paged=2``) are WordPress's; no other engine is told about them."""
    archives = [f"# {why}" for _, why in p.archives]
    if archives:
        archives += [f"backfill_archives = {_list([url for url, _ in p.archives])}"]
    if p.engine != "wordpress" and not archives:
        return []
    lines = ["[collect]"]
    if p.engine == "wordpress":
        lines += ["# WordPress feeds hold ~10 posts: a first collect reads this many older pages (?paged=2..).",
                  "backfill_pages = 3"]
    lines += archives
    if reach is not None:
        lines += ["# ... back to the age of the feed's oldest review (as reviews.page_max_age_days below).",
                  f"backfill_max_age_days = {reach}"]
    return [*lines, ""]


def config_text(p: Proposal, url: str, mirrors: dict[str, Path], base_dir: Path, now: datetime) -> str:
    out = [
        f"# digest configuration for {p.site_name}, written by `digest init {url}` on {now:%Y-%m-%d}.",
        "#",
        "# Every key, its default and its meaning: docs/CONFIG.md (or `digest config-reference`).",
        "# Next: `digest check`, `digest collect`, `digest reviews` (are those the reviews and scores",
        "# a person would pick?), then `digest build`.",
        "",
        "[site]",
        f"name = {_s(p.site_name)}",
        f"url = {_s(p.site_url)}",
        f"# {p.timezone_how}",
        f"timezone = {_s(p.timezone)}",
        "",
        "[store]",
        "# Relative to this file's folder.",
        f"path = {_s('var/' + slug(p.site_name) + '.sqlite')}",
        "",
    ]
    reach = first_collect_days(p, now)
    out += _collect_lines(p, reach)
    out += [
        "[reviews]",
        f"# Found: {p.rule_how}.",
        *(["# Candidate rules, the posts each counts as reviews and those it leaves out:"]
          + [f"#   {line}" for line in p.rule_candidates] if p.rule_candidates else []),
        "# A post is a review when any of these matches (category, title regex, URL regex).",
        f"categories = {_list(p.categories)}",
        f"title_patterns = {_list(p.title_patterns)}",
        f"url_patterns = {_list(p.url_patterns)}",
        *(["# A post whose feed text carries its own score is a review too (see \"Found\" above).",
           "scored_posts_are_reviews = true"] if p.scored_posts_are_reviews else []),
        f"# Scores are in {_FORMS.get(p.score_form, p.score_form)}.",
    ]
    if p.score_elements:
        out.append(f"score_elements = {_list(p.score_elements)}")
    if p.score_selector:
        out.append(f"score_selector = {_s(p.score_selector)}")
    out.append(f"letter_grades = {'true' if p.letter_grades else 'false'}"
               + ("  # the site grades with letters (A+ .. F)" if p.letter_grades else ""))
    if p.bare_score_best:
        out.append(f"# ASSUMED, please confirm: the verdict line is a bare number, read {p.bare_score_how}.")
        out.append(f"bare_score_best = {p.bare_score_best}")
    out.append("# Article pages: \"always\" (scores live there), \"unscored\" (only when the feed had")
    out.append("# none), \"never\".")
    out.append(f"fetch_pages = {_s(p.fetch_pages)}")
    if reach is not None:
        oldest = min(d for d in p.review_dates if d.year >= EARLIEST_YEAR)
        out += [f"# The feeds' {len(p.review_dates)} reviews go back to {oldest:%Y-%m-%d}, so the",
                "# first collect fetches every one's article page to score it (a page read once is not",
                f"# read again). Later collects need no more than the default, {DEFAULT_PAGE_DAYS}.",
                f"page_max_age_days = {reach}"]
    if p.default_section:
        out += ["# Every review the sections below do not claim goes here.",
                f"default_section = {_s(p.default_section)}"]
    out.append(f"# Scores read from {len(p.samples)} sampled reviews; check them against the site:")
    for sample in p.samples:
        score = f"{sample.score.value:>4.1f}  {sample.score.raw[:24]!r:<26} {sample.score.source:<15}" \
            if sample.score else f"{'-':>4}  {'(no score found)':<26} {'':<15}"
        out.append(f"#   {score} {sample.title[:60]}  {sample.url}")
    out.append("")
    why = dict(p.feed_reasons)
    for feed_url, name in p.feeds:
        out += [f"# {why[feed_url]}"] if feed_url in why else []
        out += ["[[feeds]]", f"url = {_s(feed_url)}", f"name = {_s(name)}", ""]
    out += [f"# {note}." for note in p.feed_notes] + ([""] if p.feed_notes else [])
    if p.default_section:
        out.append("# One section: no menu, category or URL section of the site groups its reviews, so they "
                   f"are all {p.default_section!r}.")
    elif p.sections:
        out.append("# Sections, narrowest first: the first whose categories (or category feed, or URL folder) "
                   "match wins.")
    if p.sections:
        for section in p.sections:
            out += ["[[sections]]", f"name = {_s(section.name)}", f"categories = {_list(section.categories)}"]
            if section.feeds:
                out.append(f"feeds = {_list(section.feeds)}")
            if section.urls:
                out.append(f"url_patterns = {_list(section.urls)}")
            out.append(f"# {section.reviews} of the sampled reviews")
            out.append("")
    else:
        out += ["# No sections found: one for every review, rather than desks the site does not have.",
                "[[sections]]", "name = \"Reviews\"", "categories = []", ""]
    out.append("[trending]")
    if p.trending_selector and p.trending_page:
        out += [f"# The home page's trending list: {p.trending_links} post links, in rank order.",
                f"site_page = {_s(p.trending_page)}", f"site_selector = {_s(p.trending_selector)}"]
    else:
        out += ["# No trending/popular list found on the home page; comment growth alone measures trending.",
                "# site_page = \"https://.../\"  and  site_selector = \".trending-posts ol li a\" add one."]
    out += [
        "",
        "[email]",
        "# Branding (all optional): brand_color, accent_color (\"#rrggbb\"), logo_url (https), logo_width,",
        "# tagline, note_title, button_text, footer_text,",
        "# social = [{ name = \"...\", url = \"https://...\" }],",
        "# utm_source. The mailing service: mailer = \"mailchimp\" | \"sendgrid\" | \"buttondown\" | ...",
        "mailer = \"mailchimp\"",
        f"# tagline = {_s('The week' + chr(8217) + 's best reviews from ' + p.site_name)}",
        "",
        "[delivery]",
        "# \"files\": the output folder is the hand-off; \"smtp\" or \"webhook\" send it (config/SERVICE.md)",
        "method = \"files\"",
    ]
    for host, root in mirrors.items():
        relative = os.path.relpath(root.resolve(), base_dir.resolve())
        if relative.startswith(os.pardir + os.sep + os.pardir + os.sep + os.pardir):
            relative = str(root.resolve())  # far away: an absolute path reads better
        out += ["", "# Requests to this host are answered from local files (offline).", "[[mirrors]]",
                f"host = {_s(host)}", f"root = {_s(relative)}"]
    if p.notes:
        out += ["", "# Could not find out (please check):"] + [f"#   - {n}" for n in p.notes]
    return "\n".join(out) + "\n"


def write_config(path: Path, text: str) -> None:
    """Validate ``text`` as a config in ``path``'s folder, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        load_config(tmp)  # raises ConfigError naming the key: a bug in init, never a silent bad file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
