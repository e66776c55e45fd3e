"""Shared pieces for the job, schedule and delivery tests (no tests here).

``job_config`` writes a real TOML config (a local WordPress feed file, a real store
path) with ``[schedule]`` and ``[delivery]`` tables. ``FakeBuilder`` stands in for the
select/render/output stages, writing the out dir exactly as the output stage does
(``digest.html``, ``digest.txt``, ``digest.eml``, ``manifest.json``) and recording the
issue in the real store, so jobs, the scheduler and delivery run for real around it.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from helpers.configfile import config_text
from helpers.wordpress import WordPressSite, make_posts

from digest.job.build import BuildResult
from digest.models import Pick, RenderedIssue, Review, Selection
from digest.settings.config import Config, load_config
from digest.store.database import Store
from digest.weeks import Week

TZ = ZoneInfo("America/Chicago")
SUBJECT = "Second Screen weekly — “Sunderfolk” scores 9/10 ✓"
HTML = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
        "<h1>This week’s best reviews</h1><p>Sunderfolk — 9/10 ✓</p></body></html>")
TEXT = "This week’s best reviews\n\nSunderfolk — 9/10 ✓\n"
# Monday 2025-05-19 in Chicago: the demo's build morning for 2025-W20.
MONDAY_8AM = datetime(2025, 5, 19, 8, 0, tzinfo=TZ)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def table(name: str, values: Mapping[str, Any] | None) -> str:
    if values is None:
        return ""
    return f"\n[{name}]\n" + "".join(f"{k} = {_value(v)}\n" for k, v in values.items())


def job_config(
    folder: Path, *, schedule: Mapping[str, Any] | None = None, delivery: Mapping[str, Any] | None = None,
    smtp: Mapping[str, Any] | None = None, webhook: Mapping[str, Any] | None = None,
    feeds: list[str] | None = None,
) -> Config:
    """A real config file in ``folder`` with a local feed of five posts from the demo weeks."""
    folder.mkdir(parents=True, exist_ok=True)
    if feeds is None:
        posts = make_posts(5, newest=datetime(2025, 5, 16, 14, tzinfo=UTC))
        (folder / "feed.xml").write_bytes(WordPressSite(posts).page(1) or b"")
        feeds = ["feed.xml"]
    text = 'output_dir = "out"\n' + config_text(feeds)  # top-level keys come before the first table
    text += table("schedule", schedule) + table("delivery", delivery)
    text += table("delivery.smtp", smtp) + table("delivery.webhook", webhook)
    path = folder / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def write_issue_files(out_dir: Path, issue_id: str, *, subject: str = SUBJECT, html: str = HTML,
                      text: str = TEXT, when: datetime = MONDAY_8AM) -> None:
    """The four files the output stage writes for an issue."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "digest.html").write_text(html, encoding="utf-8")
    (out_dir / "digest.txt").write_text(text, encoding="utf-8")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Second Screen <newsletter@secondscreen.example>"
    message["To"] = "Subscribers <subscribers@secondscreen.example>"
    message["Date"] = format_datetime(when)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    (out_dir / "digest.eml").write_bytes(bytes(message))
    manifest = {"schema": 1, "issue": issue_id, "subject": subject, "picks": [], "warnings": []}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _review(n: int) -> Review:
    return Review(
        entry_id=n, uid=f"https://reviews.example/?p={n}", link=f"https://reviews.example/{n}/",
        title=f"REVIEW: Number {n}", author="Dana", published=datetime(2025, 5, 14, tzinfo=UTC),
        section="Film", categories=("Reviews",), is_review=True, score=None, unscored_reason=None,
        tldr="Good.", image=None, comments=3,
    )


class FakeBuilder:
    """Stands in for ``build_issue``: writes the out dir and records the issue, counting calls."""

    def __init__(self, *, block: threading.Event | None = None, started: threading.Event | None = None):
        self.calls: list[tuple[str, datetime]] = []
        self.block = block
        self.started = started

    def __call__(self, config: Config, store: Store, now: datetime, week: Week) -> BuildResult:
        if self.started is not None:
            self.started.set()
        if self.block is not None:
            self.block.wait(10)
        self.calls.append((week.id, now))
        start, end = week.window(config.site.tz)
        out_dir = config.output_root() / week.id
        write_issue_files(out_dir, week.id, when=now)
        top = tuple(Pick("top", i, _review(i), ("high score",)) for i in (1, 2))
        trending = (Pick("trending", 1, _review(3), ("comments",)),)
        selection = Selection(week.id, start, end, now, top, trending, (), None, ("comments",), 3,
                              warnings=("only 3 scored reviews",))
        rendered = RenderedIssue(week.id, SUBJECT, "preheader", HTML, TEXT)
        store.record_issue(week.id, now, (start, end), SUBJECT, str(out_dir),
                           [(p.review.uid, p.review.link, p.kind, p.position) for p in selection.picks])
        return BuildResult(week.id, out_dir, selection, rendered, files=())

    @property
    def built(self) -> list[str]:
        return [issue for issue, _ in self.calls]


class FixedClock:
    """A settable clock for ``now``; APScheduler itself runs on real time."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
