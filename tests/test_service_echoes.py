"""What a service or a webhook says back never shows the key, whole or in part, and never ends in a traceback.

Cutting a long answer to one line must not cut a secret in two, leaving a prefix the redaction no
longer knows; a 2xx answer is as untrusted as an error; JSON nested past the parser's stack is a
wrong answer like any other. Every server here is a real one on 127.0.0.1.
"""

from __future__ import annotations

import base64
import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from aiosmtpd.controller import Controller
from helpers.smtp import Inbox, free_port
from pytest_httpserver import HTTPServer
from service_fakes import KEY, Failure, Fake
from test_jobs_support import local
from test_service_limits import built_config, delivered, digest_run, hook_config
from test_services import Builder, run
from werkzeug import Response

from digest.services.client import Api, ServiceError
from digest.settings.config import load_config
from digest.store.database import Store

ODD_KEY = "s3cr3t/K+y=with&odd%chars-0123456789-us6"
POSITIONS = range(150, 321, 6)  # around every cut (80, 200, 300 characters) once collapsed and quoted


def forms(key: str) -> dict[str, str]:
    """The key as servers echo it; for a Basic token, only the part that encodes the key's own bytes."""
    return {
        "raw": key,
        "quote": quote(key, safe=""),
        "quote_plus": quote_plus(key),
        "base64": base64.b64encode(key.encode()).decode(),
        "basic": base64.b64encode(f"digest:{key}".encode()).decode()[12:],
    }


def echoes(key: str) -> list[str]:
    """Answers that put each form of the key (a Basic token whole) at each position around the cuts."""
    sent = {**forms(key), "basic": "Basic " + base64.b64encode(f"digest:{key}".encode()).decode()}
    return [f"{'x' * at}{form} end" for form in sent.values() for at in POSITIONS]


def leaked(text: str, key: str, shortest: int = 6) -> list[str]:
    return [f"{name}[:{n}]" for name, form in forms(key).items()
            for n in range(shortest, len(form) + 1) if form[:n].lower() in text.lower()]


# -- 1. cut after redacting, never mid-secret ----------------------------------------------------------


def api_at(server: HTTPServer, key: str) -> Api:
    return Api("mailchimp", server.url_for("/3.0"), {"Authorization": f"apikey {key}"}, key,
               "DIGEST_MAILCHIMP_API_KEY", lambda data: str(data.get("detail", "")), timeout=5, deadline=10)


@pytest.mark.parametrize("status", [401, 404, 422, 500])
def test_a_service_error_never_shows_a_prefix_of_the_key_whatever_the_cut(
    httpserver: HTTPServer, status: int,
) -> None:
    api = api_at(httpserver, ODD_KEY)
    for n, echoed in enumerate(echoes(ODD_KEY)):
        for kind, answer in (("text", Response(echoed, status=status)),
                             ("json", Response(f'{{"detail": "{echoed}"}}', status=status,
                                               content_type="application/problem+json"))):
            httpserver.clear()
            httpserver.expect_request(f"/3.0/c{n}").respond_with_response(answer)
            with pytest.raises(ServiceError) as caught:
                api.call("create the campaign", "POST", f"/c{n}", body={})
            assert "xxxx" in str(caught.value), str(caught.value)  # the answer is quoted, only the key is gone
            assert leaked(str(caught.value), ODD_KEY) == [], (kind, echoed[140:], str(caught.value))


def test_a_service_redirect_never_shows_a_prefix_of_the_key(httpserver: HTTPServer) -> None:
    api = api_at(httpserver, ODD_KEY)
    for n, echoed in enumerate(echoes(ODD_KEY)):
        httpserver.clear()
        httpserver.expect_request(f"/3.0/c{n}").respond_with_data(
            "", status=302, headers={"Location": f"https://elsewhere.example/{echoed.replace(' ', '')}"})
        with pytest.raises(ServiceError) as caught:
            api.call("create the campaign", "POST", f"/c{n}", body={})
        assert "redirected (HTTP 302)" in str(caught.value)
        assert leaked(str(caught.value), ODD_KEY) == [], (echoed[140:], str(caught.value))


@pytest.mark.parametrize("where", ["body 401", "body 500", "reason", "location", "encoding"])
def test_a_webhook_answer_never_shows_a_prefix_of_its_secret_whatever_the_cut(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    where: str,
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("HOOK_TOKEN", ODD_KEY)
    config = hook_config(tmp_path, httpserver.url_for("/hooks/digest"), secret_env="HOOK_TOKEN", auth="bearer")
    for echoed in echoes(ODD_KEY)[:: 3 if where == "reason" else 1]:
        httpserver.clear()
        if where.startswith("body"):
            answer = Response(echoed, status=int(where.split()[1]))
        elif where == "encoding":  # named in the error when digest cannot read it
            answer = Response("{}", status=200, headers={"Content-Encoding": echoed[130:].replace(" ", "")})
        elif where == "reason":
            answer = Response("", status=f"401 {echoed[70:]}")  # the reason is cut at 80 with the status
        else:
            location = f"https://x.example/{echoed.replace(' ', '')}"
            answer = Response("", status=307, headers={"Location": location})
        httpserver.expect_request("/hooks/digest").respond_with_response(answer)
        error, when = delivered(config)
        assert error is not None and when is None
        assert leaked(error, ODD_KEY) == [], (echoed[140:], error)
    assert leaked(caplog.text, ODD_KEY) == []


# -- 2. a 2xx answer is redacted too ------------------------------------------------------------------


# The status echoing the key is outside Mailchimp's status enum on purpose: only that answer may break it.
@pytest.mark.violations_expected(match=r"^mailchimp: the fake's answer .*status: 'sent-by-")
def test_a_key_echoed_in_a_2xx_answer_reaches_no_output_store_log_or_notice(
    tmp_path: Path, mailchimp: Fake, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    said = f"Authorization was apikey {KEY} ({quote(KEY, safe='')})"
    mailchimp.inject("check", Failure(after=True, answer={"is_ready": False, "items": [
        {"type": "warning", "heading": f"key {KEY}", "details": said},
        {"type": "error", "heading": "Basic " + base64.b64encode(f"x:{KEY}".encode()).decode(), "details": KEY},
    ]}))
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        notify = {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 2,
                  "from": "digest@reviews.example", "to": ["editors@reviews.example"]}
        path = built_config(tmp_path, mailchimp, notify=notify)
        first = digest_run(path)
        cid = next(iter(mailchimp.campaigns))
        mailchimp.campaigns[cid]["status"] = f"sent-by-{KEY}"  # read back next run
        config = load_config(path)
        with Store.open(config.store_path) as store:
            again = run(config, store, at=local(2025, 5, 19, 12), force=True, builder=Builder("Fixed subject"))
        second = f"{again.delivery} {again.delivery_error}"
    finally:
        controller.stop()
    assert first.exit_code == 0 and "mailchimp checklist warning: key ***" in first.output, first.output
    assert "is sent-by-*** in mailchimp" in second, second
    with closing(sqlite3.connect(tmp_path / "var" / "digest.sqlite")) as db:
        details = "\n".join(db.iterdump())  # every table: deliveries, campaigns, the lot
    assert "sent-by-*** in mailchimp" in details  # the last delivery detail, from the 2xx status
    mail = b" ".join(m[2] for m in inbox.messages).decode()
    assert len(inbox.messages) == 1 and "key ***" in mail
    for text in (first.output, second, details, mail, caplog.text):
        assert leaked(text, KEY) == [], text


def test_a_2xx_answer_is_scrubbed_of_the_key_in_strings_keys_and_numbers(httpserver: HTTPServer) -> None:
    key = "9075310642817364"  # a key of digits, as some self-hosted services issue
    api = api_at(httpserver, key)
    httpserver.expect_request("/3.0/campaigns/c1").respond_with_data(
        f'{{"id": "c1", "status": {key}, "web_id": "{key}", "{key}": [{{"note": "sent {key}"}}]}}',
        content_type="application/json")
    data = api.call("read campaign c1", "GET", "/campaigns/c1")
    assert data == {"id": "c1", "status": "***", "web_id": "***", "***": [{"note": "sent ***"}]}


# -- 3. JSON nested past the parser's stack -------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("status", [200, 422])
def test_json_nested_past_the_stack_is_one_error_line_and_the_next_run_completes(
    tmp_path: Path, mailchimp: Fake, status: int,
) -> None:
    path = built_config(tmp_path, mailchimp)
    if status == 200:
        mailchimp.inject("create", Failure(200, after=True, raw=DEEP))  # made, but the answer is unreadable
    else:
        mailchimp.inject("create", Failure(422, raw=DEEP))
    failed = digest_run(path)
    retried = digest_run(path)
    assert failed.exit_code != 0 and isinstance(failed.exception, SystemExit), failed.output
    assert "Traceback" not in failed.output and "RecursionError" not in failed.output
    assert len([line for line in failed.output.splitlines() if line.startswith("error:")]) == 1, failed.output
    assert retried.exit_code == 0 and "ready to approve" in retried.output, retried.output
    assert len(mailchimp.campaigns) == 1
