"""Put a built issue into the mailing service as a draft campaign, exactly once per issue.

The store row for (issue, service) is written the moment the service says "created", so:
a run that dies after that completes the same draft next time; a re-run with the draft ready
and the issue unchanged asks nothing of the service; a rebuilt issue (``--force``) updates the
same draft; a campaign the service reports sent or scheduled is never touched again. Nothing
here sends to the list: the only send is the service's test send to listed addresses.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import TYPE_CHECKING

from digest.errors import DeliveryError
from digest.job.built import refuse_unresolved_tags
from digest.job.services.notify import notify_ready
from digest.mailers import address_fault, header_line
from digest.services import Content, Remote, Service, ServiceError, ServiceSettings, service_named
from digest.settings.config import Config
from digest.store import campaigns
from digest.store.campaigns import CampaignRecord
from digest.store.database import Store

if TYPE_CHECKING:
    from digest.job.built import BuiltIssue

log = logging.getLogger(__name__)


def api_key(settings: ServiceSettings, service: str) -> str:
    value = os.environ.get(settings.api_key_env, "")
    if not value:
        raise DeliveryError(
            f"{service}: the environment variable {settings.api_key_env} (named by "
            f"delivery.{service}.api_key_env) is not set; set it to the API key"
        )
    return value


def make_service(config: Config) -> Service:
    """The adapter for the configured method, with its key from the environment."""
    service, settings = service_named(config.delivery.method), config.delivery.service
    if service is None or settings is None:
        raise DeliveryError(f'delivery.method "{config.delivery.method}" is not a mailing service')
    needs = config.service_needs()
    if needs:
        raise DeliveryError(f"{config.delivery.method} needs {'; and '.join(needs)}; nothing was sent")
    return service(settings, api_key(settings, config.delivery.method), config.sender())


def campaign_content(config: Config, built: BuiltIssue) -> Content:
    return Content(
        built.issue_id,
        f"{config.site.name} {built.issue_id}",
        header_line(built.subject),  # a service makes it a header: no line break, no encoded word
        header_line(str(built.manifest.get("preheader") or "")),
        built.html,
        built.text,
    )


def _failed(service: str, issue_id: str, exc: ServiceError, record: CampaignRecord | None) -> DeliveryError:
    if record is None:
        then = "nothing was created; the next run tries again"
    elif record.state == "creating":
        then = "the service may have made it; the next run looks for it before making another"
    else:
        then = "the draft exists and the next run completes it, without making a second"
    return DeliveryError(f"{service}: {issue_id}: {exc.step} failed: {exc.reason} ({then})")


def _create(store: Store, adapter: Service, content: Content, name: str, now: datetime) -> CampaignRecord:
    """Create the campaign, marking the attempt first so an unanswered create is looked for, not repeated."""
    campaigns.record_creating(store, content.issue_id, name, now)
    try:
        remote = adapter.create(content)
    except ServiceError as exc:
        if exc.status is not None and exc.status < 500:
            campaigns.forget_creating(store, content.issue_id, name)  # refused: nothing exists
        raise
    log.info("%s: created campaign %s for %s", name, remote.id, content.issue_id)
    return campaigns.record_created(store, content.issue_id, name, remote.id, remote.url, remote.status, now)


def _current(
    store: Store, adapter: Service, record: CampaignRecord, force: bool, now: datetime
) -> Remote | None:
    """The stored draft as the service sees it; None when it is gone there and ``force`` allows a new one."""
    try:
        return adapter.status(record.campaign_id)
    except ServiceError as exc:
        if exc.status != 404:
            raise
    if not force:
        raise DeliveryError(
            f"{record.service}: {record.issue_id}: the draft {record.campaign_id} is gone from "
            f"{record.service} (deleted there?); `digest run --week {record.issue_id} --force` makes a new one"
        )
    log.warning(
        "%s: draft %s of %s is gone; making a new one", record.service, record.campaign_id, record.issue_id
    )
    campaigns.forget(store, record.issue_id, record.service)
    return None


def deliver_campaign(
    config: Config,
    store: Store,
    built: BuiltIssue,
    now: datetime,
    *,
    force: bool = False,
) -> str:
    """Create or complete the issue's draft; return the line saying where to approve it."""
    name = config.delivery.method
    issue_id = built.issue_id
    record = campaigns.campaign(store, issue_id, name)
    if record is not None and record.state == "final":
        return (
            f"{name} campaign {record.campaign_id} is {record.remote_status or 'sent or scheduled'} in "
            f"{name}; digest leaves it alone ({record.web_url})"
        )
    refuse_unresolved_tags(config, built, f"the {name} campaign")  # built for this service, or not handed on
    if (
        record is not None
        and record.state == "ready"
        and record.content_built_at == built.built_at
        and not force
    ):
        _notify(config, store, built, record.campaign_id, record.web_url, (), now)
        return f"{name} draft {record.campaign_id} is ready to approve: {record.web_url}"
    adapter = make_service(config)
    content = campaign_content(config, built)
    try:
        if record is not None and record.state == "creating":
            # The last create got no answer: the service may have made it. Adopt it if so.
            found = adapter.find(content)
            if found is not None:
                record = campaigns.record_created(store, issue_id, name, found.id, found.url, found.status, now)
                log.info("%s: found campaign %s for %s from an unanswered create", name, found.id, issue_id)
        if record is None or record.state == "creating":
            record = _create(store, adapter, content, name, now)
            adapter.fill(record.campaign_id, content)
        else:
            remote = _current(store, adapter, record, force, now)
            if remote is None:  # gone from the service; --force made a new draft in its place
                record = _create(store, adapter, content, name, now)
                adapter.fill(record.campaign_id, content)
            elif remote.status not in adapter.drafts:
                campaigns.record_state(store, issue_id, name, "final", remote.status, now)
                store.record_delivery(issue_id, name, now, f"{remote.status} in {name}: {record.web_url}")
                return (
                    f"{name} campaign {record.campaign_id} is {remote.status} in {name}; digest leaves it "
                    f"alone ({record.web_url})"
                )
            else:
                adapter.update(record.campaign_id, content)
        findings = adapter.check(record.campaign_id)
        test_to = config.delivery.service.test_to if config.delivery.service else []
        if test_to and adapter.test_path:
            adapter.send_test(record.campaign_id, content, test_to)
    except ServiceError as exc:
        raise _failed(name, issue_id, exc, campaigns.campaign(store, issue_id, name)) from None
    campaigns.record_state(store, issue_id, name, "ready", "draft", now, content_built_at=built.built_at)
    detail = f"{name} draft {record.campaign_id} is ready to approve: {record.web_url}"
    if findings:
        detail += f" ({len(findings)} finding{'s' * (len(findings) != 1)}: {'; '.join(findings)})"
    store.record_delivery(issue_id, name, now, detail)
    _notify(config, store, built, record.campaign_id, record.web_url, findings, now, again=True)
    return detail


def _notify(
    config: Config,
    store: Store,
    built: BuiltIssue,
    campaign_id: str,
    url: str,
    findings: tuple[str, ...],
    now: datetime,
    *,
    again: bool = False,
) -> None:
    """Tell the editors once per filled draft; a failed notice is retried by the next run."""
    settings = config.delivery.notify
    if settings is None or (not again and store.delivered_at(built.issue_id, "notify") is not None):
        return
    try:
        detail = notify_ready(config, settings, built, campaign_id, url, findings, now)
    except DeliveryError as exc:
        raise DeliveryError(
            f"{config.delivery.method}: the draft {campaign_id} for {built.issue_id} is ready at "
            f"{url}, but the draft-ready notice failed: {exc}; the next run sends it"
        ) from None
    store.record_delivery(built.issue_id, "notify", now, detail)


def send_test_campaign(config: Config, store: Store, built: BuiltIssue, to: str) -> str:
    """The service's own test send of the issue's draft to one address; never a delivery."""
    name = config.delivery.method
    fault = address_fault(to)
    if fault:  # the service makes it a header of the test mail
        raise DeliveryError(f"--to {to!r} {fault}; nothing was sent")
    record = campaigns.campaign(store, built.issue_id, name)
    if record is None:
        raise DeliveryError(
            f"{name} has no draft for {built.issue_id} yet; run `digest run` first to create it"
        )
    adapter = make_service(config)
    try:
        adapter.send_test(record.campaign_id, campaign_content(config, built), [to])
    except ServiceError as exc:
        raise DeliveryError(f"{name}: {exc.step} failed: {exc.reason}") from None
    return f"{name}'s own test send of draft {record.campaign_id} to {to}"
