"""``digest archive``: put an issue on the web archive by hand, or rewrite the archive."""

from __future__ import annotations

import click

from digest.cli.base import Context, clock_from, handles_errors


@click.group()
def archive() -> None:
    """The static web archive ([archive] in the config): pages, index and Atom feed.

    \b
    Examples:
      digest archive publish 2025-W20 --edition anime
      digest archive withdraw 2025-W19
      digest archive build
    """


@archive.command()
@click.argument("week")
@click.option("--edition", default=None, help="The issue of this edition (default: the config's own).")
@click.option("--now", "now_text", default=None, help="Record this local time as the publication time.")
@click.pass_obj
@handles_errors
def publish(obj: Context, week: str, edition: str | None, now_text: str | None) -> None:
    """Publish a built issue now, before (or without) its delivery; then rewrite the archive."""
    from digest.mail.archive import publish as mark
    from digest.mail.archive import update_archive
    from digest.settings.editions import pick_edition
    from digest.weeks import issue_key, parse_week

    config = obj.config
    chosen = pick_edition(config, edition)
    issue_id = issue_key(parse_week(week).id, chosen.edition_id)
    with obj.store() as store:
        new = mark(chosen, store, issue_id, clock_from(now_text, config)())
        report = update_archive(config, store)
    click.echo(f"{issue_id}: {'published' if new else 'was already published'}")
    if report is not None:
        click.echo(report.line())
        for warning in report.warnings:
            click.echo(f"warning: {warning}")


@archive.command()
@click.argument("week")
@click.option("--edition", default=None, help="The issue of this edition (default: the config's own).")
@click.pass_obj
@handles_errors
def withdraw(obj: Context, week: str, edition: str | None) -> None:
    """Take an issue off the archive for good (until `digest archive publish` puts it back)."""
    from digest.cli.base import utcnow
    from digest.mail.archive import update_archive
    from digest.mail.archive import withdraw as take_off
    from digest.settings.editions import pick_edition
    from digest.weeks import issue_key, parse_week

    config = obj.config
    chosen = pick_edition(config, edition)
    issue_id = issue_key(parse_week(week).id, chosen.edition_id)
    with obj.store() as store:
        gone = take_off(chosen, store, issue_id, utcnow())
        report = update_archive(config, store)
    click.echo(f"{issue_id}: {'withdrawn' if gone else 'was already withdrawn'}")
    if report is not None:
        click.echo(report.line())
        for warning in report.warnings:  # a page a person changed is kept: they should hear it
            click.echo(f"warning: {warning}")


@archive.command("build")
@click.pass_obj
@handles_errors
def build_archive(obj: Context) -> None:
    """Publish what is due (delivered, or built with publish = "on-build") and rewrite every page."""
    from digest.errors import DigestError
    from digest.mail.archive import update_archive

    with obj.store() as store:
        report = update_archive(obj.config, store)
    if report is None:
        raise DigestError(f"{obj.config_path}: there is no [archive] table, so there is no archive to build")
    click.echo(report.line() + f" ({report.written} files written)")
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
