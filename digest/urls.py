"""URL identity: canonical forms so one post is one entry whatever link it came by."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that only say where a click came from; never part of a post's identity.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "hsa_", "_hs")
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ref", "ref_src", "cmpid",
     "_ga", "_gl", "mkt_tok", "spm", "share", "amp"}
)


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str, base: str | None = None) -> str:
    """Absolute URL, lower-case scheme and host, no fragment, no tracking parameters."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    netloc = parts.netloc.lower()
    if netloc.endswith(":80") and parts.scheme.lower() == "http":
        netloc = netloc[:-3]
    elif netloc.endswith(":443") and parts.scheme.lower() == "https":
        netloc = netloc[:-4]
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    )
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def is_http(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def mirror_file(root: Path, url_path: str, query: str) -> Path | None:
    """The file a mirror folder holds for a URL path, or None (a 404).

    ``/a/b/`` reads ``a/b/index.xml`` (else ``index.html``, ``index.json``); a query string is
    folded into the name: ``/feed/?paged=2`` reads ``feed/index.paged-2.xml``. Nothing outside
    ``root`` is ever read.
    """
    root = root.resolve()
    relative = unquote(url_path).lstrip("/")
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        return None
    suffix = ("." + query.replace("=", "-").replace("&", "-")) if query else ""
    if url_path.endswith("/") or target.is_dir():
        for ext in (".xml", ".html", ".json"):
            candidate = target / f"index{suffix}{ext}"
            if candidate.is_file():
                return candidate
        return None
    return target if target.is_file() and not query else None
