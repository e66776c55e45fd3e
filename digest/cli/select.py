"""Commands about the week's choice: ``reviews``, ``build``, ``explain``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.cli.base import Context, clock_from, echo, handles_errors, utcnow
from digest.errors import DigestError

if TYPE_CHECKING:
    from digest.select.editor import EditorChoices


@click.command()
@click.option("--week", default=None, help="ISO week like 2025-W19 (default: the week that just ended).")
@click.option("--now", "now_text", default=None, help="Pretend it is this local time, e.g. 2025-05-12T08:00.")
@click.option("--all", "show_all", is_flag=True, help="Also list posts that are not reviews.")
@click.pass_obj
@handles_errors
def reviews(obj: Context, week: str | None, now_text: str | None, show_all: bool) -> None:
    """List a week's reviews with score, where it was found, and section."""
    from digest.reviews.rules import ReviewRules, reviews_in_window
    from digest.weeks import last_full_week, parse_now, parse_week

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
    echo(f"{chosen} ({start.astimezone(tz):%a %d %b} to {end.astimezone(tz):%a %d %b %Y}, "
               f"{config.site.timezone}): {total} reviews, {scored} scored")
    for r in shown:
        when = r.published.astimezone(tz).strftime("%a %d %H:%M")
        if r.score is not None:
            score = f"{r.score.value:>4.1f}  {r.score.raw[:24]!r:<26} {r.score.source:<14}"
        elif r.is_review:
            score = f"{'-':>4}  {'unscored':<26} {'':<14}"
        else:
            score = f"{'':>4}  {'(not a review)':<26} {'':<14}"
        echo(f"{when}  {r.section[:11]:<11}  {score}  {r.title[:70]}")
        if r.is_review and r.score is None and r.unscored_reason:
            echo(f"{'':>13}why unscored: {r.unscored_reason}")


def _choices(pins: tuple[str, ...], drops: tuple[str, ...], note: str | None) -> EditorChoices:
    from digest.select.editor import EditorChoices, parse_pin
    from digest.urls import canonical_url

    return EditorChoices(
        pins=tuple(parse_pin(p) for p in pins),
        drops=tuple(canonical_url(d) for d in drops),
        note=note,
    )


@click.command()
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
    from digest.job.build import build_issue
    from digest.weeks import parse_week

    config = obj.config
    if build_thin:
        thin = config.select.model_copy(update={"build_thin_week": True})
        config = config.model_copy(update={"select": thin})
    now = clock_from(now_text, config)()
    with obj.store() as store:
        result = build_issue(config, store, now, parse_week(week) if week else None,
                             _choices(pins, drops, note))
    size = len(result.rendered.html.encode("utf-8"))
    echo(f"built {result.issue_id}: {len(result.selection.top)} top, "
               f"{len(result.selection.trending)} trending; {size / 1024:.1f} KB -> {result.out_dir}")
    echo(f"subject: {result.rendered.subject}")
    for warning in result.selection.warnings + result.rendered.lint_warnings:
        echo(f"warning: {warning}")


@click.command()
@click.option("--week", default=None, help="ISO week (default: the latest built issue).")
@click.option("--now", "now_text", default=None, help="For an unbuilt week: pretend it is this local time.")
@click.pass_obj
@handles_errors
def explain(obj: Context, week: str | None, now_text: str | None) -> None:
    """Print why each review was picked, and why the near-misses lost."""
    from digest.job.build import choose
    from digest.mail.manifest import build_manifest, format_manifest, load_manifest
    from digest.weeks import parse_week

    config = obj.config
    with obj.store(lock=False) as store:
        record = store.issue(parse_week(week).id) if week else store.latest_issue()
        if record is not None:
            echo(format_manifest(load_manifest(Path(record.out_dir) / "manifest.json")))
            return
        if week is None:
            raise DigestError("no issue has been built yet; run digest build (or pass --week)")
        now = clock_from(now_text, config)()
        selection = choose(config, store, now, parse_week(week))
    echo("(not built yet: this is what a build would pick now)")
    echo(format_manifest(build_manifest(selection, "(not rendered)", config.site.tz)))


