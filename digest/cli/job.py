"""The weekly-job commands: ``run`` (once, for cron/CI/editors), ``schedule`` (a service), ``send-test``.

Standalone click commands, registered on the ``digest`` group in ``digest.cli.main``.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from typing import TYPE_CHECKING

import click

from digest.cli.base import EXIT_PARTIAL, Context, echo, handles_errors, now_note, utcnow
from digest.errors import CollectError, ConfigError, DeliveryError, DigestError

if TYPE_CHECKING:
    from digest.job.run import RunOutcome, RunReport
    from digest.models import CollectReport
    from digest.settings.config import Config


@click.command()
@click.option("--now", "now_text", default=None,
              help="Pretend it is this site-local time, e.g. 2025-05-19T08:00 (collect and build).")
@click.option("--week", default=None, help="ISO week like 2025-W20 (default: the week that just ended).")
@click.option("--force", is_flag=True,
              help="Rebuild even if this issue was built (a delivered issue is not sent again).")
@click.option("--no-deliver", is_flag=True, help="Collect and build only; a later run delivers.")
@click.option("--stale-ok", is_flag=True, help="Build even when every feed failed (from what the store has).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON (docs/json/run.schema.json).")
@click.pass_obj
@handles_errors
def run(obj: Context, now_text: str | None, week: str | None, force: bool, no_deliver: bool,
        stale_ok: bool, as_json: bool) -> None:
    """Collect, build this week's issue of every edition unless built, then deliver each once (cron, CI).

    Exit codes: 0 done, 2 every feed failed (not built) or the delivery failed, 3 some feeds failed,
    5 a thin week (any edition; the others are built and delivered all the same).

    \b
    Example:
      digest --config config/demo.toml run --now 2025-05-19T08:00
    """
    from digest.mail.spamcheck import ahead_count, started_ahead
    from digest.settings.early import stock_spam_checks

    # SpamAssassin compiles its rules from here on, while the run loads its config, imports and collects
    context = click.get_current_context()
    context.with_resource(started_ahead(stock_spam_checks(obj.config_path)))
    from digest.settings.editions import all_editions

    config = obj.config
    context.with_resource(started_ahead(ahead_count(all_editions(config))))
    from digest.job.run import RunAction, collect_summary, run_editions, stale_reason
    from digest.weeks import parse_now, parse_week

    fixed = parse_now(now_text, config.site.tz) if now_text else None
    chosen = parse_week(week) if week else None
    taken = now_note(now_text, config)
    if taken and not as_json:
        echo(f"note: {taken}")

    def clock() -> datetime:
        return fixed or utcnow()

    from digest.cli.output import TerminalProgress

    progress = TerminalProgress(enabled=False if as_json else None)  # drawn on a terminal only

    def told_first(report: CollectReport) -> None:
        """Feed failures come before anything else the run says (a thin week, the build)."""
        progress.close()
        echo(collect_summary(report))
        for failed in report.failed:
            echo(f"  feed failed: {failed.name}: {failed.error}")
        for outcome in report.outcomes:
            if outcome.warning and not outcome.failed:
                echo(f"  feed warning: {outcome.name}: {outcome.warning}")

    editions = all_editions(config)
    with obj.store() as store:
        try:
            report = run_editions(config, store, clock, week=chosen, force=force, deliver=not no_deliver,
                                  editions=editions, stale_ok=stale_ok,
                                  on_collect=None if as_json else told_first, progress=progress, apart=True)
        finally:
            progress.close()
    several = len(editions) > 1
    if as_json:
        from digest.cli.output import emit

        emit(run_document(report, several))
    not_built = [o.issue_id for o in report.outcomes if o.action == RunAction.NOT_BUILT]
    if not_built and report.collect is not None:
        raise CollectError(f"{', '.join(not_built)} {'was' if len(not_built) == 1 else 'were'} not built: "
                           f"{stale_reason(report.collect)}")
    if not as_json:
        for edition, outcome in zip(editions, report.outcomes, strict=True):
            if outcome.error is None or several:  # one edition: its error is the command's own message
                for line in describe_outcome(edition, outcome):
                    echo(line)
        if report.archive:
            echo(report.archive)
        for warning in report.archive_warnings:
            echo(f"  archive warning: {warning}")
    if report.failures:
        first = report.failures[0]
        stopped = ", ".join(o.issue_id for o in report.outcomes if o.error is not None)
        raise type(first)(f"not built: {stopped} (the next run tries again)") if several else first
    if report.delivery_errors:
        raise DeliveryError("\n".join(report.delivery_errors))
    if report.archive_state == "failed":
        raise DigestError(report.archive or "archive NOT UPDATED (the next run tries again)")
    if report.collect is not None and report.collect.failed:
        sys.exit(EXIT_PARTIAL)


def run_document(report: RunReport, several: bool) -> dict[str, object]:
    """``run --json``: the default edition's outcome as before, every edition's under ``editions``."""
    from dataclasses import replace

    from digest.cli.output import run_json

    document = run_json(replace(report.outcomes[0], collect=report.collect, seconds=report.seconds))
    document["archive"] = report.archive
    if several:
        document["editions"] = [
            {"edition": name, "issue": o.issue_id, "action": o.action, "out_dir": str(o.out_dir) if o.out_dir
             else None, "subject": o.subject, "delivery": o.delivery, "delivery_error": o.delivery_error,
             "error": o.error}
            for name, o in zip(report.editions, report.outcomes, strict=True)]
    return document


def describe_outcome(config: Config, outcome: RunOutcome) -> list[str]:
    """The human version of ``RunOutcome.line()``: what happened, where the files are, what is next.

    ``config`` is the outcome's edition.
    """
    from digest.job.run import RunAction, stale_reason

    tz = config.site.tz
    lines = []
    if outcome.error is not None:
        return [f"{outcome.issue_id}: {outcome.action}: {outcome.error}"]
    if outcome.action == RunAction.NOT_BUILT:  # nothing was written, so there is nothing to hand off
        reason = stale_reason(outcome.collect) if outcome.collect is not None else "nothing was built"
        return [f"{outcome.issue_id}: not built: {reason}"]
    if outcome.action == RunAction.ALREADY_BUILT:
        when = outcome.built_at.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z") if outcome.built_at else "?"
        lines.append(f"{outcome.issue_id} was already built on {when} ({outcome.out_dir}); "
                     "not building it again (use --force to rebuild)")
    else:
        lines.append(f"{outcome.action} {outcome.issue_id}: {outcome.subject}")
        lines.append(f"  {outcome.picks} picks ({outcome.top} top, {outcome.trending} trending), "
                     f"{outcome.html_bytes / 1024:.0f} KB html, {len(outcome.warnings)} warnings, "
                     f"{outcome.seconds:.1f}s")
        lines.append(f"  files: {outcome.out_dir}")
        if outcome.trending_note:
            lines.append(f"  trending: {outcome.trending_note}")
        lines.extend(f"  warning: {w}" for w in outcome.warnings)
        lines.extend(outcome.report)
    method = config.delivery.method
    if outcome.delivery:
        lines.append(outcome.delivery)
    elif method == "files" and (outcome.out_dir is None or not outcome.out_dir.is_dir()):
        lines.append(f"hand-off: none: the issue's folder {outcome.out_dir} is gone "
                     "(`digest run --force` builds it again)")
    elif method == "files":
        lines.append("hand-off: the files above (delivery.method = \"files\")")
    elif not outcome.delivery_error:
        lines.append(f"not delivered (--no-deliver); the next `digest run` delivers it by {method}")
    return lines


@click.command()
@click.option("--show", is_flag=True, help="Print each job's next run times and what is due now, then exit.")
@click.option("--verbose", "-v", is_flag=True, help="Also log the scheduler's own messages.")
@click.pass_obj
@handles_errors
def schedule(obj: Context, show: bool, verbose: bool) -> None:
    """Run as a service: collect often, build weekly, deliver after the build (SIGTERM stops cleanly).

    \b
    Example:
      digest schedule --show        # the next run times, then exit
    """
    from digest.job.plan import describe_plan
    from digest.job.schedule import DigestScheduler, due_work

    config = obj.config
    if show:
        for line in describe_plan(config, utcnow()):
            echo(line)
        with obj.store(lock=False) as store:
            echo(f"due now: {due_work(config, store, utcnow()).reason}")
        return
    if config.schedule.collect is None and config.schedule.build is None:
        raise ConfigError(f"{obj.config_path}: [schedule] has neither collect nor build; nothing to run")
    _log_to_stderr(verbose)
    DigestScheduler(config).serve()


@click.command("send-test")
@click.option("--to", "address", required=True, help="The one address to send the test to.")
@click.option("--week", default=None, help="Send this built issue instead of the latest one.")
@click.option("--edition", default=None, help="Which edition (default: the config's own).")
@click.pass_obj
@handles_errors
def send_test(obj: Context, address: str, week: str | None, edition: str | None) -> None:
    """Email the latest built issue to one address with [TEST] in the subject (not a delivery).

    With a mailing service as the method, its own test send of the issue's draft is used where it has one.
    With no [delivery.smtp] (files or webhook delivery) the test is written to <output>/test/<issue>.eml.

    \b
    Example:
      digest send-test --to me@example.com --week 2025-W20
    """
    from digest.job import deliver
    from digest.settings.editions import pick_edition
    from digest.weeks import issue_key, parse_week

    config = pick_edition(obj.config, edition)
    issue_id = issue_key(parse_week(week).id, config.edition_id) if week else None
    own = False
    if config.delivery.is_service:
        from digest.job.built import load_built
        from digest.job.services.campaign import send_test_campaign
        from digest.services import service_named

        service = service_named(config.delivery.method)
        own = service is not None and bool(service.test_path)
        if not own and config.delivery.smtp is None:
            raise DeliveryError(f"{config.delivery.method} has no test send in its API; add a [delivery.smtp] "
                                "table to send tests by SMTP, or use the service's preview")
    with obj.store(lock=False) as store:
        if own:  # the service's own test send: the test is what subscribers will get
            record = store.issue(issue_id) if issue_id else store.latest_issue(config.edition_id)
            if record is None:
                raise DeliveryError(f"{issue_id} has not been built" if issue_id
                                    else "no issue has been built yet; run `digest run` first")
            sent, detail = record.id, send_test_campaign(config, store, load_built(record), address)
        elif config.delivery.smtp is None and not config.delivery.is_service:  # files, webhook: no server
            sent, detail = deliver.write_test(config, store, address, utcnow(), issue_id)
            echo(f"no [delivery.smtp] to send by: wrote {sent} as a test for {address} to {detail} "
                 "(open it in a mail client); not recorded as delivered")
            return
        else:
            sent, detail = deliver.send_test(config, store, address, utcnow(), issue_id)
    echo(f"sent {sent} as a test ({detail}); not recorded as delivered")


def _log_to_stderr(verbose: bool) -> None:
    """One line per event to stderr (journald or the cron mail); library chatter only with -v."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
