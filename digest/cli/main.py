"""The ``digest`` group: the global ``--config`` option and the commands, one module per group.

Exit codes (documented in README): 0 all fine; 1 an unexpected bug;
2 bad config or usage, or every feed failed; 3 some feeds failed;
4 another run holds the store; 5 a thin week (too few scored reviews).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from digest.cli.archive import archive
from digest.cli.base import Context, config_option, emit_error
from digest.cli.collect import check, collect, feeds, prune
from digest.cli.desk import desk
from digest.cli.issue import issue
from digest.cli.job import run, schedule, send_test
from digest.cli.mail import lint, preview
from digest.cli.report import report
from digest.cli.select import build, explain, reviews
from digest.cli.setup import config_reference, init

DEFAULT_CONFIG = Path("config/digest.toml")
_WANTS_JSON = "digest.wants-json"


class DigestGroup(click.Group):
    """The group, so that a usage error of a ``--json`` command (an unknown option, a missing value) is
    the same JSON error document as the command's own errors, with click's exit code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_WANTS_JSON] = "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            if not ctx.meta.get(_WANTS_JSON):
                raise
            hint = "`digest <command> --help` lists the options and their formats"
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f"`{exc.ctx.command_path} --help` lists the options and their formats"
            emit_error("usage", exc.format_message(), hint, exc.exit_code, ctx.invoked_subcommand)
            sys.exit(exc.exit_code)


@click.group(cls=DigestGroup, invoke_without_command=True)
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    default=lambda: os.environ.get("DIGEST_CONFIG", str(DEFAULT_CONFIG)),
    show_default="config/digest.toml or $DIGEST_CONFIG",
    help="The TOML config file.",
)
@click.version_option(package_name="digest")
@click.pass_context
def main(ctx: click.Context, config_path: Path) -> None:
    """Build a review site's weekly newsletter from its feeds.

    \b
    Example (the bundled demo, after `make run`):
      digest --config config/demo.toml reviews --week 2025-W20
    """
    ctx.obj = Context(config_path)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(0)


COMMANDS = (init, config_reference, check, collect, feeds, prune, reviews, build, explain, lint, preview, run,
            schedule, send_test, archive, desk, issue, report)


def _takes_config(command: click.Command) -> None:
    """``digest check --config X`` as well as ``digest --config X check``; ``archive build --config X`` too."""
    if not any("--config" in p.opts for p in command.params):  # init's own --config is where it writes
        command.params.append(config_option())
    for sub in getattr(command, "commands", {}).values():
        _takes_config(sub)


for command in COMMANDS:
    _takes_config(command)
    main.add_command(command)
