"""Every setting a service table takes, sent to the fake and held to the service's description.

The fakes' default settings are one shape per service; an option left out of every test is a
request no description ever judged (a Kit broadcast for everyone was one). Each variant here is a
first run and a forced rebuild with one option set, and must make no request the vendored
description refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY
from test_jobs_support import local
from test_services import Builder, run, write_config

from digest.services import SERVICES
from digest.settings.config import load_config
from digest.store.database import Store

LATER = "2025-05-20T09:00:00-05:00"
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "mailchimp": [{"segment_id": 12}, {"from_name": "Second Screen Weekly", "reply_to": "ed@reviews.example"}],
    "buttondown": [{"schedule_at": LATER}],
    "kit": [{"segment_ids": [], "tag_ids": [3, 4]}, {"email_template_id": 7, "public": True},
            {"schedule_at": LATER}],
    "listmonk": [{"template_id": 2}, {"from_email": "news@reviews.example", "from_name": "Second Screen"}],
    "brevo": [{"schedule_at": LATER}, {"reply_to": "ed@reviews.example", "list_ids": [2, 7]}],
    "mailerlite": [{"group_ids": []}, {"group_ids": ["123456", "654321"]}],
}
CASES = [(name, n) for name in sorted(VARIANTS) for n in range(len(VARIANTS[name]))]


def test_every_service_has_variants() -> None:
    assert set(VARIANTS) == set(SERVICES)


@pytest.mark.parametrize(("service", "n"), CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_each_option_is_a_request_the_description_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, service: str, n: int,
) -> None:
    monkeypatch.setenv(SERVICES[service].Settings.model_fields["api_key_env"].default, KEY)
    with HTTPServer() as server:
        fake = FAKES[service](server)
        config = load_config(write_config(tmp_path, fake, **VARIANTS[service][n]))
        with Store.open(config.store_path) as store:
            first = run(config, store)
            forced = run(config, store, at=local(2025, 5, 19, 12), force=True, builder=Builder("Fixed subject"))
    assert first.delivery_error is None, first.delivery_error
    assert fake.count("create") == 1 and len(fake.campaigns) == 1
    scheduled = "schedule_at" in VARIANTS[service][n]
    if scheduled:  # a scheduled campaign is left alone from then on
        assert "digest leaves it alone" in (forced.delivery or ""), forced
    else:
        assert forced.delivery_error is None and fake.count("update") == 1, forced.delivery_error
    assert fake.violations == []
