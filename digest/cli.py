"""The ``digest`` command: a thin translator from the core to messages and exit codes.

Exit codes (documented in README): 0 all fine; 1 an unexpected bug;
2 bad config or usage, or every feed failed; 3 some feeds failed;
4 another run holds the store.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from digest.collect import run_collect
from digest.config import DEFAULT_CONFIG, Config, load_config
from digest.errors import DigestError, LockError
from digest.lock import StoreLock
from digest.models import CollectReport, FeedOutcome
from digest.store import Store

EXIT_OK, EXIT_BUG, EXIT_USER, EXIT_PARTIAL, EXIT_LOCKED = 0, 1, 2, 3, 4
F = TypeVar("F", bound=Callable[..., Any])


def _utcnow() -> datetime:
    return datetime.now(UTC)


def handles_errors(func: F) -> F:
    """Turn DigestError into a one-line message and the documented exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LockError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_LOCKED)
        except DigestError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USER)

    return wrapper  # type: ignore[return-value]


class Context:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @contextmanager
    def store(self, *, lock: bool = True) -> Iterator[Store]:
        path = self.config.store_path
        if lock:
            with StoreLock(path), Store.open(path) as store:
                yield store
        else:
            with Store.open(path) as store:
                yield store


@click.group()
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    default=lambda: os.environ.get("DIGEST_CONFIG", str(DEFAULT_CONFIG)),
    show_default="config/digest.toml or $DIGEST_CONFIG",
    help="The TOML config file.",
)
@click.version_option(package_name="digest")
@click.pass_context
def main(ctx: click.Context, config_path: Path) -> None:
    """Build a review site's weekly newsletter from its feeds."""
    ctx.obj = Context(config_path)


@main.command()
@click.pass_obj
@handles_errors
def check(obj: Context) -> None:
    """Validate the config and print what it will do."""
    config = obj.config
    click.echo(f"config: {obj.config_path} is valid")
    click.echo(f"site: {config.site.name} <{config.site.url}> (timezone {config.site.timezone})")
    click.echo(f"store: {config.store_path}")
    c = config.collect
    click.echo(
        f"collect: {len(config.feeds)} feeds, {c.concurrency} at a time "
        f"({c.per_host_concurrency} per host, {c.per_host_delay:g}s apart); timeouts "
        f"{c.connect_timeout:g}s connect / {c.read_timeout:g}s read / {c.deadline:g}s overall; "
        f"max {c.max_bytes / 1e6:g} MB; backfill up to {c.backfill_pages} pages or "
        f"{c.backfill_max_age_days} days"
    )
    for feed in config.feeds:
        depth = feed.backfill_pages if feed.backfill_pages is not None else c.backfill_pages
        click.echo(f"  - {feed.label}: {feed.url} (backfill {depth} pages)")
    for mirror in config.mirrors:
        click.echo(f"mirror: {mirror.host} answered from {config.resolve(mirror.root)}")


@main.command()
@click.option("--backfill", type=click.IntRange(0, 100), default=None,
              help="Read up to N older pages of each feed (?paged=2..) this time.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures.")
@click.pass_obj
@handles_errors
def collect(obj: Context, backfill: int | None, quiet: bool) -> None:
    """Fetch every feed into the store and report per feed."""
    config = obj.config
    with obj.store() as store:
        show_bar = len(config.feeds) > 5 and sys.stderr.isatty() and not quiet
        if show_bar:
            with click.progressbar(length=len(config.feeds), label="collecting",
                                   file=sys.stderr) as bar:
                report = run_collect(config, store, _utcnow, backfill_pages=backfill,
                                     on_feed=lambda _o: bar.update(1))
        else:
            report = run_collect(config, store, _utcnow, backfill_pages=backfill)
        click.echo(format_report(report, quiet=quiet, store_entries=store.count("entries")))
    if report.all_failed:
        sys.exit(EXIT_USER)
    if report.failed:
        sys.exit(EXIT_PARTIAL)


def format_report(report: CollectReport, *, quiet: bool, store_entries: int) -> str:
    rows = [o for o in report.outcomes if o.failed or not quiet]
    lines = []
    if rows:
        width = min(max(len(o.name) for o in rows), 40)
        lines.append(f"{'feed':<{width}}  {'new':>4} {'upd':>4} {'same':>4} {'pages':>5}  status")
        for o in rows:
            lines.append(
                f"{o.name[:width]:<{width}}  {o.new:>4} {o.updated:>4} {o.unchanged:>4} "
                f"{o.pages:>5}  {_status(o)}"
            )
    seconds = (report.finished - report.started).total_seconds()
    failed = len(report.failed)
    lines.append(
        f"{len(report.outcomes)} feeds, {failed} failed, "
        f"{sum(o.new for o in report.outcomes)} new entries; "
        f"{store_entries} in the store; {seconds:.1f}s"
    )
    return "\n".join(lines)


def _status(outcome: FeedOutcome) -> str:
    if outcome.failed:
        return f"FAILED: {outcome.error}"
    text = "unchanged (304)" if outcome.status == "not-modified" else "ok"
    return text + (f" (warning: {outcome.warning})" if outcome.warning else "")


@main.command()
@click.pass_obj
@handles_errors
def feeds(obj: Context) -> None:
    """Show each feed's health: last success, last error, failures in a row."""
    with obj.store(lock=False) as store:
        states = {s.url: s for s in store.feed_states()}
    for feed in obj.config.feeds:
        state = states.get(feed.url)
        if state is None:
            click.echo(f"{feed.label}: never collected")
            continue
        ok = state.last_success.isoformat() if state.last_success else "never"
        line = f"{feed.label}: last success {ok}"
        if state.consecutive_failures:
            line += f"; {state.consecutive_failures} failures in a row, last: {state.last_error}"
        click.echo(line)


@main.command()
@click.option("--older-than", "days", type=click.IntRange(1), default=None,
              help="Age in days (default: store.observation_retention_days).")
@click.pass_obj
@handles_errors
def prune(obj: Context, days: int | None) -> None:
    """Drop old comment-count observations (each entry keeps its latest)."""
    keep = days or obj.config.store.observation_retention_days
    with obj.store() as store:
        removed = store.prune_observations(_utcnow() - timedelta(days=keep))
    click.echo(f"removed {removed} observations older than {keep} days")
