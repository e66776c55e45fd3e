"""Reading a TOML file an editor wrote (the config, an issue file) without a traceback.

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

__all__ = ["MAX_DEPTH", "read_toml"]

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


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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
