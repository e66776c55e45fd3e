"""``digest issue``: the week's issue through its states, as the desk moves it (the same domain code).

    digest issue status   [--week W] [--edition E] [--json]
    digest issue submit   [--week W] [--edition E] --as NAME [--comment TEXT]
    digest issue approve | send-back | pull | hand-off   (the same options)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from digest.cli.base import Context, echo, handles_errors, utcnow

if TYPE_CHECKING:
    from digest.settings.config import Config
    from digest.store.database import Store


def _where(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--edition", default=None, help="This edition's issue (default: the config's own).")(
        func)
    return click.option("--week", default=None,
                        help="ISO week like 2025-W20 (default: the latest built issue).")(func)


def _issue_id(config: Config, store: Store, week: str | None) -> str:
    from digest.errors import UsageError
    from digest.weeks import issue_key, parse_week

    if week:
        return issue_key(parse_week(week).id, config.edition_id)
    record = store.latest_issue(config.edition_id)
    if record is None:
        raise UsageError("no issue has been built yet; build one first, or pass --week")
    return record.id


@click.group()
def issue() -> None:
    """The issue's states: draft -> in review -> approved -> handed off, and who moved it ([approval]).

    \b
    Example:
      digest --config config/demo.toml issue submit --week 2025-W20 --as "Ana Reyes"
      digest issue approve --week 2025-W20 --as "Bo Lindqvist" --comment "Ship it"
    """


@issue.command()
@_where
@click.option("--json", "as_json", is_flag=True,
              help="Print the state, the allowed moves and the history as JSON.")
@click.pass_obj
@handles_errors
def status(obj: Context, week: str | None, edition: str | None, as_json: bool) -> None:
    """Show the issue's state, who moved it when, and what may happen next."""
    from digest.job.approval import status as issue_status
    from digest.settings.editions import pick_edition

    config = pick_edition(obj.config, edition)
    with obj.store(lock=False) as store:
        found = issue_status(config, store, _issue_id(config, store, week))
    if as_json:
        from digest.cli.output import emit

        emit({"command": "issue status", **found.document()})
        return
    for line in found.lines():
        echo(line)


def _move(action: str, help_text: str) -> click.Command:
    @click.command(name=action.replace(" ", "-"), help=help_text)
    @_where
    @click.option("--as", "by", required=True, help="Who you are: a name from [approval] people.")
    @click.option("--comment", default="", help="Why (required to send back); shown to the next person.")
    @click.pass_obj
    @handles_errors
    def command(obj: Context, week: str | None, edition: str | None, by: str, comment: str) -> None:
        from digest.job.approval import transition
        from digest.settings.editions import pick_edition

        config = pick_edition(obj.config, edition)
        with obj.store() as store:
            outcome = transition(config, store, _issue_id(config, store, week), action, by, utcnow(), comment)
        move = outcome.move
        echo(f"{outcome.status.issue_id}: {move.action} by {move.by}: now {outcome.status.state}")
        if outcome.notice:
            echo(f"  {outcome.notice}")
        if outcome.notice_error:
            echo(f"warning: {outcome.notice_error}", err=True)

    return command


for _action, _help in (
    ("submit", "Submit the draft for review (an editor); the approvers are told."),
    ("approve", "Approve the issue in review (an approver, not its submitter); the submitter is told."),
    ("send back", "Send the issue in review back to draft with a --comment (an approver)."),
    ("pull", "Stop the presses: an approved issue, or a service draft not yet sent, back to draft "
             "(an approver)."),
):
    issue.add_command(_move(_action, _help))


@issue.command(name="hand-off")
@_where
@click.option("--as", "by", required=True, help="Who you are: a name from [approval] people.")
@click.pass_obj
@handles_errors
def hand_off(obj: Context, week: str | None, edition: str | None, by: str) -> None:
    """Hand the issue off now, exactly once, as `digest run` would (approved first when required)."""
    from digest.job.run import hand_off as do_hand_off
    from digest.settings.editions import pick_edition

    config = pick_edition(obj.config, edition)
    with obj.store() as store:
        issue_id = _issue_id(config, store, week)
        done = do_hand_off(config, store, issue_id, by, utcnow())
    echo(f"{issue_id}: {done}")
