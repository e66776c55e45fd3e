"""The site's timezone, from what it says: WordPress's setting, else the offsets on its own dates.

Split from :mod:`propose` (the same pure-function half of ``init``): reading a zone from a few dated
stamps is its own problem, with its own evidence for the editor to confirm.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from digest.setup.discover import Survey, dates_carried

# The zones tried first, in this order, when the dates give only UTC offsets; then every city zone.
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
         "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Europe/Helsinki", "Asia/Kolkata",
         "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland")

MAX_DATES = 400


def site_timezone(survey: Survey) -> tuple[str, str]:
    """The site's zone: named by WordPress, else the zone whose UTC offsets fit every date seen.

    Feeds and pages write each post's time with an offset (Hugo's ``+0900``, Pelican's ``-04:00``).
    A non-zero offset is the site speaking of its own clock; ``+00:00`` is as often a generator's
    habit as the site's zone, so it decides only between zones that already fit the others (London
    in winter). A zone with summer time fits only if the offset of every date matches its season.
    The editor is shown what was seen and asked to confirm: an offset names a zone only up to its
    neighbours.
    """
    index = survey.wp_index or {}
    name = index.get("timezone_string")
    if isinstance(name, str) and _zone(name):
        return name, "from the site's WordPress settings (wp-json)"
    # The newest few hundred: enough to see both seasons, and a hostile feed of 50,000 dates stays cheap.
    moments = sorted(_distinct(survey.feed_dates + _page_offsets(survey.pages)))[-MAX_DATES:]
    local = [m for m in moments if m.utcoffset()]
    offset = index.get("gmt_offset")
    if isinstance(offset, int | float | str) and not local:
        try:
            hours = float(offset)
        except ValueError:
            hours = 0.0
        if hours and hours.is_integer():
            return f"Etc/GMT{-int(hours):+d}", "from the site's WordPress UTC offset (no named zone set)"
    if not local:
        seen = f"the {len(moments)} dates its feeds and pages carry are all UTC (+00:00)" if moments \
            else "its feeds and pages carry no dated times"
        return "UTC", (f"not found ({seen}, as many generators write them whatever the site's zone): "
                       "set site.timezone to the site's own zone")
    zone, fits = _fitting_zone(local, [m for m in moments if not m.utcoffset()])
    return zone, _zone_evidence(zone, fits, local, len(moments) - len(local))


def _distinct(moments: list[datetime]) -> list[datetime]:
    """Each stamp once (a post is in the main feed, its tag feeds and its page)."""
    return list({(m.timestamp(), m.utcoffset()): m for m in moments}.values())


def _fits(zone: ZoneInfo, moments: list[datetime]) -> int:
    return sum(1 for m in moments if m.astimezone(zone).utcoffset() == m.utcoffset())


def _candidate_zones() -> list[str]:
    """The common zones first, then every city zone the system knows (no aliases like US/Eastern)."""
    regions = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")
    others = sorted(z for z in available_timezones() if z.startswith(regions) and z not in ZONES)
    return [*ZONES, *others]


def _fitting_zone(local: list[datetime], utc: list[datetime]) -> tuple[str, int]:
    """(zone, how many of the dates with an offset it fits): every one when any zone can."""
    best: tuple[int, int, int, str] | None = None
    for rank, zone in enumerate(_candidate_zones()):
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        fits = _fits(tz, local)
        if fits * 2 <= len(local):
            continue
        key = (fits, _fits(tz, utc), -rank, zone)
        if best is None or key[:3] > best[:3]:
            best = key
    if best is not None:
        return best[3], best[0]
    common = Counter(m.utcoffset() for m in local).most_common(1)[0][0]
    hours = (common.total_seconds() if common else 0) / 3600
    return (f"Etc/GMT{-int(hours):+d}" if hours.is_integer() else "UTC"), 0


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta(0)).total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_evidence(zone: str, fits: int, local: list[datetime], utc_count: int) -> str:
    """What was seen, what it means for the zone's summer time, and a request to confirm."""
    by_offset: dict[str, list[datetime]] = {}
    for m in sorted(local):
        by_offset.setdefault(_offset(m.utcoffset()), []).append(m)
    seen = ", ".join(f"{len(ms)} at {off} ({ms[0]:%Y-%m}" + (f" to {ms[-1]:%Y-%m})" if len(ms) > 1 else ")")
                     for off, ms in by_offset.items())
    text = f"dates seen in the feeds and pages: {seen}"
    if utc_count:
        text += f", and {utc_count} written in UTC"
    if not fits:
        return text + f"; no zone fits them all, so the most common offset: confirm site.timezone ({zone})"
    tz = ZoneInfo(zone)
    years = sorted({m.year for m in local})
    season = {tz.utcoffset(datetime(y, mo, 15)) for y in years for mo in (1, 7)}
    text += f"; {zone} fits {'every one' if fits == len(local) else f'{fits} of {len(local)}'}"
    offsets = {_offset(o): o for o in season if o is not None}
    if len(offsets) > 1:
        seen_here = [o for o in offsets if o in by_offset]
        if len(seen_here) > 1:
            text += f" (its standard and summer offsets {' and '.join(sorted(offsets))} were both seen)"
        elif seen_here:
            only = seen_here[0]
            others = " or ".join(o for o in sorted(offsets) if o != only)
            text += f"; only {only} of its offsets was seen, and {zone} moves to {others} for part of the year"
            hours = offsets[only].total_seconds() / 3600
            if hours.is_integer():
                text += f" (if the site keeps {only} all year, Etc/GMT{-int(hours):+d} fits instead)"
    return text + ": other zones may share these offsets, so confirm site.timezone"


def _zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _page_offsets(pages: dict[str, str]) -> list[datetime]:
    """The article pages' publication dates, each with the offset the site wrote."""
    return [moment for html in pages.values() for moment in dates_carried(html)]
