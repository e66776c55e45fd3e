"""The HTTP client every service adapter shares: auth headers, JSON, errors in one line, bounded waits.

A call names its *step* ("create the campaign", "set its content" ...). Any failure becomes a
ServiceError whose text names the step and the reason in an editor's words: a refused key
(401/403), something not found (404, with what to check), the service's own validation message
quoted (400/422), a rate limit (429: waited out when ``Retry-After`` is within the configured
bound, else reported), a server error, a timeout, an answer past the overall deadline or over
the size cap (the next run retries; see digest.outbound). The API key is redacted from every
message in every form it travels in, whatever the service echoes back.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from digest.outbound import (
    DEFAULT_DEADLINE,
    MAX_ANSWER_BYTES,
    USER_AGENT,
    Answer,
    OutboundError,
    clip,
    fetch,
    redact,
)
from digest.services.settings import ServiceSettings

MessageOf = Callable[[Any], str]
RATE_LIMIT_RETRIES = 2


class ServiceError(Exception):
    """One failed step; ``str()`` is the reason. ``retry`` says the next run may well succeed.

    ``status`` is the HTTP status the service answered, None when no answer came (a timeout,
    a dropped connection): then the request may or may not have taken effect.
    """

    def __init__(self, step: str, reason: str, *, retry: bool = False, status: int | None = None) -> None:
        super().__init__(reason)
        self.step = step
        self.reason = reason
        self.retry = retry
        self.status = status


@dataclass
class Api:
    """One service's base URL, auth headers and error format."""

    service: str
    base_url: str
    headers: Mapping[str, str]
    secret: str
    key_env: str
    message_of: MessageOf
    timeout: float = 30.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    waited: list[float] = field(default_factory=list)
    deadline: float = DEFAULT_DEADLINE  # for the whole of one request, however slowly it trickles
    max_bytes: int = MAX_ANSWER_BYTES
    last_status: int = 0  # of the last complete answer, for messages about its shape
    # Where a 429 says how long to wait: Retry-After, then any header the service uses instead.
    wait_headers: tuple[str, ...] = ("retry-after",)

    @classmethod
    def of(cls, service: str, settings: ServiceSettings, base_url: str, headers: Mapping[str, str], key: str,
           message_of: MessageOf) -> Api:
        """One service's client as its settings table configures it (key env, timeout, Retry-After bound)."""
        return cls(service, base_url, headers, key, settings.api_key_env, message_of, settings.timeout,
                   settings.max_retry_wait, deadline=settings.deadline)

    def call(
        self,
        step: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        not_found: str = "",
    ) -> Any:
        """Send one request; return the parsed JSON (None for an empty body) or raise ServiceError.

        Every reason is redacted here, whoever raised it: nothing the service echoes shows the key.
        """
        try:
            return self._call(step, method, path, body, params, not_found)
        except ServiceError as exc:
            exc.reason = self.redact(exc.reason)
            exc.args = (exc.reason,)
            raise

    def _call(
        self, step: str, method: str, path: str, body: Any, params: Mapping[str, Any] | None, not_found: str
    ) -> Any:
        url = self.base_url + path
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **self.headers}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            response = self._send(step, method, url, headers, content, params)
            if response.status != 429:
                break
            said = next((response.headers[h] for h in self.wait_headers if response.headers.get(h)), None)
            wait = retry_after(said, datetime.now(UTC))
            if attempt == RATE_LIMIT_RETRIES or wait is None or wait > self.max_wait:
                asked = f"asks to wait {wait:g}s" if wait is not None else "gives no Retry-After"
                raise ServiceError(
                    step,
                    f"rate limited (HTTP 429; the service {asked}, digest waits at most "
                    f"{self.max_wait:g}s); the next run tries again",
                    status=429,
                    retry=True,
                )
            self.waited.append(wait)
            self.sleep(wait)
        self.last_status = response.status
        if response.is_success:
            if not response.body.strip():
                return None
            try:
                return self._scrub(response.json())
            except (ValueError, RecursionError):
                raise ServiceError(
                    step, f"the answer is not JSON (HTTP {response.status}); the next run tries again",
                    retry=True,
                ) from None
        raise ServiceError(step, self._reason(response, not_found), retry=response.status >= 500,
                           status=response.status)

    def _send(
        self,
        step: str,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        params: Mapping[str, Any] | None,
    ) -> Answer:
        """One request within the deadline and the size cap; no answer is a retryable ServiceError.

        Its status is None: a request that timed out, or whose answer was too big to read, may
        have taken effect, so a create is looked for before it is made again.
        """
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        try:
            return fetch(method, url, headers=headers, content=content, params=params, timeout=self.timeout,
                         deadline=self.deadline, max_bytes=self.max_bytes)
        except OutboundError as exc:
            if exc.kind == "connect" or exc.kind == "failed":
                reason = f"cannot reach {origin}: {exc.reason}; the next run tries again"
            else:
                reason = f"{origin} {exc.reason}; the next run tries again"
            raise ServiceError(step, reason, retry=True) from None

    def _reason(self, response: Answer, not_found: str) -> str:
        code = response.status
        status = f"HTTP {code}"
        said = self._said(response)
        quoted = f' "{said}"' if said else ""
        if code in (401, 403):
            return f"the service refused the API key ({status}{quoted}); check the key in ${self.key_env}"
        if code == 404:
            return f"not found ({status}{quoted})" + (f"; check {not_found}" if not_found else "")
        if code in (400, 409, 422):
            return f"the service rejected it ({status}):{quoted or ' (no message)'}"
        if code >= 500:
            return f"the service failed ({status}{quoted}); the next run tries again"
        if response.is_redirect:
            where = clip(response.headers.get("location", "?"), 200, self.secret)
            return f"redirected ({status}) to {where} (not followed); check base_url"
        return f"unexpected answer ({status}{quoted})"

    def _said(self, response: Answer) -> str:
        try:
            data = response.json()
        except ValueError:
            return clip(response.text, 200, self.secret)
        try:
            text = self.message_of(data)
        except (AttributeError, KeyError, TypeError, IndexError, RecursionError):
            text = ""
        try:
            text = text or json.dumps(data, ensure_ascii=False)
        except RecursionError:
            text = ""
        return clip(text, 300, self.secret)

    def _scrub(self, data: Any) -> Any:
        """``data`` with the key redacted from every string in it, keys included.

        Whatever an adapter reads from a 2xx answer (a status word, a checklist item, a web
        address) reaches the terminal, the store, the log and the editors' notice: the key must
        be gone before any of them sees it, so it goes here, once, for every service.
        """
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, list):
            return [self._scrub(item) for item in data]
        if isinstance(data, dict):
            return {self.redact(str(k)): self._scrub(v) for k, v in data.items()}
        if isinstance(data, int | float) and not isinstance(data, bool) and self.redact(str(data)) != str(data):
            return "***"  # a numeric key echoed as a number would show when an adapter prints it
        return data

    def redact(self, text: str) -> str:
        """``text`` without the key in any form (inside a ``Basic`` token too: see outbound.secret_forms)."""
        return redact(text, self.secret)


def retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def join(parts: Any) -> str:
    """Flatten a service's error list/dict into one line of text."""
    if isinstance(parts, str):
        return parts
    if isinstance(parts, Mapping):
        return "; ".join(f"{k}: {join(v)}" for k, v in parts.items())
    if isinstance(parts, list | tuple):
        return "; ".join(join(p) for p in parts)
    return "" if parts is None else str(parts)
