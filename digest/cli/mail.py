"""``digest lint`` and ``digest preview``: thin click commands over digest.mail.lint and digest.desk.preview.

Registered in ``digest.cli.main`` with ``main.add_command(...)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.cli.base import Context, handles_errors, serve_until_stopped
from digest.errors import DigestError, LintError
from digest.mailers import MAILER_TAGS

if TYPE_CHECKING:
    from digest.desk.preview import Rebuild
    from digest.settings.config import Config


def built_issue_dir(obj: Context, week: str | None, edition: str | None = None) -> Path | None:
    """The folder of an issue this config's store built: ``week``, or the one built last (of ``edition``)."""
    from digest.weeks import issue_key, parse_week

    with obj.store(lock=False) as store:
        record = store.issue(issue_key(parse_week(week).id, edition)) if week else store.last_built(edition)
    if record is None:
        if week:
            raise DigestError(f"{issue_key(parse_week(week).id, edition)} has not been built with "
                              f"{obj.config_path}; run digest build")
        return None
    return Path(record.out_dir)


def _locator(obj: Context, week: str | None, edition: str | None) -> Callable[[], Path | None]:
    """Where the preview finds ``edition``'s issue, asked afresh on every request (None: not built)."""

    def locate() -> Path | None:
        try:
            return built_issue_dir(obj, week, edition)
        except DigestError:  # this edition has no such week: the page says nothing is built
            return None

    return locate


def _email_file(obj: Context, path: Path | None) -> Path:
    from digest.mail.output import HTML

    if path is None:
        folder = built_issue_dir(obj, None)
        if folder is None:
            raise DigestError(f"no issue built with {obj.config_path} yet; run digest build, or pass a PATH")
        return folder / HTML
    return path / HTML if path.is_dir() else path


@click.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--mailer", type=click.Choice(sorted(MAILER_TAGS)), default=None,
              help="Allow this service's merge tags (default: the config's [email] mailer).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_obj
@handles_errors
def lint(obj: Context, path: Path | None, mailer: str | None, strict: bool) -> None:
    """Check a built email against mail-client rules (a file, an issue folder, or this config's last build),
    then the pre-send report: sizes, contrast, phone layout, links, and with a digest.eml beside it
    List-Unsubscribe and SpamAssassin.

    \b
    Example:
      digest --config config/demo.toml lint --strict
    """
    from digest.mail.lint import format_finding, lint_html
    from digest.mail.output import EML
    from digest.mail.render import site_host
    from digest.mail.report import presend_report

    target = _email_file(obj, path)
    if mailer is not None:
        tags = MAILER_TAGS[mailer]
        merge_tags: tuple[str, ...] = tuple(t for t in (tags.unsubscribe, tags.view_online, tags.address) if t)
    else:
        merge_tags = obj.config.email.merge_tags
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"{target}: cannot read: {exc}") from None
    findings = lint_html(text, merge_tags)
    for finding in findings:
        click.echo(f"{finding.severity:<7} {format_finding(finding)}")
    eml_path = target.parent / EML
    settings = obj.config.email
    eml = eml_path.read_bytes() if eml_path.is_file() else None
    report = presend_report(text, merge_tags, site_host(obj.config), eml, mailer or settings.merge_mailer,
                            obj.config.delivery.method, settings.spamassassin,
                            merge_tags_line=None if mailer else settings.describe_merge_tags())
    for line in report.lines():
        click.echo(line)
    others = [c for c in report.checks if c.name != "lint"]
    errors = sum(f.severity == "error" for f in findings) + sum(c.status == "error" for c in others)
    warnings = sum(f.severity == "warning" for f in findings) + sum(c.status == "warning" for c in others)
    summary = f"{target}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if errors or (strict and warnings):
        raise LintError(summary)
    click.echo(f"{summary}; {len(text.encode('utf-8')) / 1024:.1f} KB")


def preview_samples(config: Config) -> dict[str, str]:
    """Merge tag -> the sample value the preview and the desk show in its place (the files keep the tag)."""
    from digest.mail.samples import sample_values

    email = config.email
    return {tag: value for tag, value in sample_values(
        email.unsubscribe, email.view_online, None if email.postal_address else email.tags.address,
        config.site.name).items() if tag in email.merge_tags}


def rebuild_latest(config_path: Path) -> Rebuild:
    """A rebuild callback: reload the config and rebuild the latest issue's week as of its own ``now``."""

    def rebuild() -> None:
        from digest.job.build import build_issue
        from digest.mail.output import MANIFEST
        from digest.weeks import parse_week

        fresh = Context(config_path)
        folder = built_issue_dir(fresh, None)
        if folder is None:
            raise DigestError("no built issue to rebuild; run digest build")
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            now = datetime.fromisoformat(manifest["now"])
        except (OSError, ValueError, KeyError) as exc:
            raise DigestError(f"{folder / MANIFEST}: cannot read the issue's build time: {exc}") from None
        with fresh.store() as store:
            result = build_issue(fresh.config, store, now, parse_week(manifest.get("issue", folder.name)))
        click.echo(f"rebuilt {result.issue_id} ({len(result.rendered.html.encode()) / 1024:.1f} KB)")

    return rebuild


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8025, show_default=True)
@click.option("--week", default=None, help="Show this built issue (default: this config's last build).")
@click.option("--no-watch", is_flag=True, help="Do not rebuild when templates or the config change.")
@click.option("--interval", type=click.FloatRange(0.1, 60), default=1.0, show_default=True,
              help="Seconds between checks for changed files.")
@click.pass_obj
@handles_errors
def preview(obj: Context, port: int, week: str | None, no_watch: bool, interval: float) -> None:
    """Serve a built issue: inbox line, desktop and phone widths, light/dark, rebuilt as templates change.

    Only issues this config's store built are shown; images on a mirrored host come from the mirror.

    \b
    Example:
      digest --config config/demo.toml preview --week 2025-W20
    """
    from digest.desk.preview import make_server
    from digest.mail.render import template_dirs
    from digest.settings.editions import all_editions, edition_name
    from digest.weeks import label_or_name

    config = obj.config
    if week:
        built_issue_dir(obj, week)  # fails now, with the reason, if that week was not built
    watch = [] if no_watch else [*template_dirs(config), obj.config_path]
    editions = {edition_name(e): _locator(obj, week, e.edition_id) for e in all_editions(config)}
    sender = config.email.from_name or config.site.name
    if config.email.from_address:
        sender += f" <{config.email.from_address}>"
    samples = preview_samples(config)
    server = make_server(config.output_root(), port=port, rebuild=rebuild_latest(obj.config_path), watch=watch,
                         interval=interval, merge_tags=config.email.merge_tags,
                         locate=lambda: built_issue_dir(obj, week),
                         mirrors={m.host: config.resolve(m.root) for m in config.mirrors}, sender=sender,
                         editions=editions, samples=samples)
    folder = built_issue_dir(obj, week)
    shown = f"{label_or_name(folder.name)} ({folder.name})" if folder else "(nothing built yet)"
    click.echo(f"previewing {shown} at {server.url} "
               f"{'' if no_watch else '(rebuilds on template/config changes) '}- Ctrl-C stops")
    if len(editions) > 1:
        click.echo("editions: " + ", ".join(f"{server.url}?edition={name}" for name in editions))
    server.start_watching()
    serve_until_stopped(server)
