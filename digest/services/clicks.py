"""Per-link click reports from the mailing services (issue 22).

Aggregates only: a ClickReport never carries a person (no email address,
subscriber id or hash is requested, kept or passed on).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinkClicks:
    url: str            # the URL as the service reports it (the original link where the report gives it)
    unique: int | None  # unique clicks (None: the service does not say)
    total: int | None   # total clicks (None: the service does not say)


@dataclass(frozen=True)
class ClickReport:
    service: str                     # "mailchimp", "listmonk", ...
    campaign_id: str
    links: tuple[LinkClicks, ...]    # aggregate per URL, summed when the service lists a URL twice
    delivered: int | None            # recipients/delivered when the service gives it
    notes: tuple[str, ...] = ()      # what the service cannot say, in words ("Kit gives no per-link total")


# What each source does about bot and machine clicks (link scanners, mail-security proxies, prefetchers),
# in its own documented words only; "not documented" where we found nothing. None of the report answers
# digest reads has a per-link bot or machine field (tests/test_clicks_bots.py checks the vendored
# descriptions), so nothing can be excluded on digest's side: the note says whose filter applies.
BOTS: dict[str, str] = {
    # Mailchimp help, "Bot activity / bot filtering" (hosted at https://quickbooks.intuit.com/learn-support/
    # en-us/help-article/other-articles/bot-activity-bot-filtering/L76xqczed_US_en_US): bot filtering hides
    # bot activity from campaign reports. The click-details description (fern-marketing-api-docs openapi.json
    # @03215668, ReportsClickDetailsUrlsClicked) has no bot field and does not say whether the API honours it.
    "mailchimp": "Mailchimp's bot filtering hides bot activity from its campaign reports; its API does not say "
                 "whether click-details honours it, and the answer marks no click as a bot's",
    # knadh/listmonk queries/campaigns.sql get-campaign-link-counts: COUNT over every link_clicks row, no
    # filter; the links answer is {url, count} (models.CampaignAnalyticsLink).
    "listmonk": "listmonk neither marks nor filters bot or machine clicks: every recorded click is counted",
    # Kit v4 reference, GET /v4/broadcasts/{broadcast_id}/clicks: {url, unique_clicks, click_to_delivery_rate,
    # click_to_open_rate}; no statement on bot clicks found in Kit's API reference.
    "kit": "Kit's report has no bot or machine field and Kit's API reference says nothing of filtering "
           "them: the counts may include link scanners",
    # getbrevo/brevo-go api/swagger.yaml @431823cc: linksStats is URL -> count; getCampaignStats' MPP fields
    # (trackableViews, estimatedViews) are about opens. No statement on bot clicks found.
    "brevo": "Brevo's report has no bot or machine field and its API description says nothing of filtering "
             "them (its privacy-protection figures are about opens): the counts may include link scanners",
    # buttondown/docs content/pages/canary-links.mdoc @6af7b6fb: invisible canary links catch automated
    # clickers, whose other recent link hits "should be ignored"; EmailEvent (openapi.json) has no bot field
    # and the docs do not say whether /v1/events leaves those clicks out.
    "buttondown": "Buttondown ignores clicks its invisible canary links expose as automated; its events API "
                  "does not say whether those are left out of /v1/events, and no event is marked as a bot's",
    # The exports read (GA4 "Landing page + query string", UA "Landing Page", digest.select.analytics) have
    # a URL and a views column: no per-row bot marker to honour.
    "analytics": "the analytics export has no bot marker per row: whatever bot filtering the analytics tool "
                 "applies is all there is",
}
