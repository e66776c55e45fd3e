"""Commands about the week's choice: ``reviews``, ``build``, ``explain``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.cli.base import Context, clock_from, echo, handles_errors, now_note, utcnow
from digest.errors import DigestError

if TYPE_CHECKING:
    from digest.select.editor import EditorChoices
    from digest.settings.config import Config
    from digest.store.database import Store


@click.command()
@click.option("--week", default=None, help="ISO week like 2025-W19 (default: the week that just ended).")
@click.option("--now", "now_text", default=None, help="Pretend it is this local time, e.g. 2025-05-12T08:00.")
@click.option("--all", "show_all", is_flag=True, help="Also list posts that are not reviews.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (docs/json/reviews.schema.json).")
@click.pass_obj
@handles_errors
def reviews(obj: Context, week: str | None, now_text: str | None, show_all: bool, as_json: bool) -> None:
    """List a week's reviews with score, where it was found, section and URL.

    \b
    Example:
      digest --config config/demo.toml reviews --week 2025-W20
    """
    from digest.reviews.rules import ReviewRules, reviews_in_window
    from digest.weeks import last_full_week, parse_now, parse_week, week_label

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
    if as_json:
        from digest.cli.output import emit

        emit({"command": "reviews", "issue": chosen.id, "timezone": config.site.timezone,
              "window": {"start": start.astimezone(tz).isoformat(), "end": end.astimezone(tz).isoformat()},
              "reviews_count": total, "scored_count": scored,
              "reviews": [{"title": r.title, "url": r.link, "section": r.section, "is_review": r.is_review,
                           "published": r.published.astimezone(tz).isoformat(), "comments": r.comments,
                           "score": r.score.value if r.score else None,
                           "score_raw": r.score.raw if r.score else None,
                           "score_source": r.score.source if r.score else None,
                           "unscored_reason": r.unscored_reason} for r in shown]})
        return
    echo(f"{week_label(chosen)} ({chosen}, times in {config.site.timezone}): {total} reviews, {scored} scored")
    for r in shown:
        when = r.published.astimezone(tz).strftime("%a %d %H:%M")
        if r.score is not None:
            score = f"{r.score.value:>4.1f}  {r.score.raw[:24]!r:<26} {r.score.source:<14}"
        elif r.is_review:
            score = f"{'-':>4}  {'unscored':<26} {'':<14}"
        else:
            score = f"{'':>4}  {'(not a review)':<26} {'':<14}"
        echo(f"{when}  {r.section[:11]:<11}  {score}  {r.title[:70]}")
        echo(f"{'':>13}{r.link}")
        if r.is_review and r.score is None and r.unscored_reason:
            echo(f"{'':>13}why unscored: {r.unscored_reason}")


def _choices(pins: tuple[str, ...], drops: tuple[str, ...], note: str | None, order: str | None = None,
             sections: tuple[str, ...] = (), blurbs: tuple[str, ...] = ()) -> EditorChoices:
    from digest.select.editor import EditorChoices, parse_pin
    from digest.select.edits import parse_pair
    from digest.urls import canonical_url

    return EditorChoices(
        pins=tuple(parse_pin(p) for p in pins),
        drops=tuple(canonical_url(d) for d in drops),
        note=note,
        order=None if order is None else tuple(canonical_url(u.strip()) for u in order.split(",") if u.strip()),
        sections=tuple(parse_pair("--section", s, last=True) for s in sections),
        blurbs=tuple(parse_pair("--blurb", b) for b in blurbs),
    )


@click.command()
@click.option("--week", default=None, help="ISO week like 2025-W19 (default: the week that just ended).")
@click.option("--now", "now_text", default=None, help="Pretend it is this local time, e.g. 2025-05-12T08:00.")
@click.option("--pin", "pins", multiple=True, metavar="URL[@N]", help="Force a review in (at position N).")
@click.option("--drop", "drops", multiple=True, metavar="URL", help="Keep a review out of this issue.")
@click.option("--note", default=None, help="Editor's note (Markdown); replaces the issue file's note.")
@click.option("--order", default=None, metavar="URL,URL",
              help="The top picks in this order (listed first, the rest after); replaces the file's order.")
@click.option("--section", "sections", multiple=True, metavar="URL=NAME",
              help="Show a review in another of the config's sections (its caps apply); empty NAME undoes.")
@click.option("--blurb", "blurbs", multiple=True, metavar="URL=TEXT",
              help="The TL;DR shown for a pick (plain text); empty TEXT gives the review's own back.")
@click.option("--build-thin", is_flag=True, help="Build even if the week has too few scored reviews.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (docs/json/build.schema.json).")
@click.option("--edition", default=None, help="Build this edition (default: the config's own).")
@click.pass_obj
@handles_errors
def build(obj: Context, week: str | None, now_text: str | None, pins: tuple[str, ...],
          drops: tuple[str, ...], note: str | None, order: str | None, sections: tuple[str, ...],
          blurbs: tuple[str, ...], build_thin: bool, as_json: bool, edition: str | None) -> None:
    """Choose this week's issue from the store and write it to the config's output folder.

    Pins, drops, a note, an order, sections and blurbs given here are checked against the store
    (an unknown URL, an out-of-range position, an unknown section or a blurb over
    reviews.tldr_max_chars is an error) and kept in issues/<week>.toml for later builds
    (an edition's: issues/<edition>/<week>.toml, its files in <output>/<edition>/<week>/).

    \b
    Example:
      digest build --week 2025-W19 --pin https://site/2025/05/07/review-x/@1 --note "Big week"
    """
    from digest.mail.spamcheck import ahead_count, started_ahead
    from digest.settings.early import stock_spam_checks

    # SpamAssassin compiles its rules from here on, while the build loads its config and goes on
    context = click.get_current_context()
    context.with_resource(started_ahead(stock_spam_checks(obj.config_path, edition, every_edition=False)))
    from digest.settings.editions import pick_edition

    config = pick_edition(obj.config, edition)
    context.with_resource(started_ahead(ahead_count([config])))
    from digest.job.build import build_issue
    from digest.select.edits import record_edits
    from digest.weeks import issue_key, last_full_week, parse_week

    if build_thin:
        thin = config.select.model_copy(update={"build_thin_week": True})
        config = config.model_copy(update={"select": thin})
    now = clock_from(now_text, config)()
    chosen = parse_week(week) if week else last_full_week(now, config.site.tz)
    flags = _choices(pins, drops, note, order, sections, blurbs)
    with obj.store() as store:
        # Checked as the desk's changes are, then kept in the issue file (the same call).
        recorded = record_edits(config, store, chosen, flags)
        saved = recorded.path
        taken = now_note(now_text, config)
        notes = [taken, *recorded.notes] if taken else recorded.notes
        previous = replaced_issue(config, store, issue_key(chosen.id, config.edition_id))
        result = build_issue(config, store, now, chosen)
        archive = None
        if obj.config.archive is not None:  # the archive and its web page writer load only when configured
            from digest.mail.archive import update_archive

            archive = update_archive(obj.config, store)
    if as_json:
        from digest.cli.output import build_json, emit

        emit({**build_json(result, notes, saved), "replaced": previous})
        return
    for line in notes:
        echo(f"note: {line}")
    if saved is not None:
        echo(f"kept in {saved} (every later build of {chosen.id} reads it)")
    if previous is not None:
        when = datetime.fromisoformat(str(previous["built_at"])).astimezone(config.site.tz)
        echo(f"replacing the {result.issue_id} issue built at {when:%a %Y-%m-%d %H:%M %Z} "
             f"({previous['picks']} picks) with this build ({len(result.selection.picks)} picks)")
    size = len(result.rendered.html.encode("utf-8"))
    echo(f"built {result.issue_id}: {len(result.selection.top)} top, "
               f"{len(result.selection.trending)} trending; {size / 1024:.1f} KB -> {result.out_dir}")
    echo(f"subject: {result.rendered.subject}")
    if result.selection.trending_note:
        echo(f"trending: {result.selection.trending_note}")
    for warning in result.selection.warnings + result.rendered.lint_warnings:
        echo(f"warning: {warning}")
    for line in result.report.lines():
        echo(line)
    if archive is not None:
        echo(archive.line())


def replaced_issue(config: Config, store: Store, issue_id: str) -> dict[str, object] | None:
    """The built issue a build replaces, as ``build --json`` reports it (``replaced``); None at first."""
    record = store.issue(issue_id)
    if record is None:
        return None
    return {"built_at": record.built_at.astimezone(config.site.tz).isoformat(), "subject": record.subject,
            "picks": store.pick_count(issue_id), "out_dir": record.out_dir}


@click.command()
@click.option("--week", default=None, help="ISO week (default: the latest built issue).")
@click.option("--now", "now_text", default=None, help="For an unbuilt week: pretend it is this local time.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (docs/json/explain.schema.json).")
@click.option("--edition", default=None, help="Explain this edition's issue (default: the config's own).")
@click.pass_obj
@handles_errors
def explain(obj: Context, week: str | None, now_text: str | None, as_json: bool, edition: str | None) -> None:
    """Print why each review was picked, why the near-misses lost, and why trending is short.

    \b
    Example:
      digest --config config/demo.toml explain --week 2025-W20
      digest explain --edition anime
    """
    from digest.job.build import choose
    from digest.mail.manifest import build_manifest, format_manifest, load_manifest
    from digest.settings.editions import pick_edition
    from digest.weeks import issue_key, parse_week

    config = pick_edition(obj.config, edition)
    with obj.store(lock=False) as store:
        wanted = issue_key(parse_week(week).id, config.edition_id) if week else None
        record = store.issue(wanted) if wanted else store.latest_issue(config.edition_id)
        approval = None
        if record is not None:
            from digest.job.approval import status

            manifest = load_manifest(Path(record.out_dir) / "manifest.json")
            built = True
            approval = status(config, store, record.id)
        elif week is None:
            raise DigestError("no issue has been built yet; run digest build (or pass --week)")
        else:
            now = clock_from(now_text, config)()
            selection = choose(config, store, now, parse_week(week))
            manifest = build_manifest(selection, "(not rendered)", config.site.tz)
            built = False
    if as_json:
        from digest.cli.output import emit

        manifest.setdefault("trending_note", None)
        emit({"command": "explain", "built": built, "manifest": manifest,
              "approval": approval.document() if approval else None})
        return
    if not built:
        echo("(not built yet: this is what a build would pick now)")
    echo(format_manifest(manifest))
    if approval is not None:
        echo(approval.summary())
