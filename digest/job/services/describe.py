"""What ``digest check`` says about the hand-off: per method, what will happen and what is missing.

Reads the config and the environment only (no network, no heavy imports), so a check is instant
and safe to run anywhere.
"""

from __future__ import annotations

import os

from digest.services import SERVICES, Service, service_named
from digest.settings.config import Config

_WHAT = {
    "files": "the files in the issue's out folder are the hand-off; nothing is sent",
    "smtp": "the built email is sent once by SMTP to the configured addresses",
    "webhook": "the issue is posted once as JSON to the webhook",
    **{name: service.what for name, service in SERVICES.items()},
}


def _env_needed(config: Config) -> list[tuple[str, str]]:
    """``(variable, what it is for)`` for every secret the delivery will read."""
    delivery = config.delivery
    needed: list[tuple[str, str]] = []
    service = delivery.service
    if service is not None:
        needed.append((service.api_key_env, f"the {delivery.method} API key"))
    if delivery.method == "smtp" and delivery.smtp and delivery.smtp.password_env:
        needed.append((delivery.smtp.password_env, "the SMTP password"))
    if delivery.method == "webhook" and delivery.webhook and delivery.webhook.secret_env:
        needed.append((delivery.webhook.secret_env, "the webhook secret"))
    notify = delivery.notify
    if notify is not None and notify.smtp is not None and notify.smtp.password_env:
        needed.append((notify.smtp.password_env, "the notify mail's SMTP password"))
    if notify is not None and notify.webhook is not None and notify.webhook.secret_env:
        needed.append((notify.webhook.secret_env, "the notify webhook's secret"))
    return needed


def _sender_line(config: Config, adapter: type[Service]) -> str:
    """The sender the campaign carries, and what the service's own settings decide."""
    sender, default = config.sender(), f"{adapter.title()}'s default"
    if not adapter.sends:
        return f"as set in {adapter.title()} (its campaigns carry no sender of their own)"
    sends = adapter.sends
    name = sender.name if "name" in sends else f"({default} name)"
    address = f"<{sender.address}>" if "address" in sends and sender.address else f"(address: {default})"
    reply = sender.reply_to if "reply_to" in sends and sender.reply_to else default
    return f"{name} {address}; reply-to: {reply}"


def describe_delivery(config: Config) -> list[str]:
    """Lines for ``digest check``: the method, what it does, schedules, notices, missing variables."""
    delivery = config.delivery
    method = delivery.method
    lines = [f"delivery: {method}: {_WHAT[method]}", f"merge tags: {config.email.describe_merge_tags()}"]
    service = delivery.service
    adapter = service_named(method)
    if service is not None and adapter is not None:
        lines.append(f"  from: {_sender_line(config, adapter)}")
        lines.append(f"  goes to: {adapter.reach(service)}")
        when = getattr(service, "schedule_at", None)
        then = (f"SCHEDULES the send for {when.isoformat()}" if when
                else f"an editor approves and sends it in {method}")
        lines.append(f"  never sends to the list itself; {then}")
        if config.email.merge_mailer != adapter.mailer:
            lines.append(f"  [email] mailer = {config.email.merge_mailer}: not {method}'s own tags: check "
                         "this is meant")
        if service.test_to:
            lines.append(f"  test send after each draft to: {', '.join(service.test_to)}")
    notify = delivery.notify
    if notify is not None:
        routes = ([f"mail to {', '.join(notify.smtp.to)}"] if notify.smtp else []) + (
            ["a webhook post"] if notify.webhook else [])
        lines.append(f"  notify: a draft-ready note by {' and '.join(routes)}")
    elif service_named(method) is not None:
        lines.append("  notify: off (add [delivery.notify] to tell the editors when a draft is ready)")
    for name, what in _env_needed(config):
        state = "set" if os.environ.get(name) else "MISSING"
        lines.append(f"  environment: {name} ({what}): {state}")
    return lines
