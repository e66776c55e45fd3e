"""The desk's changes: the table of what a POSTed form may do, by its ``action`` field.

Each entry is a :data:`Change`: it gets the desk's session and the form's fields, does its work
through the domain's own functions, and returns the lines the page shows; a refused change raises a
DigestError (its message is shown, with 422, and nothing is written) or :class:`StaleVersion` (409).
The server checks the Host, the token and the CSRF field before any entry runs.

The editor's changes (pick, pin at a position, drop, the note) turn the form into the
:class:`EditorChoices` that ``digest build --pin/--drop/--note`` would make and hand it to
:meth:`DeskSession.apply`, which checks, writes and builds as the CLI does. Other kinds of change
(a move up or down, a section move, a blurb) are editor's choices too (``--order``, ``--section``,
``--blurb``); an issue's state moves through :mod:`digest.job.approval`, as ``digest issue`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from digest.desk.finish import file_version
from digest.desk.session import DeskSession, StaleVersion
from digest.errors import UsageError
from digest.select.editor import EditorChoices, PinRequest, parse_pin
from digest.urls import canonical_url

Form = Mapping[str, str]
Change = Callable[[DeskSession, Form], list[str]]


def _url(form: Form) -> str:
    url = form.get("url", "").strip()
    if not url:
        raise UsageError("no review given: the form names none (reload the desk)")
    return url


def pick(form: Form) -> EditorChoices:
    """Force a review in, as ``--pin URL``."""
    return EditorChoices(pins=(parse_pin(_url(form)),))


def pin_at(form: Form) -> EditorChoices:
    """Force a review in at a position among the top picks, as ``--pin URL@N``."""
    text = form.get("position", "").strip()
    if not text.isdigit():
        raise UsageError(f"--pin {_url(form)}@{text}: the position must be a whole number from 1 "
                         "(the top picks)")
    return EditorChoices(pins=(PinRequest(canonical_url(_url(form)), int(text)),))


def drop(form: Form) -> EditorChoices:
    """Keep a review out of the issue, as ``--drop URL``."""
    return EditorChoices(drops=(canonical_url(_url(form)),))


def note(form: Form) -> EditorChoices:
    """Replace the editor's note (Markdown), as ``--note TEXT``."""
    return EditorChoices(note=form.get("note", "").replace("\r\n", "\n"))


def editor_change(flags: Callable[[Form], EditorChoices]) -> Change:
    """A change made of the editor's choices: checked, written to the issue file and built as the CLI does."""

    def change(session: DeskSession, form: Form) -> list[str]:
        result, notes = session.apply(flags(form), form.get("version", ""), form.get("early"))
        size = len(result.rendered.html.encode("utf-8")) / 1024
        return [*notes, f"saved to {session.issue_path}; rebuilt {result.issue_id}: "
                        f"{len(result.selection.picks)} picks, {size:.1f} KB"]

    return change


def section(form: Form) -> EditorChoices:
    """Show a pick in another of the config's sections, as ``--section URL=NAME`` (empty: its own)."""
    return EditorChoices(sections=((canonical_url(_url(form)), form.get("section", "").strip()),))


def blurb(form: Form) -> EditorChoices:
    """The TL;DR shown for a pick, as ``--blurb URL=TEXT`` (empty: the review's own)."""
    return EditorChoices(blurbs=((canonical_url(_url(form)), form.get("blurb", "")),))


def reorder(step: int) -> Change:
    """Move a top pick one place up (``step`` -1) or down (+1): the whole order, as ``--order``.

    The order is that of the top picks as the page showed them (the version check refuses a stale one).
    """

    def change(session: DeskSession, form: Form) -> list[str]:
        url = canonical_url(_url(form))
        tops = _top_picks(session)
        if url not in tops:
            raise UsageError(f"--order {url}: only a top pick can be moved up or down")
        at = tops.index(url)
        to = at + step
        if not 0 <= to < len(tops):
            raise UsageError(f"--order {url}: it is already {'first' if step < 0 else 'last'} of the top picks")
        tops[at], tops[to] = tops[to], tops[at]
        lines = editor_change(lambda _form: EditorChoices(order=tuple(tops)))(session, form)
        return [f"moved {url} to #{to + 1} of the top picks", *lines]

    return change


def _moved(before: list[str], after: list[str]) -> str:
    """What a reorder did, said for the page (and a screen reader): the one pick moved, or the whole order."""
    for at, url in enumerate(after):
        rest = [u for u in after if u != url]
        if url in before and before.index(url) != at and rest == [u for u in before if u != url]:
            return f"moved {url} to #{at + 1} of the top picks"
    return "the top picks now: " + ", ".join(f"#{n} {u}" for n, u in enumerate(after, 1))


def _top_picks(session: DeskSession) -> list[str]:
    selection = session.view().selection
    return [canonical_url(p.review.link) for p in selection.picks if p.kind == "top"] if selection else []


def order(session: DeskSession, form: Form) -> list[str]:
    """The top picks in a new order (what a drag posts): their links one a line, as ``--order``.

    The command line's checks come first and refuse with its words (a link that is no stored review, one
    listed twice, more than the top picks); then a link that is not a top pick as the page showed them.
    """
    from digest.select.edits import check_edits, stored_reviews

    wanted = tuple(canonical_url(line.strip()) for line in form.get("order", "").splitlines() if line.strip())
    if not wanted:
        raise UsageError("--order: no order given (the top picks' links, one a line)")
    with session.store(lock=False) as store:
        stored = stored_reviews(session.config, store, session.week)
    check_edits(session.config, EditorChoices(order=wanted), stored, session.week.id)
    tops = _top_picks(session)
    strangers = [u for u in wanted if u not in tops]
    if strangers:
        raise UsageError(f"--order {strangers[0]}: only a top pick can be moved (pin it to bring it in)")
    lines = editor_change(lambda _form: EditorChoices(order=wanted))(session, form)
    return [_moved(tops, [*wanted, *(u for u in tops if u not in wanted)]), *lines]


def approval_move(action: str) -> Change:
    """A move of the issue's state (submit, approve, send back, pull) as ``digest issue`` makes it."""

    def change(session: DeskSession, form: Form) -> list[str]:
        from digest.job.approval import transition

        by = form.get("as", "").strip()
        if not by:
            raise UsageError("say who you are: pick your name ([approval] people)")
        session.settle()  # the move is of the build as written
        with session.store(lock=True) as store:
            done = transition(session.config, store, session.issue_id, action, by, datetime.now(UTC),
                              form.get("comment", ""))
        lines = [f"{session.issue_id}: {done.status.summary()}"]
        lines += [f"told {done.notice}"] if done.notice else []
        lines += [f"the notice failed: {done.notice_error}"] if done.notice_error else []
        return lines

    return change


def hand_off(session: DeskSession, form: Form) -> list[str]:
    """Hand the issue off now: the run's own exactly-once delivery, refused without approval when required."""
    from digest.job.run import hand_off as deliver

    by = form.get("as", "").strip()
    if not by:
        raise UsageError("say who you are: pick your name ([approval] people)")
    session.settle()  # the last change's files, before anything is sent
    with session.store(lock=True) as store:
        done = deliver(session.config, store, session.issue_id, by, datetime.now(UTC))
    return [done or f"{session.issue_id} handed off"]


def archive_change(action: str) -> Change:
    """Publish the issue on the web archive, or withdraw it, as ``digest archive publish|withdraw`` does:
    mark it in the store, then rewrite the archive, under the store's lock; the command's own lines."""

    def change(session: DeskSession, form: Form) -> list[str]:
        from digest.mail.archive import publish, update_archive, withdraw

        session.settle()  # the archive gets the last change's page
        with session.store(lock=True) as store:
            if file_version(session.issue_path) != form.get("version", ""):
                raise StaleVersion(f"someone else changed {session.issue_path} since this page was shown; "
                                   f"nothing was {'published' if action == 'publish' else 'withdrawn'}: "
                                   "reload the desk and look again")
            if action == "publish":
                done = publish(session.config, store, session.issue_id, datetime.now(UTC))
                said = "published" if done else "was already published"
            else:
                done = withdraw(session.config, store, session.issue_id, datetime.now(UTC))
                said = "withdrawn" if done else "was already withdrawn"
            report = update_archive(session.base, store)
        lines = [f"{session.issue_id}: {said}"]
        if report is not None:
            lines += [report.line(), *(f"warning: {w}" for w in report.warnings)]
        return lines

    return change


ACTIONS: dict[str, Change] = {
    **{name: editor_change(flags) for name, flags in {"pick": pick, "pin_at": pin_at, "drop": drop,
                                                        "note": note, "section": section,
                                                        "blurb": blurb}.items()},
    "move_up": reorder(-1), "move_down": reorder(+1), "order": order,
    **{name.replace(" ", "_"): approval_move(name) for name in ("submit", "approve", "send back", "pull")},
    "hand_off": hand_off,
    "publish": archive_change("publish"), "withdraw": archive_change("withdraw"),
}
