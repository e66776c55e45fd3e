"""Serve one corpus site (a static copy of a real review site) on 127.0.0.1 as its host served it.

    with serve_site(Path("tests/data/sites/hugo-caalden-film")) as site:
        site.url                 # "http://127.0.0.1:PORT/film/": the home, same path as published
        site.published           # "https://caalden.github.io/film/" (from SOURCES.md)
        site.to_published(link)  # a loopback URL read back as the address the site published
        site.requests            # every path asked for, in order

A corpus site is a folder with ``SOURCES.md`` (whose "Published address:" line names the home the
site was published at), ``labels.toml`` and ``site/``, the files at their published paths. Two
layouts occur: ``site/`` is the host's root (``site/film/index.html`` for a home at ``/film/``), or
``site/`` is the published folder itself (``site/index.html`` for a home at ``/lapizlazulai/``);
either way each file is served at the path it was published at.

What the server does is what a static host (GitHub Pages, Netlify, a WordPress export on Apache)
does with those files:

* a folder URL is answered by its ``index.html`` (or ``index.xml``, as WordPress exports write
  ``/feed/``); ``/x`` where ``x`` is a folder is redirected (301) to ``/x/``;
* feeds go out with the content type their host gave them, told by the file's contents (RSS is
  ``application/rss+xml``, Atom ``application/atom+xml``, any other XML ``text/xml``), also when
  the file is named ``index.html`` or ``index.rss`` (a copy of the feed kept at ``/feed/``);
* a query string is ignored (a static host serves the file whatever ``?paged=2`` asks);
* what is not there is a 404 (the site's own ``404.html`` when it has one), never a listing;
* every reply carries an ``ETag``, and ``If-None-Match`` is answered 304, as GitHub Pages does.

Why absolute links are rewritten: the pages and feeds name their own origin
(``https://caalden.github.io/film/reviews/x/``) in links, feed ``<link>``s, canonical links and
menus. Served from loopback unchanged, every such link would leave 127.0.0.1: digest would follow
the feed's item links to the real internet (or fail offline) and would treat its own site's links
as another host's, so the run would measure neither the site nor digest. Rewriting the origin
(``https://``, ``http://``, protocol-relative ``//`` and JSON's ``https:\\/\\/``) to the loopback
origin, while keeping every path and the published path prefix unchanged, is the same as pointing
the published host name at this server: each page, feed and link is where it was published,
relative to the same origin, and path-based facts (a ``/reviews/`` section, a ``/film/`` prefix,
a category feed's address) hold exactly as on the real site. Links to other hosts are left alone.
Only text replies (HTML, XML, CSS, JS, JSON, plain text) are rewritten; bytes otherwise untouched.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

PUBLISHED_BLOCK = re.compile(r"Published address:.*?(?=\n\s*-\s|\n\s*\n|\Z)", re.IGNORECASE | re.DOTALL)
URL = re.compile(r"https?://[^\s>)`\"']+")
LABEL_URL = re.compile(r'^url\s*=\s*"(https?://[^"]+)"', re.MULTILINE)
TEXT_TYPES = ("text/", "application/rss+xml", "application/atom+xml", "application/xml",
              "application/json", "application/javascript", "image/svg+xml")
INDEX_FILES = ("index.html", "index.htm", "index.xml", "index.rss")


def published_address(corpus_site: Path) -> str:
    """The home the site was published at, from its SOURCES.md ("Published address: URL").

    When that paragraph names several addresses (a configured base URL and the one the build
    really wrote into its links), the one whose origin the labels' post URLs use wins: that is
    the origin the pages link to, so the one to serve and rewrite.
    """
    text = (corpus_site / "SOURCES.md").read_text(encoding="utf-8")
    block = PUBLISHED_BLOCK.search(text)
    candidates = [u.rstrip(".,;`'\"") for u in URL.findall(block.group(0))] if block else []
    if not candidates:
        raise ValueError(f"{corpus_site / 'SOURCES.md'} has no 'Published address: https://…' line")
    origins = Counter(_origin(u) for u in LABEL_URL.findall(_read(corpus_site / "labels.toml")))
    wanted = origins.most_common(1)[0][0] if origins else _origin(candidates[0])
    url: str = next((u for u in candidates if _origin(u) == wanted), wanted + urlsplit(candidates[0]).path)
    path = urlsplit(url).path.rstrip("/") + "/"
    return _origin(url) + path


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def feed_type(body: bytes) -> str | None:
    """The content type a host gives this document if it is a feed (by its contents), else None."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        return None
    if b"<rss" in head or b"<rdf:rdf" in head:
        return "application/rss+xml; charset=UTF-8"
    if b"<feed" in head and b"http://www.w3.org/2005/atom" in head:
        return "application/atom+xml; charset=UTF-8"
    return "text/xml; charset=UTF-8"


@dataclass
class ServedSite:
    """A running server for one corpus site; ``url`` is its home on loopback."""

    folder: Path
    published: str
    url: str = ""
    requests: list[str] = field(default_factory=list)

    @property
    def published_origin(self) -> str:
        parts = urlsplit(self.published)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def to_published(self, url: str) -> str:
        """A loopback URL as the address the site published (other URLs unchanged)."""
        if url.startswith(self.origin + "/") or url == self.origin:
            return self.published_origin + url[len(self.origin):]
        return url

    def to_loopback(self, url: str) -> str:
        """A published URL as this server's (other URLs unchanged)."""
        return self._origin_pattern().sub(self.origin, url)

    def _origin_pattern(self) -> re.Pattern[str]:
        host = re.escape(urlsplit(self.published).netloc)
        # https://host, http://host, //host and JSON's https:\/\/host; not host.example.org or host:8080.
        return re.compile(rf"(?:https?:)?(?:\\?/){{2}}{host}(?![\w.\-]|:\d)", re.IGNORECASE)

    def rewrite(self, body: bytes) -> bytes:
        """``body`` with every link to the published origin pointing at this server instead."""
        pattern = re.compile(self._origin_pattern().pattern.encode(), re.IGNORECASE)
        return pattern.sub(self.origin.encode(), body)

    # --- mapping a request path to a file -------------------------------------------------------

    @property
    def prefix(self) -> str:
        return urlsplit(self.published).path  # "/film/", "/" …

    def docroot(self) -> tuple[Path, str]:
        """The folder served and the URL path it is served at ("site/" at "/" or at the prefix)."""
        site = self.folder / "site"
        inner = self.prefix.strip("/")
        if inner and not (site / inner).is_dir():
            return site, self.prefix
        return site, "/"

    def resolve(self, path: str) -> tuple[str, Path | None]:
        """("file", path) | ("redirect", None) | ("missing", None) for a URL path."""
        root, mount = self.docroot()
        if not path.startswith(mount):
            return "missing", None
        parts = [p for p in unquote(path[len(mount):]).split("/") if p]
        if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts):
            return "missing", None
        target = root.joinpath(*parts) if parts else root
        if target.is_dir():
            if parts and not path.endswith("/"):
                return "redirect", None
            for name in INDEX_FILES:
                if (target / name).is_file():
                    return "file", target / name
            return "missing", None
        if target.is_file():
            return "file", target
        return "missing", None

    def not_found_page(self) -> bytes:
        root, _ = self.docroot()
        page = root / "404.html"
        if not page.is_file():
            inner = self.prefix.strip("/")
            page = root / inner / "404.html" if inner else page
        if page.is_file():
            return self.rewrite(page.read_bytes())
        return b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>Not Found</body></html>"


def content_type(path: Path, body: bytes) -> str:
    """The type a static host sends: a feed's by its contents, others by the file name."""
    if path.suffix.lower() in (".xml", ".rss", ".atom", ".html", ".htm", ""):
        feed = feed_type(body)
        if feed is not None:
            return feed
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed is None:
        return "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "application/json"):
        return f"{guessed}; charset=utf-8"
    return guessed


def _handler(site: ServedSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
            return

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, *, send_body: bool) -> None:
            site.requests.append(self.path)
            path = urlsplit(self.path).path or "/"
            kind, file = site.resolve(path)
            if kind == "redirect":
                self._send(301, b"", {"Location": path + "/", "Content-Type": "text/html; charset=utf-8"},
                           send_body)
                return
            if file is None:
                self._send(404, site.not_found_page(), {"Content-Type": "text/html; charset=utf-8"}, send_body)
                return
            raw = file.read_bytes()
            ctype = content_type(file, raw)
            body = site.rewrite(raw) if ctype.startswith(TEXT_TYPES) else raw
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag}, send_body)
                return
            self._send(200, body, {"Content-Type": ctype, "ETag": etag}, send_body)

        def _send(self, status: int, body: bytes, headers: dict[str, str], send_body: bool) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
            self.end_headers()
            if send_body and status != 304:
                self.wfile.write(body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (digest's fetcher giving up on a keep-alive) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve_site(corpus_site: Path) -> Iterator[ServedSite]:
    """Serve ``corpus_site`` (a folder with SOURCES.md and site/) on 127.0.0.1 until the block ends."""
    site = ServedSite(folder=corpus_site, published=published_address(corpus_site))
    server = _QuietServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    port = server.server_address[1]
    site.url = f"http://127.0.0.1:{port}{site.prefix}"
    thread = threading.Thread(target=server.serve_forever, name=f"site-{corpus_site.name}", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
