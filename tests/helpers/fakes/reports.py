"""The services' click reports (issue 22) in the fakes: what ``clicks`` holds, answered as each service does.

A fake's ``clicks`` maps a campaign id to the rows its report holds, in the service's own shape (per-person
fields included when a test wants them, as the real services send them). The concrete fakes in
``helpers.fakes.services`` subclass these.
"""

from __future__ import annotations

from typing import Any

from werkzeug import Request, Response

from helpers.fakes.base import Fake


class MailchimpReports(Fake):
    """GET /reports/{id}/click-details: one row per link, paged by count and offset."""

    reports = frozenset({"clicks"})

    def report(self, step: str, request: Request, cid: str) -> Response:
        if cid not in self.campaigns:
            return self.error(404, self.not_found_message)
        rows = self.clicks.get(cid, [])
        count, offset = int(request.args.get("count", 10)), int(request.args.get("offset", 0))
        page = rows[offset:offset + count]
        return self.json({"campaign_id": cid, "total_items": len(rows), "urls_clicked": page})


class ButtondownReports(Fake):
    """GET /events?event_type=clicked (one event per click, each with its subscriber_id); email analytics."""

    reports = frozenset({"events", "analytics"})

    def report(self, step: str, request: Request, cid: str) -> Response:
        if step == "analytics":
            if cid not in self.campaigns:
                return self.error(404, self.not_found_message)
            delivered = self.campaigns[cid].get("delivered", 0)
            return self.json({"recipients": delivered, "deliveries": delivered, "clicks": 0, "opens": 0})
        if "subscriber" in request.args.getlist("expand"):
            self.violations.append("buttondown: GET /v1/events asked for expand=subscriber (a person)")
        email = request.args.get("email_id", "")
        clicked = request.args.get("event_type") == "clicked"
        # Every event carries the subscriber it is attributed to, as the service's do.
        events = [{"id": f"evt_{n}", "creation_date": "2025-05-20T09:00:00Z", "event_type": "clicked",
                   "email_id": email, "subscriber_id": f"sub_{4242 + n % 3}", "automation_id": None,
                   "metadata": metadata}
                  for n, metadata in enumerate(self.clicks.get(email, []) if clicked else [])]
        size, page = int(request.args.get("page_size", 500)), int(request.args.get("page", 1))
        shown = events[(page - 1) * size:page * size]
        more = page * size < len(events)
        after = f"{self.base_url()}/events?email_id={email}&event_type=clicked&page={page + 1}"
        after = after if more else None
        return self.json({"results": shown, "count": len(events), "next": after, "previous": None})


class KitReports(Fake):
    """GET /v4/broadcasts/{id}/clicks (cursor pages, ERRATA K10) and /stats."""

    reports = frozenset({"clicks", "stats"})

    def report(self, step: str, request: Request, cid: str) -> Response:
        if cid not in self.campaigns:
            return self.error(404, "Not Found")
        c = self.campaigns[cid]
        if step == "stats":
            return self.json({"broadcast": {"id": int(cid), "stats": {
                "recipients": c.get("delivered", 0), "open_rate": 0.0, "emails_opened": 0, "click_rate": 0.0,
                "unsubscribe_rate": 0.0, "unsubscribes": 0, "total_clicks": 0, "show_total_clicks": False,
                "status": c["status"], "progress": 100.0, "open_tracking_disabled": False,
                "click_tracking_disabled": False}}})
        rows = self.clicks.get(cid, [])
        size, start = int(request.args.get("per_page") or 500), int(request.args.get("after") or 0)
        end = min(start + size, len(rows))
        return self.json({"broadcast": {"id": int(cid), "clicks": rows[start:end]},
                          "pagination": {"has_previous_page": start > 0, "has_next_page": end < len(rows),
                                         "start_cursor": str(start), "end_cursor": str(end), "per_page": size}})


class ListmonkReports(Fake):
    """GET /api/campaigns/analytics/links (top 50 {url, count}) and GET /api/config (individual_tracking)."""

    reports = frozenset({"clicks", "config"})
    individual_tracking = False  # privacy.individual_tracking: counts are unique clickers when on

    def __init__(self, server: Any) -> None:
        self.periods: list[tuple[str, str]] = []  # (from, to) of each links report asked for
        super().__init__(server)

    def report(self, step: str, request: Request, cid: str) -> Response:
        if step == "config":
            return self.json({"data": {"version": "v6.2.0", "privacy": {
                "individual_tracking": self.individual_tracking, "disable_tracking": False}}})
        if cid != "links" or request.args.get("id") not in self.campaigns:
            return self.json({"data": []})  # the server's answer for a campaign without clicks
        # cmd/campaigns.go: from and to are 10-30 characters, or 400 analytics.invalidDates.
        if not all(10 <= len(request.args.get(k, "")) <= 30 for k in ("from", "to")):
            return self.error(400, "Invalid date range")
        self.periods.append((request.args["from"], request.args["to"]))
        # queries.sql get-campaign-link-counts: GROUP BY url ORDER BY count DESC LIMIT 50
        rows = sorted(self.clicks.get(request.args["id"], []), key=lambda r: -r["count"])
        return self.json({"data": rows[:50]})
