"""What a public archive page may load: the site's own images, and nothing that runs.

The email keeps the images the editor's ``email.image_policy`` allows, since only subscribers
open it. A page on the web is opened by anyone, and each image on it tells its host about
every visit; a feed names those hosts, so a hostile or careless feed could plant a tracker.
On the archive, an image stays only when its host is the site's, listed in
``email.image_hosts``, or in ``[archive] allow_image_hosts``. The same hosts make the page's
Content-Security-Policy, which allows no script at all, so markup that slipped past every
escape still loads and runs nothing. The filter and the policy are built from one list of
sources and match the same way, so an image the filter keeps is one the browser will load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from digest.settings.config import Config
from digest.settings.edition_tables import IMAGE_HOST

CSP = "Content-Security-Policy"
# Elements that run, frame or redirect: nothing on a public page of ours needs one.
ACTIVE = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal")
LOADS = ("img", "image", "input", "source", "video", "audio", "track")  # elements whose src is fetched
_URL_IN_STYLE = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.I | re.S)
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class Source:
    """One ``img-src`` source: a scheme, a host (or ``*.domain``: its subdomains) and a port."""

    scheme: str
    host: str
    port: int | None = None

    def matches(self, scheme: str, host: str, port: int | None) -> bool:
        if scheme != self.scheme or (port or _DEFAULT_PORTS[scheme]) != (self.port or _DEFAULT_PORTS[scheme]):
            return False
        if self.host.startswith("*."):
            return host.endswith(self.host[1:])
        return host == self.host

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port else "")


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def image_sources(config: Config) -> list[Source]:
    """The site's host and the listed ones, with and without ``www.``, as ``email.images`` treats them."""
    site = urlsplit(config.site.url)
    schemes = ("https",) if config.email.upgrade_http else ("https", "http")
    site_host = _bare(site.hostname or "")
    hosts: list[tuple[str, int | None]] = [(site_host, site.port)]
    if IMAGE_HOST.fullmatch(site_host) and not site_host.replace(".", "").isdigit():
        hosts.append((f"www.{site_host}", site.port))
    listed = [*config.email.image_hosts, *(config.archive.allow_image_hosts if config.archive else [])]
    for entry in listed:
        entry = entry.strip().lower()
        if not IMAGE_HOST.fullmatch(entry):
            continue  # never copied into the policy: it could end the directive and add another
        pair = [entry, entry[2:]] if entry.startswith("*.") else [_bare(entry), f"www.{_bare(entry)}"]
        hosts += [(h, None) for h in pair]
    sources: list[Source] = []
    for scheme in schemes:
        for host, port in hosts:
            source = Source(scheme, host, port)
            if host and source not in sources:
                sources.append(source)
    return sources


def image_allowed(url: str, sources: list[Source]) -> bool:
    """Whether the browser, under the page's policy, would load an image from ``url``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return False
    if parts.scheme.lower() not in _DEFAULT_PORTS or parts.username is not None or parts.password is not None:
        return False
    host = (parts.hostname or "").rstrip(".")
    return bool(host) and any(s.matches(parts.scheme.lower(), host, port) for s in sources)


def content_security_policy(config: Config) -> str:
    """No script, no frame, no form target, no font, no fetch: only inline styles and the listed images."""
    images = " ".join(str(s) for s in image_sources(config))
    return (f"default-src 'none'; img-src {images}; style-src 'unsafe-inline'; base-uri 'none'; "
            "form-action 'none'")


def guard_page(doc: Any, config: Config) -> list[str]:
    """Drop foreign images and anything active from ``doc``; put the policy first in its head.

    Returns the hosts whose images were left off (for the run's report)."""
    sources = image_sources(config)
    dropped: list[str] = []

    def allowed(url: str) -> bool:
        if image_allowed(url, sources):
            return True
        dropped.append(urlsplit(url.strip()).hostname or url.strip()[:40])
        return False

    for element in list(doc.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in ACTIVE or tag == "link" or (
                tag == "meta" and (element.get("http-equiv") or "").lower() in ("refresh", "set-cookie")):
            element.drop_tree()  # the archive adds its own links; the rest has no place on the page
            continue
        for name in list(element.attrib):
            value = element.get(name) or ""
            if name.lower().startswith("on") or value.strip().lower().startswith(("javascript:", "vbscript:")):
                del element.attrib[name]
        if tag in LOADS and element.get("src") is not None and not allowed(element.get("src") or ""):
            _drop_image(element)
            continue
        for name in ("background", "poster", "href", "xlink:href"):
            value = element.get(name)
            if value is not None and (name != "href" or tag == "image") and not allowed(value):
                del element.attrib[name]
        if element.get("srcset") is not None:
            kept = [c for c in element.get("srcset", "").split(",") if c.split() and allowed(c.split()[0])]
            if kept:
                element.set("srcset", ",".join(kept))
            else:
                del element.attrib["srcset"]
        style = element.get("style")
        if style and "url(" in style.lower():
            element.set("style", _URL_IN_STYLE.sub(lambda m: m.group(0) if allowed(m.group(2)) else "none",
                                                   style))
    head = doc.find("head")
    if head is not None:
        policy = lxml.html.Element("meta", {"http-equiv": CSP, "content": content_security_policy(config)})
        head.insert(0, policy)
    return sorted(set(dropped))


def _drop_image(element: Any) -> None:
    """Remove an image; a link that held only the image goes with it (no empty, invisible link)."""
    parent = element.getparent()
    element.drop_tree()
    if (parent is not None and parent.tag == "a" and len(parent) == 0 and not (parent.text or "").strip()
            and parent.getparent() is not None):
        parent.drop_tree()
