"""``digest desk``: the week's issue as an editor works on it, served like the preview, with changes.

It is the preview's server (clean paths, the Host check against DNS rebinding, idle timeouts, a cap
on connections, the email and mirror routes) with the desk's page at ``/`` and one POST route,
``/change``, whose forms are the table in :mod:`digest.desk.actions`. A server that can rewrite an
issue about to go to thousands of people is guarded as a web app:

- loopback by default; bound elsewhere it needs a token (``DIGEST_DESK_TOKEN``, checked by the
  command) and every request must carry it: ``Authorization: Bearer`` or the ``token`` cookie that
  ``/?token=...`` sets once;
- a CSRF token, made at each start, in a hidden field of every form: a POST without it, or with
  another, is 403 and changes nothing (a page elsewhere cannot post to the desk); so is a POST whose
  ``Origin`` is not the desk's own;
- the page's CSP allows one script, its own ``/desk.js`` (no inline script, no eval; fetch only to
  itself), and no frame but its own sandboxed email;
- a change carries the issue file's version; a stale one is 409 and writes nothing.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import sys
import threading
from collections.abc import Mapping
from functools import partial
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs

from digest.desk import panels
from digest.desk.actions import ACTIONS, Change
from digest.desk.early import EarlyEmails
from digest.desk.page import CSS, render_desk
from digest.desk.preview import (
    IDLE_TIMEOUT,
    MAX_CONNECTIONS,
    PreviewHandler,
    PreviewServer,
    clean_path,
    local_images,
)
from digest.desk.script import SCRIPT, SCRIPT_VERSION
from digest.desk.session import DeskSession, StaleVersion, open_session
from digest.errors import DigestError
from digest.settings.editions import all_editions, edition_name

TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=-]{16,512}")  # fits a header and a cookie as it is
# The desk's own page: one script, /desk.js (no inline script, no eval), fetching only from itself; its
# style from /desk.css; frames only from itself (the email, sandboxed by the page); forms only to itself;
# never framed by another page.
DESK_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
               "img-src 'self' https: http: data:; frame-src 'self'; form-action 'self'; base-uri 'none'; "
               "frame-ancestors 'none'")
YEAR = 365 * 24 * 3600
MAX_FORM = 64 * 1024  # bytes of one POST body: a note is at most 5000 characters


def is_loopback(host: str) -> bool:
    """A loopback address, or ``localhost``; never a name that merely looks like one (127.x.evil.example)."""
    name = host.strip().removeprefix("[").removesuffix("]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class DeskServer(PreviewServer):
    def __init__(self, address: tuple[str, int], session: DeskSession, *, token: str | None,
                 actions: Mapping[str, Change], mirrors: Mapping[str, Path] | None = None,
                 samples: Mapping[str, str] | None = None, idle_timeout: float = IDLE_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self.session = session
        self.token = token
        self.actions = dict(actions)
        self.csrf = secrets.token_urlsafe(32)  # per start: a page from before a restart must be reloaded
        self.home = edition_name(session.config)  # the command's edition, at "/"; the others at ?edition=
        self.names = [edition_name(e) for e in all_editions(session.base)]
        self._sessions: dict[str, DeskSession] = {self.home: session}
        self._sessions_lock = threading.Lock()
        editions = {name: partial(self._folder, name) for name in self.names}
        super().__init__(address, session.base.output_root(), None, locate=session.folder, mirrors=mirrors,
                         editions=editions, idle_timeout=idle_timeout, max_connections=max_connections,
                         samples=samples)

    def session_for(self, edition: str | None) -> DeskSession:
        """The desk's hold on ``edition``'s issue of the week (None: the command's own), opened once.

        Raises DigestError for a name the config has not, or an edition whose week is not built."""
        name = edition or self.home
        if name not in self.names:
            raise DigestError(f"no edition called {name!r} (editions: {', '.join(self.names)})")
        with self._sessions_lock:
            if name not in self._sessions:
                week = self.session.week.id
                try:
                    self._sessions[name] = open_session(self.session.base, week, name,
                                                        write_quiet=self.session.write_quiet)
                except DigestError as exc:
                    raise DigestError(f"{exc} (this edition: digest build --week {week} --edition {name}, "
                                      "then reload)") from None
            return self._sessions[name]

    def open_sessions(self) -> list[DeskSession]:
        """Every edition's session opened so far (the command's own first)."""
        with self._sessions_lock:
            return list(self._sessions.values())

    def server_close(self) -> None:
        """Stop serving, then write every session's last change (none is left half-way)."""
        super().server_close()
        for session in self.open_sessions():
            session.close()

    def _folder(self, name: str) -> Path | None:
        try:
            return self.session_for(name).folder()
        except DigestError:
            return None


class DeskHandler(PreviewHandler):
    server: DeskServer

    def _refused(self) -> bool:
        """Answer and return True when the request may not reach the desk: another Host, no token."""
        if not self.server.host_ok(self.headers.get("Host", "")):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "answers to its own address only")
            return True
        token = self.server.token
        if token is None:
            return False
        bearer = self.headers.get("Authorization", "")
        given = bearer[7:] if bearer.startswith("Bearer ") else ""
        if not given:
            try:
                morsel = SimpleCookie(self.headers.get("Cookie", "")).get("token")
            except CookieError:
                morsel = None
            given = morsel.value if morsel is not None else ""
        query_token = parse_qs(self.path.partition("?")[2]).get("token", [""])[0]
        if self.command == "GET" and query_token and hmac.compare_digest(query_token.encode(), token.encode()):
            # once, from the link the command printed: a cookie from now on, and the token out of the URL
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Set-Cookie", f"token={token}; HttpOnly; SameSite=Strict; Path=/")
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if not hmac.compare_digest(given.encode(), token.encode()):
            self.send_error(HTTPStatus.UNAUTHORIZED, "this desk needs its token (DIGEST_DESK_TOKEN)")
            return True
        return False

    def _get(self) -> None:
        if self._refused():
            return
        path = clean_path(self.path.partition("?")[0])
        edition = parse_qs(self.path.partition("?")[2]).get("edition", [""])[0] or None
        if path in ("/", "/report") and edition is not None and edition not in self.server.names:
            self.send_error(HTTPStatus.NOT_FOUND, "no such edition")
        elif path == "/":
            self._page(edition=edition)
        elif path == "/report":  # the report alone, for desk.js to refresh while a check is pending
            try:
                session: DeskSession | None = self._session(edition)
            except DigestError:  # that edition's week is not built
                session = None
            folder = session.folder() if session is not None else None
            report = session.report() if session is not None else None
            self._html(panels.report_section(folder, report), HTTPStatus.OK)
        elif path == "/email.html" and (early := parse_qs(self.path.partition("?")[2]).get("early")):
            self._early_email(early[0], edition)
        elif path in ("/email.html", "/digest.txt") and (shown := self._pending_email(edition)) is not None:
            # the last change's email, composed and judged, while its files are still being written
            query = self.path.partition("?")[2]
            if path == "/digest.txt":
                self._send(shown[1].encode("utf-8"), "text/plain; charset=utf-8")
            else:
                self._email(shown[0], query)
        elif path == "/desk.css":
            self._policy = "default-src 'none'"
            self._send((CSS + panels.CSS).encode("utf-8"), "text/css; charset=utf-8")
        elif path == "/desk.js":
            self._script(parse_qs(self.path.partition("?")[2]).get("v", [""])[0] == SCRIPT_VERSION)
        else:
            super()._get()  # the email, its text, the mirror: the preview's own routes and checks

    def _pending_email(self, edition: str | None) -> tuple[str, str] | None:
        try:
            return self._session(edition).pending_email()
        except DigestError:  # no such edition, or its week is not built: the preview's routes say so
            return None

    def _script(self, versioned: bool) -> None:
        """The page's one script: kept a year under its versioned URL (a new script is a new ``?v=``)."""
        self._policy = "default-src 'none'"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(SCRIPT)))
        self.send_header("Cache-Control", f"private, max-age={YEAR}, immutable" if versioned else "no-cache")
        self.end_headers()
        self.wfile.write(SCRIPT)

    def _session(self, edition: str | None) -> DeskSession:
        return self.server.session if edition in (None, self.server.home) else self.server.session_for(edition)

    def _page(self, status: HTTPStatus = HTTPStatus.OK, *, messages: tuple[str, ...] = (),
              error: str | None = None, edition: str | None = None, early: bool = False) -> None:
        """The desk's page. ``early`` (an accepted change): the status goes out before the page is made,
        so desk.js reloads the email's frames while the server lays the page out."""
        server = self.server
        shown = None if edition in (None, server.home) else edition  # the query this page's links carry
        try:
            session = self._session(shown)
        except DigestError as exc:  # an edition whose week is not built: say how to build it
            status, session, error, early = HTTPStatus.NOT_FOUND, server.session, str(exc), False
            shown = None
        if early:
            self._head(status, None)
        try:
            view = session.view()
            page = render_desk(view, server.csrf, messages=messages, error=error,
                               side=panels.side(session, view.folder, shown, server.csrf, view.version),
                               nav=panels.editions_nav(server.names, server.home, shown or server.home))
        except Exception as exc:
            if not early:
                raise
            # the status is out already: the change was made; say the page could not be, in its place
            print(f"digest desk: the page failed after a change: {type(exc).__name__}: {exc}", file=sys.stderr)
            page = ('<!doctype html><title>digest desk</title><div id="messages"><div class="message error" '
                    'role="alert">The change was saved, but the desk could not show the page: reload it.'
                    "</div></div>")
        body = local_images(panels.for_edition(page, shown), server.mirrors).encode("utf-8")
        if not early:
            self._head(status, len(body))
        self.wfile.write(body)

    def _html(self, page: str, status: HTTPStatus) -> None:
        body = local_images(page, self.server.mirrors).encode("utf-8")
        self._head(status, len(body))
        self.wfile.write(body)

    def _head(self, status: HTTPStatus, length: int | None) -> None:
        """The status line and headers of a desk page; with no ``length``, the body ends when the
        connection closes (as every answer of this HTTP/1.0 server's does)."""
        self._policy = DESK_POLICY
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "same-origin")  # no-referrer would make Origin "null"
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self._policy = DESK_POLICY
        try:
            self._post()
        except (ConnectionError, TimeoutError):
            raise
        except Exception as exc:  # noqa: BLE001 - one bad request must not take the connection down unanswered
            print(f"digest desk: POST failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "the desk failed on this request")

    def _post(self) -> None:
        if self._refused():
            return
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host', '').strip().lower()}":
            # a browser names the page that sent a form: another site, or "null" from a sandboxed frame
            self.send_error(HTTPStatus.FORBIDDEN, "changes are made from the desk's own page only")
            return
        if clean_path(self.path.partition("?")[0]) != "/change":
            self.send_error(HTTPStatus.NOT_FOUND, "changes go to /change")
            return
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.send_error(HTTPStatus.LENGTH_REQUIRED, "a change needs a Content-Length")
            return
        if kind != "application/x-www-form-urlencoded" or not 0 <= length <= MAX_FORM:
            self.send_error(HTTPStatus.BAD_REQUEST, "a change is a form of at most 64 KB")
            return
        try:
            raw = self.rfile.read(length).decode("utf-8")
            fields = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True, strict_parsing=False,
                                                   max_num_fields=20).items()}
        except (UnicodeDecodeError, ValueError):
            self.send_error(HTTPStatus.BAD_REQUEST, "a change is a UTF-8 form")
            return
        if not hmac.compare_digest(fields.get("csrf", "").encode(), self.server.csrf.encode()):
            self.send_error(HTTPStatus.FORBIDDEN, "this form is not from this desk (or the desk restarted): "
                                                  "reload the page")
            return
        change = self.server.actions.get(fields.get("action", ""))
        edition = fields.get("edition") or None
        if change is None or (edition is not None and edition not in self.server.names):
            self.send_error(HTTPStatus.BAD_REQUEST, "no such change" if change is None else "no such edition")
            return
        try:
            messages = change(self._session(edition), fields)
        except StaleVersion as exc:
            self._page(HTTPStatus.CONFLICT, error=str(exc), edition=edition)
            return
        except DigestError as exc:
            self._page(HTTPStatus.UNPROCESSABLE_ENTITY, error=str(exc), edition=edition)
            return
        finally:  # the page's early request for this change's email waits no longer
            if (emails := self._early(edition)) is not None:
                emails.publish(fields.get("early"), None)
        self._page(messages=tuple(messages), edition=edition, early=True)

    def _early(self, edition: str | None) -> EarlyEmails | None:
        try:
            return self._session(edition).early
        except DigestError:  # no such edition, or its week is not built: no change of it renders an email
            return None

    def _early_email(self, change: str, edition: str | None) -> None:
        """``GET /email.html?early=<id>``: the change's email once rendered (digest.desk.early), before it
        is judged; 204 when the change rendered none (the page then asks for the email as before)."""
        emails = self._early(edition)
        shown = emails.wait(change) if emails is not None else None
        if shown is None:
            self.send_response(HTTPStatus.NO_CONTENT)
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return
        self._email(shown, self.path.partition("?")[2])


DeskServer.handler_class = DeskHandler


def make_desk(session: DeskSession, *, host: str = "127.0.0.1", port: int = 8026, token: str | None = None,
              actions: Mapping[str, Change] = ACTIONS, mirrors: Mapping[str, Path] | None = None,
              samples: Mapping[str, str] | None = None, idle_timeout: float = IDLE_TIMEOUT,
              max_connections: int = MAX_CONNECTIONS) -> DeskServer:
    """The desk for ``session``, bound, unstarted. Off loopback without a token it refuses to exist."""
    if not is_loopback(host) and not token:
        raise DigestError(f"--host {host} is not loopback: anyone who can reach it could change and rebuild "
                          "the issue; set DIGEST_DESK_TOKEN to a long random secret (every request must "
                          "then carry it), or leave --host at 127.0.0.1")
    if token is not None and not TOKEN_CHARS.fullmatch(token):
        raise DigestError("DIGEST_DESK_TOKEN must be 16 to 512 letters, digits or ._~+/=- (no spaces, no ;): "
                          "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe())'")
    try:
        return DeskServer((host, port), session, token=token, actions=actions, mirrors=mirrors,
                          samples=samples, idle_timeout=idle_timeout, max_connections=max_connections)
    except OSError as exc:
        raise DigestError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (try --port)") from None
