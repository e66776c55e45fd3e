"""``digest report``: what readers clicked in an issue, from the click counts the store keeps."""

from __future__ import annotations

import click

from digest.cli.base import Context, echo, handles_errors
from digest.errors import DigestError

_WHERE = ("they are read from the mailing service's report once an issue has been handed off to it, "
          "or from the site's analytics export ([trending] analytics_csv)")


@click.command()
@click.option("--week", default=None, help="ISO week (default: the latest issue with click counts stored).")
@click.option("--edition", default=None, help="This edition's issue (default: the config's own).")
@click.option("--last", "last", type=click.IntRange(0, 52), default=4, show_default=True,
              help="Compare with the average of this many issues before it.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (docs/json/report.schema.json).")
@click.option("--fetch", is_flag=True, help="First ask the mailing service for the click counts of this "
              "edition's campaigns of the last --days, and store them.")
@click.option("--days", type=click.IntRange(1, 90), default=None,
              help="With --fetch: campaigns made this many days back (default: [report] days, 7).")
@click.option("--now", "now_text", default=None, help="Local time to fetch as of (default: now).")
@click.pass_obj
@handles_errors
def report(obj: Context, week: str | None, edition: str | None, last: int, as_json: bool, fetch: bool,
           days: int | None, now_text: str | None) -> None:
    """Print each pick's clicks and click-through, ranked, and the clicks by section, kind, position and
    score band, against the average of the last issues. Counts only: nobody who clicked is known.

    \b
    Example:
      digest --config config/demo.toml report --week 2025-W20
      digest report --edition anime --last 8 --json
      digest report --fetch --days 7
    """
    from digest.clicks.report import format_report, issue_clicks, to_json
    from digest.settings.editions import pick_edition
    from digest.store import clicks as stored
    from digest.weeks import issue_key, parse_week, split_issue_key

    config = pick_edition(obj.config, edition)
    if fetch:
        from digest.cli.base import clock_from
        from digest.job.clicks import fetch_clicks

        with obj.store() as store:
            days = days or config.report.days
            fetched = fetch_clicks(config, store, clock_from(now_text, obj.config)(), days)
        for done in fetched or ():
            click.echo(("" if done.ok else "error: ") + done.line, err=True)
        if not fetched:
            click.echo(f"no {config.delivery.method} campaign of the last {days} days to ask about", err=True)
    with obj.store(lock=False) as store:
        ours = [i for i in stored.issues_with_clicks(store) if split_issue_key(i)[0] == config.edition_id]
        if week:
            wanted = issue_key(parse_week(week).id, config.edition_id)
        elif ours:
            wanted = ours[-1]
        else:
            raise DigestError(f"no click counts are stored for any issue yet: {_WHERE}")
        rows = stored.clicks(store, wanted)
        before = [i for i in ours if i < wanted][-last:] if last else []
        earlier = [(i, stored.clicks(store, i)) for i in before]
        built = "" if store.issue(wanted) is not None else f" (no issue {wanted} was built)"
    result = issue_clicks(wanted, rows, earlier)
    if result is None:
        raise DigestError(f"no click counts stored for {wanted}{built}: {_WHERE}; "
                          f"issues with counts: {', '.join(ours) or 'none yet'}")
    if as_json:
        from digest.cli.output import emit

        emit({"command": "report", **to_json(result)})
        return
    for line in format_report(result):
        echo(line)
