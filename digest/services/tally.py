"""Reading a service's per-link click report: the sums per URL and the one error a report fails with.

A report is aggregate by the time it leaves here: :class:`Tally` keeps a URL and two counts,
nothing else of a row, so whatever else a service puts beside them (a subscriber id, an email
address) is dropped as the row is read. A failed request becomes :class:`ClickReportError`,
whose message names the service and the step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from digest.errors import DeliveryError
from digest.services.clicks import LinkClicks
from digest.services.client import ServiceError
from digest.services.shape import line


class ClickReportError(DeliveryError):
    """A service's click report could not be read (or the service has none); the message says where."""

    def __init__(self, service: str, step: str, reason: str, *, status: int | None = None,
                 retry: bool = False) -> None:
        super().__init__(f"{service}: cannot {step}: {reason}")
        self.service = service
        self.step = step
        self.status = status
        self.retry = retry


@contextmanager
def reading(service: str) -> Iterator[None]:
    """Turn a failed request of a click report into a ClickReportError naming the service and step."""
    try:
        yield
    except ServiceError as exc:
        raise ClickReportError(service, exc.step, exc.reason, status=exc.status, retry=exc.retry) from None


def number(value: Any) -> int | None:
    """A count from an answer: a whole number of zero or more, else None (the service did not say)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != int(value):
        return None
    return int(value)


def url_of(value: Any) -> str | None:
    """A reported URL as one line of text (None: not a usable URL)."""
    if not isinstance(value, str):
        return None
    text = line(value, 2000)
    return text or None


def _add(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b


class Tally:
    """Clicks summed per URL: a URL the service lists twice is one link with the sums."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int | None, int | None]] = {}

    def add(self, url: Any, unique: int | None, total: int | None) -> None:
        text = url_of(url)
        if text is None or (unique is None and total is None):
            return
        had_unique, had_total = self._seen.get(text, (None, None))
        self._seen[text] = (_add(had_unique, unique), _add(had_total, total))

    def links(self) -> tuple[LinkClicks, ...]:
        """The links, most clicked first (total, then unique), then by URL."""
        made = [LinkClicks(url, unique, total) for url, (unique, total) in self._seen.items()]
        return tuple(sorted(made, key=lambda c: (-(c.total or 0), -(c.unique or 0), c.url)))
