"""The vendored API descriptions: intact, valid after their errata, and actually judging the fakes' traffic.

The fakes (helpers.fakes) check every request against these files (helpers.contract); these tests
prove the files are the ones PROVENANCE.md names, that each errata patch is needed and valid, and
that a request or a fake answer that breaks a description is caught, never passed.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from helpers.contract import CONTRACTS, ERRATA, SOURCES, Contract, description, read
from openapi_spec_validator import validate
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Fake
from test_jobs_support import local
from test_services import Builder, run, write_config

from digest.cli.main import main
from digest.settings.config import load_config
from digest.store.database import Store

SERVICES = sorted(SOURCES)
VERBS = {"get", "put", "post", "patch", "delete", "head", "options"}


@pytest.mark.parametrize("service", SERVICES)
def test_each_vendored_file_is_the_one_its_provenance_names(service: str) -> None:
    folder = CONTRACTS / service
    stored = folder / SOURCES[service].original
    raw = gzip.decompress(stored.read_bytes()) if stored.suffix == ".gz" else stored.read_bytes()
    provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    named = re.search(r"sha256 of the original bytes: `([0-9a-f]{64})`", provenance)
    assert named is not None, f"{service}: PROVENANCE.md names no sha256"
    assert hashlib.sha256(raw).hexdigest() == named.group(1)
    assert (folder / "ERRATA.md").is_file()
    converted = SOURCES[service].converted
    if converted is not None:  # a file made from the original by a tool is pinned too
        made = gzip.decompress((folder / converted).read_bytes())
        assert f"`{hashlib.sha256(made).hexdigest()}`" in provenance, f"{service}: {converted} is another file"


@pytest.mark.parametrize("service", SERVICES)
def test_each_description_is_valid_openapi_after_its_errata(service: str) -> None:
    validate(description(service))


@pytest.mark.parametrize("service", SERVICES)
def test_each_erratum_cites_an_entry_of_errata_md(service: str) -> None:
    written = (CONTRACTS / service / "ERRATA.md").read_text(encoding="utf-8")
    for _op, pointer, _value, erratum in ERRATA[service]:
        assert re.search(rf"^## {erratum} \(applied\)", written, re.M), f"{service}: {erratum} ({pointer})"


def test_the_brevo_conversion_keeps_the_original_operations() -> None:
    original = read(CONTRACTS / "brevo" / SOURCES["brevo"].original)
    converted = read(CONTRACTS / "brevo" / str(SOURCES["brevo"].converted))
    assert original["swagger"] == "2.0" and converted["openapi"].startswith("3.0")
    def operations(document: dict[str, Any]) -> set[tuple[str, str, str]]:
        return {(path, verb, str(op.get("operationId"))) for path, item in document["paths"].items()
                for verb, op in item.items() if verb in VERBS}

    assert len(operations(original)) > 100 and operations(converted) == operations(original)


def get(fake: Fake, path: str, **params: str) -> httpx.Response:
    return httpx.get(fake.server.url_for(path), params=params, headers={"Authorization": f"Token {KEY}"})


@pytest.mark.violations_expected(match=r"^listmonk: GET /api/campaigns: ")
def test_the_listmonk_draft_filter_is_refused_by_the_published_file_and_allowed_by_erratum_e1(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FAKES["listmonk"](httpserver)
    headers = {"Authorization": f"token digest-api:{KEY}"}
    asked = httpx.get(fake.server.url_for("/api/campaigns"), params={"status": "draft"}, headers=headers)
    assert asked.status_code == 200 and fake.violations == []
    monkeypatch.setitem(ERRATA, "listmonk", [])
    bare = Contract("listmonk")  # the file as published, without the erratum
    monkeypatch.setattr(fake, "contract", bare)
    refused = httpx.get(fake.server.url_for("/api/campaigns"), params={"status": "draft"}, headers=headers)
    assert refused.status_code == 400 and refused.json()["message"] == fake.violations[0]
    assert "'draft' is not one of ['scheduled', 'running', 'paused', 'cancelled']" in fake.violations[0]


@pytest.mark.violations_expected(match=r"^buttondown: POST /v1/emails: ")
def test_a_request_that_breaks_the_description_is_recorded_and_refused_in_the_vendors_shape(
    httpserver: HTTPServer,
) -> None:
    fake = FAKES["buttondown"](httpserver)
    sent = httpx.post(fake.server.url_for("/v1/emails"), headers={"Authorization": f"Token {KEY}"},
                      json={"body": "<p>Hi</p>", "status": "sending-now", "colour": "red"})
    assert sent.status_code == 422 and fake.campaigns == {}
    assert sent.json()["detail"][0]["msg"] == fake.violations[0]
    assert {line.removeprefix("buttondown: POST /v1/emails: ") for line in fake.violations} >= {
        "(body): 'subject' is a required property",
        "(body): Additional properties are not allowed ('colour' was unexpected)",
    }
    assert any("'sending-now' is not one of" in line for line in fake.violations)


@pytest.mark.violations_expected(match=r"^(kit|mailerlite): ")
def test_a_wrong_auth_header_shape_and_an_unknown_path_are_violations(httpserver: HTTPServer) -> None:
    kit = FAKES["kit"](httpserver)
    assert httpx.get(kit.server.url_for("/v4/broadcasts"), headers={"X-Api-Key": KEY}).status_code == 422
    assert kit.violations == ["kit: GET /v4/broadcasts: SecurityValidationError: Security not found. "
                              "Schemes not valid for any requirement: [['API Key'], ['OAuth2']]"]
    mailerlite = FAKES["mailerlite"](httpserver)
    token = {"Authorization": f"Token {KEY}"}
    assert httpx.get(mailerlite.server.url_for("/api/campaigns"), headers=token).status_code == 422
    bearer = {"Authorization": f"Bearer {KEY}"}
    assert httpx.get(mailerlite.server.url_for("/api/campaigns/7/nothing"), headers=bearer).status_code == 422
    assert mailerlite.violations == [
        "mailerlite: GET /api/campaigns: SecurityValidationError: Security not found. "
        "Schemes not valid for any requirement: [['bearerAuth']]",
        "mailerlite: GET /api/campaigns/7/nothing: Path not found for http://fake.test/api/campaigns/7/nothing"]


@pytest.mark.violations_expected(match=r"header is not the documented shape")
def test_an_auth_header_the_description_lets_pass_is_held_to_the_documented_shape(
    httpserver: HTTPServer,
) -> None:
    """Buttondown's description asks only for an Authorization header and listmonk's declares no scheme at all:
    the shape each service documents is checked by its fake, a wrong key in the right shape is only a 401."""
    buttondown = FAKES["buttondown"](httpserver)
    url = buttondown.server.url_for("/v1/emails/7")
    assert httpx.get(url, headers={"Authorization": f"Bearer {KEY}"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Token not-the-key"}).status_code == 401
    assert buttondown.violations == [
        "buttondown: GET /v1/emails/7: the Authorization header is not the documented shape Token \\S+"]
    listmonk = FAKES["listmonk"](httpserver)
    assert httpx.get(listmonk.server.url_for("/api/campaigns/7"),
                     headers={"Authorization": f"Basic {KEY}"}).status_code == 403
    assert listmonk.violations == ["listmonk: GET /api/campaigns/7: the Authorization header is not the "
                                   "documented shape token [^:\\s]+:\\S+"]


@pytest.mark.violations_expected(match=r"^mailchimp: the fake's answer to GET /3\.0/campaigns/c\d+: ")
def test_a_fake_answer_that_breaks_the_description_is_a_violation_too(
    httpserver: HTTPServer, mailchimp: Fake,
) -> None:
    mailchimp.campaigns["c1"] = {"id": "c1", "web_id": "not a number", "status": "save", "subject": "S",
                                 "preheader": None, "name": None}
    auth = "Basic " + base64.b64encode(f"digest:{KEY}".encode()).decode()
    httpx.get(mailchimp.server.url_for("/3.0/campaigns/c1"), headers={"Authorization": auth})
    assert mailchimp.violations == ["mailchimp: the fake's answer to GET /3.0/campaigns/c1: "
                                    "web_id: 'not a number' is not of type 'integer'"]


def without_reply_to(path: Path) -> Path:
    """The config as the demo has it: [delivery.mailchimp] with no reply_to, and no from_address anywhere."""
    text = path.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith(("reply_to", "from_address"))]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def test_a_mailchimp_config_without_reply_to_is_stopped_by_check_naming_the_setting(
    tmp_path: Path, mailchimp: Fake,
) -> None:
    """The issue's case: as in the demo, no reply-to anywhere. Mailchimp's PATCH requires one (E1)."""
    path = without_reply_to(write_config(tmp_path, mailchimp))
    checked = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert checked.exit_code == 2, checked.output
    assert "delivery.mailchimp (line " in checked.output
    assert "mailchimp needs a reply-to address" in checked.output
    assert "set delivery.mailchimp.reply_to or [email] reply_to" in checked.output
    ran = CliRunner().invoke(main, ["--config", str(path), "run", "--week", "2025-W20", "--force"])
    assert ran.exit_code == 2 and "mailchimp needs a reply-to address" in ran.output, ran.output
    assert mailchimp.requests == []  # stopped before the service was asked anything


def test_with_a_reply_to_the_forced_rebuild_conforms(tmp_path: Path, mailchimp: Fake) -> None:
    config = load_config(write_config(tmp_path, mailchimp))
    with Store.open(config.store_path) as store:
        run(config, store)
        run(config, store, at=local(2025, 5, 19, 12), force=True, builder=Builder("Fixed subject"))
    assert mailchimp.count("update") == 1  # the PATCH that the description (with E1) judges
    assert mailchimp.only["subject"] == "Fixed subject" and mailchimp.violations == []
