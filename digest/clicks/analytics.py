"""Reader clicks without a mailing service's report (SMTP, files, tracking off): the site's own
analytics export, read for the visits that arrived by the issue's links.

The email tags every link to the site with ``utm_source`` (``[email] utm_source``), ``utm_medium``
and ``utm_campaign = <issue id>`` (``digest.mail.render.link_policy``). An export by landing page with
its query string (GA4's "Landing page + query string", UA's "Landing Page") keeps those tags, so the
rows whose tags are this issue's are its readers' visits. A visit is not a unique reader: the
counts go in as totals, unique and delivered unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

from digest.services.clicks import BOTS, ClickReport, LinkClicks

SOURCE = "analytics"
NOTES = ("the site's analytics count visits that arrived with the issue's UTM tags: totals only, no unique "
         "readers and no delivered count", BOTS[SOURCE])


def _tags(url: str) -> dict[str, str]:
    return {k.lower(): v for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)
            if k.lower().startswith("utm_")}


def analytics_report(rows: Iterable[tuple[str, float]], issue_id: str, utm_source: str, utm_medium: str
                     ) -> ClickReport:
    """The export's rows ``(URL as exported, views)`` tagged for ``issue_id`` as one ClickReport
    (``service = "analytics"``), views of the same URL added up; other rows are left out."""
    wanted = {"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": issue_id}
    totals: dict[str, float] = {}
    for url, views in rows:
        tags = _tags(url)
        if all(tags.get(k, "").lower() == v.lower() for k, v in wanted.items()):
            totals[url] = totals.get(url, 0.0) + views
    links = tuple(LinkClicks(url, None, round(views)) for url, views in sorted(totals.items()))
    return ClickReport(SOURCE, issue_id, links, None, NOTES)
