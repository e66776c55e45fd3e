"""Third-party images: every image host sees each open of the email (who, when, from where).

Images from the site's own host, and the hosts the editor lists (``email.image_hosts``,
e.g. the site's CDN), are expected. Any other host is named in the build's warnings, or,
with ``email.image_policy = "drop"``, its images are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from urllib.parse import urlsplit

from digest.models import Pick, Selection
from digest.settings.config import Config


def _bare(host: str | None) -> str:
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def image_host_allowed(host: str, site_host: str, listed: list[str]) -> bool:
    """The site's host (with or without www.), a listed host, or under a listed ``*.domain``."""
    host = _bare(host)
    for entry in listed:
        entry = entry.strip().lower()
        if entry.startswith("*.") and (host == entry[2:] or host.endswith(entry[1:])):
            return True
        if _bare(entry) == host:
            return True
    return host == _bare(site_host)


def apply_image_policy(config: Config, selection: Selection) -> tuple[Selection, tuple[str, ...]]:
    """The selection with third-party images dropped (policy "drop"), and a warning per host."""
    site_host = urlsplit(config.site.url).hostname or ""
    listed = config.email.image_hosts
    foreign: Counter[str] = Counter()

    def check(pick: Pick) -> Pick:
        image = pick.review.image
        if image is None:
            return pick
        host = (urlsplit(image.url).hostname or "").lower()
        if image_host_allowed(host, site_host, listed):
            return pick
        foreign[host] += 1
        if config.email.image_policy == "drop":
            return replace(pick, review=replace(pick.review, image=None))
        return pick

    top = tuple(check(p) for p in selection.top)
    trending = tuple(check(p) for p in selection.trending)
    dropping = config.email.image_policy == "drop"
    warnings = tuple(
        f"{count} image{'s' if count > 1 else ''} from {host}, a third party that sees every open: "
        + ("left out (email.image_policy = \"drop\")" if dropping
           else "list it in email.image_hosts if it is the site's, or set email.image_policy = \"drop\"")
        for host, count in sorted(foreign.items())
    )
    return replace(selection, top=top, trending=trending), warnings
