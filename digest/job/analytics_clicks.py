"""Reader clicks from the site's analytics export, for an issue no mailing service reports on.

What a delivery through SMTP, a webhook or files leaves: no service counts the clicks, but the
email tagged its links to the site with the issue's UTM tags (``[email] utm_source``), so the
export ``[trending] analytics_csv`` already read for trending tells the issue's visits apart
(:mod:`digest.clicks.analytics`). They are stored as the issue's ``analytics`` rows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from digest.clicks.analytics import analytics_report
from digest.clicks.record import record_report
from digest.errors import ConfigError
from digest.select.analytics import read_analytics_rows
from digest.settings.config import Config
from digest.store.clicks import ClickRow
from digest.store.database import Store


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
