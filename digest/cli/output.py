"""What commands print besides their tables: ``--json`` documents and the collect's progress line.

Every ``--json`` document has ``"schema"`` (its version) and ``"command"``, and is described by
``docs/json/<command>.schema.json``; tests validate each command's output against its schema.
A field is only ever added, never renamed or retyped, without bumping ``schema``.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from digest.job.build import BuildResult
    from digest.job.run import RunOutcome
    from digest.models import CollectReport, FeedOutcome

JSON_SCHEMA = 1


def emit(document: dict[str, Any]) -> None:
    from digest.cli.base import print_json

    print_json({"schema": JSON_SCHEMA, **document})  # held until the command ends (one document)


def collect_json(report: CollectReport, store_entries: int) -> dict[str, Any]:
    return {
        "command": "collect",
        "feeds": [_outcome(o) for o in report.outcomes],
        "new_entries": sum(o.new for o in report.outcomes),
        "failed_feeds": len(report.failed),
        "pages_fetched": report.pages_fetched,
        "page_failures": [{"url": url, "host": urlsplit(url).netloc, "reason": reason}
                          for url, reason in report.page_failures],
        "page_skipped": [{"url": url, "reason": reason} for url, reason in report.page_skipped],
        "pages_deferred": report.pages_deferred,
        "trending_links": report.trending_links,
        "trending_error": report.trending_error,
        "store_entries": store_entries,
        "seconds": round(report.seconds, 3),
    }


def _outcome(o: FeedOutcome) -> dict[str, Any]:
    return {"name": o.name, "url": o.url, "status": o.status, "new": o.new, "updated": o.updated,
            "unchanged": o.unchanged, "pages": o.pages, "error": o.error, "warning": o.warning}


def build_json(result: BuildResult, notes: list[str], saved: Path | None) -> dict[str, Any]:
    from digest.mail.manifest import build_manifest

    selection = result.selection
    manifest = build_manifest(selection, result.rendered.subject, None, result.rendered.preheader)
    return {
        "command": "build",
        "issue": result.issue_id,
        "out_dir": str(result.out_dir),
        "files": [str(f) for f in result.files],
        "subject": result.rendered.subject,
        "preheader": result.rendered.preheader,
        "html_bytes": len(result.rendered.html.encode("utf-8")),
        "top": len(selection.top),
        "trending": len(selection.trending),
        "trending_note": selection.trending_note,
        "picks": [{k: p[k] for k in ("kind", "position", "title", "url", "section", "score")}
                  for p in manifest["picks"]],
        "notes": notes,
        "issue_file": str(saved) if saved else None,
        "warnings": list(selection.warnings) + list(result.rendered.lint_warnings),
    }


def run_json(outcome: RunOutcome) -> dict[str, Any]:
    return {
        "command": "run",
        "issue": outcome.issue_id,
        "action": outcome.action,
        "out_dir": str(outcome.out_dir) if outcome.out_dir else None,
        "subject": outcome.subject,
        "picks": outcome.picks, "top": outcome.top, "trending": outcome.trending,
        "html_bytes": outcome.html_bytes,
        "warnings": list(outcome.warnings),
        "trending_note": outcome.trending_note,
        "collect": collect_json(outcome.collect, -1) if outcome.collect is not None else None,
        "delivery": outcome.delivery,
        "delivery_error": outcome.delivery_error,
        "seconds": round(outcome.seconds, 3),
    }


def failure_summary(failures: tuple[tuple[str, str], ...]) -> list[str]:
    """Article-page failures grouped by reason and host: one line per group, biggest first."""
    groups = Counter((reason, urlsplit(url).netloc) for url, reason in failures)
    return [f"article pages failed: {count} on {host}: {reason}"
            for (reason, host), count in groups.most_common()]


class TerminalProgress:
    """One self-rewriting line on stderr: feeds done, pages done, the host being read.

    Drawn only on a terminal (``enabled``): cron, pipes and ``--quiet`` get nothing.
    """

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.feed_total = self.feed_count = self.page_total = self.page_count = self.page_failed = 0
        self.host = ""
        self._width = 0

    def feeds(self, total: int) -> None:
        self.feed_total = total
        self._draw()

    def feed_done(self, outcome: FeedOutcome) -> None:
        self.feed_count += 1
        self.host = urlsplit(outcome.url).netloc or outcome.name
        self._draw()

    def pages(self, total: int) -> None:
        self.page_total = total
        self._draw()

    def page_done(self, url: str, error: str | None) -> None:
        self.page_count += 1
        self.page_failed += error is not None
        self.host = urlsplit(url).netloc
        self._draw()

    def line(self) -> str:
        text = f"collecting: feeds {self.feed_count}/{self.feed_total}"
        if self.page_total:
            text += f", article pages {self.page_count}/{self.page_total}"
            text += f" ({self.page_failed} failed)" if self.page_failed else ""
        return text + (f"; {self.host}" if self.host else "")

    def _draw(self) -> None:
        if not self.enabled:
            return
        text = self.line()
        self.stream.write("\r" + text.ljust(self._width))
        self._width = len(text)
        self.stream.flush()

    def close(self) -> None:
        """Wipe the line (once), so what is printed next starts on a clean line."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
