"""What a service answered, checked before an adapter trusts it.

A service (or whatever answers at its address) may return a 200 whose JSON is not what its
reference promises: a list where an object was due, no ``id``, an id that is a path. An adapter
reads its answers only through these helpers, so a wrong shape is one ServiceError naming the
service, the step and what was missing, never a KeyError traceback. The error's status is None
and it is retryable: the request itself may have taken effect (a create made the draft), so
the state machine looks for it next run rather than making a second.

Ids go into request paths and web addresses, so an id is only letters, digits, ``-``, ``_``
(and dots, for nothing else); status words and remarks go into messages, so they are one short
line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from digest.services.client import Api, ServiceError

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def _wrong(api: Api, step: str, what: str) -> ServiceError:
    label = api.service
    return ServiceError(
        step,
        f"{label} answered HTTP {api.last_status} without {what}, which its API promises; "
        "the next run tries again (if this persists, check base_url points at the service's API)",
        retry=True,
    )


def obj(api: Api, step: str, data: Any, path: str = "") -> Mapping[str, Any]:
    """The JSON object at ``path`` (dotted, "" for the answer itself)."""
    here: Any = data
    for part in [p for p in path.split(".") if p]:
        if not isinstance(here, Mapping):
            break
        here = here.get(part)
    if not isinstance(here, Mapping):
        raise _wrong(api, step, f"an object at '{path}'" if path else "a JSON object")
    return here


def ident(api: Api, step: str, data: Any, key: str = "id") -> str:
    """The id under ``key`` of the object ``data``: a string or a number, safe in a URL path."""
    value = obj(api, step, data).get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _wrong(api, step, f"an '{key}'")
    text = str(value)
    if not _ID.match(text):
        raise _wrong(api, step, f"a usable '{key}' (letters, digits, '-', '_' only)")
    return text


def word(api: Api, step: str, data: Any, key: str, default: str = "", *, required: bool = False) -> str:
    """A short text (a status): absent is ``default`` (a wrong shape when ``required``); anything but
    text is a wrong shape."""
    value = obj(api, step, data).get(key)
    if value is None or (required and value == ""):
        if required:
            raise _wrong(api, step, f"a '{key}'")
        return default
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _wrong(api, step, f"a text '{key}'")
    return line(str(value), 40)


def records(api: Api, step: str, data: Any, key: str) -> list[Mapping[str, Any]]:
    """The list of objects under ``key`` (absent or null: none); entries that are not objects are skipped."""
    if data is None:
        return []
    value = obj(api, step, data).get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _wrong(api, step, f"a list at '{key}'")
    return [item for item in value if isinstance(item, Mapping)]


def line(text: str, limit: int = 200) -> str:
    """Untrusted text made one short line: no control characters, no line breaks."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:limit]
