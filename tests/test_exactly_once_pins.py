"""Pins on the draft's exactly-once paths that only a fault at the wrong moment reaches.

A draft is made once per issue and service (digest.job.services.campaign). These tests drive the
real ``digest run`` command, or ``run_once`` with the real store, against each service's fake on
a real socket, and fault the one request that decides between "update the draft we have" and
"make another": reading the stored draft's status, and the create that replaces a deleted draft.
Each fault must end as one line naming the service, the step and the status, and the next run
must finish the same draft: never two campaigns for one issue.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from service_fakes import Failure, Fake
from test_jobs_support import HTML, local
from test_services import Builder, fake, run, write_config

from digest.cli.base import EXIT_OK, EXIT_USER
from digest.cli.main import main
from digest.services.client import RATE_LIMIT_RETRIES
from digest.settings.config import load_config
from digest.store import campaigns
from digest.store.campaigns import CampaignRecord
from digest.store.database import Store
from digest.weeks import parse_week

__all__ = ["fake"]  # the parametrised fixture: one fake per service

ISSUE = "2025-W20"
# What the client says of each status, after the step ("read campaign 101 failed: ...").
SAYS = {
    "500": "the service failed (HTTP 500",
    "401": "the service refused the API key (HTTP 401",
    "429": "rate limited (HTTP 429",
}


def faults(case: str) -> list[Failure]:
    """The failures that make one read of the draft fail with ``case`` (a 429 on every retry)."""
    if case == "429":  # within the bound, so the client waits and asks again until it gives up
        return [Failure(429, "Too Many Requests", {"Retry-After": "0"})] * (RATE_LIMIT_RETRIES + 1)
    if case == "401":
        return [Failure(401, "Your API key may be invalid")]
    return [Failure(500, "Internal Server Error")]


def cli_config(folder: Path, fake: Fake, **service: object) -> Path:
    """The services' test config, built by the real builder even from the feed's few reviews."""
    path = write_config(folder, fake, **service)
    path.write_text(path.read_text(encoding="utf-8") + "\n[select]\nbuild_thin_week = true\n", encoding="utf-8")
    return path


def digest_run(path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(path), "run", "--week", ISSUE, *args])


def record_of(path: Path, service: str) -> CampaignRecord | None:
    with Store.open(load_config(path).store_path) as store:
        return campaigns.campaign(store, ISSUE, service)


def error_line(result: Result) -> str:
    """The one line the run ended with on stderr; never a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("case", ["500", "401", "429"])
def test_a_failed_read_of_the_draft_is_never_taken_for_deleted(tmp_path: Path, fake: Fake, case: str) -> None:
    path = cli_config(tmp_path, fake, max_retry_wait=1)
    with Store.open(load_config(path).store_path) as store:
        first = run(load_config(path), store)
    assert first.delivery_error is None, first.delivery_error
    draft = next(iter(fake.campaigns))
    reads = fake.count("get")
    for failure in faults(case):
        fake.inject("get", failure)

    failed = digest_run(path, "--force")  # --force would make a new draft if the read said "gone"
    line = error_line(failed)
    assert failed.exit_code == EXIT_USER, failed.output  # "the delivery failed", as `run --help` says
    assert line.startswith(f"error: {fake.name}: {ISSUE}: read ") and f" {draft} failed: {SAYS[case]}" in line
    if case == "429":
        assert fake.count("get") - reads == RATE_LIMIT_RETRIES + 1  # waited out, then given up
    assert "the draft exists and the next run completes it, without making a second" in line
    assert list(fake.campaigns) == [draft] and fake.count("create") == 1
    kept = record_of(path, fake.name)
    assert kept is not None and kept.campaign_id == draft

    again = digest_run(path, "--force")
    assert again.exit_code == EXIT_OK, again.output + again.stderr
    done = record_of(path, fake.name)
    assert list(fake.campaigns) == [draft] and fake.count("create") == 1 and fake.count("update") == 1
    assert done is not None and done.campaign_id == draft and done.state == "ready"
    assert f"{fake.name} draft {draft} is ready to approve" in again.output


def lost(fake: Fake, case: str) -> Failure:
    """A create that fails (500: nothing made) or takes effect with its answer never arriving."""
    if case == "500":
        return Failure(500, "Internal Server Error")
    return Failure(stall=2.0, after=True)  # beyond the client's 1s timeout


@pytest.mark.parametrize("case", ["500", "no answer"])
def test_a_forced_replacement_whose_create_failed_is_completed_without_a_duplicate(
    tmp_path: Path, fake: Fake, case: str
) -> None:
    config = load_config(write_config(tmp_path, fake, timeout=1))
    with Store.open(config.store_path) as store:
        run(config, store)
        gone = next(iter(fake.campaigns))
        del fake.campaigns[gone]  # an editor deleted the draft in the service: the read gets a 404
        fake.inject("create", lost(fake, case))
        failed = run(config, store, at=local(2025, 5, 19, 11), force=True, builder=Builder("Again"))
        between = campaigns.campaign(store, ISSUE, fake.name)
        fake.settled()
        made = len(fake.campaigns)
        done = run(config, store, at=local(2025, 5, 19, 12))
        record = campaigns.campaign(store, ISSUE, fake.name)
    error = failed.delivery_error or ""
    assert error.startswith(f"{fake.name}: {ISSUE}: create the ") and "\n" not in error
    assert "the service may have made it; the next run looks for it before making another" in error
    assert between is not None and between.state == "creating"  # looked for before any new create
    assert made == (0 if case == "500" else 1)
    assert done.delivery_error is None, done.delivery_error
    campaign = fake.only  # one live campaign: the replacement's
    assert campaign["id"] != gone and campaign["subject"] == "Again" and campaign["html"] == HTML
    assert record is not None and record.state == "ready" and record.campaign_id == campaign["id"]
    assert fake.count("create") == (3 if case == "500" else 2)


def test_rate_limits_that_use_up_the_retries_end_as_one_line_and_the_next_run_makes_the_draft(
    tmp_path: Path, fake: Fake
) -> None:
    path = cli_config(tmp_path, fake, max_retry_wait=1)
    config = load_config(path)
    with Store.open(config.store_path) as store:  # built; the first delivery is the CLI's
        Builder()(config, store, local(2025, 5, 19, 8), parse_week(ISSUE))
    for failure in faults("429"):
        fake.inject("create", failure)

    failed = digest_run(path)
    line = error_line(failed)
    assert failed.exit_code == EXIT_USER, failed.output
    assert line.startswith(f"error: {fake.name}: {ISSUE}: create the ")
    assert "failed: rate limited (HTTP 429; the service asks to wait 0s" in line
    assert "the next run tries again" in line
    assert fake.count("create") == RATE_LIMIT_RETRIES + 1 and fake.campaigns == {}
    assert record_of(path, fake.name) is None  # refused: nothing to look for next time

    again = digest_run(path)
    assert again.exit_code == EXIT_OK, again.output + again.stderr
    record = record_of(path, fake.name)
    assert record is not None and record.state == "ready" and record.campaign_id == fake.only["id"]
    assert fake.count("create") == RATE_LIMIT_RETRIES + 2 and fake.only["html"] == HTML
