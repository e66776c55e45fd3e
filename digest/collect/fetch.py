"""Fetch feeds and pages: HTTP(S) with httpx, local files, and offline mirrors.

Every limit an editor would expect from a polite, robust crawler is here:
connect/read timeouts plus an overall deadline, bounded redirects, a maximum
body size (checked on the decompressed bytes, so a gzip bomb stops early),
conditional GET, a user agent naming the project, bounded concurrency and a
per-host limit with a pause between requests to the same host.

Failures become :class:`FetchError` with a sentence an editor understands.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import mimetypes
import socket
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from digest.collect.neterrors import clearly_bad_name, connect_failure, lookup_error
from digest.collect.policy import FetchPolicy, GuardedTransport, OffSite
from digest.errors import ErrorKind, FetchError
from digest.models import FetchResult
from digest.settings.config import CollectSettings
from digest.urls import is_http, mirror_file

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_STATUS_HINTS = {
    401: "the server wants a login",
    403: "the server refused access (blocked user agent or login needed?)",
    404: "the address does not exist (check the feed URL)",
    410: "the feed was removed",
    429: "the server says we are asking too often",
}


class Fetcher:
    """An async fetcher shared by one collect run. Use as ``async with``."""

    def __init__(
        self,
        settings: CollectSettings,
        *,
        mirrors: Mapping[str, Path] | None = None,
        base_dir: Path = Path("."),
        policy: FetchPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.base_dir = base_dir
        self.policy = policy
        self._mirrors = dict(mirrors or {})
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._host_next: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._probe: bool | None = None  # whether another site host name resolves (see _others_resolve)

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        mounts: dict[str, httpx.AsyncBaseTransport] = {}
        for host, root in self._mirrors.items():
            transport = MirrorTransport(root)
            mounts[f"http://{host}"] = transport
            mounts[f"https://{host}"] = transport
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=True,
            max_redirects=s.max_redirects,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            mounts=mounts,
            event_hooks={"request": [self._check_hop]},
            transport=GuardedTransport(self.policy) if self.policy is not None else None,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        max_bytes: int | None = None,
        untrusted: bool = False,
        feed: bool = False,
        key: str | None = None,
    ) -> FetchResult:
        """Fetch ``url``; a 304 comes back as ``status == 304`` with no content.

        ``untrusted``: the address came from content (an article link, a trending list), so
        it must be on the site's origins (:class:`FetchPolicy`), on this hop and every redirect.
        ``feed``: the address is a configured feed (or its backfill page): it is fetched as
        given, but a redirect is followed only while it stays on the site's origins, since a
        feed that moved elsewhere (a lapsed domain, a hijacked FeedBurner name) would otherwise
        mail whatever that host serves. ``key``: with ``feed``, the config key naming a page that is
        not a feed (``trending.site_page``), so a refused redirect names the key to set.
        """
        limit = max_bytes or self.settings.max_bytes
        if untrusted:
            if self.policy is None:
                raise FetchError("no fetch policy: refusing an address that came from content",
                                 kind=ErrorKind.OFF_SITE)
            self.policy.check_url(url)  # never file:, never another host
        if not is_http(url):
            return read_local(self._local_path(url), url, last_modified, limit)
        _check_url(url)
        host = urlsplit(url).netloc.lower()
        async with self._slots, self._host_slot(host):
            await self._be_polite(host)
            try:
                async with asyncio.timeout(self.settings.deadline):
                    return await self._get(url, etag, last_modified, accept, limit, untrusted, feed, key)
            except TimeoutError:
                raise FetchError(
                    f"gave up after the {self.settings.deadline:g}s deadline "
                    "(the server is too slow)",
                    kind=ErrorKind.TIMEOUT,
                ) from None

    async def _check_hop(self, request: httpx.Request) -> None:
        """Runs before every request httpx sends, the first and each redirect hop: an address that
        came from content stays on the site's origins, and so does a configured feed's redirect.
        (Addresses are checked on connecting.)"""
        if self.policy is None:
            return
        url = str(request.url)
        feed = request.extensions.get("digest_feed")
        if isinstance(feed, str) and url != request.extensions.get("digest_first"):
            key = request.extensions.get("digest_key")
            self.policy.check_redirect(feed, url, key if isinstance(key, str) else None)
        if not request.extensions.get("digest_untrusted"):
            return
        try:
            self.policy.check_url(url)
        except OffSite as exc:
            first = request.extensions.get("digest_first") == url
            raise (exc if first else OffSite(
                str(exc).replace("points off-site", "redirected off-site"), kind=ErrorKind.OFF_SITE)) from None

    async def _get(
        self, url: str, etag: str | None, last_modified: str | None, accept: str, limit: int,
        untrusted: bool = False, feed: bool = False, key: str | None = None,
    ) -> FetchResult:
        assert self._client is not None, "use Fetcher as an async context manager"
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            first = str(httpx.URL(url))
            marks: dict[str, object] = {"digest_first": first}
            if untrusted:
                marks["digest_untrusted"] = True
            if feed:
                marks["digest_feed"] = url
                if key:
                    marks["digest_key"] = key
            async with self._client.stream("GET", url, headers=headers, extensions=marks) as response:
                if response.status_code == 304:
                    return _result(url, response, b"", etag, last_modified)
                if response.status_code >= 400:
                    raise FetchError(_status_message(response), kind=ErrorKind.HTTP,
                                     status=response.status_code)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(_too_big(limit, int(declared)), kind=ErrorKind.TOO_BIG)
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > limit:
                        raise FetchError(_too_big(limit, None), kind=ErrorKind.TOO_BIG)
                return _result(url, response, bytes(body), etag, last_modified)
        except httpx.ConnectError as exc:
            host = _failed_host(exc, url)
            others = None
            if lookup_error(exc) is not None and not clearly_bad_name(host):
                others = await self._others_resolve(host)
            raise connect_failure(exc, host, others) from None
        except httpx.HTTPError as exc:
            raise _translate(exc, self.settings) from None

    async def _others_resolve(self, failed: str) -> bool | None:
        """Whether another of the site's host names resolves (one probe per run), to tell a bad name from
        a machine that is offline. Only names the config gives are looked up; None: there is none."""
        if self._probe is not None:
            return self._probe
        names = [n for n in (self.policy.site_names if self.policy else ())
                 if n != failed.lower() and n not in self._mirrored_hosts() and not _is_literal(n)]
        if not names:
            return None
        loop = asyncio.get_running_loop()
        for name in names[:3]:
            try:
                async with asyncio.timeout(self.settings.connect_timeout):
                    await loop.getaddrinfo(name, 443, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError, TimeoutError):
                continue
            self._probe = True
            return True
        self._probe = False
        return False

    def _mirrored_hosts(self) -> frozenset[str]:
        return self.policy.mirrored if self.policy is not None else frozenset()

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        if host not in self._host_slots:
            self._host_slots[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return self._host_slots[host]

    async def _be_polite(self, host: str) -> None:
        """Leave ``per_host_delay`` seconds between request starts to one host."""
        delay = self.settings.per_host_delay
        if delay <= 0 or host in self._mirrors:
            return
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            wait = self._host_next.get(host, now) - now
            self._host_next[host] = max(now, self._host_next.get(host, now)) + delay
        if wait > 0:
            await asyncio.sleep(wait)

    def _local_path(self, url: str) -> Path:
        path = Path(unquote(urlsplit(url).path)) if url.startswith("file:") else Path(url)
        return path if path.is_absolute() else self.base_dir / path


def _result(
    url: str, response: httpx.Response, body: bytes, etag: str | None, last_modified: str | None
) -> FetchResult:
    headers = {k.lower(): v for k, v in response.headers.items()}
    # httpx already decompressed the body; the encoding header no longer applies.
    headers.pop("content-encoding", None)
    headers.pop("content-length", None)
    return FetchResult(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        content=body,
        headers=headers,
        etag=headers.get("etag", etag),
        last_modified=headers.get("last-modified", last_modified),
    )


def _check_url(url: str) -> None:
    """Refuse a URL the HTTP stack cannot use, before it fails deep inside it.

    httpx accepts a port such as 99999 and the socket layer then raises an
    ExceptionGroup(OverflowError), which is no ``httpx.HTTPError``; neither is
    ``httpx.InvalidURL``. Both used to escape as crashes instead of FetchError.
    """
    try:
        _ = urlsplit(url).port  # reading it checks the range
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise FetchError(f"cannot fetch {url}: {exc} (check the URL)", kind=ErrorKind.BAD_URL) from None


def _status_message(response: httpx.Response) -> str:
    code = response.status_code
    # The standard phrase, not the server's: HTTP/2 sends none, HTTP/1.1 allows an empty one
    # and servers vary it ("NOT FOUND"); an unknown code falls back to what the server said.
    reason = httpx.codes.get_reason_phrase(code) or response.reason_phrase or ""
    hint = _STATUS_HINTS.get(code) or ("the server had an error" if code >= 500 else "")
    return f"HTTP {code} {reason}".strip() + (f": {hint}" if hint else "")


def _too_big(limit: int, declared: int | None) -> str:
    size = f" ({declared / 1e6:.1f} MB)" if declared else ""
    return f"response is larger than the {limit / 1e6:g} MB limit{size}; collect.max_bytes sets it"


def _translate(exc: httpx.HTTPError, settings: CollectSettings) -> FetchError:
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(
            f"could not connect within {settings.connect_timeout:g}s", kind=ErrorKind.TIMEOUT
        )
    if isinstance(exc, httpx.ReadTimeout):
        return FetchError(
            f"the server stopped sending data for {settings.read_timeout:g}s", kind=ErrorKind.TIMEOUT
        )
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"timed out: {exc}", kind=ErrorKind.TIMEOUT)
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError(
            f"more than {settings.max_redirects} redirects (a redirect loop?)", kind=ErrorKind.REDIRECTS
        )
    if isinstance(exc, httpx.ConnectError):
        return connect_failure(exc, _failed_host(exc, ""), None)
    if isinstance(exc, httpx.DecodingError):
        return FetchError("the response could not be decompressed", kind=ErrorKind.DECODING)
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"the server broke the connection: {exc}", kind=ErrorKind.PROTOCOL)
    return FetchError(f"{type(exc).__name__}: {exc}", kind=ErrorKind.NETWORK)


def _failed_host(exc: httpx.RequestError, url: str) -> str:
    """The host the failed connection was for: a redirect's, when a hop failed."""
    try:
        return exc.request.url.host
    except RuntimeError:  # raised without its request
        return urlsplit(url).hostname or ""


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def read_local(path: Path, url: str, last_modified: str | None, limit: int) -> FetchResult:
    """Read a local file as a source; its mtime acts as Last-Modified."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise FetchError(f"file not found: {path}", kind=ErrorKind.NOT_FOUND) from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}", kind=ErrorKind.IO) from None
    if not path.is_file():
        raise FetchError(f"not a file: {path}", kind=ErrorKind.IO)
    stamp = email.utils.formatdate(stat.st_mtime, usegmt=True)
    if last_modified == stamp:
        return FetchResult(url, url, 304, b"", {}, None, stamp)
    if stat.st_size > limit:
        raise FetchError(_too_big(limit, stat.st_size), kind=ErrorKind.TOO_BIG)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}", kind=ErrorKind.IO) from None
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FetchResult(url, url, 200, body, {"content-type": kind}, None, stamp)


class MirrorTransport(httpx.AsyncBaseTransport):
    """Answer a host's requests from a folder, for the offline demo.

    ``/a/b/`` reads ``a/b/index.xml`` (else ``index.html``, ``index.json``); a query string is
    folded into the name: ``/feed/?paged=2`` reads ``feed/index.paged-2.xml``.
    Missing files are 404s, exactly as the live site would answer.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = self.locate(request.url.path, request.url.query.decode())
        if path is None:
            return httpx.Response(404, request=request, content=b"Not Found")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".xml":
            kind = "application/rss+xml; charset=UTF-8"
        return httpx.Response(
            200, request=request, content=path.read_bytes(), headers={"Content-Type": kind}
        )

    def locate(self, url_path: str, query: str) -> Path | None:
        return mirror_file(self.root, url_path, query)
