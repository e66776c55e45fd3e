"""The desk's changes: the table of what a POSTed form may do, by its ``action`` field.

Each entry is a :data:`Change`: it gets the desk's session and the form's fields, does its work
through the domain's own functions, and returns the lines the page shows; a refused change raises a
DigestError (its message is shown, with 422, and nothing is written) or :class:`StaleVersion` (409).
The server checks the Host, the token and the CSRF field before any entry runs.

The editor's changes (pick, pin at a position, drop, the note) turn the form into the
:class:`EditorChoices` that ``digest build --pin/--drop/--note`` would make and hand it to
:meth:`DeskSession.apply`, which checks, writes and builds as the CLI does. Other kinds of change
(reorder, a section move, a blurb, an issue's state) are new entries in ``ACTIONS`` and a form on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from digest.desk.session import DeskSession
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
        result, notes = session.apply(flags(form), form.get("version", ""))
        size = len(result.rendered.html.encode("utf-8")) / 1024
        return [*notes, f"saved to {session.issue_path}; rebuilt {result.issue_id}: "
                        f"{len(result.selection.picks)} picks, {size:.1f} KB"]

    return change


ACTIONS: dict[str, Change] = {name: editor_change(flags) for name, flags in
                              {"pick": pick, "pin_at": pin_at, "drop": drop, "note": note}.items()}
