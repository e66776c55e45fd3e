"""One webhook POST, for the issue's hand-off and for the editors' draft-ready notice alike.

Both posts go to a URL the editor named, carry a secret from the environment (an HMAC
signature of the exact body, or a bearer token), stop at the deadline however slowly the answer
trickles, never follow a redirect (the body and its signature reach only the configured host),
and fail as one line naming the host (never the path: it is often a secret), the status and what
the receiver said, with the secret redacted from all of it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from digest.errors import DeliveryError
from digest.outbound import USER_AGENT, OutboundError, clip, fetch, redact
from digest.settings.job import WebhookSettings


def signature(secret: str, body: bytes) -> str:
    """``X-Digest-Signature``: HMAC-SHA256 of the exact body bytes, GitHub style."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def secret_from(env_name: str | None, key: str) -> str:
    """The secret in ``env_name``; a missing one is named by the key that names it, before anything is sent."""
    value = os.environ.get(env_name or "", "")
    if not value:
        raise DeliveryError(f"the environment variable {env_name} (named by {key}) is not set; "
                            "set it to the secret before running digest")
    return value


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def post(
    settings: WebhookSettings, body: bytes, *, table: str, label: str, what: str,
    headers: Mapping[str, str] | None = None,
) -> str:
    """POST ``body`` (JSON); return "HTTP 200 OK from <origin>" or raise DeliveryError in plain words.

    ``table`` is the settings table ("delivery.webhook") for the secret's message, ``label`` what
    the receiver is called ("the webhook"), ``what`` what it is sent ("the issue").
    """
    secret = secret_from(settings.secret_env, f"{table}.secret_env") if settings.secret_env else None
    sent = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **(headers or {})}
    if secret is not None:
        if settings.auth == "bearer":
            sent["Authorization"] = f"Bearer {secret}"
        else:
            sent["X-Digest-Signature"] = signature(secret, body)
    host = origin(settings.url)
    where = f"{label} at {host}"
    try:
        response = fetch("POST", settings.url, headers=sent, content=body, timeout=settings.timeout,
                         deadline=settings.deadline)
    except OutboundError as exc:
        reason = redact(exc.reason, secret)
        if exc.kind == "connect":
            raise DeliveryError(f"could not connect to {where}: {reason}") from None
        if exc.kind == "failed":
            raise DeliveryError(f"the request to {where} failed: {reason}") from None
        raise DeliveryError(f"{where} {reason}") from None
    status = clip(f"HTTP {response.status} {response.reason}", 80, secret)
    if response.is_success:
        return f"{status} from {host}"
    said = clip(response.text, 200, secret)
    said = f": {said}" if said else ""
    if response.is_redirect:
        location = clip(response.headers.get("location", "?"), 200, secret)
        raise DeliveryError(f"{where} redirected ({status}) to {location} (not followed); "
                            f"set {table}.url to the final address")
    if response.status in (401, 403):
        hint = f"check the secret in ${settings.secret_env}" if settings.secret_env else "it may need a secret"
        raise DeliveryError(f"{where} refused {what}: {status}{said} ({hint})")
    if response.status >= 500:
        raise DeliveryError(f"{where} failed with {status}{said}")
    raise DeliveryError(f"{where} refused {what}: {status}{said}")
