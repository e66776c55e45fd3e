"""What a command can tell from the config file before the models load: how many SpamAssassin checks it
will make with the stock script.

SpamAssassin spends about 0.8 s of CPU compiling its rules before it can score anything; ``digest run``
starts it ahead of need (digest.mail.spamcheck) so that this happens while the run works. Loading the
config's models (pydantic) takes the first 0.15 s of a run, on one core, while the other is free: read
here with ``tomllib`` alone, the file tells whether a check will be needed, so SpamAssassin can start at
once. The answer is a guess that costs only an early start: the run asks again with the validated config
(``started_ahead`` inside ``started_ahead``), which stops what is not needed and starts what is missing.
A file that cannot be read or parsed guesses 0; the config's own loading then says what is wrong with it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["stock_spam_checks"]

DEFAULT_EDITION = "default"  # what ``--edition`` calls the base config's own edition (edition_tables uses it)


def stock_spam_checks(path: Path, edition: str | None = None, *, every_edition: bool = True) -> int:
    """The editions of the config at ``path`` whose pre-send report runs SpamAssassin itself (the check is
    on, ``[email] spamassassin``, and no ``spamd`` is named): every edition (``digest run``), or only
    ``edition`` (``digest build --edition``; None: the default one)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError, RecursionError):
        return 0
    base = _table(data.get("email"))
    tables = _table_list(data.get("editions"))
    if not every_edition:
        if edition is None or edition == DEFAULT_EDITION:
            return int(_checks_itself(base))
        chosen = [t for t in tables if t.get("name") == edition]
        return int(_checks_itself({**base, **_table(chosen[0].get("email"))})) if chosen else 0
    emails = [base] + [{**base, **_table(t.get("email"))} for t in tables]
    return sum(1 for email in emails if _checks_itself(email))


def _checks_itself(email: dict[str, Any]) -> bool:
    return email.get("spamassassin", True) is not False and not email.get("spamd")


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _table_list(value: object) -> list[dict[str, Any]]:
    return [t for t in value if isinstance(t, dict)] if isinstance(value, list) else []
