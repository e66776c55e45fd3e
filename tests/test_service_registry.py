"""The service registry is the only list of services: a new service is one module and nothing else.

The seventh-service test copies the package, adds one module for SendGrid's Marketing Campaigns
(Single Sends) to it and runs the real CLI on a config that names it: the method is accepted,
its table validated, documented by ``config-reference``, described by ``check``, and a setting
it cannot do without is named at its table's line.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import digest
from digest.mailers import MAILER_TAGS
from digest.services import SERVICES, Service
from digest.settings.job import METHODS, DeliverySettings
from digest.settings.reference import rows

SENDGRID = '''
"""SendGrid Marketing Campaigns: a Single Send left as a draft (docs.sendgrid.com, v3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from digest.bounds import ServiceId
from digest.services.base import Content, Need, Sender, Service
from digest.services.settings import ServiceSettings


class SendgridSettings(ServiceSettings):
    """SendGrid Single Sends: a draft for some lists, from a verified sender id."""

    api_key_env: str = "DIGEST_SENDGRID_API_KEY"
    list_ids: list[str] = Field(min_length=1, description="the contact lists the single send goes to")
    sender_id: ServiceId | None = Field(default=None, description="the verified sender's id")
    suppression_group_id: ServiceId | None = Field(default=None, description="the unsubscribe group")


class Sendgrid(Service):
    name = "sendgrid"
    label = "SendGrid"
    docs = "SendGrid Marketing Campaigns v3"
    Settings = SendgridSettings
    mailer = "sendgrid"
    what = "a single send is created as a draft for the lists"
    default_base_url = "https://api.sendgrid.com"
    collection = "/v3/marketing/singlesends"
    item_path = "/v3/marketing/singlesends/{id}"
    list_key = "result"
    update_method = "PATCH"
    settings: SendgridSettings

    @classmethod
    def missing(cls, settings: ServiceSettings, sender: Sender) -> list[Need]:
        if getattr(settings, "sender_id", None) is None:
            return [Need("a verified sender", "delivery.sendgrid.sender_id")]
        return []

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def body(self, content: Content) -> dict[str, Any]:
        return {"name": content.name, "send_to": {"list_ids": self.settings.list_ids},
                "email_config": {"subject": content.subject, "html_content": content.html,
                                 "plain_content": content.text, "sender_id": self.settings.sender_id}}

    def web_default(self, step: str, cid: str, item: Mapping[str, Any]) -> str:
        return f"https://mc.sendgrid.com/single-sends/{cid}/editor"


SERVICE = Sendgrid
'''

CONFIG = """
[site]
name = "Example Reviews"
url = "https://reviews.example"

[[feeds]]
url = "https://reviews.example/feed/"

[email]
from_address = "news@reviews.example"
postal_address = "1 Example Street, Springfield"

[delivery]
method = "sendgrid"

[delivery.sendgrid]
list_ids = ["a1b2"]
"""


def run_with_package(package_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI, importing ``digest`` from ``package_root`` (not the installed, editable one)."""
    code = textwrap.dedent(f"""
        import sys
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "")]
        sys.path.insert(0, {str(package_root)!r})
        import digest
        assert digest.__file__.startswith({str(package_root)!r}), digest.__file__
        from digest.cli import main
        sys.argv = ["digest", *{list(args)!r}]
        main()
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def with_sendgrid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pkg")
    shutil.copytree(Path(digest.__file__).parent, root / "digest",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "digest" / "services" / "sendgrid.py").write_text(SENDGRID.lstrip(), encoding="utf-8")
    return root


def test_a_seventh_service_is_one_module(with_sendgrid: Path, tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text(CONFIG + "sender_id = 12345\n", encoding="utf-8")
    checked = run_with_package(with_sendgrid, "--config", str(config), "check")
    assert checked.returncode == 0, checked.stderr
    assert "delivery: sendgrid: a single send is created as a draft for the lists" in checked.stdout
    assert "environment: DIGEST_SENDGRID_API_KEY (the sendgrid API key): MISSING" in checked.stdout
    assert "merge tags: substituted by SendGrid (delivery.method = sendgrid)" in checked.stdout

    reference = run_with_package(with_sendgrid, "config-reference")
    assert reference.returncode == 0, reference.stderr
    assert "| `delivery.sendgrid.sender_id` | integer or none | none | The verified sender's id. |" in (
        reference.stdout)

    config.write_text(CONFIG, encoding="utf-8")
    refused = run_with_package(with_sendgrid, "--config", str(config), "check")
    assert refused.returncode == 2
    assert "delivery.sendgrid (line 16): sendgrid needs a verified sender: set delivery.sendgrid.sender_id" in (
        refused.stderr)
    assert "Traceback" not in refused.stderr


def test_without_the_module_the_method_is_unknown(tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text(CONFIG + "sender_id = 12345\n", encoding="utf-8")
    refused = run_with_package(Path(digest.__file__).parent.parent, "--config", str(config), "check")
    assert refused.returncode == 2
    assert "delivery.method (line 14): Input should be 'files', 'smtp', 'webhook', 'brevo'" in refused.stderr


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_declares_its_whole_shape(name: str) -> None:
    service = SERVICES[name]
    assert issubclass(service, Service) and service.name == name
    assert service.mailer in MAILER_TAGS, "its merge tags must be a mailer digest knows"
    assert service.what and service.docs and service.label
    assert name in METHODS and name in DeliverySettings.model_fields
    keys = [(key, meaning) for key, _, _, meaning in rows() if key.startswith(f"delivery.{name}.")]
    assert keys and all(meaning for _, meaning in keys), "every key of its table has a meaning"
    for call in ("auth", "body", "web_default"):
        assert getattr(service, call) is not getattr(Service, call), f"{name} must write {call}"
    if service.test_path:
        assert service.test_body is not Service.test_body
