"""The desk's hold on one week's issue: what the page shows, and each change applied as the CLI applies it.

A change goes through the same functions as ``digest build --pin/--drop/--note``: the editor's choices
are checked against the store (``check_flags``, the same messages), merged into ``issues/<week>.toml``
(``save_flags``, atomically), then the issue is composed as ``digest build`` composes it
(``compose_issue``: everything that can refuse it). The editor sees that email at once; writing it (the
folder, the store's record, the archive) follows a moment later in the background (digest.desk.finish),
then SpamAssassin's check (digest.desk.spam). Every move of the issue's state, the hand-off and the
archive buttons wait for the write first, and every hand-off finishes a pending check itself. The issue
file stays the source of truth; the desk keeps nothing of its own.

Two editors (two tabs, two desks on one store) are kept from losing each other's change by the issue
file's version: every form carries the hash of the file's bytes as the page showed it, and a change
whose version is no longer the file's is refused (:class:`StaleVersion`) before anything is written.
The check and the write happen under the store's lock, which ``digest build`` takes too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.desk.early import EarlyEmails
from digest.desk.finish import QUIET, BuildWriter, file_version
from digest.desk.spam import SpamWorker
from digest.errors import DigestError
from digest.files import replace_file
from digest.job.approval import status
from digest.job.build import ComposedIssue, choose, compose_issue
from digest.job.issue_status import IssueStatus
from digest.mail.manifest import load_manifest
from digest.mail.output import HTML, MANIFEST
from digest.mail.render import prepare_render
from digest.models import Review, Selection
from digest.reviews.rules import ReviewRules, reviews_in_window
from digest.select.editor import EditorChoices, gives_note, issue_file, load_editor_choices, save_flags
from digest.select.edits import check_edits, stored_reviews
from digest.settings.config import Config
from digest.settings.editions import pick_edition
from digest.store.database import Store
from digest.store.lock import open_store
from digest.weeks import Week, issue_key, parse_week, split_issue_key


class StaleVersion(DigestError):
    """The issue file changed since the page was shown: the change would overwrite someone else's."""


_HOLDS: dict[Path, threading.Lock] = {}  # one per store in this process: its desk sessions take turns


def _hold(store_path: Path) -> threading.Lock:
    """The desk's lock on ``store_path``, shared by every edition's session and worker in this process
    (the store's own lock is a file lock, which two threads of one process must not both ask for)."""
    return _HOLDS.setdefault(store_path.resolve(), threading.Lock())


@dataclass(frozen=True)
class DeskView:
    """What the page shows: the selection as built, every review of the week, the editor's choices."""

    issue_id: str
    week: Week
    selection: Selection | None  # None when the selection itself failed (the error says why)
    reviews: tuple[Review, ...]  # every review published in the week, oldest first
    choices: EditorChoices
    version: str
    issue_path: Path
    folder: Path | None  # the built issue's folder, for the email
    tz: ZoneInfo  # the site's: dates are shown as its readers see them
    error: str | None = None
    background: str | None = None  # what the background write of the last change could not do
    email_stale: bool = False  # the issue file is newer than the built email (edited by hand since)
    approval: IssueStatus | None = None  # None before the first build
    people: tuple[str, ...] = ()  # [approval] people, who may make the moves
    sections: tuple[str, ...] = ()  # the config's sections, where a pick may be moved


@dataclass
class DeskSession:
    """One edition's week, as the desk serves it. ``base`` is the config as loaded (all editions)."""

    base: Config
    week: Week
    now: datetime  # the build's ``now``: the built issue's own, so a rebuild picks from the same store
    edition: str | None = None
    write_quiet: float = QUIET  # seconds without a change before its files are written
    built: ComposedIssue | None = None
    # the issue file's version when ``built`` was made: the page reuses its selection until the file changes
    _built_version: str = ""
    early: EarlyEmails = field(init=False)  # each change's email as soon as it is rendered, by its id
    _lock: threading.Lock = field(init=False)
    _spam: SpamWorker = field(init=False)
    _writer: BuildWriter = field(init=False)

    def __post_init__(self) -> None:
        self.early = EarlyEmails()
        self._lock = _hold(self.base.store_path)
        self._spam = SpamWorker(self._lock, self.base.store_path)
        self._writer = BuildWriter(self._lock, self.base, self._spam, self.write_quiet)

    def settle(self) -> None:
        """Write the last change's build now if it waits; raise DigestError when it cannot be written.
        Everything that reads the built issue (a move of its state, a hand-off, the archive) calls it."""
        self._writer.settle()

    def wait_spam_check(self, timeout: float | None = None) -> bool:
        """Until the last change is written and its SpamAssassin check too (False on ``timeout``)."""
        return self._writer.wait(timeout) and self._spam.wait(timeout)

    def pending_email(self) -> tuple[str, str] | None:
        """The last change's email (html, text) while its build is not written yet; None once it is."""
        composed = self._writer.pending
        return (composed.rendered.html, composed.rendered.text) if composed is not None else None

    def report(self) -> dict[str, object] | None:
        """The last change's pre-send report while its build is not written yet (None: the manifest's)."""
        return self._writer.pending_report()

    def close(self) -> None:
        """Write what waits, then stop the background check (a check left pending is run by the hand-off)."""
        self._writer.close()
        self._spam.close()

    @property
    def config(self) -> Config:
        return pick_edition(self.base, self.edition)

    @property
    def issue_id(self) -> str:
        return issue_key(self.week.id, self.config.edition_id)

    @property
    def issue_path(self) -> Path:
        return issue_file(self.config, self.issue_id)

    @contextmanager
    def store(self, *, lock: bool) -> Iterator[Store]:
        with open_store(self.base.store_path, lock=lock) as store:
            yield store

    def folder(self) -> Path | None:
        with self.store(lock=False) as store:
            record = store.issue(self.issue_id)
        return Path(record.out_dir) if record is not None else None

    def view(self) -> DeskView:
        """The week as it stands: the selection ``digest explain`` reports, every review ``digest reviews``
        lists, and the issue file's choices and version."""
        config = self.config
        version = file_version(self.issue_path)
        start, end = self.week.window(config.site.tz)
        selection: Selection | None = None
        error: str | None = None
        try:
            choices = load_editor_choices(config, self.issue_id)
        except DigestError as exc:
            choices, error = EditorChoices(), str(exc)
        with self.store(lock=False) as store:
            found = reviews_in_window(store, ReviewRules.from_config(config), start, end)
            approval = status(config, store, self.issue_id) if store.issue(self.issue_id) else None
            if error is None:
                try:
                    built = self.built if self._built_version == version else None
                    selection = built.selection if built else choose(config, store, self.now, self.week)
                except DigestError as exc:
                    error = str(exc)
        reviews = tuple(r for r in found if r.is_review)
        folder = self.folder()
        writer = self._writer
        written = writer.pending is None and writer.error is None  # else the email is the change's own
        stale = written and _newer(self.issue_path, folder / HTML if folder else None)
        return DeskView(self.issue_id, self.week, selection, reviews, choices, version, self.issue_path,
                        folder, config.site.tz, error, writer.error or writer.warning, stale, approval,
                        tuple(p.name for p in config.approval.people), tuple(x.name for x in config.sections))

    def apply(self, flags: EditorChoices, version: str,
              early: str | None = None) -> tuple[ComposedIssue, list[str]]:
        """Check ``flags`` as ``digest build`` does, write them, compose the issue (its files follow in
        the background); refuse a stale ``version``. The email is published under the change's ``early``
        id as soon as it is rendered, while it is judged (digest.desk.early).

        Raises :class:`StaleVersion`, the check's own UsageError or the composing's error; in each case
        the issue file is left as it was (``digest build`` keeps flags its build then refuses; the desk
        does not, so the page never shows a file every later build would refuse).
        """
        config = self.config
        with self._lock, self.store(lock=True) as store:
            if file_version(self.issue_path) != version:
                raise StaleVersion(f"someone else changed {self.issue_path} since this page was shown; "
                                   "nothing was saved: reload the desk, then make the change again")
            named = flags.pins or flags.drops or flags.order or flags.sections or flags.blurbs
            stored = stored_reviews(config, store, self.week) if named else {}
            flags, notes = check_edits(config, flags, stored, self.week.id)
            before = (self.issue_path.read_bytes(), self.issue_path.stat()) if version else None
            save_flags(config, self.issue_id, flags)
            try:
                result = compose_issue(config, store, self.now, self.week, spam_pending=True,
                                       shown=lambda html: self.early.publish(early, html))
            except BaseException:
                _put_back(self.issue_path, before)  # a change the build refuses is not kept half-made
                raise
            self.built, self._built_version = result, file_version(self.issue_path)
            self._writer.submit(result, self.issue_path, self._built_version)  # the files, once quiet
        return result, notes



def _newer(path: Path, than: Path | None) -> bool:
    """Was ``path`` written after ``than`` (both there)?"""
    try:
        return than is not None and path.stat().st_mtime_ns > than.stat().st_mtime_ns
    except FileNotFoundError:
        return False


def _put_back(path: Path, before: tuple[bytes, os.stat_result] | None) -> None:
    """The issue file as it was, its time too (``None``: there was none), replaced atomically."""
    if before is None:
        path.unlink(missing_ok=True)
        return
    data, stat = before
    replace_file(path, data, times_ns=(stat.st_atime_ns, stat.st_mtime_ns))


def open_session(base: Config, week: str | None = None, edition: str | None = None, *,
                 write_quiet: float = QUIET) -> DeskSession:
    """The desk for a built issue: ``week`` of ``edition``, or that edition's last build.

    The build's own ``now`` (from its manifest) is kept, so each rebuild picks from the store as the
    first build did (a replayed week stays that week).
    """
    config = pick_edition(base, edition)
    with Store.open(base.store_path) as store:
        if week:
            wanted = issue_key(parse_week(week).id, config.edition_id)
            record = store.issue(wanted)
            if record is None:
                raise DigestError(f"{wanted} has not been built with this config; run digest build --week "
                                  f"{parse_week(week).id} first")
        else:
            record = store.last_built(config.edition_id)
            if record is None:
                raise DigestError("no issue built with this config yet; run digest build first")
    path = Path(record.out_dir) / MANIFEST
    manifest = load_manifest(path)
    try:
        now = datetime.fromisoformat(manifest["now"])
    except (KeyError, ValueError) as exc:
        raise DigestError(f"{path}: cannot read the issue's build time: {exc}") from None
    built_week = parse_week(manifest.get("week") or split_issue_key(record.id)[1])
    # the note's renderer loaded now, not in the first change's email (issue 23)
    prepare_render(notes=bool(manifest.get("note") or manifest.get("private_note"))
                   or gives_note(config, record.id))
    return DeskSession(base, built_week, now, edition, write_quiet)
