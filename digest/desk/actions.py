"""The desk's changes: one form each, turned into the editor's choices the CLI's flags would make.

``ACTIONS`` maps a form's ``action`` field to a function from the form's fields to an
:class:`EditorChoices`, which :meth:`DeskSession.apply` checks, writes and builds exactly as
``digest build --pin/--drop/--note`` does. A new kind of change (reorder, move to a section, a blurb,
an issue state) is a new entry here and a form on the page; nothing else in the server changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from digest.errors import UsageError
from digest.select.editor import EditorChoices, PinRequest, parse_pin
from digest.urls import canonical_url

Form = Mapping[str, str]
Action = Callable[[Form], EditorChoices]


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


ACTIONS: dict[str, Action] = {"pick": pick, "pin_at": pin_at, "drop": drop, "note": note}
