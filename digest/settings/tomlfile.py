"""Reading a TOML file an editor wrote (the config, an issue file) without a traceback, and saying
where in it a key is (``file: key (line N): message``).

``tomllib`` parses nested arrays and inline tables by recursion, so ``a = [[[[...]]]]`` a few
thousand levels deep raises RecursionError, not TOMLDecodeError; and a depth just short of that
reaches the models, whose validation and dumping recurse too. Nothing a digest file holds goes
more than a few levels deep, so anything past :data:`MAX_DEPTH` is refused with the line it is on.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from digest.errors import ConfigError

__all__ = ["MAX_DEPTH", "describe", "read_toml"]

# The deepest real key is about five levels (editions[0].delivery.notify.smtp.to[0]).
MAX_DEPTH = 32
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


def read_toml(path: Path, text: str) -> dict[str, Any]:
    """Parse ``text`` (read from ``path``); ConfigError names the line of what cannot be read."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(_too_deep(path, text, None)) from None
    loc = _deeper_than(data, MAX_DEPTH)
    if loc is not None:
        raise ConfigError(_too_deep(path, text, loc))
    return data


def _too_deep(path: Path, text: str, loc: tuple[Any, ...] | None) -> str:
    line = _deepest_line(text)
    if loc is not None:
        where = _dotted(loc[:3]) + ("..." if len(loc) > 3 else "")
    else:
        match = _KEY.match(text.splitlines()[line - 1]) if text.splitlines() else None
        where = match.group(1).strip() if match else "a value"
    return (f"{path}: {where} (line {line}): arrays or tables nested more than {MAX_DEPTH} levels deep; "
            "a digest file needs a few levels at most: write the value flat")


def _deeper_than(data: Any, limit: int) -> tuple[Any, ...] | None:
    """The location of a value nested deeper than ``limit``, without recursing."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if len(loc) > limit:
            return loc
        if isinstance(value, dict):
            stack += [(v, (*loc, k)) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(v, (*loc, i)) for i, v in enumerate(value)]
    return None


def _deepest_line(text: str) -> int:
    """1-based line where brackets and braces (outside strings and comments) open deepest."""
    depth = best = 0
    best_line = line = 1
    index, size = 0, len(text)
    quote: str | None = None
    while index < size:
        char = text[index]
        if quote is not None:
            if char == "\\" and quote in ('"', '"""'):
                index += 2
                continue
            if text.startswith(quote, index):
                index += len(quote)
                quote = None
                continue
            line += char == "\n"
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote)
            continue
        elif char == "#":
            end = text.find("\n", index)
            index = size if end < 0 else end
            continue
        elif char in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "\n":
            line += 1
        index += 1
    return best_line


# -- saying where a key is -------------------------------------------------------------------------

def describe(path: Path, text: str, loc: tuple[Any, ...], message: str) -> str:
    """``file: key (line N): message``."""
    key = _dotted(loc)
    line = _line_of(text, loc)
    where = f"{key} (line {line})" if line else key
    return f"{path}: {where}: {message}"


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number of the key at ``loc`` in the TOML text.

    Walks the location: ``[table]`` and ``[[array]]`` headers (the n-th one for
    an index), else the ``key =`` line that holds the value (an inline table or
    a list of values), so every message can point at a line.
    """
    lines = text.splitlines()
    start, table, found = 0, [], None
    parts = list(loc)
    while parts:
        name = str(parts.pop(0))
        index = parts.pop(0) if parts and isinstance(parts[0], int) else None
        table.append(name)
        header = _find_header(lines, start, ".".join(table), index)
        if header is not None:
            start, found = header + 1, header + 1
            if index is not None:
                table = [name]  # [[feeds]]'s keys follow; its sub-tables are [feeds.sub]
            continue
        key = _find_key(lines, start, name)
        if key is not None:
            return key  # the value (scalar, list or inline table) sits on this line
        if parts and isinstance(parts[0], str):  # [[approval.people]] with no [approval] header of its own
            continue
        return found
    return found


def _find_header(lines: list[str], start: int, dotted: str, index: int | None) -> int | None:
    pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(dotted)}\s*\]\]?\s*(#.*)?$")
    seen = -1
    for number in range(start, len(lines)):
        if pattern.match(lines[number]):
            seen += 1
            if index is None or seen == index:
                return number
    return None


def _find_key(lines: list[str], start: int, name: str) -> int | None:
    """The ``name =`` line in the table that starts at ``start`` (before the next header)."""
    key = re.compile(rf"^\s*\"?{re.escape(name)}\"?\s*=")
    for number in range(start, len(lines)):
        if number > start and start and lines[number].lstrip().startswith("["):
            break
        if key.match(lines[number]):
            return number + 1
    return None
