"""Upper bounds for the config's numbers: what the code can represent, not what taste allows.

A value that passes validation must never crash a command later: ``timedelta(days=10**10)``
overflows, a socket refuses a timeout past a few hundred million seconds, ``inf`` and ``nan``
are floats TOML can write. So every number in the models carries an upper bound from here,
generous enough that no real config meets it (tests/test_config_bounds.py walks the models and
fails on a number without one).
"""

from __future__ import annotations

import types
import typing
from pathlib import PurePath
from typing import Annotated, Any

import annotated_types
from pydantic import BaseModel, Field

# A century: ``now - timedelta(days=...)`` stays far inside datetime's range.
MAX_DAYS = 36_500
MAX_HOURS = MAX_DAYS * 24
# Timeouts, waits and delays: at most a day (a job holding the store longer is stuck, not slow).
DAY_SECONDS = 86_400
# A pause between two requests to one host: an hour is already a collect that never ends.
HOUR_SECONDS = 3_600
# How late a missed scheduled run may still start: a week, the newsletter's own period.
WEEK_SECONDS = 7 * 86_400
# A feed or page bigger than a gigabyte is not one we can hold in memory to parse.
MAX_BYTES = 1_000_000_000
# A count of reviews or issues, far above any newsletter's.
MAX_COUNT = 1_000
# A trending signal's weight: they are relative, so a thousand to one says all there is to say.
MAX_WEIGHT = 1_000.0
# A mailing service's id: services store them as signed 64-bit integers (JSON numbers).
MAX_ID = 2**63 - 1

ServiceId = Annotated[int, Field(ge=1, le=MAX_ID)]
SectionCap = Annotated[int, Field(ge=0, le=MAX_COUNT)]


def allowed_range(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The range a number at ``loc`` in ``model`` may take, like ``1 to 36500``, for a message
    that says what would be accepted; None where ``loc`` names no bounded number."""
    annotation: Any = model
    metadata: list[Any] = []
    for part in loc:
        annotation, metadata = _step(annotation, part)
        if annotation is None:
            return None
    lower = next((f"more than {_number(m.gt)}" for m in metadata if isinstance(m, annotated_types.Gt)), None)
    lower = lower or next((_number(m.ge) for m in metadata if isinstance(m, annotated_types.Ge)), None)
    upper = next((_number(m.le) for m in metadata if isinstance(m, annotated_types.Le)), None)
    if upper is None:
        return None
    if lower is None:
        return f"at most {upper}"
    return f"{lower}, at most {upper}" if lower.startswith("more") else f"{lower} to {upper}"


def _number(value: Any) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _step(annotation: Any, part: Any) -> tuple[Any, list[Any]]:
    """One step down ``loc``: into a model's field, a list's item or a table's value."""
    annotation, metadata = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields
        field = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        if field is None:
            return None, []
        inner, more = _unwrap(field.annotation)
        return inner, [*field.metadata, *more]
    if typing.get_origin(annotation) is list and isinstance(part, int):
        return _unwrap(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is dict:
        return _unwrap(typing.get_args(annotation)[1])
    return None, []


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """``X | None`` is X; ``Annotated[X, Field(...)]`` is X with the field's constraints."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            for item in extra:
                metadata += getattr(item, "metadata", [item])
            annotation = base
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation, metadata
            annotation = options[0]
        else:
            return annotation, metadata


def unusable_paths(model: BaseModel, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Locations of paths holding a control character: the OS refuses a NUL byte with a ValueError
    (a traceback at the first ``open``), and a newline in a file name is a mistake, not a wish."""
    found: list[tuple[Any, ...]] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = (*loc, field.alias or name)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = key if index is None else (*key, index)
            if isinstance(item, BaseModel):
                found += unusable_paths(item, where)
            elif isinstance(item, PurePath) and any(ord(c) < 32 or ord(c) == 127 for c in str(item)):
                found.append(where)
    return found
