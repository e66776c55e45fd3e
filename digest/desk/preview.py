"""``digest preview``: the latest built issue on 127.0.0.1, rebuilt as templates change.

The page shows the email at desktop (600 px) and phone (375 px) widths side by
side, the plain-text part, and the lint's findings. Merge tags show sample values
(``digest.mail.samples``; ``?tags=raw`` shows them as typed): the files keep the tags.
A watcher thread polls the mtimes of the template folders and the config file and calls the ``rebuild``
callback it was given; a failed rebuild (a template typo, a lint error) is shown
on the page instead of stopping the server. ``make_server`` returns the server
unstarted so tests drive it on a free port.

The server is local but its content is not: a mirror holds pages and SVGs the site's authors (or
whoever wrote into them) made, and any page the editor has open can send requests to it. So a path
that cannot name a file (a NUL, bad percent-encoding, ``..``) is a 400 before any filesystem call;
everything but the preview page itself is served under a CSP sandbox (no script, an opaque origin),
never sniffed; and an idle connection is dropped, with a cap on the connections served at once, so
idle clients cannot pin a thread each.
"""

from __future__ import annotations

import html
import json
import mimetypes
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote

from digest.errors import DigestError
from digest.mail.lint import format_finding, lint_html
from digest.mail.output import HTML, MANIFEST, TEXT
from digest.mail.samples import with_samples
from digest.urls import mirror_file
from digest.weeks import label_or_name

Rebuild = Callable[[], None]
Locate = Callable[[], Path | None]  # the issue folder to show (this config's store decides)
_DARK = re.compile(r"prefers-color-scheme\s*:\s*dark", re.I)
# Served with everything but the preview page: a mirrored page or SVG shows, and nothing in it runs
# or acts at this origin (sandbox without allow-scripts / allow-same-origin: an opaque origin).
SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
# The email itself: nothing in it runs (no script, no plugin, no form, no popup, no <base>) even opened
# on its own, yet it keeps this origin, so the page around it may read it and put a new build into it.
EMAIL_POLICY = "sandbox allow-same-origin; script-src 'none'; object-src 'none'; base-uri 'none'"
IDLE_TIMEOUT = 20.0  # seconds a connection may sit without sending a byte
MAX_CONNECTIONS = 32  # connections served at once; more are answered 503 and closed
_MAX_PATH = 2048  # characters of a request path
_NAME_MAX = 255  # bytes of one path segment (Linux's NAME_MAX)
_RAW_PATH = re.compile(r"/[!-~]*")  # printable ASCII, as a browser sends it
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def clean_path(raw: str) -> str | None:
    """The request's path percent-decoded, or None when it cannot name a page or a file.

    Refused: anything but printable ASCII on the wire, bad percent-encoding, bytes that are not
    UTF-8, a control character, a NUL or a backslash once decoded, a ``.`` or ``..`` segment, a
    path or segment too long for the filesystem. Checked here so no filesystem call ever sees one.
    """
    if len(raw) > _MAX_PATH or not _RAW_PATH.fullmatch(raw) or _BAD_PERCENT.search(raw):
        return None
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 0x20 or c in "\x7f\\" for c in decoded):
        return None
    segments = decoded.split("/")
    if any(s in (".", "..") or len(s.encode("utf-8")) > _NAME_MAX for s in segments):
        return None
    return decoded


def force_dark(html_text: str) -> str:
    """The email as a dark-mode client shows it: its dark-mode rules always apply."""
    return _DARK.sub("min-width: 0px", html_text)


def local_images(html_text: str, mirrors: Mapping[str, Path]) -> str:
    """Point the email's images on mirrored hosts at the preview's /mirror/ route."""
    for host in mirrors:
        for scheme in ("https", "http"):
            html_text = html_text.replace(f'src="{scheme}://{host}/', f'src="/mirror/{host}/')
    return html_text


def latest_issue_dir(out_root: Path) -> Path | None:
    """The issue folder whose digest.html was written last (a rebuilt old week counts as latest)."""
    if not out_root.is_dir():
        return None
    built = [p for p in out_root.glob(f"*/{HTML}") if not p.parent.name.startswith(".")]
    return max(built, key=lambda p: p.stat().st_mtime_ns).parent if built else None


@dataclass
class Watcher:
    """Polls file mtimes; on a change calls ``rebuild`` and records the outcome."""

    paths: Sequence[Path]
    rebuild: Rebuild | None
    interval: float = 1.0
    error: str | None = None
    rebuilds: int = 0
    _seen: dict[Path, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def snapshot(self) -> dict[Path, int]:
        seen: dict[Path, int] = {}
        for root in self.paths:
            files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else [root]
            for path in files:
                try:
                    seen[path] = path.stat().st_mtime_ns
                except OSError:
                    continue
        return seen

    def check(self) -> bool:
        """One poll: True when something changed (and a rebuild was attempted)."""
        current = self.snapshot()
        if not self._seen:
            self._seen = current
            return False
        if current == self._seen:
            return False
        self._seen = current
        if self.rebuild is not None:
            try:
                self.rebuild()
            except DigestError as exc:
                self.error = str(exc)
            except Exception as exc:  # noqa: BLE001 - a preview must survive any rebuild failure
                self.error = f"rebuild failed: {type(exc).__name__}: {exc}"
            else:
                self.error = None
            self.rebuilds += 1
        return True

    def run(self) -> None:
        self.check()
        while not self._stop.wait(self.interval):
            self.check()

    def stop(self) -> None:
        self._stop.set()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    handler_class: type[BaseHTTPRequestHandler]  # set below the handler: the desk serves its own
    request_queue_size = 64  # a browser opens several connections at once; none wait on a full backlog

    def __init__(self, address: tuple[str, int], out_root: Path, watcher: Watcher | None,
                 merge_tags: Iterable[str] = (), locate: Locate | None = None,
                 mirrors: Mapping[str, Path] | None = None, sender: str = "",
                 editions: Mapping[str, Locate] | None = None, idle_timeout: float = IDLE_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS, samples: Mapping[str, str] | None = None) -> None:
        self.idle_timeout = idle_timeout
        self.samples = dict(samples or {})  # merge tag -> the value the preview shows (?tags=raw: none)
        self._slots = threading.BoundedSemaphore(max_connections)
        self.out_root = out_root
        # edition name -> where its issue is; "?edition=NAME" switches (the first is the default)
        self.editions = dict(editions or {})
        self.watcher = watcher
        self.merge_tags = tuple(merge_tags)
        self.locate: Locate = locate or (lambda: latest_issue_dir(out_root))
        self.mirrors = {host.lower(): root for host, root in (mirrors or {}).items()}
        self.sender = sender
        self._thread: threading.Thread | None = None
        super().__init__(address, self.handler_class)  # binds last: a busy port calls server_close()

    def host_ok(self, host: str) -> bool:
        """Is ``host`` (the request's Host header) this server by a loopback name and its port?"""
        bound, port = self.server_address[:2]
        names = {"127.0.0.1", "localhost", "[::1]", str(bound)}
        return host.strip().lower() in {f"{name}:{port}" for name in names}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """A thread per connection, at most ``max_connections`` at once; beyond, a 503 and close."""
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(1.0)
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: 13\r\nConnection: close\r\n\r\ntoo many open\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away or went quiet is not news; anything else is one line, no traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            print(f"digest preview: a request failed: {type(error).__name__}: {error}", file=sys.stderr)

    def start_watching(self) -> None:
        if self.watcher is not None and self._thread is None:
            self._thread = threading.Thread(target=self.watcher.run, name="digest-preview-watch", daemon=True)
            self._thread.start()

    def server_close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        super().server_close()

    def locate_for(self, edition: str | None) -> Path | None:
        """The issue folder to show for ``edition`` (None: the default edition)."""
        return self.editions[edition]() if edition else self.locate()

    def state(self, edition: str | None = None) -> dict[str, object]:
        folder = self.locate_for(edition)
        stamp = (folder / HTML).stat().st_mtime_ns if folder else 0
        return {"issue": folder.name if folder else None, "version": stamp,
                "error": self.watcher.error if self.watcher else None}


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    timeout = IDLE_TIMEOUT  # a socket timeout from the first byte on; setup() applies the server's own
    _policy: str | None = SANDBOX  # this response's Content-Security-Policy

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # an idle or stalled client is dropped

    def end_headers(self) -> None:
        """Every answer, errors included: never sniffed; sandboxed unless it is the preview's own page."""
        self.send_header("X-Content-Type-Options", "nosniff")
        if self._policy:
            self.send_header("Content-Security-Policy", self._policy)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass  # quiet: the terminal shows rebuilds, not every poll

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._policy = SANDBOX
        try:
            self._get()
        except (ConnectionError, TimeoutError):
            raise  # the client went away or went quiet: the server drops the connection, quietly
        except Exception as exc:  # noqa: BLE001 - one bad request must not take the connection down unanswered
            print(f"digest preview: {self.command} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            self._policy = SANDBOX
            self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "the preview failed on this request")

    def _get(self) -> None:
        if not self.server.host_ok(self.headers.get("Host", "")):
            # DNS rebinding: a page on evil.example, re-pointed at 127.0.0.1, would read the unpublished
            # issue; its requests carry its own name in Host, never ours.
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "answers to 127.0.0.1 and localhost only")
            return
        raw_path, _, query = self.path.partition("?")
        path = clean_path(raw_path)
        if path is None:
            self.send_error(HTTPStatus.BAD_REQUEST, "malformed path")
            return
        server = self.server
        edition = parse_qs(query).get("edition", [""])[0] or None
        if edition is not None and edition not in server.editions:
            self.send_error(HTTPStatus.NOT_FOUND, "no such edition")
            return
        folder = server.locate_for(edition)
        raw_tags = parse_qs(query).get("tags", [""])[0] == "raw"
        if path == "/state.json":
            self._send(json.dumps(server.state(edition)).encode(), "application/json")
        elif path == "/":
            self._policy = None  # the preview's own page: its script polls for rebuilds
            page = render_page(folder, server.state(edition), server.merge_tags, server.sender,
                               list(server.editions), edition, samples=server.samples,
                               raw_tags=raw_tags)
            self._send(page.encode(), "text/html; charset=utf-8")
        elif path == "/email.html" and folder is not None:
            self._email((folder / HTML).read_text(encoding="utf-8"), query)
        elif path == "/digest.txt" and folder is not None:
            self._send((folder / TEXT).read_bytes(), "text/plain; charset=utf-8")
        elif path.startswith("/mirror/"):
            self._mirror_file(path)
        else:
            self.send_error(HTTPStatus.NOT_FOUND, "no such page (or no issue built yet)")

    def _email(self, html_text: str, query: str) -> None:
        """The built email as a client shows it: merge tags as samples (as typed with ``tags=raw``),
        images from the mirrors, dark when the query asks; never running code."""
        samples = {} if parse_qs(query).get("tags", [""])[0] == "raw" else self.server.samples
        text = local_images(with_samples(html_text, samples), self.server.mirrors)
        if "scheme=dark" in query:
            text = force_dark(text)
        self._policy = EMAIL_POLICY
        self._send(text.encode("utf-8"), "text/html; charset=utf-8")

    def _mirror_file(self, path: str) -> None:
        """An image of the issue from a configured mirror, so the preview shows it offline."""
        host, _, rest = path.removeprefix("/mirror/").partition("/")
        root = self.server.mirrors.get(host.lower())
        try:
            # ``path`` is decoded already: quoted again, mirror_file's own unquote gives it back as is
            found = mirror_file(root, "/" + quote(rest), "") if root is not None else None
            body = found.read_bytes() if found is not None else None
        except (OSError, ValueError):  # a loop of symlinks, a file it may not read, gone meanwhile
            found, body = None, None
        if found is None or body is None:
            self.send_error(HTTPStatus.NOT_FOUND, "not in the mirror")
            return
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        # A site's image does not change between two changes on the desk: kept by the browser for a while,
        # not fetched again with every page and email it is in (the pages themselves are never kept).
        self._send(body, kind, cache="private, max-age=600")

    def _send(self, body: bytes, kind: str, *, cache: str = "no-store") -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        self.wfile.write(body)


PreviewServer.handler_class = PreviewHandler


def make_server(out_root: Path, *, host: str = "127.0.0.1", port: int = 8025, rebuild: Rebuild | None = None,
                watch: Sequence[Path] = (), interval: float = 1.0, merge_tags: Iterable[str] = (),
                locate: Locate | None = None, mirrors: Mapping[str, Path] | None = None, sender: str = "",
                editions: Mapping[str, Locate] | None = None, idle_timeout: float = IDLE_TIMEOUT,
                max_connections: int = MAX_CONNECTIONS,
                samples: Mapping[str, str] | None = None) -> PreviewServer:
    """A server for ``out_root``'s latest issue; call ``start_watching()`` and ``serve_forever()``."""
    watcher = Watcher(list(watch), rebuild, interval) if watch else None
    if watcher is not None:
        watcher.check()  # the first snapshot: changes are measured from now
    try:
        return PreviewServer((host, port), out_root, watcher, merge_tags, locate, mirrors, sender, editions,
                             idle_timeout, max_connections, samples)
    except OSError as exc:
        raise DigestError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (try --port)") from None


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ margin: 0; font: 14px/1.45 system-ui, sans-serif; background: #e9ebef; color: #1d2433; }}
header {{ padding: 14px 24px; background: #1d2433; color: #fff; }}
header h1 {{ margin: 0; font-size: 16px; }} header p {{ margin: 4px 0 0; color: #c5cad3; }}
nav.editions a {{ color: #fff; margin-right: 12px; }} nav.editions a.current {{ font-weight: bold; }}
.panes {{ display: flex; gap: 24px; padding: 20px 24px; align-items: flex-start; overflow-x: auto; }}
.pane h2 {{ margin: 0 0 8px; font-size: 12px; text-transform: uppercase; letter-spacing: 1px; color: #5b6270; }}
iframe {{ border: 0; background: #fff; height: 82vh; box-shadow: 0 2px 12px rgba(0,0,0,.15); }}
pre {{ width: 600px; height: 82vh; margin: 0; overflow: auto; padding: 16px; background: #fff;
       white-space: pre-wrap; box-shadow: 0 2px 12px rgba(0,0,0,.15); }}
.banner {{ margin: 16px 24px 0; padding: 12px 16px; background: #fdecea; color: #8a1c13;
           white-space: pre-wrap; }}
.lint {{ margin: 16px 24px 0; padding: 10px 16px; background: #fff7e0; }}
.inbox {{ margin: 16px 24px 0; padding: 10px 16px; background: #fff; display: flex; gap: 16px;
          box-shadow: 0 1px 4px rgba(0,0,0,.12); white-space: nowrap; overflow: hidden; }}
.inbox .from {{ font-weight: 700; min-width: 160px; }} .inbox .pre {{ color: #6b7280; overflow: hidden;
          text-overflow: ellipsis; }}
.scheme {{ margin: 12px 24px 0; }} .scheme button {{ font: inherit; padding: 4px 12px; }}
.scheme button[aria-pressed="true"] {{ background: #1d2433; color: #fff; }}
.tags a {{ padding: 4px 12px; color: #1d2433; }}
.tags a[aria-current="true"] {{ background: #1d2433; color: #fff; }}
</style></head><body>
<header><h1>{title}</h1><p>{details}</p>{chooser}</header>
{banner}{lint}
<div class="inbox" title="the inbox line, as a mail client lists it"><span class="from">{sender}</span>
<span class="subject">{subject}</span><span class="pre">{preheader}</span></div>
<div class="scheme">Colour scheme: <button type="button" data-scheme="light" aria-pressed="true">Light</button>
<button type="button" data-scheme="dark" aria-pressed="false">Dark</button>{tags_switch}</div>
<div class="panes">
<div class="pane"><h2>Desktop · 600 px</h2>
<iframe src="/email.html{query}" width="600" title="desktop"></iframe></div>
<div class="pane"><h2>Phone · 375 px</h2>
<iframe src="/email.html{query}" width="375" title="phone"></iframe></div>
<div class="pane"><h2>Plain text</h2><pre>{text}</pre></div>
</div>
<script>
for (const button of document.querySelectorAll(".scheme button")) {{
  button.addEventListener("click", () => {{
    const dark = button.dataset.scheme === "dark";
    for (const b of document.querySelectorAll(".scheme button"))
      b.setAttribute("aria-pressed", String(b === button));
    const query = new URLSearchParams(location.search);
    if (dark) query.set("scheme", "dark");
    for (const frame of document.querySelectorAll("iframe"))
      frame.src = "/email.html" + (query.size ? "?" + query : "");
  }});
}}
let seen = {version};
setInterval(async () => {{
  try {{
    const state = await (await fetch("/state.json{query}")).json();
    if (state.version !== seen || (state.error || "") !== {error_js}) location.reload();
  }} catch (e) {{}}
}}, 1000);
</script>
</body></html>
"""


_CURRENT = ' class="current"'


def _tags_switch(edition: str | None, raw: bool) -> str:
    """Links between the merge tags' sample values and the tags as typed (what the service fills in)."""
    base = f"/?edition={quote(edition)}&" if edition else "/?"
    sample = f'<a href="{html.escape(base[:-1] or "/")}"{"" if raw else _PRESSED}>Sample values</a>'
    typed = f'<a href="{html.escape(base)}tags=raw"{_PRESSED if raw else ""}>As typed</a>'
    return f' <span class="tags">Merge tags: {sample} {typed}</span>'


_PRESSED = ' aria-current="true"'


def render_page(folder: Path | None, state: dict[str, object], merge_tags: Sequence[str],
                sender: str = "", editions: Sequence[str] = (), edition: str | None = None, *,
                samples: Mapping[str, str] | None = None, raw_tags: bool = False) -> str:
    """The preview page: the inbox line, the two widths (light or dark), the text part, errors and lint;
    with several editions, links that switch between them; with merge tags, their sample values (or, with
    ``raw_tags``, the tags as typed) and a switch between the two."""
    error = state.get("error")
    banner = f'<div class="banner">{html.escape(str(error))}</div>' if error else ""
    params = ([f"edition={quote(edition)}"] if edition else []) + (["tags=raw"] if samples and raw_tags else [])
    query = "?" + "&".join(params) if params else ""
    shown = {} if raw_tags else dict(samples or {})
    chooser = ""
    if len(editions) > 1:
        current = edition or editions[0]
        links = [f'<a href="/?edition={quote(name)}"{_CURRENT if name == current else ""}>'
                 f"{html.escape(name)}</a>" for name in editions]
        chooser = '<nav class="editions">Editions: ' + "".join(links) + "</nav>"
    common = {"banner": banner, "version": json.dumps(state["version"]), "error_js": json.dumps(error or ""),
              "sender": html.escape(sender), "chooser": chooser, "query": html.escape(query),
              "tags_switch": _tags_switch(edition, raw_tags) if samples else ""}
    if folder is None:
        return _PAGE.format(title="digest preview: no issue built yet", details="run digest build", lint="",
                            text="", subject="", preheader="", **common)
    page_html = (folder / HTML).read_text(encoding="utf-8")
    subject, preheader = "", ""
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            subject, preheader = str(data.get("subject", "")), str(data.get("preheader") or "")
        except ValueError:
            subject = "(unreadable manifest)"
    findings = lint_html(page_html, merge_tags)
    lint = ""
    if findings:
        items = "".join(f"<li>{f.severity}: {html.escape(format_finding(f))}</li>" for f in findings)
        lint = f'<div class="lint"><strong>Lint</strong><ul>{items}</ul></div>'
    size = len(page_html.encode("utf-8")) / 1024
    details = f"{html.escape(subject)} · {size:.1f} KB · {html.escape(str(folder))}"
    title = f"digest preview: {html.escape(label_or_name(folder.name))}"
    return _PAGE.format(title=title, details=details, lint=lint,
                        text=html.escape(with_samples((folder / TEXT).read_text(encoding="utf-8"), shown,
                                                      markup=False)),
                        subject=html.escape(subject), preheader=html.escape(preheader), **common)
