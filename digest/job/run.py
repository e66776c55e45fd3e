"""One run of the weekly job: collect, then build the issue, then deliver it.

Used by ``digest run`` (cron, CI, an editor) and by every scheduler tick. The
caller holds the store lock, so the "already built?" check and the build that
follows it cannot interleave with another process: an issue is built once
(unless forced) and delivered once, whoever gets there first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from digest.errors import ApprovalError, DeliveryError, DigestError, LockError, ThinWeekError
from digest.job.approval import note_handed_off, person_named
from digest.models import CollectReport
from digest.settings.config import Config
from digest.settings.editions import all_editions, edition_name
from digest.store.database import Store
from digest.store.lock import StoreLock
from digest.weeks import Week, issue_key, last_full_week

if TYPE_CHECKING:
    from digest.collect.collector import CollectProgress
    from digest.job.build import BuildResult

Clock = Callable[[], datetime]


class RunAction(StrEnum):
    BUILT = "built"
    REBUILT = "rebuilt"  # built again on purpose (--force)
    ALREADY_BUILT = "already built"  # nothing to build; delivery may still be pending
    NOT_BUILT = "not built"  # every feed failed and a stale issue was not wanted
    BUILD_STOPPED = "build stopped"  # a thin week in this edition; the others went ahead
    FAILED = "failed"  # another build error in this edition (a lint error, a template typo)


Builder = Callable[[Config, Store, datetime, Week], "BuildResult"]


@dataclass(frozen=True)
class RunOutcome:
    """What one run did; ``line()`` is the one-line log/console summary."""

    issue_id: str
    action: RunAction
    seconds: float
    collect: CollectReport | None = None
    built_at: datetime | None = None
    out_dir: Path | None = None
    subject: str = ""
    picks: int = 0
    top: int = 0
    trending: int = 0
    html_bytes: int = 0
    warnings: tuple[str, ...] = ()
    trending_note: str | None = None  # why trending is short, when it is
    report: tuple[str, ...] = ()  # the pre-send report, as printed
    delivery: str | None = None  # what the hand-off did, None when there was none to do
    delivery_error: str | None = None
    error: str | None = None  # why the build stopped ("build stopped", "failed")

    def line(self) -> str:
        parts = self.parts()
        if self.collect is not None:
            parts.insert(1 + (self.action in ("built", "rebuilt")), collect_summary(self.collect))
        return "; ".join(parts) + f"; {self.seconds:.1f}s"

    def parts(self) -> list[str]:
        """The line's pieces without the collect summary and the time (a multi-edition run adds them once)."""
        parts = [f"{self.issue_id}: {self.action}"]
        if self.error is not None:
            return [f"{parts[0]}: {self.error}"]
        if self.action == RunAction.NOT_BUILT:
            parts.append(f"NOT BUILT: {stale_reason(self.collect)}" if self.collect else "NOT BUILT")
        if self.action in (RunAction.BUILT, RunAction.REBUILT):
            parts.append(f"{self.picks} picks ({self.top} top, {self.trending} trending), "
                         f"{self.html_bytes / 1024:.0f} KB html, {len(self.warnings)} warnings")
        elif self.built_at is not None:
            parts[0] += f" at {self.built_at.isoformat(timespec='minutes')}"
        if self.delivery_error:
            parts.append(f"NOT DELIVERED: {self.delivery_error}")
        elif self.delivery:
            parts.append(self.delivery)
        return parts


# What the run did to the web archive: wrote files or published issues ("updated"), found every
# file as it should be ("unchanged"), could not refresh it ("failed": the run's exit says so, the
# next run catches up), or the config has no archive ("off").
ArchiveState = Literal["updated", "unchanged", "failed", "off"]


@dataclass(frozen=True)
class RunReport:
    """One run over every edition: an outcome per edition, one collect, the archive's refresh."""

    editions: tuple[str, ...]
    outcomes: tuple[RunOutcome, ...]
    seconds: float
    collect: CollectReport | None = None
    archive: str | None = None  # the archive's one-line summary, when there is an archive
    archive_warnings: tuple[str, ...] = ()
    archive_state: ArchiveState = "off"  # what callers decide on; ``archive`` is only its wording
    failures: tuple[DigestError, ...] = ()  # editions whose build stopped; the others went ahead

    @property
    def delivery_errors(self) -> tuple[str, ...]:
        return tuple(o.delivery_error for o in self.outcomes if o.delivery_error)

    def line(self) -> str:
        """One edition: exactly ``RunOutcome.line()``; several: ``editions a, b: <a> | <b> | collected ...``."""
        seconds = f"{self.seconds:.1f}s"
        if len(self.outcomes) == 1:
            line = replace(self.outcomes[0], collect=self.collect).line().rsplit("; ", 1)[0]
            return "; ".join([line, *([self.archive] if self.archive else []), seconds])
        tail = [collect_summary(self.collect)] if self.collect is not None else []
        tail += [self.archive] if self.archive else []
        pieces = ["; ".join(o.parts()) for o in self.outcomes] + (["; ".join(tail)] if tail else [])
        return f"editions {', '.join(self.editions)}: " + " | ".join(pieces) + f"; {seconds}"


def collect_summary(report: CollectReport) -> str:
    new = sum(o.new for o in report.outcomes)
    failed = f", {len(report.failed)} failed" if report.failed else ""
    return f"collected {len(report.outcomes)} feeds{failed}, {new} new entries"


def stale_reason(report: CollectReport) -> str:
    return (f"every feed failed to collect ({len(report.failed)} of {len(report.outcomes)}), so the store "
            "could not be refreshed; the issue is not built from stale data (--stale-ok builds it anyway)")


def default_builder(config: Config, store: Store, now: datetime, week: Week) -> BuildResult:
    from digest.job.build import build_issue

    return build_issue(config, store, now, week)


def load_build(editions: Sequence[Config] = (), week: Week | None = None) -> None:
    """Import what building and handing off an issue loads (the selection, the renderer, the inliner,
    the pre-send report: about 0.2 s), before the build (issue 23): while an in-process collect waits on
    its parse workers' analyses, or once a forked one has ended; with the note's renderer when one of
    ``editions``' issue files for ``week`` has a note or a private note (``prepare_render``), never
    without one.

    Then the objects made so far, the loaded modules above all, leave the cyclic collector's sight
    (``gc.freeze``) unless a freeze already holds some: they live as long as the process, yet each full
    collection the build sets off would walk all of them (about 30 ms on bench/render.py's issue, inside
    its first render). Only once a process, so that a long-lived one (the scheduler, a test session)
    never pins what becomes garbage later."""
    import gc

    import digest.job.build
    import digest.job.deliver
    import digest.mail.output  # noqa: F401
    from digest.mail.render import prepare_render
    from digest.select.editor import gives_note

    prepare_render(notes=week is not None and any(gives_note(e, issue_key(week.id, e.edition_id))
                                                  for e in editions))
    if gc.get_freeze_count() == 0:
        gc.freeze()


def run_editions(
    config: Config, store: Store, clock: Clock, *, week: Week | None = None, force: bool = False,
    collect: bool = True, deliver: bool = True, builder: Builder | None = None,
    collected: CollectReport | None = None, editions: list[Config] | None = None, stale_ok: bool = False,
    on_collect: Callable[[CollectReport], None] | None = None, progress: CollectProgress | None = None,
    apart: bool = False,
) -> RunReport:
    """Build and hand off every edition of ``week`` once (``config`` is the base config).

    One collect serves all editions, and only when one still needs a build. Each edition is
    decided from the store on its own, so after a crash between two editions the next run
    completes only the missing one, and a re-run builds nothing. An edition whose build stops
    (a thin week, a lint error) is reported in ``failures`` and the others go ahead; the next
    run retries it. When the collect made here failed for every feed, nothing is built from
    the stale store unless ``stale_ok`` (as in ``run_once``). The archive is refreshed last.
    ``apart`` (the CLI): the collect runs in a forked child where it can (digest.collect.forked).
    """
    from digest.mail.spamcheck import ahead_count, started_ahead

    started = time.monotonic()
    editions = editions if editions is not None else all_editions(config)
    week = week or last_full_week(clock(), config.site.tz)
    # SpamAssassin compiles its rules while the collect and the build run (digest.mail.spamcheck)
    unbuilt = [e for e in editions if force or store.issue(issue_key(week.id, e.edition_id)) is None]
    with started_ahead(ahead_count(unbuilt)):
        outcomes, failures, collected = _build_editions(
            config, store, clock, editions, week, force=force, collect=collect, deliver=deliver,
            builder=builder, collected=collected, stale_ok=stale_ok, on_collect=on_collect, progress=progress,
            apart=apart)
    state: ArchiveState = "off"
    try:
        archive = None
        if config.archive is not None:  # the archive and its web page writer load only when configured
            from digest.mail.archive import update_archive

            archive = update_archive(config, store)
        archive_line = archive.line() if archive is not None else None
        if archive is not None:
            state = "updated" if archive.written or archive.published or archive.removed else "unchanged"
    except DigestError as exc:  # the issues are built and delivered; the archive catches up next run
        archive, archive_line, state = None, f"archive NOT UPDATED: {exc}", "failed"
    return RunReport(
        editions=tuple(edition_name(e) for e in editions), outcomes=tuple(outcomes),
        seconds=time.monotonic() - started, collect=collected, archive=archive_line, archive_state=state,
        archive_warnings=tuple(archive.warnings) if archive is not None else (), failures=tuple(failures),
    )


def _build_editions(
    config: Config, store: Store, clock: Clock, editions: list[Config], week: Week, *, force: bool,
    collect: bool, deliver: bool, builder: Builder | None, collected: CollectReport | None, stale_ok: bool,
    on_collect: Callable[[CollectReport], None] | None, progress: CollectProgress | None, apart: bool = False,
) -> tuple[list[RunOutcome], list[DigestError], CollectReport | None]:
    """``run_editions``'s collect (when an edition needs it) and each edition's build and hand-off."""
    outcomes: list[RunOutcome] = []
    failures: list[DigestError] = []
    stale = False
    for edition in editions:
        issue_id = issue_key(week.id, edition.edition_id)
        unbuilt = force or store.issue(issue_id) is None
        if collect and collected is None and unbuilt:
            prepare = partial(load_build, editions, week) if builder is None else None
            collected = _collect(config, store, clock, progress, prepare, apart)
            if on_collect is not None:
                on_collect(collected)
            stale = collected.all_failed and not stale_ok
        if unbuilt and stale:
            assert collected is not None
            outcomes.append(RunOutcome(issue_id, RunAction.NOT_BUILT, 0.0, collect=collected))
            continue
        try:
            outcome = run_once(edition, store, clock, week=week, force=force, collect=False, deliver=deliver,
                               builder=builder)
        except DigestError as exc:  # a thin anime week must not hold back the other editions
            failures.append(exc)
            action = RunAction.BUILD_STOPPED if isinstance(exc, ThinWeekError) else RunAction.FAILED
            outcomes.append(RunOutcome(issue_id, action, 0.0, error=str(exc)))
            continue
        if collected is not None and collected.failed and outcome.action != RunAction.ALREADY_BUILT:
            outcome = replace(outcome, warnings=(_collect_warning(collected), *outcome.warnings))
        outcomes.append(outcome)
    return outcomes, failures, collected


def _collect(config: Config, store: Store, clock: Clock, progress: CollectProgress | None,
             prepare: Callable[[], None] | None, apart: bool) -> CollectReport:
    """The run's collect; ``prepare`` (the default builder's ``load_build``) makes the build's imports.
    ``apart`` with the default builder: in a forked child where it can (digest.collect.forked), so that this
    process never holds the collect's stack (httpx, asyncio, ssl, the fetched feeds) next to the build's
    (issue 23's peak memory); ``prepare`` then runs once the child has ended. In-process, it runs while the
    collect waits on its parse workers; a caller's own builder keeps the collect in-process."""
    if apart and prepare is not None:
        from digest.collect.forked import collect_apart

        return collect_apart(config, store, clock, progress=progress, meanwhile=prepare)
    from digest.collect.collector import run_collect

    return run_collect(config, store, clock, progress=progress, meanwhile=prepare)


def _collect_warning(report: CollectReport) -> str:
    return (f"{len(report.failed)} of {len(report.outcomes)} feeds failed to collect; "
            "the issue was built from what the store already had")


def run_once(
    config: Config, store: Store, clock: Clock, *, week: Week | None = None, force: bool = False,
    collect: bool = True, deliver: bool = True, builder: Builder | None = None,
    stale_ok: bool = False, on_collect: Callable[[CollectReport], None] | None = None,
    progress: CollectProgress | None = None,
) -> RunOutcome:
    """Collect, build ``week`` (default: the week that just ended) unless built, then deliver once.

    ``config`` is one edition's effective config (the base config is the default edition).

    The caller holds the store lock. A delivery failure does not raise: the issue stays
    built, ``delivery_error`` says why, and the next run retries. Build errors (a thin
    week, a lint failure) raise as they would from ``build_issue``. When every feed
    failed, the week is not built (``RunAction.NOT_BUILT``) unless ``stale_ok``: a store that
    could not be refreshed makes a misleading issue. ``on_collect`` sees the collect
    report before anything else happens, so failures are told first.
    """
    started = time.monotonic()
    now = clock()
    week = week or last_full_week(now, config.site.tz)
    issue_id = issue_key(week.id, config.edition_id)
    existing = store.issue(issue_id)
    if existing is not None and not force:
        outcome = RunOutcome(issue_id, RunAction.ALREADY_BUILT, 0.0, out_dir=Path(existing.out_dir),
                             built_at=existing.built_at.astimezone(config.site.tz), subject=existing.subject)
    else:
        prepare = partial(load_build, [config], week) if builder is None else None
        report = _collect(config, store, clock, progress, prepare, apart=False) if collect else None
        if report is not None and on_collect is not None:
            on_collect(report)
        if report is not None and report.all_failed and not stale_ok:
            return RunOutcome(issue_id, RunAction.NOT_BUILT, time.monotonic() - started, collect=report)
        result = (builder or default_builder)(config, store, clock(), week)
        selection, rendered = result.selection, result.rendered
        warnings = list(selection.warnings) + list(rendered.lint_warnings)
        if report is not None and report.failed:
            warnings.insert(0, _collect_warning(report))
        outcome = RunOutcome(
            issue_id, RunAction.REBUILT if existing is not None else RunAction.BUILT, 0.0, collect=report,
            out_dir=result.out_dir, subject=rendered.subject, picks=len(selection.picks),
            top=len(selection.top), trending=len(selection.trending),
            html_bytes=len(rendered.html.encode("utf-8")), warnings=tuple(warnings),
            trending_note=selection.trending_note,
            report=tuple(result.report.lines()),
        )
    delivery, error = (deliver_pending(config, store, issue_id, clock(), force=force and existing is not None)
                       if deliver else (None, None))
    return replace(outcome, delivery=delivery, delivery_error=error, seconds=time.monotonic() - started)


def deliver_pending(
    config: Config, store: Store, issue_id: str, now: datetime, *, force: bool = False, by: str = "digest run",
) -> tuple[str | None, str | None]:
    """Deliver a built issue unless it already was: ``(what happened, why it failed)``.

    A mailing service is always asked through its draft (the store row decides what, if
    anything, to do): it completes a half-made draft, updates it after a rebuild, retries a notice.
    Once the issue is delivered (or found delivered), its state becomes "handed off" by ``by``, once.
    """
    from digest.job.deliver import deliver_issue

    method = config.delivery.method
    if method == "files":
        return None, None
    if config.delivery.is_service:
        try:
            detail = deliver_issue(config, store, issue_id, now, force=force)
        except DeliveryError as exc:
            return None, str(exc)
        note_handed_off(config, store, issue_id, now, by)
        return detail, None
    delivered = store.delivered_at(issue_id, method)
    if delivered is not None:
        note_handed_off(config, store, issue_id, now, by)  # a crash may have come between the two
        when = delivered.astimezone(config.site.tz).isoformat(timespec="minutes")
        return f"already delivered by {method} at {when}", None
    try:
        detail = deliver_issue(config, store, issue_id, now)
    except DeliveryError as exc:
        return None, str(exc)
    note_handed_off(config, store, issue_id, now, by)
    return f"delivered by {method} {detail}", None


@contextmanager
def locked_store(config: Config, *, wait: float = 0.0, stop: threading.Event | None = None,
                 poll: float = 0.5) -> Iterator[Store]:
    """Hold ``StoreLock`` for one job, waiting up to ``wait`` seconds for another run to finish.

    The wait ends early when ``stop`` is set (the scheduler is shutting down).
    """
    lock = StoreLock(config.store_path)
    deadline = time.monotonic() + wait
    while True:
        try:
            lock.acquire()
            break
        except LockError:
            if time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                raise
            if stop is not None:
                stop.wait(poll)
            else:
                time.sleep(poll)
    try:
        with Store.open(config.store_path) as store:
            yield store
    finally:
        lock.release()


def hand_off(config: Config, store: Store, issue_id: str, by: str, now: datetime) -> str:
    """Hand the issue off now as ``by`` (the desk's button, ``digest issue hand-off``): the run's delivery,
    exactly once, refused without approval when ``[approval] required``.

    The caller holds the store lock, as a run does.
    """
    person_named(config, by)
    if config.delivery.method == "files":
        raise ApprovalError('[delivery] method is "files": the out folder is the hand-off, nothing to send')
    done, error = deliver_pending(config, store, issue_id, now, by=by)
    if error is not None:
        raise DeliveryError(error)
    return done or ""
