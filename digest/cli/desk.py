"""``digest desk``: a thin click command over digest.desk (the server, the session, the forms)."""

from __future__ import annotations

import os

import click

from digest.cli.base import Context, handles_errors, serve_until_stopped

TOKEN_ENV = "DIGEST_DESK_TOKEN"


@click.command()
@click.option("--week", default=None, help="The built issue to work on (default: the edition's last build).")
@click.option("--edition", default=None, help="This edition's issue (default: the config's own).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help=f"Address to listen on; anything but loopback needs ${TOKEN_ENV}.")
@click.option("--port", type=click.IntRange(0, 65535), default=8026, show_default=True)
@click.pass_obj
@handles_errors
def desk(obj: Context, week: str | None, edition: str | None, host: str, port: int) -> None:
    """Work on the week's issue in a browser: every candidate with why it won or lost, pick, drop, pin at a
    position and the editor's note, each written to issues/<week>.toml and the email rebuilt.

    Changes are checked as `digest build --pin/--drop/--note` checks them. Off loopback, set
    DIGEST_DESK_TOKEN (when set, also on loopback, every request must carry it: open the printed link once).

    \b
    Example:
      digest --config config/demo.toml desk --week 2025-W20
    """
    from digest.cli.mail import preview_samples
    from digest.desk.server import make_desk
    from digest.desk.session import open_session
    from digest.settings.editions import pick_edition

    config = obj.config
    token = os.environ.get(TOKEN_ENV) or None
    session = open_session(config, week, edition)
    server = make_desk(session, host=host, port=port, token=token,
                       mirrors={m.host: config.resolve(m.root) for m in config.mirrors},
                       samples=preview_samples(pick_edition(config, edition)))
    link = server.url + ("?token=<DIGEST_DESK_TOKEN>" if server.token else "")
    click.echo(f"desk for {session.issue_id} at {link} - Ctrl-C stops")
    for name in (n for n in server.names if n != server.home):  # every edition of the week, one desk
        click.echo(f"  edition {name}: {server.url}?edition={name}")
    serve_until_stopped(server)
