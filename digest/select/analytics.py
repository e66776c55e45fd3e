"""Read an analytics export (CSV of page URL and views) that editors already have.

Column names vary by tool, so the first column whose header looks like a URL
or page path and the first that looks like a view count are used. Paths are
resolved against the site URL and canonicalised to match stored links.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

from digest.errors import ConfigError
from digest.urls import canonical_url

_URL_HEADERS = ("url", "page", "page path", "page location", "landing page", "path", "pagepath",
                "page path and screen class", "page_url", "address", "landing page + query string",
                "page path + query string")
_VIEW_HEADERS = ("views", "pageviews", "page views", "screenpageviews", "unique pageviews", "visits",
                 "sessions", "hits", "count")


class ExportAfterNow(ConfigError):
    """The export was written after the build's ``now``: a replayed week must not see later views."""

    def __init__(self, path: Path, written: datetime) -> None:
        super().__init__(f"{path}: the analytics export was written after this build's --now")
        self.written = written


def read_analytics(path: Path, site_url: str, now: datetime | None = None) -> dict[str, float]:
    """``canonical URL -> views``; rows for the same URL are added up.

    With ``now`` (the build's moment), an export last written after it raises ExportAfterNow: its
    views were not known then, so a replayed build must leave them out, as it does later collects.
    """
    views: dict[str, float] = {}
    for raw, count in read_analytics_rows(path, site_url, now):
        url = canonical_url(raw, site_url)
        views[url] = views.get(url, 0.0) + count
    return views


def read_analytics_rows(path: Path, site_url: str, now: datetime | None = None) -> list[tuple[str, float]]:
    """Each row's ``(absolute URL as exported, views)``, its query (UTM tags) kept: the reader-click
    fallback (:mod:`digest.clicks.analytics`) tells the email's visits by them."""
    try:
        if now is not None:
            written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            if written > now:
                raise ExportAfterNow(path, written)
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: analytics file not found (trending.analytics_csv)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the analytics file: {exc}") from None
    # Exports often hold several tables, each after comment lines (GA4 writes "# ----" blocks and
    # may put its "Nth day" chart data first; UA appends a "Day Index" table): read the first
    # table whose header names a URL column and a views column, up to the blank line ending it.
    tables: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            if tables[-1]:
                tables.append([])
            continue
        tables[-1].append((number, line))
    headers: list[str] = []
    for table in tables:
        if not table:
            continue
        try:
            header = next(csv.reader([table[0][1]]))
            names = [h.strip().lower() for h in header]
            url_col = next((i for i, n in enumerate(names) if n in _URL_HEADERS), None)
            view_col = next((i for i, n in enumerate(names) if n in _VIEW_HEADERS), None)
            if url_col is None or view_col is None:
                headers.append(f"line {table[0][0]}: {', '.join(header)}")
                continue
            return _views(path, site_url, table, url_col, view_col)
        except csv.Error as exc:
            raise ConfigError(f"{path}: line {table[0][0]}: not a CSV table: {exc}") from None
    if not headers:
        raise ConfigError(f"{path}: the analytics file is empty")
    raise ConfigError(
        f"{path}: need a URL column ({', '.join(_URL_HEADERS[:3])} ...) and a views column "
        f"({', '.join(_VIEW_HEADERS[:3])} ...); found {'; '.join(headers)}"
    )


def _views(path: Path, site_url: str, table: list[tuple[int, str]], url_col: int, view_col: int
           ) -> list[tuple[str, float]]:
    views: list[tuple[str, float]] = []
    for number, line in table[1:]:
        try:
            row = next(csv.reader([line]), [])
        except csv.Error as exc:
            raise ConfigError(f"{path}: line {number}: {exc}") from None
        if len(row) <= max(url_col, view_col) or not row[url_col].strip():
            continue
        raw = row[view_col].strip().replace(",", "").replace("_", "")
        try:
            count = float(raw)
        except ValueError:
            raise ConfigError(f"{path}: line {number}: {row[view_col]!r} is not a number of views") from None
        views.append((urljoin(site_url, row[url_col].strip()), count))
    return views
