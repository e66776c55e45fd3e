"""Commands about the feeds: ``check``, ``collect``, ``feeds``, ``prune``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from digest.cli.base import EXIT_PARTIAL, EXIT_USER, Context, clock_from, echo, handles_errors, utcnow

if TYPE_CHECKING:
    from digest.models import CollectReport, FeedOutcome


@click.command()
@click.pass_obj
@handles_errors
def check(obj: Context) -> None:
    """Validate the config and print what it will do."""
    from digest.job.plan import describe_plan
    from digest.job.services.describe import describe_delivery

    config = obj.config
    echo(f"config: {obj.config_path} is valid")
    echo(f"site: {config.site.name} <{config.site.url}> (timezone {config.site.timezone})")
    echo(f"store: {config.store_path}")
    c = config.collect
    echo(
        f"collect: {len(config.feeds)} feeds, {c.concurrency} at a time "
        f"({c.per_host_concurrency} per host, {c.per_host_delay:g}s apart); timeouts "
        f"{c.connect_timeout:g}s connect / {c.read_timeout:g}s read / {c.deadline:g}s overall; "
        f"max {c.max_bytes / 1e6:g} MB; backfill up to {c.backfill_pages} pages or "
        f"{c.backfill_max_age_days} days"
    )
    from digest.collect.policy import FetchPolicy, describe_origins

    echo(f"article pages: only from {describe_origins(FetchPolicy.from_config(config).origins)}; at most "
         f"{c.max_page_fetches} per collect; at most {c.max_items_per_feed} items kept per feed")
    for feed in config.feeds:
        depth = feed.backfill_pages if feed.backfill_pages is not None else c.backfill_pages
        echo(f"  - {feed.label}: {feed.url} (backfill {depth} pages)")
    for mirror in config.mirrors:
        echo(f"mirror: {mirror.host} answered from {config.resolve(mirror.root)}")
    for line in describe_delivery(config):
        echo(line)
    for line in describe_plan(config, utcnow(), count=2):
        echo(line)


@click.command()
@click.option("--backfill", type=click.IntRange(0, 100), default=None,
              help="Read up to N older pages of each feed (?paged=2..) this time.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures.")
@click.option("--now", "now_text", default=None,
              help="Record observations as of this local time (demos and replays), e.g. 2025-05-19T07:00.")
@click.pass_obj
@handles_errors
def collect(obj: Context, backfill: int | None, quiet: bool, now_text: str | None) -> None:
    """Fetch every feed into the store and report per feed."""
    from digest.collect.collector import run_collect

    config = obj.config
    clock = clock_from(now_text, config)
    with obj.store() as store:
        show_bar = len(config.feeds) > 5 and sys.stderr.isatty() and not quiet
        if show_bar:
            with click.progressbar(length=len(config.feeds), label="collecting",
                                   file=sys.stderr) as bar:
                report = run_collect(config, store, clock, backfill_pages=backfill,
                                     on_feed=lambda _o: bar.update(1))
        else:
            report = run_collect(config, store, clock, backfill_pages=backfill)
        echo(format_report(report, quiet=quiet, store_entries=store.count("entries")))
        for line in page_lines(report, config.collect.max_page_fetches):
            echo(line)
        if report.trending_error:
            echo(f"warning: {report.trending_error}")
        elif report.trending_links:
            echo(f"site trending list: {report.trending_links} links")
    if report.all_failed:
        sys.exit(EXIT_USER)
    if report.failed:
        sys.exit(EXIT_PARTIAL)


def page_lines(report: CollectReport, budget: int) -> list[str]:
    """What happened to article pages: failures, off-site links skipped, pages left for later."""
    lines = [f"article page failed (review left unscored for now): {url}: {reason}"
             for url, reason in report.page_failures]
    lines += [f"article page {reason}: {url}" for url, reason in report.page_skipped]
    if report.pages_deferred:
        lines.append(f"{report.pages_deferred} article pages deferred to the next collect "
                     f"(collect.max_page_fetches = {budget}; oldest fetched first)")
    return lines


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
        f"{report.pages_fetched} article pages fetched, {len(report.page_failures)} failed; "
        f"{store_entries} in the store; {seconds:.1f}s"
    )
    return "\n".join(lines)


def _status(outcome: FeedOutcome) -> str:
    if outcome.failed:
        return f"FAILED: {outcome.error}"
    text = "unchanged (304)" if outcome.status == "not-modified" else "ok"
    return text + (f" (warning: {outcome.warning})" if outcome.warning else "")


@click.command()
@click.pass_obj
@handles_errors
def feeds(obj: Context) -> None:
    """Show each feed's health: last success, last error, failures in a row."""
    with obj.store(lock=False) as store:
        states = {s.url: s for s in store.feed_states()}
    for feed in obj.config.feeds:
        state = states.get(feed.url)
        if state is None:
            echo(f"{feed.label}: never collected")
            continue
        ok = state.last_success.isoformat() if state.last_success else "never"
        line = f"{feed.label}: last success {ok}"
        if state.consecutive_failures:
            line += f"; {state.consecutive_failures} failures in a row, last: {state.last_error}"
        echo(line)


@click.command()
@click.option("--older-than", "days", type=click.IntRange(1), default=None,
              help="Age in days (default: store.observation_retention_days).")
@click.pass_obj
@handles_errors
def prune(obj: Context, days: int | None) -> None:
    """Drop old comment-count observations (each entry keeps its latest)."""
    from datetime import timedelta

    keep = days or obj.config.store.observation_retention_days
    with obj.store() as store:
        removed = store.prune_observations(utcnow() - timedelta(days=keep))
    echo(f"removed {removed} observations older than {keep} days")


