"""Webhook delivery against a real local HTTP server (pytest-httpserver)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from test_jobs_support import HTML, SUBJECT, TEXT, FakeBuilder, FixedClock, job_config, local
from werkzeug import Request, Response

from digest.errors import DeliveryError
from digest.job.deliver import deliver_issue
from digest.job.run import run_once
from digest.settings.config import Config
from digest.store.database import Store
from digest.weeks import parse_week

SECRET = "whsec-0123456789abcdef"
W20 = parse_week("2025-W20")


def hook_config(folder: Path, httpserver: HTTPServer, **webhook: Any) -> Config:
    url = f"http://127.0.0.1:{httpserver.port}/hooks/digest/t0k3n-in-path"
    settings = {"url": url, "timeout": 2, **webhook}
    return job_config(folder, delivery={"method": "webhook"}, webhook=settings)


def built(config: Config, store: Store) -> None:
    FakeBuilder()(config, store, local(2025, 5, 19, 8), W20)


def test_posts_the_issue_as_json_signed_with_hmac(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGEST_WEBHOOK_SECRET", SECRET)
    httpserver.expect_oneshot_request("/hooks/digest/t0k3n-in-path", method="POST").respond_with_json({"ok": 1})
    config = hook_config(tmp_path, httpserver, secret_env="DIGEST_WEBHOOK_SECRET")
    with Store.open(config.store_path) as store:
        outcome = run_once(config, store, FixedClock(local(2025, 5, 19, 8)), collect=False,
                           builder=FakeBuilder())
        again = run_once(config, store, FixedClock(local(2025, 5, 19, 11)), collect=False)
        assert store.delivered_at("2025-W20", "webhook") == local(2025, 5, 19, 8)
    assert outcome.delivery == f"delivered by webhook HTTP 200 OK from http://127.0.0.1:{httpserver.port}"
    assert again.delivery is not None and again.delivery.startswith("already delivered by webhook")
    assert len(httpserver.log) == 1
    request = httpserver.log[0][0]
    body = request.get_data()
    payload = json.loads(body)
    assert set(payload) == {"issue", "subject", "html", "text", "manifest"}
    assert (payload["issue"], payload["subject"], payload["html"], payload["text"]) == ("2025-W20", SUBJECT,
                                                                                        HTML, TEXT)
    assert payload["manifest"]["issue"] == "2025-W20" and payload["manifest"]["subject"] == SUBJECT
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert request.headers["X-Digest-Signature"] == expected
    assert request.headers["Idempotency-Key"] == "2025-W20-20250519T130000"
    assert "Authorization" not in request.headers


def test_bearer_mode_sends_the_secret_as_a_token(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOK_TOKEN", SECRET)
    httpserver.expect_oneshot_request("/hooks/digest/t0k3n-in-path",
                                      headers={"Authorization": f"Bearer {SECRET}"}).respond_with_data("ok")
    config = hook_config(tmp_path, httpserver, secret_env="HOOK_TOKEN", auth="bearer")
    with Store.open(config.store_path) as store:
        built(config, store)
        assert deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8)).startswith("HTTP 200 OK")
    httpserver.check_assertions()
    assert "X-Digest-Signature" not in httpserver.log[0][0].headers


def test_a_500_is_explained_not_recorded_and_the_next_run_delivers_once(
    tmp_path: Path, httpserver: HTTPServer,
) -> None:
    path = "/hooks/digest/t0k3n-in-path"
    httpserver.expect_ordered_request(path).respond_with_data("database is down\n", status=500)
    httpserver.expect_ordered_request(path).respond_with_json({"ok": True}, status=201)
    config = hook_config(tmp_path, httpserver)
    clock = FixedClock(local(2025, 5, 19, 8))
    with Store.open(config.store_path) as store:
        failed = run_once(config, store, clock, collect=False, builder=FakeBuilder())
        assert failed.delivery_error == (
            f"delivery of 2025-W20 by webhook failed: the webhook at http://127.0.0.1:{httpserver.port} "
            "failed with HTTP 500 INTERNAL SERVER ERROR: database is down. The issue stays built; "
            "the next run will try again")
        assert store.delivered_at("2025-W20", "webhook") is None
        clock.advance(hours=3)
        retried = run_once(config, store, clock, collect=False)
        run_once(config, store, clock, collect=False)
        assert retried.delivery is not None and "HTTP 201" in retried.delivery
        assert store.delivered_at("2025-W20", "webhook") == clock()
    assert len(httpserver.log) == 2
    assert "t0k3n" not in (failed.delivery_error or "")  # the path may be a secret: never shown


def test_a_slow_webhook_times_out(tmp_path: Path, httpserver: HTTPServer) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(1.2)
        return Response("late")

    httpserver.expect_request("/hooks/digest/t0k3n-in-path").respond_with_handler(slow)
    config = hook_config(tmp_path, httpserver, timeout=0.4)
    with Store.open(config.store_path) as store:
        built(config, store)
        started = time.monotonic()
        with pytest.raises(DeliveryError, match=r"webhook at http://127.0.0.1:\d+ did not answer within 0.4 "):
            deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
        assert time.monotonic() - started < 1.1
        assert store.delivered_at("2025-W20", "webhook") is None


def test_refusals_name_the_secret_to_check_and_never_echo_it(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOK_TOKEN", SECRET)
    httpserver.expect_request("/hooks/digest/t0k3n-in-path").respond_with_handler(
        lambda request: Response(f"bad token {request.headers.get('Authorization')}", status=401))
    config = hook_config(tmp_path, httpserver, secret_env="HOOK_TOKEN", auth="bearer")
    with Store.open(config.store_path) as store:
        built(config, store)
        with pytest.raises(DeliveryError) as caught:
            deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
    assert "refused the issue: HTTP 401 UNAUTHORIZED: bad token Bearer ***" in str(caught.value)
    assert "check the secret in $HOOK_TOKEN" in str(caught.value) and SECRET not in str(caught.value)


def test_nothing_listening_and_a_missing_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = job_config(tmp_path, delivery={"method": "webhook"},
                        webhook={"url": "http://127.0.0.1:9/hook", "timeout": 1})
    with Store.open(config.store_path) as store:
        built(config, store)
        with pytest.raises(DeliveryError, match="could not connect to the webhook at http://127.0.0.1:9"):
            deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
    monkeypatch.delenv("HOOK_TOKEN", raising=False)
    signed = job_config(tmp_path / "b", delivery={"method": "webhook"},
                        webhook={"url": "http://127.0.0.1:9/hook", "secret_env": "HOOK_TOKEN"})
    with Store.open(signed.store_path) as store:
        built(signed, store)
        with pytest.raises(DeliveryError, match="environment variable HOOK_TOKEN .named by "
                                                "delivery.webhook.secret_env. is not set"):
            deliver_issue(signed, store, "2025-W20", local(2025, 5, 19, 8))
