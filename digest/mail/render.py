"""Render stage: Selection → subject, preheader, inlined HTML and plain text.

Templates are Jinja2 (autoescaped HTML, StrictUndefined so a typo fails the
build instead of mailing a blank). An editor's ``[email] templates_dir``
overrides any built-in template by name. Feed data is untrusted: only
http(s) links and images survive (``LinkPolicy``), and the mailer's merge
tags travel as opaque placeholders through premailer and lxml (which would
percent-encode or entity-escape them) and are put back byte for byte last.
"""

from __future__ import annotations

import functools
import re
import secrets
import textwrap
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from digest.colours import mix
from digest.errors import DigestError, LintError
from digest.mail.images import apply_image_policy
from digest.mail.inline import inline_css
from digest.mail.inline_cache import cache_folder
from digest.mail.lint import Finding, format_finding, lint_html
from digest.mail.wording import direction, spoken_score, trend_why
from digest.mailers import header_line, neutralise
from digest.models import Pick, PickKind, RenderedIssue, Selection
from digest.settings.config import Config
from digest.settings.editions import archive_url, edition_name, edition_title
from digest.text import AUTHOR_MAX, TITLE_MAX, clip, strip_bidi
from digest.weeks import parse_week, split_issue_key, week_label

BUILTIN_TEMPLATES = Path(str(resources.files("digest.templates")))
HTML_TEMPLATE, TEXT_TEMPLATE = "issue.html", "issue.txt"
SUBJECT_TEMPLATE, PREHEADER_TEMPLATE, INLINE_CSS = "subject.txt", "preheader.txt", "styles/inline.css"
# Widths the images are shown at; the source chosen is the smallest size at least twice as wide.
HERO_WIDTH, CARD_WIDTH, THUMB_WIDTH = 600, 180, 96
_PREFIX = re.compile(r"^\s*(?:REVIEW|RECAP|FIRST LOOK|REVIEW & RECAP)\s*[:\-–—]\s*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # RFC 3986 reserved + "%": everything else gets percent-encoded


class TemplateError(DigestError):
    """A template could not be loaded or rendered; the message names the file and line."""


# -- what templates see ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    src: str
    width: int
    height: int | None
    alt: str


@dataclass(frozen=True)
class Card:
    """One review as the templates show it; every URL in it is already safe."""

    kind: PickKind
    position: int
    label: str  # "Editor's pick", "#2 trending" ...
    title: str  # without the "REVIEW:" prefix
    full_title: str
    url: str
    section: str
    score: float | None
    score_text: str  # "8.5" ("" when unscored)
    score_colour: str
    score_shown: str  # what the badge shows: "8.5", or the site's own "B+" when it writes grades
    score_scale: str  # "/10" after a number, "" after a grade
    score_spoken: str  # "Score: 8.5 out of 10", "Grade: B+ (8.5 out of 10)"
    tldr: str
    author: str | None
    date: str  # "May 14", site timezone
    date_iso: str
    image: Image | None
    why: str  # trending, in a reader's words: "14 new comments this week · No. 2 on the site's list"


@dataclass(frozen=True)
class Links:
    unsubscribe: str
    view_online: str | None
    address: str


@dataclass(frozen=True)
class IssueDates:
    id: str
    range: str  # "May 12–18, 2025"
    start: datetime
    end: datetime
    year: int


# -- links -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkPolicy:
    """Which URLs may appear, and how site links are tagged for analytics."""

    site_host: str
    upgrade_http: bool
    utm: tuple[tuple[str, str], ...]
    fallback: str

    def clean(self, url: str | None) -> str | None:
        """An absolute https URL, or None (http is upgraded when allowed; all else is dropped)."""
        url = (url or "").strip()
        if not url or _CONTROL.search(url):
            return None
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "http" and self.upgrade_http:
            scheme = "https"
        if scheme != "https" or not parts.hostname or "@" in parts.netloc:
            return None
        try:
            host = parts.hostname.encode("idna").decode("ascii")  # ünïcode.example -> xn--...
            netloc = f"{host}:{parts.port}" if parts.port else host
        except (UnicodeError, ValueError):  # a bad IDN label or port
            return None
        path, query, fragment = (quote(p, safe=_URL_SAFE) for p in (parts.path, parts.query, parts.fragment))
        return urlunsplit((scheme, netloc, path or "/", query, fragment))

    def site_link(self, url: str | None) -> str | None:
        """A safe link, with UTM parameters when it points at the site."""
        clean = self.clean(url)
        if clean is None or not self.utm or _bare(urlsplit(clean).hostname) != self.site_host:
            return clean
        parts = urlsplit(clean)
        present = {pair.split("=", 1)[0] for pair in parts.query.split("&") if pair}
        extra = "&".join(f"{k}={v}" for k, v in self.utm if k not in present)
        query = "&".join(q for q in (parts.query, extra) if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))

    def review_link(self, url: str) -> str:
        return self.site_link(url) or self.fallback

    def note_link(self, url: str) -> str | None:
        url = url.strip()
        if urlsplit(url).scheme.lower() == "mailto":
            return None if _CONTROL.search(url) else quote(url, safe=_URL_SAFE)
        return self.site_link(url)


def _bare(host: str | None) -> str:
    host = (host or "").lower()
    return host[4:] if host.startswith("www.") else host


def site_host(config: Config) -> str:
    """The site's host without "www.": links elsewhere are off-site."""
    return _bare(urlsplit(config.site.url).hostname)


def link_policy(config: Config, issue_id: str, *, tracking: bool = True) -> LinkPolicy:
    """``tracking=False`` for the web archive: no UTM parameters on any link."""
    settings = config.email
    utm: tuple[tuple[str, str], ...] = ()
    if settings.utm_source and tracking:
        utm = (("utm_source", settings.utm_source), ("utm_medium", settings.utm_medium),
               ("utm_campaign", issue_id))
    policy = LinkPolicy(_bare(urlsplit(config.site.url).hostname), settings.upgrade_http, utm, config.site.url)
    return replace(policy, fallback=policy.site_link(config.site.url) or config.site.url)


# -- cards -----------------------------------------------------------------------------------------


def neutral(text: str | None, limit: int | None = None) -> str:
    """Feed text made inert for Jinja and every mailer's merge syntax (``mailers.neutralise``), free of
    control and bidi override characters, and at most ``limit`` characters (cut on a word)."""
    return neutralise(clip(strip_bidi(_CONTROL.sub(" ", text or "")).strip(), limit))


def score_colour(value: float, scale: tuple[tuple[float, str], ...]) -> str:
    """The badge colour of a score: the palette's one scale (digest.colours.score_scale), by band."""
    return next((colour for floor, colour in scale if value >= floor), scale[-1][1])


def display_title(title: str) -> str:
    """Drop the site's "REVIEW:" prefix: the newsletter's sections already say so."""
    stripped = _PREFIX.sub("", title).strip()
    return stripped or title.strip()


def _image(pick: Pick, width: int, policy: LinkPolicy, alt: str) -> Image | None:
    """The smallest known size at least twice ``width`` (sharp on 2x screens), else the largest."""
    hint = pick.review.image
    if hint is None:
        return None
    sizes = [h for h in pick.review.image_sizes if h.width] or [hint]
    wide = [h for h in sizes if (h.width or 0) >= 2 * width]
    chosen = min(wide, key=lambda h: h.width or 0) if wide else max(sizes, key=lambda h: h.width or 0)
    src = policy.clean(chosen.url)
    if src is None or urlsplit(src).path.lower().endswith((".svg", ".svgz")):
        return None
    ratio = (chosen.height / chosen.width) if chosen.width and chosen.height else (
        hint.height / hint.width if hint.width and hint.height else None)
    return Image(src, width, round(width * ratio) if ratio else None, alt)


def _label(pick: Pick) -> str:
    if pick.kind == PickKind.PINNED:
        return "Editor's pick"
    if pick.kind == PickKind.TRENDING:
        return f"#{pick.position} trending"
    return "Review of the week" if pick.position == 1 else f"#{pick.position} by score"


def _card(pick: Pick, policy: LinkPolicy, tz: ZoneInfo, image_width: int, tldr_max: int = 2000,
          site_name: str = "the site", bands: tuple[tuple[float, str], ...] = ()) -> Card:
    review = pick.review
    shown, scale, spoken = spoken_score(pick.review.score)
    title = neutral(display_title(review.title), TITLE_MAX) or "Untitled review"
    published = review.published.astimezone(tz)
    score = review.score.value if review.score else None
    return Card(
        kind=pick.kind, position=pick.position, label=_label(pick), title=title,
        full_title=neutral(review.title, TITLE_MAX), url=policy.review_link(review.link),
        section=neutral(review.section, 60),
        score=score, score_text=f"{score:g}" if score is not None else "",
        score_colour=score_colour(score, bands) if score is not None and bands else "",
        score_shown=shown, score_scale=scale, score_spoken=spoken,
        tldr=neutral(review.tldr, tldr_max), author=neutral(review.author, AUTHOR_MAX) or None,
        date=f"{published:%b} {published.day}", date_iso=published.date().isoformat(),
        image=_image(pick, image_width, policy, title),
        why=neutral(trend_why(pick, site_name), 160) if pick.kind == PickKind.TRENDING else "",
    )


def build_cards(config: Config, selection: Selection, policy: LinkPolicy
                ) -> tuple[Card | None, list[Card], list[Card]]:
    """The hero (the week's first top pick), the other top picks, the trending list."""
    tz, most, name, bands = (config.site.tz, config.reviews.tldr_max_chars, config.site.name,
                             config.email.palette.scores)
    widths = [HERO_WIDTH if i == 0 else CARD_WIDTH for i in range(len(selection.top))]
    top = [_card(p, policy, tz, width, most, name, bands)
           for p, width in zip(selection.top, widths, strict=True)]
    trending = [_card(p, policy, tz, THUMB_WIDTH, most, name, bands) for p in selection.trending]
    return (top[0] if top else None), top[1:], trending


def issue_dates(selection: Selection, tz: ZoneInfo) -> IssueDates:
    """The issue's dates; ``id`` is the week (``2025-W20``) in every edition."""
    first = selection.window_start.astimezone(tz)
    last = (selection.window_end - timedelta(seconds=1)).astimezone(tz)
    week_id = split_issue_key(selection.issue_id)[1]
    return IssueDates(week_id, week_label(parse_week(week_id)), first, last, last.year)


def wrap_text(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """A Jinja filter for the plain-text email: wrap at ``width``, never breaking a URL."""
    lines = textwrap.wrap(" ".join(str(text).split()), width, initial_indent=indent if first is None else first,
                          subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines)


# -- templates -------------------------------------------------------------------------------------


def template_dirs(config: Config) -> list[Path]:
    """The editor's folder first (when configured), then the built-ins."""
    dirs = []
    if config.email.templates_dir is not None:
        folder = config.resolve(config.email.templates_dir)
        if not folder.is_dir():
            raise TemplateError(f"email.templates_dir: {folder} is not a folder")
        dirs.append(folder)
    return dirs + [BUILTIN_TEMPLATES]


def make_environment(config: Config) -> jinja2.Environment:
    """The process's environment for these template folders, so each template compiles once."""
    return _environment(tuple(template_dirs(config)))


@functools.lru_cache(maxsize=16)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    """Jinja checks each template's mtime on use (``auto_reload``), so an edited one is recompiled:
    ``digest preview`` sees template changes without a new environment."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in dirs])
    env = jinja2.Environment(
        loader=loader, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm"), default_for_string=False),
    )
    env.filters["wrap"] = wrap_text
    env.filters["mix"] = mix
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's temp folder (Jinja's own private, checked folder),
    keyed by each template's source: a one-issue process then skips compiling (~40 ms)."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no usable temp folder: compile, as without the cache
        return None


def render_template(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template; any template mistake becomes a TemplateError naming file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name or name}, line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {exc.name!r} (for {name}) is in neither [email] templates_dir "
                            "nor the built-in templates") from None
    except jinja2.UndefinedError as exc:
        _raise_located(exc, name, f"{exc.message} (a typo, or a value this template does not get?)")
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        _raise_located(exc, name, str(exc) or type(exc).__name__, bug_if_unlocated=True)


def _raise_located(exc: Exception, name: str, message: str, *, bug_if_unlocated: bool = False) -> NoReturn:
    """Name the innermost template frame (Jinja maps its frames to template files and lines)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not frame.filename.endswith(".py") and not frame.filename.startswith("<"):
            raise TemplateError(f"{frame.filename}, line {frame.lineno}: {message}") from None
    if bug_if_unlocated:
        raise exc
    raise TemplateError(f"template {name}: {message}") from None


def build_context(config: Config, selection: Selection, links: Links, *, web: bool = False) -> dict[str, Any]:
    """Everything the templates may use (listed in templates/README.md).

    ``web``: the archive's page, without tracking parameters or the subscribers-only note.
    """
    settings = config.email
    policy = link_policy(config, selection.issue_id, tracking=not web)
    hero, top, trending = build_cards(config, selection, policy)
    notes = (selection.note_markdown,) if web else (selection.note_markdown, selection.private_note_markdown)
    note = "\n\n".join(n.strip() for n in notes if n and n.strip())
    note_html = note_text = None
    if note:  # markdown-it is loaded only for an issue with a note (40 ms of start-up otherwise)
        from digest.mail.markdown import render_note_html, render_note_text

        note_html, note_text = Markup(render_note_html(note, policy.note_link)), render_note_text(
            note, 72, policy.note_link)
    return {
        "edition": {"name": edition_name(config), "title": edition_title(config), "web": web},
        "site": {"name": config.site.name, "url": policy.fallback},
        "email": settings, "brand": settings.brand_color, "accent": settings.accent_color,
        "palette": settings.palette,
        "direction": direction(settings.lang),
        "issue": issue_dates(selection, config.site.tz),
        "hero": hero, "top": top, "trending": trending,
        "note_html": note_html,
        "note_text": note_text,
        "links": links,
        "social": [(s.name, policy.site_link(s.url) or s.url) for s in settings.social],
    }


def _placeholders(values: Mapping[str, str | None], tags: tuple[str, ...]) -> tuple[Links, dict[str, str]]:
    """Each merge tag swapped for a random token no HTML tool rewrites, and the way back."""
    nonce = secrets.token_hex(6)
    back: dict[str, str] = {}
    out: dict[str, str | None] = {}
    for index, (key, value) in enumerate(values.items()):
        if value is not None and value in tags:
            token = f"dgmt{nonce}x{index}"
            out[key] = token
            back[token] = value
        else:
            out[key] = value
    return Links(out["unsubscribe"] or "", out["view_online"], out["address"] or ""), back


def one_line(text: str) -> str:
    """Subjects and preheaders are single lines with no encoded word (either would let the text
    make its own headers: ``mailers.header_line``), read as written."""
    return header_line(strip_bidi(text))


def render_subject(env: jinja2.Environment, config: Config, context: Mapping[str, Any]) -> str:
    """The subject: ``[email] subject`` (an edition's own line) when set, else subject.txt."""
    custom = config.email.subject
    if custom is None:
        return one_line(render_template(env, SUBJECT_TEMPLATE, context))
    try:
        return one_line(env.from_string(custom).render(context))
    except jinja2.TemplateError as exc:
        raise TemplateError(f"email.subject {custom!r}: {exc}") from None


def render_issue(config: Config, selection: Selection,
                 shown: Callable[[str], None] | None = None) -> RenderedIssue:
    """Templates → premailer → merge tags back → lint; raise LintError listing every error.

    ``shown`` (the desk) is told the email's HTML as soon as it is made, before it is judged: the
    editor sees it while the lint, the text part and the pre-send report follow."""
    settings = config.email
    selection, image_warnings = apply_image_policy(config, selection)
    env = make_environment(config)
    week_id = split_issue_key(selection.issue_id)[1]
    real = {"unsubscribe": settings.unsubscribe,
            "view_online": archive_url(config, week_id) or settings.view_online,
            "address": settings.address}
    html_links, back = _placeholders(real, settings.merge_tags)
    text_links = Links(real["unsubscribe"] or "", real["view_online"], real["address"] or "")
    context = build_context(config, selection, text_links)
    subject = render_subject(env, config, context)
    preheader = one_line(render_template(env, PREHEADER_TEMPLATE, context))
    if not subject:
        raise TemplateError(f"{SUBJECT_TEMPLATE} rendered an empty subject")
    context.update(subject=subject, preheader=preheader)

    html_context = {**context, "links": html_links}
    html = inline_css(render_template(env, HTML_TEMPLATE, html_context),
                      render_template(env, INLINE_CSS, html_context), cache_folder(config.store_path))
    for token, tag in back.items():
        html = html.replace(token, tag)
    if shown is not None:
        shown(html)
    text = render_template(env, TEXT_TEMPLATE, context).strip() + "\n"

    findings = lint_html(html, settings.merge_tags)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise LintError(lint_message(selection.issue_id, errors))
    warnings = image_warnings + tuple(format_finding(f) for f in findings if f.severity == "warning")
    return RenderedIssue(selection.issue_id, subject, preheader, html, text, warnings)


def prepare_render(notes: bool) -> None:
    """Load ahead what rendering this issue will load on first use, for a process that knows what it
    will render before it renders (``digest run``'s ``load_build``, the desk when it opens an edition):
    then the render itself does not pay for it (issue 23).

    This module is loaded by importing it to call this. ``notes``: the issue has an editor's note or a
    private note, so its renderer (markdown-it, about 20 ms and 60 modules) is loaded too and run once
    on a line of Markdown (its first parse pays a little more than later ones). Without a note it is
    never loaded: a run without one stays lean. Nothing here changes what a render makes."""
    if notes:
        _load_note_renderer()


@functools.cache
def _load_note_renderer() -> None:
    """Once a process: markdown-it imported, and its first parse (on a line of our own) made."""
    from digest.mail.markdown import render_note_html, render_note_text

    render_note_html("A *note*: [one](https://example.com/).")
    render_note_text("A *note*: [one](https://example.com/).")


def lint_message(issue_id: str, errors: list[Finding]) -> str:
    count = f"{len(errors)} rule{'s' if len(errors) > 1 else ''}"
    return "\n".join([f"the {issue_id} email breaks {count} (nothing was written):"]
                     + ["  " + format_finding(f) for f in errors])
