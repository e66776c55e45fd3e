"""The ``digest`` command: a thin translator from the core to messages and exit codes.

Exit codes (documented in README): 0 all fine; 1 an unexpected bug;
2 bad config or usage, or every feed failed; 3 some feeds failed;
4 another run holds the store; 5 a thin week (too few scored reviews).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import click

from digest.build import choose
from digest.cli_base import (
    EXIT_PARTIAL,
    EXIT_USER,
    Context,
    handles_errors,
    utcnow,
)
from digest.cli_email import lint, preview
from digest.cli_job import run, schedule, send_test
from digest.collect import run_collect
from digest.config import DEFAULT_CONFIG, Config
from digest.editor import EditorChoices, parse_pin
from digest.errors import DigestError
from digest.manifest import build_manifest, format_manifest, load_manifest
from digest.models import CollectReport, FeedOutcome
from digest.reviews import ReviewRules, reviews_in_window
from digest.schedule import describe_plan
from digest.urls import canonical_url
from digest.weeks import last_full_week, parse_now, parse_week


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
    click.echo(f"delivery: {config.delivery.method}")
    for line in describe_plan(config, utcnow(), count=2):
        click.echo(line)


@main.command()
@click.option("--backfill", type=click.IntRange(0, 100), default=None,
              help="Read up to N older pages of each feed (?paged=2..) this time.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures.")
@click.option("--now", "now_text", default=None,
              help="Record observations as of this local time (demos and replays), e.g. 2025-05-19T07:00.")
@click.pass_obj
@handles_errors
def collect(obj: Context, backfill: int | None, quiet: bool, now_text: str | None) -> None:
    """Fetch every feed into the store and report per feed."""
    config = obj.config
    clock = _clock(now_text, config)
    with obj.store() as store:
        show_bar = len(config.feeds) > 5 and sys.stderr.isatty() and not quiet
        if show_bar:
            with click.progressbar(length=len(config.feeds), label="collecting",
                                   file=sys.stderr) as bar:
                report = run_collect(config, store, clock, backfill_pages=backfill,
                                     on_feed=lambda _o: bar.update(1))
        else:
            report = run_collect(config, store, clock, backfill_pages=backfill)
        click.echo(format_report(report, quiet=quiet, store_entries=store.count("entries")))
        for url, reason in report.page_failures:
            click.echo(f"article page failed (review left unscored for now): {url}: {reason}")
        if report.trending_error:
            click.echo(f"warning: {report.trending_error}")
        elif report.trending_links:
            click.echo(f"site trending list: {report.trending_links} links")
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
        f"{report.pages_fetched} article pages fetched, {len(report.page_failures)} failed; "
        f"{store_entries} in the store; {seconds:.1f}s"
    )
    return "\n".join(lines)


def _status(outcome: FeedOutcome) -> str:
    if outcome.failed:
        return f"FAILED: {outcome.error}"
    text = "unchanged (304)" if outcome.status == "not-modified" else "ok"
    return text + (f" (warning: {outcome.warning})" if outcome.warning else "")


@main.command()
@click.option("--week", default=None, help="ISO week like 2025-W19 (default: the week that just ended).")
@click.option("--now", "now_text", default=None, help="Pretend it is this local time, e.g. 2025-05-12T08:00.")
@click.option("--all", "show_all", is_flag=True, help="Also list posts that are not reviews.")
@click.pass_obj
@handles_errors
def reviews(obj: Context, week: str | None, now_text: str | None, show_all: bool) -> None:
    """List a week's reviews with score, where it was found, and section."""
    config = obj.config
    tz = config.site.tz
    now = parse_now(now_text, tz) if now_text else utcnow()
    chosen = parse_week(week) if week else last_full_week(now, tz)
    start, end = chosen.window(tz)
    with obj.store(lock=False) as store:
        found = reviews_in_window(store, ReviewRules.from_config(config), start, end)
    shown = [r for r in found if r.is_review or show_all]
    scored = sum(1 for r in found if r.score is not None)
    total = sum(1 for r in found if r.is_review)
    click.echo(f"{chosen} ({start.astimezone(tz):%a %d %b} to {end.astimezone(tz):%a %d %b %Y}, "
               f"{config.site.timezone}): {total} reviews, {scored} scored")
    for r in shown:
        when = r.published.astimezone(tz).strftime("%a %d %H:%M")
        if r.score is not None:
            score = f"{r.score.value:>4.1f}  {r.score.raw[:24]!r:<26} {r.score.source:<14}"
        elif r.is_review:
            score = f"{'-':>4}  {'unscored':<26} {'':<14}"
        else:
            score = f"{'':>4}  {'(not a review)':<26} {'':<14}"
        click.echo(f"{when}  {r.section[:11]:<11}  {score}  {r.title[:70]}")
        if r.is_review and r.score is None and r.unscored_reason:
            click.echo(f"{'':>13}why unscored: {r.unscored_reason}")


def _clock(now_text: str | None, config: Config) -> Callable[[], datetime]:
    """A fixed clock for ``--now``; the real one otherwise."""
    if not now_text:
        return utcnow
    fixed = parse_now(now_text, config.site.tz)
    return lambda: fixed


def _choices(pins: tuple[str, ...], drops: tuple[str, ...], note: str | None) -> EditorChoices:
    return EditorChoices(
        pins=tuple(parse_pin(p) for p in pins),
        drops=tuple(canonical_url(d) for d in drops),
        note=note,
    )


@main.command()
@click.option("--week", default=None, help="ISO week like 2025-W19 (default: the week that just ended).")
@click.option("--now", "now_text", default=None, help="Pretend it is this local time, e.g. 2025-05-12T08:00.")
@click.option("--pin", "pins", multiple=True, metavar="URL[@N]", help="Force a review in (at position N).")
@click.option("--drop", "drops", multiple=True, metavar="URL", help="Keep a review out of this issue.")
@click.option("--note", default=None, help="Editor's note (Markdown); replaces the issue file's note.")
@click.option("--build-thin", is_flag=True, help="Build even if the week has too few scored reviews.")
@click.pass_obj
@handles_errors
def build(obj: Context, week: str | None, now_text: str | None, pins: tuple[str, ...],
          drops: tuple[str, ...], note: str | None, build_thin: bool) -> None:
    """Choose this week's issue from the store and write out/<issue>/."""
    from digest.build import build_issue

    config = obj.config
    if build_thin:
        thin = config.select.model_copy(update={"build_thin_week": True})
        config = config.model_copy(update={"select": thin})
    now = _clock(now_text, config)()
    with obj.store() as store:
        result = build_issue(config, store, now, parse_week(week) if week else None,
                             _choices(pins, drops, note))
    size = len(result.rendered.html.encode("utf-8"))
    click.echo(f"built {result.issue_id}: {len(result.selection.top)} top, "
               f"{len(result.selection.trending)} trending; {size / 1024:.1f} KB -> {result.out_dir}")
    click.echo(f"subject: {result.rendered.subject}")
    for warning in result.selection.warnings + result.rendered.lint_warnings:
        click.echo(f"warning: {warning}")


@main.command()
@click.option("--week", default=None, help="ISO week (default: the latest built issue).")
@click.option("--now", "now_text", default=None, help="For an unbuilt week: pretend it is this local time.")
@click.pass_obj
@handles_errors
def explain(obj: Context, week: str | None, now_text: str | None) -> None:
    """Print why each review was picked, and why the near-misses lost."""
    config = obj.config
    with obj.store(lock=False) as store:
        record = store.issue(parse_week(week).id) if week else store.latest_issue()
        if record is not None:
            click.echo(format_manifest(load_manifest(Path(record.out_dir) / "manifest.json")))
            return
        if week is None:
            raise DigestError("no issue has been built yet; run digest build (or pass --week)")
        now = _clock(now_text, config)()
        selection = choose(config, store, now, parse_week(week))
    click.echo("(not built yet: this is what a build would pick now)")
    click.echo(format_manifest(build_manifest(selection, "(not rendered)", config.site.tz)))


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
        removed = store.prune_observations(utcnow() - timedelta(days=keep))
    click.echo(f"removed {removed} observations older than {keep} days")


# Commands that live beside their stage: the email (lint, preview) and the weekly job.
main.add_command(lint)
main.add_command(preview)
main.add_command(run)
main.add_command(schedule)
main.add_command(send_test)
