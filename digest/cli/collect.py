"""Commands about the feeds: ``check``, ``collect``, ``feeds``, ``prune``."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING

import click

from digest.cli.base import EXIT_PARTIAL, EXIT_USER, Context, clock_from, echo, handles_errors, utcnow

if TYPE_CHECKING:
    from digest.models import CollectReport, FeedOutcome


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (docs/json/check.schema.json).")
@click.pass_obj
@handles_errors
def check(obj: Context, as_json: bool) -> None:
    """Validate the config and print what it will do.

    \b
    Example:
      digest --config config/demo.toml check
    """
    from digest.job.plan import describe_plan
    from digest.job.services.describe import describe_delivery
    from digest.settings.tags import require_merge_tag_values

    config = obj.config
    require_merge_tag_values(config)  # an email for smtp/webhook/files needs its unsubscribe link and address
    c = config.collect
    if as_json:
        from digest.cli.output import emit

        emit({"command": "check", "config": str(obj.config_path), "valid": True,
              "site": {"name": config.site.name, "url": config.site.url, "timezone": config.site.timezone},
              "store": str(config.store_path), "output": str(config.output_root()),
              "feeds": [{"name": f.label, "url": f.url,
                         "backfill_pages": c.backfill_pages if f.backfill_pages is None else f.backfill_pages}
                        for f in config.feeds],
              "mirrors": [{"host": m.host, "root": str(config.resolve(m.root))} for m in config.mirrors],
              "delivery": config.delivery.method, "merge_tags": config.email.describe_merge_tags(),
              "plan": describe_plan(config, utcnow(), count=2)})
        return
    echo(f"config: {obj.config_path} is valid")
    echo(f"site: {config.site.name} <{config.site.url}> (timezone {config.site.timezone})")
    echo(f"store: {config.store_path}")
    echo(f"output: {config.output_root()}")
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
    from digest.settings.editions import all_editions, archive_dir, edition_name, edition_root

    for edition in all_editions(config) if config.editions else ():
        sections = ", ".join(edition.select.sections or ["all sections"])
        echo(f"edition {edition_name(edition)}: {sections}; {edition.select.top_count} top, "
                   f"{edition.select.trending_count} trending; delivery {edition.delivery.method}; "
                   f"files in {edition_root(edition)}; merge tags: {edition.email.describe_merge_tags()}")
    if config.archive is not None:
        echo(f"archive: {archive_dir(config)} ({config.archive.base_url or 'no base_url'}; "
                   f"publish {config.archive.publish})")
    for note in config.email.palette.notes:
        echo(f"colours: {note}")
    for line in describe_plan(config, utcnow(), count=2):
        echo(line)


@click.command()
@click.option("--backfill", type=click.IntRange(0, 100), default=None,
              help="Read up to N older pages of each feed (?paged=2..) this time.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures; no progress display.")
@click.option("--verbose", "-v", is_flag=True, help="List every failed article page, not just the summary.")
@click.option("--now", "now_text", default=None,
              help="Record observations as of this local time (demos and replays), e.g. 2025-05-19T07:00.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (docs/json/collect.schema.json).")
@click.pass_obj
@handles_errors
def collect(obj: Context, backfill: int | None, quiet: bool, verbose: bool, now_text: str | None,
            as_json: bool) -> None:
    """Fetch every feed into the store and report per feed.

    On a terminal a progress line (feeds, article pages, the host being read) is drawn on
    stderr; cron, pipes and --quiet get none. Durations are real, even with --now.

    \b
    Example:
      digest collect --quiet        # from cron, every few hours
    """
    from digest.cli.output import TerminalProgress, collect_json, emit
    from digest.collect.collector import run_collect
    from digest.settings.editions import counts_clicks

    config = obj.config
    clock = clock_from(now_text, config)
    progress = TerminalProgress(enabled=False if quiet or as_json else None)
    with obj.store() as store:
        try:
            report = run_collect(config, store, clock, backfill_pages=backfill, progress=progress)
        finally:
            progress.close()
        entries = store.count("entries")
        fetched = []
        if counts_clicks(config):  # readers' clicks; a config with no source of them loads none of it
            from digest.job.clicks import collect_clicks

            fetched = collect_clicks(config, store, clock())
    if as_json:
        emit(collect_json(report, entries))
    else:
        echo(format_report(report, quiet=quiet, store_entries=entries))
        for line in page_lines(report, config.collect.max_page_fetches, verbose=verbose):
            echo(line)
        if report.trending_error:
            echo(f"warning: {report.trending_error}")
        elif report.trending_links and not quiet:
            echo(f"site trending list: {report.trending_links} links")
    for done in fetched:  # readers' clicks of the issues handed off lately ([report] days)
        if not done.ok or not quiet:
            echo(done.line if done.ok else f"warning: {done.line}", err=as_json)
    if report.all_failed:
        sys.exit(EXIT_USER)
    if report.failed:
        sys.exit(EXIT_PARTIAL)


def page_lines(report: CollectReport, budget: int, *, verbose: bool = False) -> list[str]:
    """What happened to article pages: failures by reason and host (each URL with -v), off-site
    links skipped, pages left for later."""
    from digest.cli.output import failure_summary

    lines = [f"{line} (those reviews stay unscored for now; the next collect retries)"
             for line in failure_summary(report.page_failures)]
    if verbose:
        lines += [f"  article page failed: {url}: {reason}" for url, reason in report.page_failures]
    elif report.page_failures:
        lines.append("  (-v lists each failed page)")
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
    seconds = report.seconds
    failed = len(report.failed)
    lines.append(
        f"{len(report.outcomes)} feeds, {failed} failed, "
        f"{sum(o.new for o in report.outcomes)} new entries; "
        f"{report.pages_fetched} article pages fetched, {len(report.page_failures)} failed; "
        f"{store_entries} in the store; {seconds:.1f}s"
    )
    return "\n".join(lines)


def _status(outcome: FeedOutcome) -> str:
    from digest.models import FeedStatus

    if outcome.failed:
        return f"FAILED: {outcome.error}"
    text = "unchanged (304)" if outcome.status == FeedStatus.NOT_MODIFIED else "ok"
    return text + (f" (warning: {outcome.warning})" if outcome.warning else "")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (docs/json/feeds.schema.json).")
@click.pass_obj
@handles_errors
def feeds(obj: Context, as_json: bool) -> None:
    """Show each feed's health: last success, last error, failures in a row (in the site's time).

    \b
    Example:
      digest feeds
    """
    config = obj.config
    tz = config.site.tz
    with obj.store(lock=False) as store:
        states = {s.url: s for s in store.feed_states()}

    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None

    if as_json:
        from digest.cli.output import emit

        rows = []
        for feed in config.feeds:
            state = states.get(feed.url)
            rows.append({"name": feed.label, "url": feed.url, "collected": state is not None,
                         "last_success": when(state.last_success) if state else None,
                         "last_error": state.last_error if state else None,
                         "last_error_at": when(state.last_error_at) if state else None,
                         "consecutive_failures": state.consecutive_failures if state else 0})
        emit({"command": "feeds", "timezone": config.site.timezone, "feeds": rows})
        return
    for feed in config.feeds:
        state = states.get(feed.url)
        if state is None:
            echo(f"{feed.label}: never collected")
            continue
        last = state.last_success
        ok = last.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z") if last else "never"
        line = f"{feed.label}: last success {ok}"
        if state.consecutive_failures:
            line += f"; {state.consecutive_failures} failures in a row, last: {state.last_error}"
        echo(line)


@click.command()
@click.option("--older-than", "days", type=click.IntRange(1, 36_500), default=None,  # settings.bounds.MAX_DAYS
              help="Age in days (default: store.observation_retention_days).")
@click.pass_obj
@handles_errors
def prune(obj: Context, days: int | None) -> None:
    """Drop old comment-count observations (each entry keeps its latest).

    \b
    Example:
      digest prune --older-than 90
    """
    from datetime import timedelta

    keep = days or obj.config.store.observation_retention_days
    with obj.store() as store:
        removed = store.prune_observations(utcnow() - timedelta(days=keep))
    echo(f"removed {removed} observations older than {keep} days")


