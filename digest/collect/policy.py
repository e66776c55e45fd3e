"""Where a collect may fetch from: the site's own origins, and never an internal address.

Article pages, the trending page and every redirect hop have addresses that come
from content no one here wrote. A feed could otherwise make digest read a service
on the machine (``http://127.0.0.1:8080/admin/``, the same written ``2130706433``),
a cloud metadata endpoint, or a local file, and publish what it finds. So:

- a URL from content must be http(s) on one of the site's origins: the host and
  port of ``site.url``, of each configured feed, of ``trending.site_page``, and the
  hosts in ``collect.allowed_hosts`` (http and https on their default ports count
  as one origin);
- a configured feed (or one of its backfill pages) that redirects is followed only while
  every hop stays on those origins. A feed moved to FeedBurner, or from ``example.com`` to
  ``www.example.com``, fails with a message naming the host and the ``allowed_hosts`` line
  to add: ``www.`` and the bare domain are *not* taken as one site, since they can be served
  by different people, and one explicit line in the config is a cheap price for that;
- the address each connection actually reached must be a public one, unless the
  configured site itself is there (its URL names that address, or its own name
  resolves to it); metadata addresses are never allowed by name. Checking the
  connected socket, not an earlier lookup, leaves DNS rebinding no gap.

Hosts are compared in a canonical form so other spellings of one address match:
decimal, hex and short IPv4 forms, ``localhost`` and ``*.localhost``, a trailing dot.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from digest.errors import ErrorKind, FetchError
from digest.settings.config import Config

_DEFAULT_PORTS = {"http": 80, "https": 443}
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.I)
_PLAIN_ORIGIN = re.compile(r"^[A-Za-z0-9._:\[\]-]{1,300}$")
_LOCALHOST = re.compile(r"^(localhost|.+\.localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)$")
# Instance metadata services (AWS/GCP/Azure/OpenStack, Alibaba, AWS over IPv6).
METADATA = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254"))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class OffSite(FetchError):
    """A URL from content points outside the site's origins; it is skipped, not fetched."""


@dataclass(frozen=True)
class Origin:
    host: str  # canonical (see canonical_host)
    port: int | None  # None: the scheme's default port (80 and 443 count as one)

    def __str__(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


def canonical_host(host: str) -> str:
    """One spelling per address: lower case, no trailing dot, IDNA, dotted IPv4, compressed IPv6."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if _LOCALHOST.match(host):
        return "127.0.0.1"
    if _NUMERIC_HOST.match(host):
        try:  # inet_aton reads every form a resolver would: 2130706433, 0x7f.1, 127.1, 0177.0.0.1
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return host
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def origin_of(url: str) -> Origin | None:
    """The origin of an http(s) URL, or None when it is not one (or is unusable)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if port in _DEFAULT_PORTS.values():
        port = None
    return Origin(canonical_host(parts.hostname), port)


def parse_host_entry(text: str) -> Origin | None:
    """An ``allowed_hosts`` entry: ``cdn.example``, ``cdn.example:8443`` or a whole URL."""
    text = text.strip()
    return origin_of(text if "://" in text else f"https://{text}/")


def is_internal(address: Address) -> bool:
    """Not a public unicast address: loopback, private, link-local, reserved, metadata ..."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address in METADATA or not address.is_global or address.is_multicast


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@dataclass
class FetchPolicy:
    """The allowed origins, and the internal addresses the configured site itself lives on."""

    origins: frozenset[Origin]
    site_names: tuple[str, ...] = ()  # configured host names; their own addresses are trusted
    mirrored: frozenset[str] = frozenset()  # answered from files: nothing is resolved
    config_file: Path = Path("the config file")  # named in messages that say which key to set
    _trusted: set[Address] | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: Config) -> FetchPolicy:
        urls = [config.site.url] + [f.url for f in config.feeds]
        if config.trending.site_page:
            urls.append(config.trending.site_page)
        configured = [o for o in (origin_of(u) for u in urls) if o is not None]
        listed = [o for o in (parse_host_entry(h) for h in config.collect.allowed_hosts) if o is not None]
        names = tuple(dict.fromkeys(o.host for o in configured if _literal(o.host) is None))
        mirrored = frozenset(canonical_host(m.host) for m in config.mirrors)
        return cls(frozenset(configured + listed), names, mirrored,
                   config_file=config.base_dir / f"{config.config_name}.toml")

    def check_url(self, url: str) -> Origin:
        """Raise OffSite unless ``url`` is http(s) on one of the site's origins."""
        origin = origin_of(url)
        if origin is None:
            scheme = urlsplit(url).scheme or "no scheme"
            raise OffSite(f"skipped: not an http(s) address ({scheme})", kind=ErrorKind.OFF_SITE)
        if origin not in self.origins:
            raise OffSite(f"skipped: points off-site ({origin})", kind=ErrorKind.OFF_SITE)
        return origin

    def check_redirect(self, feed_url: str, hop_url: str, key: str | None = None) -> None:
        """Raise OffSite when a configured feed's redirect leads to ``hop_url`` off the site's origins;
        ``key``: the config key naming the address when it is a page, not a feed."""
        origin = origin_of(hop_url)
        if origin is None:
            scheme = urlsplit(hop_url).scheme or "no scheme"
            what = f"{key} page" if key else "feed"
            raise OffSite(f"{what} {feed_url} redirected to a non-http(s) address ({_plain(scheme)}); "
                          "nothing was read from it", kind=ErrorKind.OFF_SITE)
        if origin not in self.origins:
            raise OffSite(off_site_redirect(feed_url, origin, self.config_file, key), kind=ErrorKind.OFF_SITE)

    async def check_peer(self, host: str, address: Address) -> None:
        """Raise FetchError when a connection to ``host`` reached an internal address the site is not on."""
        if canonical_host(host) in self.mirrored:
            return
        if is_internal(address) and address not in await self._trusted_addresses():
            raise FetchError(f"skipped: {host} resolves to an internal address ({address}), "
                             "which is not the site's", kind=ErrorKind.INTERNAL_ADDRESS)

    async def _trusted_addresses(self) -> set[Address]:
        """Internal addresses the site itself is on: named by its URLs, or its names resolve there."""
        if self._trusted is None:
            trusted: set[Address] = set()
            for origin in self.origins:
                literal = _literal(origin.host)
                if literal is not None and literal not in METADATA:
                    trusted.add(literal)
                    if literal.is_loopback:  # "localhost" may connect over either family
                        trusted.update(ipaddress.ip_address(a) for a in ("127.0.0.1", "::1"))
            for name in self.site_names:
                if name in self.mirrored:
                    continue
                try:
                    trusted.update(a for a in await _resolve(name, 443) if a not in METADATA)
                except FetchError:
                    continue
            self._trusted = trusted
        return self._trusted


async def _resolve(name: str, port: int) -> list[Address]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchError("the host name does not resolve (typo in the URL?)", kind=ErrorKind.DNS) from None
    found: list[Address] = []
    for info in infos:
        address = _literal(str(info[4][0]).split("%", 1)[0])
        if address is not None and address not in found:
            found.append(address)
    return found


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Checks the address each connection actually reached, so a name that resolved to a public
    address for the check and to an internal one for the connection (DNS rebinding) is still refused."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Any = None
                          ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        peer = stream.get_extra_info("server_addr")
        address = _literal(str(peer[0]).split("%", 1)[0]) if peer else None
        try:
            if address is None:
                raise FetchError(f"skipped: cannot tell which address {host} reached",
                                 kind=ErrorKind.INTERNAL_ADDRESS)
            await self._policy.check_peer(host, address)
        except BaseException:
            await stream.aclose()
            raise
        return stream

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        raise FetchError("skipped: not a network address", kind=ErrorKind.INTERNAL_ADDRESS)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, on a connection pool whose every connection passes the policy."""

    def __init__(self, policy: FetchPolicy) -> None:
        # One context, handed to httpx's own set-up as well: each reads the CA bundle, about 1 MB held
        # for the run (issue 23's memory), and httpx's pool is replaced at once anyway.
        context = httpx.create_ssl_context()
        super().__init__(verify=context)
        self._pool = httpcore.AsyncConnectionPool(ssl_context=context, network_backend=_GuardedBackend(policy))


def off_site_redirect(feed_url: str, target: Origin, config_file: Path, key: str | None = None) -> str:
    """Why a configured feed (or the page ``key`` names, like ``trending.site_page``) was not read, and the
    exact line that lets it be (the key and the file)."""
    shown = _plain(str(target))
    what, serves, instead = ((f"{key} page", "page", f"set {key}") if key
                             else ("feed", "feed", "set this feed's url"))
    message = (f"{what} {feed_url} redirected to {shown}, which is not one of the site's hosts, so nothing "
               f"was read from it. If that host serves this site's {serves}, add \"{shown}\" to "
               f"collect.allowed_hosts in {config_file}; or {instead} to the new address")
    own = (urlsplit(feed_url).hostname or "").lower()
    if own and own != target.host and own.removeprefix("www.") == target.host.removeprefix("www."):
        message += " (digest treats www. and the bare domain as different hosts)"
    return message


def _plain(text: str) -> str:
    """A host or scheme taken from a server's answer, quoted when it is not plain (no control characters)."""
    return text if _PLAIN_ORIGIN.match(text) else ascii(text[:300])


def describe_origins(origins: Iterable[Origin]) -> str:
    return ", ".join(sorted(str(o) for o in origins))
