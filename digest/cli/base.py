"""Shared pieces of the command line: exit codes, the error translator, the context."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from digest.errors import DigestError, LockError, StoreFullError, ThinWeekError

if TYPE_CHECKING:
    from digest.settings.config import Config
    from digest.store.database import Store

EXIT_OK, EXIT_BUG, EXIT_USER, EXIT_PARTIAL, EXIT_LOCKED, EXIT_THIN, EXIT_DISK_FULL = 0, 1, 2, 3, 4, 5, 6
F = TypeVar("F", bound=Callable[..., Any])


# C0 controls but newline and tab, DEL, C1 controls (ESC and CSI start terminal escape sequences),
# and the bidi controls that make a line read differently from what it holds.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text with nothing a terminal would act on: feed titles and server replies are printed."""
    return _TERMINAL_UNSAFE.sub("", text)


def echo(message: object = "", *, err: bool = False) -> None:
    """``click.echo`` for lines that may hold untrusted text (titles, reasons, URLs)."""
    click.echo(terminal_safe(str(message)), err=err)


def utcnow() -> datetime:
    return datetime.now(UTC)


def clock_from(now_text: str | None, config: Config) -> Callable[[], datetime]:
    """A fixed clock for ``--now``; the real one otherwise."""
    if not now_text:
        return utcnow
    from digest.weeks import parse_now

    fixed = parse_now(now_text, config.site.tz)
    return lambda: fixed


def handles_errors(func: F) -> F:
    """Turn DigestError into a one-line message and the documented exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ThinWeekError as exc:
            echo(f"stopped: {exc}", err=True)
            sys.exit(EXIT_THIN)
        except LockError as exc:
            echo(f"error: {exc}", err=True)
            sys.exit(EXIT_LOCKED)
        except StoreFullError as exc:
            echo(f"error: {exc}", err=True)
            sys.exit(EXIT_DISK_FULL)
        except DigestError as exc:
            echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USER)

    return wrapper  # type: ignore[return-value]


class Context:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from digest.settings.config import load_config  # pydantic: only for commands that need it

            self._config = load_config(self.config_path)
        return self._config

    @contextmanager
    def store(self, *, lock: bool = True) -> Iterator[Store]:
        from digest.store.database import Store
        from digest.store.lock import StoreLock

        path = self.config.store_path
        if lock:
            with StoreLock(path), Store.open(path) as store:
                yield store
        else:
            with Store.open(path) as store:
                yield store
