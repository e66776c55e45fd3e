"""Config for the weekly job: the schedule and the hand-off. (``[schedule]``, ``[delivery]``)

Secrets never live in the config file: SMTP passwords and webhook secrets are
read from environment variables whose *names* are configured here.
"""

from __future__ import annotations

import ipaddress
import re
from email.utils import parseaddr
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializeAsAny,
    create_model,
    field_validator,
    model_validator,
)

from digest.bounds import DAY_SECONDS, WEEK_SECONDS
from digest.mailers import address_fault
from digest.services import SERVICES
from digest.services.settings import ServiceSettings, check_schedule

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OFF = ("", "off", "none", "never")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The schedule's defaults (tests/test_imports_lean.py checks them): an edition's config is validated
# again with them filled in, and a config that sets no schedule need not load apscheduler for them.
DEFAULT_COLLECT = "0 */3 * * *"
DEFAULT_BUILD = "0 8 * * mon"


def _cron(value: str | None) -> str | None:
    """Validate a 5-field crontab expression now, so a typo fails at load time with its line."""
    if value is None or value.strip().lower() in _OFF:
        return None
    if value in (DEFAULT_COLLECT, DEFAULT_BUILD):
        return value
    from digest.cron import cron_trigger  # lazy: apscheduler's trigger only when a cron string is set

    try:
        cron_trigger(value, "UTC")
    except ValueError as exc:
        raise ValueError(f"not a cron expression ({exc}); write it like \"0 8 * * mon\"") from None
    return " ".join(value.split())


def _env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.match(value):
        # Never echo the value: it may be the secret itself, pasted by mistake.
        raise ValueError("must be the NAME of an environment variable (like DIGEST_SMTP_PASSWORD), "
                         "not the secret itself")
    return value


def _address(value: str) -> str:
    fault = address_fault(value)
    if fault:
        raise ValueError(f"{value!r} {fault}")
    _, addr = parseaddr(value)
    if "@" not in addr or addr.startswith("@") or addr.endswith("@"):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _no_plain_secrets(data: Any, key: str, env_key: str) -> Any:
    if isinstance(data, dict) and key in data:
        raise ValueError(f"do not put the {key} in the config file; set {env_key} to the name of an "
                         "environment variable that holds it")
    return data


class ScheduleSettings(_Strict):
    """``digest schedule``: cron expressions in the site's timezone ("" or "off" disables a job)."""

    collect: str | None = DEFAULT_COLLECT
    build: str | None = DEFAULT_BUILD
    deliver_after_build: bool = True
    misfire_grace_time: int = Field(default=43_200, ge=1, le=WEEK_SECONDS,
                                    description="seconds a missed run may be late")
    lock_wait: int = Field(default=600, ge=0, le=DAY_SECONDS,
                           description="seconds a job waits for a manual run to finish")

    @field_validator("collect", "build")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        return _cron(value)


class SmtpSettings(_Strict):
    """Send the built email to one or more addresses (a list's import address, an approval list)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    timeout: float = Field(default=30.0, gt=0, le=DAY_SECONDS)
    deadline: float = Field(
        default=120.0, gt=0, le=3600,
        description="seconds one SMTP session may take in all, however slowly the server answers",
    )
    # A password over a connection without TLS can be read by anyone on the path: only on request.
    allow_plaintext_auth: bool = False

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: Any) -> Any:
        return _no_plain_secrets(data, "password", "password_env")

    @field_validator("to", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("to")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [_address(v) for v in values]

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _address(value)

    @field_validator("password_env")
    @classmethod
    def _password_env(cls, value: str | None) -> str | None:
        return _env_name(value)

    @model_validator(mode="after")
    def _auth_pair(self) -> SmtpSettings:
        if (self.username is None) != (self.password_env is None):
            raise ValueError("set both username and password_env to log in, or neither")
        if self.username is not None and self.security == "none" and not self.allow_plaintext_auth:
            raise ValueError('logging in with security = "none" sends the password in clear; use '
                             '"starttls" or "tls", or set allow_plaintext_auth = true if you mean it')
        return self

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "tls": 465, "none": 25}[self.security]


class WebhookSettings(_Strict):
    """POST the issue as JSON; ``secret_env`` signs it (HMAC) or is sent as a bearer token."""

    url: str
    timeout: float = Field(default=30.0, gt=0, le=DAY_SECONDS)
    deadline: float = Field(
        default=120.0, gt=0, le=3600,
        description="seconds the POST may take in all, however slowly it is answered",
    )
    secret_env: str | None = None
    auth: Literal["hmac", "bearer"] = "hmac"

    @model_validator(mode="before")
    @classmethod
    def _no_secret(cls, data: Any) -> Any:
        return _no_plain_secrets(data, "secret", "secret_env")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("secret_env")
    @classmethod
    def _secret_env(cls, value: str | None) -> str | None:
        return _env_name(value)

    @model_validator(mode="after")
    def _bearer_over_tls(self) -> WebhookSettings:
        parts = urlsplit(self.url)
        plain = parts.scheme != "https" and not _loopback(parts.hostname)
        if self.auth == "bearer" and self.secret_env and plain:
            raise ValueError("a bearer secret is sent as is: use an https URL (plain http only to loopback), "
                             'or auth = "hmac", which never sends the secret')
        return self


def _loopback(host: str | None) -> bool:
    host = (host or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NotifySettings(_Strict):
    """``[delivery.notify]``: tell the editors a draft is ready, by mail and/or a webhook post."""

    smtp: SmtpSettings | None = None
    webhook: WebhookSettings | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> NotifySettings:
        if self.smtp is None and self.webhook is None:
            raise ValueError("[delivery.notify] needs a [delivery.notify.smtp] or a [delivery.notify.webhook] "
                             "table")
        return self


class _Delivery(_Strict):
    """How a built issue is handed to the mailing service; "files" means the out dir is the hand-off.

    A mailing service (``mailchimp``, ``buttondown``, ...) gets the issue as a draft campaign
    to approve; its table is ``[delivery.<service>]``. The services and their tables come from
    the registry (digest.services): :data:`DeliverySettings` adds one optional table per service.
    """

    method: str = "files"
    smtp: SmtpSettings | None = None
    webhook: WebhookSettings | None = None
    notify: NotifySettings | None = None

    @model_validator(mode="after")
    def _method_has_settings(self) -> _Delivery:
        if self.method != "files" and getattr(self, self.method) is None:
            raise ValueError(f'method is "{self.method}" but there is no [delivery.{self.method}] table')
        for name in SERVICES:
            table = getattr(self, name)
            if table is not None:
                check_schedule(table)
        return self

    @property
    def is_service(self) -> bool:
        return self.method in SERVICES

    @property
    def service(self) -> ServiceSettings | None:
        """The chosen service's table, when the method is a mailing service."""
        table = getattr(self, self.method) if self.is_service else None
        return table if isinstance(table, ServiceSettings) else None


METHODS = ("files", "smtp", "webhook", *SERVICES)


def _service_table(name: str) -> BeforeValidator:
    """Validate ``[delivery.<name>]`` with that service's own model, imported only when the table is
    there: a config that names no service loads none of them (the reference reads ``service``)."""
    def validate(value: Any) -> Any:
        if value is None:
            return None
        settings = SERVICES[name].Settings
        if isinstance(value, settings):
            return value
        if isinstance(value, ServiceSettings):
            raise ValueError(f"is a {type(value).__name__}, not a [delivery.{name}] table")
        return settings.model_validate(value)
    return BeforeValidator(validate)


if TYPE_CHECKING:
    DeliverySettings = _Delivery
else:
    DeliverySettings = create_model(
        "DeliverySettings",
        __base__=_Delivery,
        __doc__=_Delivery.__doc__,
        __module__=__name__,
        method=(Literal[METHODS], "files"),
        **{name: (Annotated[SerializeAsAny[ServiceSettings] | None, _service_table(name)],
                  Field(default=None, json_schema_extra={"service": name})) for name in SERVICES},
    )
