"""Each change's email as soon as it is rendered, for the page that sent the change.

desk.js names every change it sends with a random id (the form's ``early`` field) and at the same
moment asks ``GET /email.html?early=<id>``. That request waits here until the change's email is
rendered, before its pre-send checks and its .eml are made, so the page can show the email while the
server still judges it. The page keeps the email it showed before and puts it back when the change is
refused (the POST's status says so): the email is only a preview until then, and nothing is written
or sent from here.

A change that renders no email (an approval move, a refused form) ends its id with ``None``, and so
does a wait that outlasts ``WAIT`` seconds: the page then asks for the email as before.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict

WAIT = 5.0  # seconds a page's early request waits for its change's email at most
KEEP = 16  # ids remembered: a page sends one change at a time, a few tabs at most
ID = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what desk.js sends: 32 hex digits


class EarlyEmails:
    """Rendered emails by change id, waited for by the page's early request (thread-safe)."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._emails: OrderedDict[str, str | None] = OrderedDict()

    def publish(self, change: str | None, html: str | None) -> None:
        """``change``'s email (``None``: it ends without one). The first word on an id stands."""
        if change is None or not ID.fullmatch(change):
            return
        with self._ready:
            if change in self._emails:
                return
            self._emails[change] = html
            while len(self._emails) > KEEP:
                self._emails.popitem(last=False)
            self._ready.notify_all()

    def wait(self, change: str, timeout: float = WAIT) -> str | None:
        """``change``'s email once rendered; None when it ends without one or not within ``timeout``."""
        if not ID.fullmatch(change):
            return None
        deadline = time.monotonic() + timeout
        with self._ready:
            while change not in self._emails:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._ready.wait(left)
            return self._emails[change]
