"""``digest lint`` and ``digest preview``: thin click commands over digest.mail.lint and digest.mail.preview.

Registered in ``digest.cli.main`` with ``main.add_command(...)``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.cli.base import Context, handles_errors
from digest.errors import DigestError, LintError
from digest.mailers import MAILER_TAGS

if TYPE_CHECKING:
    from digest.mail.preview import Rebuild


def _email_file(obj: Context, path: Path | None) -> Path:
    from digest.mail.output import HTML
    from digest.mail.preview import latest_issue_dir

    if path is None:
        folder = latest_issue_dir(obj.config.resolve(obj.config.output_dir))
        if folder is None:
            raise DigestError("no built issue to lint; run digest build, or pass a PATH")
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
    """Check a built email (a file or an issue folder; default: the latest) against mail-client rules."""
    from digest.mail.lint import format_finding, lint_html

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
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    summary = f"{target}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if errors or (strict and warnings):
        raise LintError(summary)
    click.echo(f"{summary}; {len(text.encode('utf-8')) / 1024:.1f} KB")


def rebuild_latest(config_path: Path) -> Rebuild:
    """A rebuild callback: reload the config and rebuild the latest issue's week as of its own ``now``."""

    def rebuild() -> None:
        from digest.job.build import build_issue
        from digest.mail.output import MANIFEST
        from digest.mail.preview import latest_issue_dir
        from digest.weeks import parse_week

        fresh = Context(config_path)
        folder = latest_issue_dir(fresh.config.resolve(fresh.config.output_dir))
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
@click.option("--no-watch", is_flag=True, help="Do not rebuild when templates or the config change.")
@click.option("--interval", type=click.FloatRange(0.1, 60), default=1.0, show_default=True,
              help="Seconds between checks for changed files.")
@click.pass_obj
@handles_errors
def preview(obj: Context, port: int, no_watch: bool, interval: float) -> None:
    """Serve the latest built issue at desktop and phone widths, rebuilding as templates change."""
    from digest.mail.preview import latest_issue_dir, make_server
    from digest.mail.render import template_dirs

    config = obj.config
    out_root = config.resolve(config.output_dir)
    watch = [] if no_watch else [*template_dirs(config), obj.config_path]
    server = make_server(out_root, port=port, rebuild=rebuild_latest(obj.config_path), watch=watch,
                         interval=interval, merge_tags=config.email.merge_tags)
    folder = latest_issue_dir(out_root)
    click.echo(f"previewing {folder.name if folder else '(nothing built yet)'} at {server.url} "
               f"{'' if no_watch else '(rebuilds on template/config changes) '}- Ctrl-C stops")
    server.start_watching()
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()
