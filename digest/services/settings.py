"""What every ``[delivery.<service>]`` table shares; each service module adds its own keys.

Each service's model (in its module) holds only what that service's campaign API asks for
(audience or list ids, segment or tags) plus what every service shares: the *name* of the environment
variable holding the API key (never the key), an optional base URL (self-hosted listmonk, or a
test server), timeouts and the bound on a rate limit's ``Retry-After`` wait. Nothing here sends:
a time to schedule at is set only when the editor writes one.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from digest.bounds import DAY_SECONDS
from digest.mailers import address_fault

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BARE_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+$")


def env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.match(value):
        # Never echo the value: it may be the secret itself, pasted by mistake.
        raise ValueError(
            "must be the NAME of an environment variable (like DIGEST_MAILCHIMP_API_KEY), not the secret itself"
        )
    return value


def bare_address(value: str | None) -> str | None:
    if value is not None and not _BARE_ADDRESS.match(value):
        raise ValueError(f"{value!r} is not a bare email address like news@example.com")
    return value


class ServiceSettings(BaseModel):
    """What every service shares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key_env: str
    base_url: str | None = None
    approve_url: str | None = Field(default=None, description="the editor's page for a draft; {id} is replaced")
    from_name: str | None = None
    from_email: str | None = None
    reply_to: str | None = None
    test_to: list[str] = Field(default=[], description="addresses the service's own test send goes to")
    timeout: float = Field(default=30.0, gt=0, le=DAY_SECONDS)
    deadline: float = Field(
        default=120.0, gt=0, le=3600,
        description="seconds one API request may take in all, however slowly the service answers",
    )
    max_retry_wait: float = Field(default=60.0, ge=0, le=DAY_SECONDS,
                                  description="longest Retry-After digest waits out")

    @model_validator(mode="before")
    @classmethod
    def _no_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and {"api_key", "key", "token", "password"} & set(data):
            raise ValueError(
                "do not put the API key in the config file; set api_key_env to the name of "
                "an environment variable that holds it"
            )
        return data

    @field_validator("api_key_env")
    @classmethod
    def _env(cls, value: str) -> str:
        return env_name(value) or value

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("from_email", "reply_to")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return bare_address(value)

    @field_validator("from_name")
    @classmethod
    def _sender_name(cls, value: str | None) -> str | None:
        """The service makes it the From header's name: one line of plain text, never an encoded word."""
        fault = address_fault(value) if value is not None else None
        if fault is not None:
            raise ValueError(fault)
        return value

    @field_validator("test_to", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("test_to")
    @classmethod
    def _tests(cls, values: list[str]) -> list[str]:
        return [bare_address(v) or v for v in values]


def check_schedule(settings: BaseModel) -> None:
    when = getattr(settings, "schedule_at", None)
    if when is not None and when.tzinfo is None:
        raise ValueError("schedule_at needs a timezone offset, like 2025-05-19T09:00:00-05:00")
