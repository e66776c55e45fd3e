"""Reader clicks from the site's analytics export, for an issue no mailing service reports on.

What a delivery through SMTP, a webhook or files leaves: no service counts the clicks, but the
email tagged its links to the site with the issue's UTM tags (``[email] utm_source``), so the
export ``[trending] analytics_csv`` already read for trending tells the issue's visits apart
(:mod:`digest.clicks.analytics`). They are stored as the issue's ``analytics`` rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.clicks.analytics import analytics_report
from digest.clicks.record import record_report
from digest.errors import ConfigError, DigestError
from digest.select.analytics import read_analytics_rows
from digest.settings.config import Config
from digest.settings.editions import all_editions
from digest.store.clicks import ClickRow
from digest.store.database import Store
from digest.weeks import split_issue_key


def record_analytics_clicks(config: Config, store: Store, issue_id: str, now: datetime) -> list[ClickRow]:
    """Store ``issue_id``'s visits from the analytics export (in place of what it said before).

    The period runs from the issue's build to when the export was written. A ConfigError names
    what is missing: no export configured, or no UTM tags added to the email's links.
    """
    if config.trending.analytics_csv is None:
        raise ConfigError(f"{issue_id}: no analytics export to read clicks from: set [trending] analytics_csv "
                          "to the site's export by landing page with its query string")
    if not config.email.utm_source:
        raise ConfigError(f"{issue_id}: the email adds no UTM tags, so the analytics export cannot tell its "
                          "readers' visits: set [email] utm_source")
    path = config.resolve(config.trending.analytics_csv)
    rows = read_analytics_rows(path, config.site.url, now)
    report = analytics_report(rows, issue_id, config.email.utm_source, config.email.utm_medium)
    record = store.issue(issue_id)
    start = record.built_at if record else now  # record_report refuses an issue never built
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return record_report(store, issue_id, report, (start, max(start, written)), now)


def _handed_off(config: Config, store: Store, since: datetime) -> list[str]:
    """This edition's issues handed off since ``since``: delivered by SMTP or a webhook (the store's
    delivery record), or built when the delivery is files (the folder is the hand-off)."""
    method = config.delivery.method
    found = []
    for record in store.issues():
        if split_issue_key(record.id)[0] != config.edition_id:
            continue
        when = record.built_at if method == "files" else store.delivered_at(record.id, method)
        if when is not None and when >= since:
            found.append(record.id)
    return found


def collect_analytics_clicks(config: Config, store: Store, now: datetime) -> list[tuple[str, str, bool]]:
    """What ``collect`` and the scheduler do for the editions no mailing service reports on: each issue
    handed off by SMTP, a webhook or files within ``[report] days`` has its visits read from the export,
    once per collect; ``(issue, line, ok)`` for each. Nothing at all (no line) for an edition without the
    export or without UTM tags: there is nothing to read, and saying so at every collect would be noise
    (``digest report`` says where counts come from)."""
    done: list[tuple[str, str, bool]] = []
    for edition in all_editions(config):
        export = edition.trending.analytics_csv
        if edition.delivery.is_service or export is None or not edition.email.utm_source:
            continue
        name = export.name
        for issue_id in _handed_off(edition, store, now - timedelta(days=edition.report.days)):
            try:
                rows = record_analytics_clicks(edition, store, issue_id, now)
            except (DigestError, OSError) as exc:
                done.append((issue_id, f"{issue_id}: clicks not read from the analytics export: {exc}", False))
                continue
            visits = sum(r.total_clicks or 0 for r in rows)
            done.append((issue_id, f"{issue_id}: {visits} visits on {len(rows)} links from the analytics "
                                   f"export ({name}, by the issue's UTM tags)", True))
    return done
