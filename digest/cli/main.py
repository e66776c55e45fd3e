"""The ``digest`` group: the global ``--config`` option and the commands, one module per group.

Exit codes (documented in README): 0 all fine; 1 an unexpected bug;
2 bad config or usage, or every feed failed; 3 some feeds failed;
4 another run holds the store; 5 a thin week (too few scored reviews).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from digest.cli.archive import archive
from digest.cli.base import Context
from digest.cli.collect import check, collect, feeds, prune
from digest.cli.job import run, schedule, send_test
from digest.cli.mail import lint, preview
from digest.cli.select import build, explain, reviews
from digest.cli.setup import config_reference, init

DEFAULT_CONFIG = Path("config/digest.toml")


@click.group(invoke_without_command=True)
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
            schedule, send_test, archive)
for command in COMMANDS:
    main.add_command(command)
