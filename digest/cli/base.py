"""Shared pieces of the command line: exit codes, the error translator, the context."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from digest.errors import (
    ArchiveError,
    CollectError,
    ConfigError,
    DeliveryError,
    DigestError,
    LintError,
    LockError,
    SourceError,
    StoreError,
    StoreFullError,
    ThinWeekError,
    UsageError,
)

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

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


# What a ``--json`` error's ``code`` is, by the error's class (the first match, most specific first),
# and what to do about it when the message itself may not say.
_KINDS: tuple[tuple[type[DigestError], str, int, str | None], ...] = (
    (ThinWeekError, "thin-week", EXIT_THIN,
     "wait for more scored reviews, or build anyway with `digest build --build-thin`"),
    (LockError, "locked", EXIT_LOCKED, "wait for the other digest run to finish, then run the command again"),
    (StoreFullError, "store-full", EXIT_DISK_FULL,
     "free disk space (or raise the file-size limit) and run again; nothing was lost"),
    (ConfigError, "config", EXIT_USER,
     "fix the file or key named in the message; `digest check` checks the config"),
    (UsageError, "usage", EXIT_USER, "`digest <command> --help` lists the options and their formats"),
    (StoreError, "store", EXIT_USER, None),
    (LintError, "lint", EXIT_USER, None),
    (DeliveryError, "delivery", EXIT_USER,
     "the issue stays built; the next `digest run` tries to deliver it again"),
    (ArchiveError, "archive", EXIT_USER, None),
    (CollectError, "collect", EXIT_USER, "`digest feeds` shows each feed's last success and error"),
    (SourceError, "source", EXIT_USER, None),
    (DigestError, "error", EXIT_USER, None),
)
ERROR_SCHEMA = "digest/error/1"  # docs/json/error.schema.json
_HOLD = "digest.json-hold"  # ctx.meta: a --json command runs; its document waits for the outcome
_HELD = "digest.json-held"  # ctx.meta: that document


def error_kind(exc: DigestError) -> tuple[str, int, str | None]:
    """``(code, exit code, hint)`` for an error: what --json prints and the process exits with."""
    return next((code, status, hint) for cls, code, status, hint in _KINDS if isinstance(exc, cls))


def print_json(document: dict[str, Any]) -> None:
    """Print a ``--json`` document, or hold it until the command ends (see :func:`handles_errors`).

    Held so that stdout is always one document: a command that fails after making its own (``run``
    whose delivery failed) prints the error document with its own inside, never two documents.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_HOLD):
        ctx.meta[_HELD] = document
        return
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True))


def _release(ctx: click.Context | None) -> dict[str, Any] | None:
    if ctx is None:
        return None
    ctx.meta[_HOLD] = False
    held: dict[str, Any] | None = ctx.meta.pop(_HELD, None)
    return held


def emit_error(code: str, message: str, hint: str | None, status: int, command: str | None = None,
               document: dict[str, Any] | None = None) -> None:
    """The one ``--json`` error document on stdout (docs/json/error.schema.json).

    ``document`` is the command's own, when it made one before failing (which editions ``run`` built).
    """
    ctx = click.get_current_context(silent=True)
    if command is None and ctx is not None and ctx.parent is not None:
        command = ctx.info_name
    error: dict[str, Any] = {"schema": ERROR_SCHEMA, "command": command,
                             "error": {"code": code, "message": terminal_safe(message), "hint": hint,
                                       "exit": status}}
    if document is not None:
        error["document"] = document
    click.echo(json.dumps(error, indent=2, ensure_ascii=False, sort_keys=True))


def now_note(now_text: str | None, config: Config) -> str | None:
    """For ``--now 2025-05-19`` (a date, no time): the time it was taken as, so nobody is surprised
    that the week or the build time is not what they meant."""
    if not now_text:
        return None
    from datetime import date

    try:
        date.fromisoformat(now_text.strip())
    except ValueError:
        return None  # a time is given (or the text is refused by parse_now, with its own message)
    from digest.weeks import parse_now

    taken = parse_now(now_text, config.site.tz).astimezone(config.site.tz)
    return f"--now {now_text.strip()} has no time of day: taken as {taken:%a %Y-%m-%d %H:%M %Z}"


def handles_errors(func: F) -> F:
    """Turn DigestError into a one-line message (a JSON error document under ``--json``) and the
    documented exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json"))
        ctx = click.get_current_context(silent=True)
        if as_json and ctx is not None:
            ctx.meta[_HOLD] = True
        try:
            result = func(*args, **kwargs)
        except DigestError as exc:
            code, status, hint = error_kind(exc)
            if as_json:
                emit_error(code, str(exc), hint, status, document=_release(ctx))
            else:
                echo(f"{'stopped' if isinstance(exc, ThinWeekError) else 'error'}: {exc}", err=True)
            sys.exit(status)
        except SystemExit:  # a command's own exit code (collect: 3 some feeds failed): its document stands
            held = _release(ctx)
            if held is not None:
                print_json(held)
            raise
        held = _release(ctx)
        if held is not None:
            print_json(held)
        return result

    return wrapper  # type: ignore[return-value]


def subcommand_config(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """``digest check --config X``: the subcommand's ``--config`` wins over the group's."""
    if value is None:
        return
    found = ctx.find_object(Context)
    if found is None:
        ctx.obj = Context(value)
    else:
        found.use_config(value)


CONFIG_HELP = "The TOML config file (also accepted before the command name)."


def config_option() -> click.Option:
    """``--config`` for a subcommand, added to every command on the group (``digest.cli.main``)."""
    return click.Option(["--config"], type=click.Path(dir_okay=False, path_type=Path), default=None,
                        expose_value=False, callback=subcommand_config, help=CONFIG_HELP)


class Context:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    def use_config(self, path: Path) -> None:
        """Read ``path`` instead (a subcommand's ``--config``)."""
        self.config_path = path
        self._config = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from digest.settings.config import load_config  # pydantic: only for commands that need it

            self._config = load_config(self.config_path)
        return self._config

    @contextmanager
    def store(self, *, lock: bool = True) -> Iterator[Store]:
        from digest.store.lock import open_store

        with open_store(self.config.store_path, lock=lock) as store:
            yield store


def serve_until_stopped(server: ThreadingHTTPServer) -> None:
    """Serve ``server`` until Ctrl-C or SIGTERM (a service manager's stop), then say so and close it
    (``preview`` and ``desk``: closing the desk writes the last change's build, which waits for a quiet
    moment)."""
    import signal

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
