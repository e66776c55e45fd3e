"""How a TOML file's validation errors read to the editor: ``file: key (line N): what is wrong``.

pydantic's own words name types and constraints; an editor needs the key, its line, and for a number
out of bounds the range it may take. The config passes its range lookup (``ranges``); an issue file,
whose model has no config ranges, passes none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from digest.settings.tomlfile import describe

Ranges = Callable[[tuple[Any, ...]], str | None]  # the allowed range of the number at a key's location
_BOUND_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def describe_validation_error(path: Path, text: str, exc: ValidationError, ranges: Ranges | None = None) -> str:
    """Every error of ``exc``, one line each, located in ``text``."""
    return "\n".join(describe(path, text, tuple(err["loc"]), message(err, ranges)) for err in exc.errors())


def message(err: Any, ranges: Ranges | None = None) -> str:
    """One pydantic error in the editor's words; a number out of bounds says its range (from ``ranges``)."""
    if err["type"] == "extra_forbidden":
        return "unknown key (check the spelling)"
    if err["type"] == "missing":
        return "required key is missing"
    if ranges is not None and err["type"] in _BOUND_ERRORS and (allowed := ranges(tuple(err["loc"]))):
        return f"{err['msg']} (allowed: {allowed})"
    return str(err["msg"])
