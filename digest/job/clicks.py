"""Reader clicks from the mailing service: each handed-off issue's per-link counts, fetched and stored.

For each issue of this edition that the configured service holds a campaign for, made within the last
``days`` before ``now``, the service's own report is asked (:meth:`Service.link_clicks`: aggregate per
URL, never who clicked) and stored in place of what that service said before
(:func:`digest.clicks.record.record_report`). One issue's failure is said and the others go on; a
config without a service fetches nothing and says why (the analytics export is the way then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from digest.errors import DeliveryError, DigestError
from digest.services import ServiceError
from digest.settings.config import Config
from digest.settings.editions import all_editions, counts_clicks, edition_name
from digest.store import campaigns
from digest.store.database import Store
from digest.weeks import split_issue_key


@dataclass(frozen=True)
class Fetched:
    issue_id: str
    line: str  # what happened, for the editor
    ok: bool


def fetch_clicks(config: Config, store: Store, now: datetime, days: int = 7) -> list[Fetched]:
    """Fetch and store the click counts of this edition's campaigns made in the last ``days``."""
    from digest.clicks.record import record_report
    from digest.job.services.campaign import make_service

    method = config.delivery.method
    if not config.delivery.is_service:
        raise DeliveryError(f'[delivery] method is "{method}": no mailing service holds click counts; '
                            "`digest collect` reads them from the site's analytics export instead, once "
                            "[trending] analytics_csv and [email] utm_source are set")
    since = now - timedelta(days=days)
    held = [r for r in campaigns.campaigns_of(store, method)
            if split_issue_key(r.issue_id)[0] == config.edition_id and r.created_at >= since]
    if not held:
        return []
    adapter = make_service(config)
    done: list[Fetched] = []
    for record in held:
        try:
            report = adapter.link_clicks(record.campaign_id)
            rows = record_report(store, record.issue_id, report, (record.created_at, now), now)
        except (ServiceError, DigestError) as exc:
            line = f"{record.issue_id}: {method} click report failed: {exc}"
            done.append(Fetched(record.issue_id, line, False))
            continue
        clicks = sum(r.total_clicks or r.unique_clicks or 0 for r in rows)
        notes = "".join(f"; {n}" for n in report.notes)
        done.append(Fetched(record.issue_id, f"{record.issue_id}: {clicks} clicks on {len(rows)} links from "
                                             f"{method} campaign {record.campaign_id}{notes}", True))
    return done


def collect_clicks(config: Config, store: Store, now: datetime) -> list[Fetched]:
    """What ``collect`` and the scheduler's collect job do after reading the feeds: each edition handed off
    through a service has the clicks of its campaigns younger than ``[report] days`` fetched, once.

    SMTP, webhook and files hold no counts: their issues' visits are read from the site's analytics
    export instead, when it and the UTM tags are configured (:mod:`digest.job.analytics_clicks`). A
    failure (the service, its settings, an answer refused) is one line for that issue or edition; the
    others, and collect, go on.
    """
    if not counts_clicks(config):
        return []
    from digest.job.analytics_clicks import collect_analytics_clicks

    done: list[Fetched] = []
    for edition in all_editions(config):
        if not edition.delivery.is_service:
            continue
        try:
            done += fetch_clicks(edition, store, now, edition.report.days)
        except (ServiceError, DigestError) as exc:
            done.append(Fetched("", f"{edition_name(edition)}: {edition.delivery.method} click reports not "
                                    f"fetched: {exc}", False))
    return done + [Fetched(*found) for found in collect_analytics_clicks(config, store, now)]
