"""The desk's side panels: the email at desktop and phone width (light or dark), the pre-send report
beside it, the archive's publish/withdraw, and the links to every edition's desk page.

Each panel is read from what the build and the store already keep (the issue folder's email and
``manifest.json``, the store's ``archive_published`` row); none decides anything. The report's text
comes from the build's checks, which quote the email (and so feed text): every word is escaped.

One desk serves every edition of its week: the page of edition NAME is ``/?edition=NAME`` (the
command's own edition at ``/``), and each of its forms carries ``edition``, so a change goes to the
issue of the page it came from; its email, text part and report follow the same query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from digest.desk.clicks_panel import CSS as CLICKS_CSS
from digest.desk.clicks_panel import clicks_panel
from digest.desk.session import DeskSession
from digest.errors import DigestError
from digest.mail.manifest import load_manifest
from digest.mail.output import MANIFEST
from digest.settings.editions import archive_dir
from digest.weeks import split_issue_key

CSS = """
aside.email { flex: 1 1 1000px; min-width: 0; }
@media (min-width: 1100px) {
  /* beside the work and always in view: the email a change updates stays on screen while the editor
     scrolls the picks; the aside scrolls on its own (the phone frame, the report) */
  .layout { flex-wrap: nowrap; }
  aside.email { flex: 0 1 640px; position: sticky; top: 0; max-height: 100vh; overflow-y: auto; }
}
@media (min-width: 1700px) { aside.email { flex-basis: 1000px; } }
.frames { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }
.frames figure { margin: 0; min-width: 0; max-width: 100%; }
.frames figcaption { font-size: 12px; color: #4b5260; margin: 0 0 4px; }
iframe#email-desktop { width: 600px; } iframe#email-phone { width: 375px; }
.scheme { margin: 0 0 8px; } .scheme button[aria-pressed="true"] { background: #1d2433; color: #fff; }
nav.editions { padding: 8px 24px; background: #fff; } nav.editions a { margin-right: 12px; }
#report ul { padding-left: 18px; } #report li[data-status="error"] .status { color: #8a1c13; }
#report li[data-status="warning"] .status { color: #7a4b00; } #report .status { font-weight: 600; }
""" + CLICKS_CSS
SHOWN_STATUS = {"pending": "checking…"}  # the background SpamAssassin check, until it answers
_FORM = re.compile(r'(<form\b[^>]*\baction="/change"[^>]*>)')


def query(edition: str | None, **more: str) -> str:
    """``?edition=NAME&...`` for another edition's page or email, "" (or the rest) for the desk's own."""
    pairs = ([("edition", edition)] if edition else []) + list(more.items())
    return "?" + urlencode(pairs) if pairs else ""


def email_panel(folder: Path | None, edition: str | None) -> str:
    """The built email twice, 600 and 375 px wide, each in a frame that may run nothing; the Dark
    toggle (a button desk.js wires by its data attributes, and a plain link to the dark view).

    The frames are sandboxed without ``allow-scripts`` (nothing in the email runs, whatever a template or
    a feed put there) but with ``allow-same-origin``: the email keeps the desk's origin, so desk.js can put
    a change's email into the frame's document in place instead of navigating the frame. The two flags
    together never include scripts: that pair is the one a sandbox must not have."""
    if folder is None:
        return "<h2>The email</h2><p>Not built yet: make a change, or run digest build.</p>"
    light, dark = f"/email.html{query(edition)}", f"/email.html{query(edition, scheme='dark')}"
    text = f"/digest.txt{query(edition)}"
    frames = "".join(
        f'<figure><figcaption>{caption}</figcaption><iframe id="{ident}" sandbox="allow-same-origin" '
        f'src="{escape(light)}" '
        f'width="{width}" title="the email as built, {caption}"></iframe></figure>'
        for ident, width, caption in (("email-desktop", 600, "desktop, 600 px"),
                                      ("email-phone", 375, "phone, 375 px")))
    return (f'<h2>The email</h2><p class="scheme"><button id="scheme" type="button" aria-pressed="false" '
            f'data-light-src="{escape(light)}" data-dark-src="{escape(dark)}">Dark</button> '
            f'<a href="{escape(dark)}" target="_blank">the dark view</a> · '
            f'<a href="{escape(light)}" target="_blank">the light view</a> · '
            f'<a href="{escape(text)}" target="_blank">the plain-text part</a></p>'
            f'<div class="frames">{frames}</div>')


def _check(check: Any) -> str:
    if not isinstance(check, dict):
        return ""
    name, status = str(check.get("name", "")), str(check.get("status", ""))
    details = [str(d) for d in check.get("details") or () if d is not None]
    listed = f"<ul>{''.join(f'<li>{escape(d)}</li>' for d in details)}</ul>" if details else ""
    return (f'<li data-check="{escape(name)}" data-status="{escape(status)}">'
            f'<span class="status">{escape(SHOWN_STATUS.get(status, status))}</span> '
            f'<strong>{escape(name)}</strong>: {escape(str(check.get("summary", "")))}{listed}</li>')


def report_section(folder: Path | None, pending: dict[str, object] | None = None) -> str:
    """``<section id="report">``: the build's pre-send report, one item per check (``GET /report`` too);
    ``pending``: the report of a change whose files are not written yet, in place of the manifest's."""
    head = '<section id="report" aria-live="polite"><h2>Pre-send report</h2>'
    report: object = pending
    if report is None:
        if folder is None:
            return head + "<p>No report: the issue has not been built yet.</p></section>"
        try:
            report = load_manifest(folder / MANIFEST).get("report")
        except DigestError as exc:
            return head + f"<p>No report: {escape(str(exc))}</p></section>"
    checks = report.get("checks") if isinstance(report, dict) else None
    if not isinstance(checks, list):
        return head + ("<p>No report: this build's manifest has none (an older build); any change here, "
                       "or digest build, makes one.</p></section>")
    return head + f"<ul>{''.join(_check(c) for c in checks)}</ul></section>"


def archive_state(session: DeskSession) -> str:
    """Where the issue stands in the web archive, in words: published when, withdrawn when, or not yet."""
    with session.store(lock=False) as store:
        state = store.archive_state(session.issue_id)
    tz = session.config.site.tz
    if state is None:
        return "not published yet"
    how, when = state
    at = when.astimezone(tz).strftime("%a %d %b %Y %H:%M")
    return f"withdrawn {at}" if how == "withdrawn" else f"published {at} ({how})"


def archive_panel(session: DeskSession, csrf: str, version: str) -> str:
    """The issue's archive state and the one button that changes it (publish, or withdraw)."""
    config = session.config
    folder = archive_dir(config)
    if config.archive is None or folder is None:
        return ""
    state = archive_state(session)
    action, label = ("withdraw", "Withdraw") if state.startswith("published") else ("publish", "Publish")
    page = folder / f"{split_issue_key(session.issue_id)[1]}.html"
    fields = "".join(f'<input type="hidden" name="{n}" value="{escape(v)}">'
                     for n, v in (("csrf", csrf), ("version", version), ("action", action)))
    return (f'<section id="archive"><h2>Web archive</h2><p>{escape(session.issue_id)}: {escape(state)}; '
            f'its page: <code>{escape(str(page))}</code></p>'
            f'<form method="post" action="/change">{fields}<button type="submit">{label} on the archive'
            f'</button></form></section>')


def editions_nav(names: Sequence[str], home: str, current: str) -> str:
    """Links to each edition's desk page; none when the config has one edition."""
    if len(names) < 2:
        return ""
    here = ' aria-current="page"'
    links = "".join(f'<a href="{escape("/" + query(None if name == home else name))}"'
                    f'{here if name == current else ""}>{escape(name)}</a> ' for name in names)
    return f'<nav class="editions" aria-label="editions">Editions of the week: {links}</nav>'


def for_edition(page: str, edition: str | None) -> str:
    """``page`` with each change form naming ``edition``, so the change goes to that edition's issue."""
    if edition is None:
        return page
    field = f'<input type="hidden" name="edition" value="{escape(edition)}">'
    return _FORM.sub(lambda m: m.group(1) + field, page)


def side(session: DeskSession, folder: Path | None, edition: str | None, csrf: str, version: str) -> str:
    """Everything beside the work column: the email, the report, the archive."""
    return (email_panel(folder, edition) + report_section(folder, session.report())
            + archive_panel(session, csrf, version) + clicks_panel(session))
