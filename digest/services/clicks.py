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
