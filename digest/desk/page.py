"""The desk's page: the week's candidates with why each won or lost, the forms that change the issue,
and the built email in sandboxed frames beside them.

Every text from a feed (titles, sections, TL;DRs, reasons that quote them, URLs) is escaped here;
an image URL is shown only when it is http(s). The page carries no inline script and no inline style (its
CSP says ``script-src 'self'``; the one script is ``/desk.js``, the style ``/desk.css``): the forms are plain
POSTs that work without JavaScript, which only sends them by fetch (:mod:`digest.desk.script`). Each form
carries the server's CSRF token and the issue file's version. The ids and data attributes desk.js and the
tests rely on: ``main#desk``, ``aside#side`` (the email's frames, the report, the archive: beside the work,
so a change reloads the frames without replacing them), ``div#messages``, ``ol#picks`` of
``li.card[data-url][data-kind]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from digest.desk.script import SCRIPT_VERSION
from digest.desk.session import DeskView
from digest.models import NearMiss, Pick, Review
from digest.weeks import week_label

CSS = """
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; background: #eef0f3; color: #1d2433;
       overflow-wrap: anywhere; }
header { padding: 12px 24px; background: #1d2433; color: #fff; }
header h1 { margin: 0; font-size: 17px; } header p { margin: 4px 0 0; color: #c5cad3; }
.layout { display: flex; gap: 24px; padding: 16px 24px; align-items: flex-start; flex-wrap: wrap; }
main#desk { flex: 1 1 560px; min-width: 0; }
aside.email { flex: 0 1 620px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 1px; color: #4b5260; margin: 18px 0 8px; }
.message { margin: 12px 24px 0; padding: 10px 14px; white-space: pre-wrap; }
.message.error { background: #fdecea; color: #8a1c13; } .message.ok { background: #e6f4ea; color: #1e5631; }
#picks, ul.cards { list-style: none; margin: 0; padding: 0; }
.card { background: #fff; margin: 0 0 10px; padding: 10px 12px; display: flex; gap: 12px;
        box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.card img { width: 96px; height: 64px; object-fit: cover; flex: none; background: #dde1e7; }
.card .body { flex: 1; min-width: 0; }
.card h3 { margin: 0; font-size: 15px; } .card .meta { color: #4b5260; font-size: 12px; }
.card .why { margin: 4px 0; font-size: 13px; } .card .tldr { margin: 4px 0; }
.card form { display: inline-block; margin: 4px 8px 0 0; }
input[type=number] { width: 4em; }
textarea { width: 100%; min-height: 6em; font: inherit; box-sizing: border-box; }
button { font: inherit; padding: 3px 10px; }
li.card[draggable="true"] { cursor: grab; }
li.card:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
li.card.dragging { opacity: .5; }
li.card.drop-target { outline: 3px dashed #1d4ed8; outline-offset: 2px; background: #eef4ff; }
details.order { margin: 0 0 10px; } details.order textarea { white-space: pre; overflow-x: auto; }
@media (max-width: 640px) {
  header, .layout { padding-left: 12px; padding-right: 12px; } .message { margin: 12px 12px 0; }
  .card { flex-wrap: wrap; } .card .body { flex-basis: 100%; }
  main#desk, aside.email { flex-basis: 100%; }
}
iframe { border: 0; background: #fff; width: 600px; max-width: 100%; height: 80vh;
         box-shadow: 0 2px 12px rgba(0,0,0,.15); }
"""


def _image(review: Review) -> str:
    url = review.image.url if review.image else ""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""
    return f'<img src="{escape(url)}" alt="" loading="lazy">'


def _meta(review: Review, tz: ZoneInfo) -> str:
    score = f"{review.score.value:.1f}/10 ({escape(review.score.raw)})" if review.score else "unscored"
    comments = f" · {review.comments} comments" if review.comments is not None else ""
    return (f'<p class="meta">{score} · {escape(review.section)}{comments} · '
            f'{review.published.astimezone(tz):%a %d %b}</p>')


def _hidden(csrf: str, version: str, action: str, url: str = "") -> str:
    fields = [("csrf", csrf), ("version", version), ("action", action)] + ([("url", url)] if url else [])
    return "".join(f'<input type="hidden" name="{n}" value="{escape(v)}">' for n, v in fields)


def _form(csrf: str, version: str, action: str, review: Review, label: str, extra: str = "") -> str:
    return (f'<form method="post" action="/change">{_hidden(csrf, version, action, review.link)}{extra}'
            f'<button type="submit" aria-label="{escape(f"{label}: {review.title}")}">{escape(label)}</button>'
            f'</form>')


def _pin_at(csrf: str, version: str, review: Review) -> str:
    field = (f'<label>at <input type="number" name="position" min="1" max="50" required '
             f'aria-label="{escape(f"position for {review.title}")}"></label> ')
    return _form(csrf, version, "pin_at", review, "Pin", field)


def _card(review: Review, tz: ZoneInfo, why: Sequence[str], forms: Iterable[str], heading: str = "",
          attrs: str = "") -> str:
    reasons = "".join(f'<p class="why">{escape(line)}</p>' for line in why)
    tldr = f'<p class="tldr">{escape(review.tldr)}</p>' if review.tldr else ""
    return (f'<li class="card"{attrs}>{_image(review)}<div class="body">{heading}'
            f'<h3><a href="{escape(review.link)}" rel="noreferrer noopener" target="_blank">'
            f'{escape(review.title)}</a></h3>{_meta(review, tz)}{tldr}{reasons}{"".join(forms)}</div></li>')


def _pick_card(pick: Pick, tz: ZoneInfo, csrf: str, version: str, sections: Sequence[str] = ()) -> str:
    why = [*pick.reasons, *(s.detail for s in pick.signals)]
    if pick.trend_score is not None:
        why.append(f"trend score {pick.trend_score:.2f}")
    heading = f'<p class="meta">#{pick.position} {escape(str(pick.kind))}</p>'
    review = pick.review
    forms = [_form(csrf, version, "drop", review, "Drop"), _pin_at(csrf, version, review)]
    if pick.kind == "top":  # keyboard-first reorder: two buttons, no drag needed
        forms += [_form(csrf, version, "move_up", review, "Up"),
                  _form(csrf, version, "move_down", review, "Down")]
    options = "".join(f'<option value="{escape(name)}"{" selected" if name == review.section else ""}>'
                      f"{escape(name)}</option>" for name in sections)
    if options:
        label = escape(f"section for {review.title}")
        forms.append(_form(csrf, version, "section", review, "Move",
                           f'<label>section <select name="section" aria-label="{label}">{options}'
                           "</select></label> "))
    label = escape(f"blurb for {review.title}")
    forms.append(_form(csrf, version, "blurb", review, "Save blurb",
                       f'<label>blurb <input type="text" name="blurb" maxlength="2000" '
                       f'value="{escape(review.tldr)}" aria-label="{label}"></label> '))
    attrs = f' data-url="{escape(review.link)}" data-kind="{escape(str(pick.kind))}"'
    if pick.kind == "top":  # desk.js: drag it onto another top pick's place, or Alt+Arrow keys when focused
        attrs += ' draggable="true" tabindex="0" aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"'
    return _card(review, tz, why, forms, heading, attrs)


def _miss_card(miss: NearMiss, tz: ZoneInfo, csrf: str, version: str) -> str:
    review = miss.review
    return _card(review, tz, [f"why it lost: {miss.reason}"],
                 [_form(csrf, version, "pick", review, "Pick"), _pin_at(csrf, version, review),
                  _form(csrf, version, "drop", review, "Drop")])


def _other_card(review: Review, tz: ZoneInfo, dropped: bool, csrf: str, version: str) -> str:
    why = ["dropped by the editor"] if dropped else (
        [f"why unscored: {review.unscored_reason}"] if review.score is None and review.unscored_reason else [])
    forms = [_form(csrf, version, "pick", review, "Pick"), _pin_at(csrf, version, review)]
    return _card(review, tz, why, forms)


def _order_form(picks: Sequence[Pick], csrf: str, version: str) -> str:
    """The top picks' order as text (``--order``, one link a line): what a drag posts, usable without JS."""
    links = [p.review.link for p in picks if p.kind == "top"]
    if not links:
        return ""
    return (f'<details class="order"><summary>The top picks\' order as text</summary>'
            f'<form method="post" action="/change">{_hidden(csrf, version, "order")}'
            f'<label for="order">the top picks\' links, one a line, first first</label>'
            f'<textarea id="order" name="order" rows="{len(links)}">{escape(chr(10).join(links))}</textarea>'
            f'<button type="submit">Save the order</button></form></details>')


def _approval(view: DeskView, csrf: str, version: str) -> str:
    """The issue's state, who moved it and when, and the moves allowed now, as ``digest issue`` makes them."""
    status = view.approval
    if status is None:
        return "<h2>Approval</h2><p>Not built yet: the issue has no state.</p>"
    rows = "".join(f"<li>{escape(m.at.isoformat(timespec='minutes'))} {escape(m.action)} by {escape(m.by)} "
                   f"&rarr; {escape(m.state)}{': ' + escape(m.comment) if m.comment else ''}</li>"
                   for m in status.history)
    people = "".join(f'<option value="{escape(name)}">{escape(name)}</option>' for name in view.people)
    who = (f'<label>as <select name="as" required>{people}</select></label> ' if people
           else "<p>No [approval] people in the config: nobody may move the issue.</p>")
    buttons = "".join(f'<button type="submit" name="action" value="{escape(a.replace(" ", "_"))}">'
                      f"{escape(a.capitalize())}</button> " for a in status.allowed)
    buttons += '<button type="submit" name="action" value="hand_off">Hand off</button>'
    fields = "".join(f'<input type="hidden" name="{n}" value="{escape(v)}">'
                     for n, v in (("csrf", csrf), ("version", version)))
    return (f"<h2>Approval</h2><p>{escape(status.summary())}</p><ul>{rows}</ul>"
            f'<form method="post" action="/change">{fields}{who}'
            f'<label>comment <input type="text" name="comment" maxlength="2000"></label> {buttons}</form>')


def render_desk(view: DeskView, csrf: str, *, messages: Sequence[str] = (), error: str | None = None,
                side: str | None = None, nav: str = "") -> str:
    """The whole page for ``view``; ``error`` is a refused change (or a failed build), ``messages`` what
    an accepted one said; ``side`` the email's column (:mod:`digest.desk.panels`), ``nav`` the editions."""
    selection, version = view.selection, view.version
    banners = ""
    problems = [t for t in (error, view.error, view.background) if t]
    for text, kind in ((t, "error") for t in problems):
        banners += f'<div class="message {kind}" role="alert">{escape(text)}</div>'
    if view.email_stale:
        banners += (f'<div class="message error">{escape(str(view.issue_path))} changed '
                    "since the email was built: the picks here follow the file, the email is the last "
                    "build's (any change here, or digest build, rebuilds it)</div>")
    if messages:
        banners += f'<div class="message ok">{escape(chr(10).join(messages))}</div>'
    parts: list[str] = []
    shown: set[str] = set()
    if selection is not None:
        parts.append(f'<h2 id="picks-heading">Picks ({len(selection.picks)})</h2>'
                     '<p class="why">The top picks\' order: Up / Down, or drag a card onto another\'s place, '
                     "or focus a card and press Alt+ArrowUp / Alt+ArrowDown.</p>"
                     '<ol id="picks" aria-labelledby="picks-heading">')
        parts += [_pick_card(p, view.tz, csrf, version, view.sections) for p in selection.picks]
        parts.append("</ol>")
        parts.append(_order_form(selection.picks, csrf, version))
        if selection.trending_note:
            parts.append(f'<p class="why">trending: {escape(selection.trending_note)}</p>')
        parts.append(f"<h2>Near misses ({len(selection.near_misses)})</h2><ul class=\"cards\">")
        parts += [_miss_card(m, view.tz, csrf, version) for m in selection.near_misses]
        parts.append("</ul>")
        shown = {p.review.link for p in selection.picks} | {m.review.link for m in selection.near_misses}
    others = [r for r in view.reviews if r.link not in shown]
    dropped = set(view.choices.drops)
    parts.append(f"<h2>Other reviews of the week ({len(others)})</h2><ul class=\"cards\">")
    parts += [_other_card(r, view.tz, r.link in dropped, csrf, version) for r in others]
    parts.append("</ul>")
    note = escape(view.choices.note or "")
    parts.append(f'<h2>Editor\'s note</h2><form method="post" action="/change">'
                 f'{_hidden(csrf, version, "note")}<label for="note">Markdown; shown above the picks</label>'
                 f'<textarea id="note" name="note" maxlength="5000">{note}</textarea>'
                 f'<button type="submit">Save the note</button></form>')
    parts.append(_approval(view, csrf, version))
    email = ('<iframe sandbox src="/email.html" title="the email as built"></iframe>' if view.folder
             else "<p>Not built yet: make a change, or run digest build.</p>")
    label = escape(week_label(view.week))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>digest desk: {label}</title><link rel="stylesheet" href="/desk.css">'
            f'<script src="/desk.js?v={SCRIPT_VERSION}" defer></script></head><body>'
            f'<header><h1>digest desk: {label} ({escape(view.issue_id)})</h1>'
            f'<p>{escape(str(view.issue_path))} · version {escape(version[:12] or "(no file yet)")}</p>'
            f'</header>{nav}'
            f'<div id="messages" role="status" aria-live="polite">{banners}</div>'
            f'<div class="layout"><main id="desk"><section class="work">{"".join(parts)}</section></main>'
            f'<aside id="side" class="email" aria-label="the email, its report and the archive">'
            f'{side if side is not None else "<h2>The email</h2>" + email}</aside></div></body></html>')
