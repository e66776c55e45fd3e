"""Build one issue: gather everything, then render (Pelican's two phases).

select → render (templates) → inline (premailer) → lint (``compose_issue``), then
output (atomic files) → remember the issue and its picks in the store
(``write_composed``). Nothing is written unless every step succeeded. The desk
shows a composed issue at once and writes it a moment later (digest.desk.finish).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from digest.errors import LintError
from digest.mail.manifest import build_manifest
from digest.mail.report import Report, presend_report
from digest.models import RenderedIssue, Selection
from digest.select.editor import EditorChoices, load_editor_choices
from digest.select.selection import gather_candidates, select_issue
from digest.settings.config import Config
from digest.settings.editions import issue_dir
from digest.settings.tags import require_merge_tag_values
from digest.store.database import Store
from digest.weeks import Week, issue_key, last_full_week


@dataclass(frozen=True)
class BuildResult:
    issue_id: str
    out_dir: Path
    selection: Selection
    rendered: RenderedIssue
    files: tuple[Path, ...]
    report: Report = field(default_factory=lambda: Report(()))  # the pre-send report it passed


def choose(
    config: Config, store: Store, now: datetime, week: Week | None = None,
    overrides: EditorChoices | None = None,
) -> Selection:
    """The select stage with its inputs read from the store and the issue file."""
    week = week or last_full_week(now, config.site.tz)
    choices = load_editor_choices(config, issue_key(week.id, config.edition_id))  # issues/<edition>/<week>.toml
    if overrides is not None:
        choices = choices.merged(overrides)
    candidates = gather_candidates(config, store, week, now, choices)
    return select_issue(config, candidates, choices, now)


@dataclass(frozen=True)
class ComposedIssue:
    """An issue made and judged, not yet written: what ``build_issue`` writes, and the desk shows first."""

    config: Config  # the edition's effective config it was made with
    week: Week
    now: datetime
    selection: Selection
    rendered: RenderedIssue
    eml: bytes  # the message the pre-send report judged
    report: Report

    @property
    def issue_id(self) -> str:
        return self.selection.issue_id


def compose_issue(
    config: Config, store: Store, now: datetime, week: Week | None = None,
    overrides: EditorChoices | None = None, *, spam_pending: bool = False,
    shown: Callable[[str], None] | None = None,
) -> ComposedIssue:
    """Choose, render and judge one edition's issue (``config`` is that edition's effective config);
    nothing is written. Raises LintError when its pre-send report refuses it.

    ``spam_pending`` (the desk): the report's SpamAssassin check is left "pending", for a worker to
    fill in (digest.job.spam) while the editor already sees the email; every hand-off completes it first.
    ``shown`` (the desk) is told the email's HTML as soon as it is made, before it is judged (the lint,
    the pre-send report), to show it meanwhile.
    """
    from digest.mail.output import build_eml  # the email stages import templates lazily
    from digest.mail.render import render_issue, site_host
    from digest.mail.tags import check_merge_tags

    require_merge_tag_values(config)  # a plain email needs its unsubscribe link and address
    week = week or last_full_week(now, config.site.tz)
    selection = choose(config, store, now, week, overrides)
    rendered = render_issue(config, selection, shown)
    eml = build_eml(config, rendered, now)
    check_merge_tags(config, rendered, eml)  # no tag its delivery path leaves unresolved
    report = presend_report(rendered.html, config.email.merge_tags, site_host(config), eml,
                            config.email.merge_mailer, config.delivery.method, config.email.spamassassin,
                            merge_tags_line=config.email.describe_merge_tags(), spam_pending=spam_pending,
                            spamd=config.email.spamd)
    if report.errors:
        raise LintError("\n".join([f"the {selection.issue_id} email fails its pre-send report "
                                   "(nothing was written):", *report.lines()]))
    return ComposedIssue(config, week, now, selection, rendered, eml, report)


def write_composed(store: Store, composed: ComposedIssue) -> BuildResult:
    """Write a composed issue's folder (all or nothing) and remember it and its picks in the store."""
    from digest.mail.output import WEB, write_issue

    config, selection, rendered = composed.config, composed.selection, composed.rendered
    manifest = build_manifest(selection, rendered.subject, config.site.tz, rendered.preheader)
    manifest["report"] = composed.report.to_json()
    out_dir = issue_dir(config, composed.week.id)
    # With an archive, the web page is made now, from the same selection, and published later.
    extra = None
    if config.archive is not None:
        from digest.mail.web import render_web  # the web page writer only for a config with an archive

        extra = {WEB: render_web(config, selection, rendered.subject)}
    files = write_issue(config, out_dir, selection, rendered, manifest, composed.now, extra, eml=composed.eml)
    store.record_issue(
        selection.issue_id, composed.now, (selection.window_start, selection.window_end), rendered.subject,
        str(out_dir), [(p.review.uid, p.review.link, p.kind, p.position) for p in selection.picks],
    )
    return BuildResult(selection.issue_id, out_dir, selection, rendered, tuple(files), composed.report)


def build_issue(
    config: Config, store: Store, now: datetime, week: Week | None = None,
    overrides: EditorChoices | None = None, *, spam_pending: bool = False,
) -> BuildResult:
    """Build one edition's issue (``config`` is that edition's effective config): compose it, then
    write it; nothing is written when the composing refuses."""
    return write_composed(store, compose_issue(config, store, now, week, overrides, spam_pending=spam_pending))
