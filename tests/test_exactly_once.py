"""Exactly-once hand-off: a run killed after the server accepted the message never sends it again.

A real SMTP server on loopback (aiosmtpd) accepts the message, then sits on its reply to
QUIT; the delivering process is killed with SIGKILL right then (a deploy, an OOM kill).
The next run must find the delivery recorded: one message, not two.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from pydantic import ValidationError
from test_jobs_support import free_port, job_config

from digest.errors import ConfigError
from digest.settings.job import SmtpSettings, WebhookSettings
from digest.store.database import Store

TESTS = Path(__file__).resolve().parent
RUN = """
import sys
sys.path[:0] = [{tests!r}]
from test_jobs_support import FakeBuilder, FixedClock, local
from digest.job.run import run_once
from digest.settings.config import load_config
from digest.store.database import Store
config = load_config({config!r})
with Store.open(config.store_path) as store:
    outcome = run_once(config, store, FixedClock(local(2025, 5, 19, 8)), collect=False, builder=FakeBuilder())
print(outcome.delivery, outcome.delivery_error)
"""


class SlowQuit:
    """Accepts every message; answers QUIT only when the test lets it (or never)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.quit_seen = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope.original_content or b"")
        return "250 2.0.0 queued"

    async def handle_QUIT(self, server: Any, session: Session, envelope: Envelope) -> str:
        import asyncio

        self.quit_seen.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        return "221 Bye"


def _run(config_path: Path) -> subprocess.Popen[str]:
    code = RUN.format(tests=str(TESTS), config=str(config_path))
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(TESTS)})


def test_a_kill_while_quit_is_pending_does_not_send_twice(tmp_path: Path) -> None:
    inbox = SlowQuit()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = job_config(tmp_path, delivery={"method": "smtp"}, smtp={
            "host": "127.0.0.1", "port": port, "security": "none", "timeout": 30,
            "from": "digest@secondscreen.example", "to": ["import@lists.example"]})
        process = _run(tmp_path / "digest.toml")
        if not inbox.quit_seen.wait(60):
            process.kill()
            pytest.fail(f"the run never reached QUIT: {process.communicate()}")
        os.kill(process.pid, signal.SIGKILL)  # the message is accepted; the 221 never comes
        process.wait(10)
        assert process.returncode == -signal.SIGKILL and len(inbox.messages) == 1
        inbox.release.set()
        final = _run(tmp_path / "digest.toml")
        out, err = final.communicate(timeout=60)
        assert final.returncode == 0, err
        assert out.startswith("already delivered by smtp"), out
    finally:
        inbox.release.set()
        controller.stop()
    assert len(inbox.messages) == 1
    with Store.open(config.store_path) as store:
        assert store.delivered_at("2025-W20", "smtp") is not None


def test_a_password_needs_tls_unless_the_editor_says_otherwise(tmp_path: Path) -> None:
    base = {"host": "mail.example", "from": "d@example.com", "to": ["x@example.com"], "username": "u",
            "password_env": "PW"}
    with pytest.raises(ValidationError, match="sends the password in clear"):
        SmtpSettings.model_validate({**base, "security": "none"})
    plain = SmtpSettings.model_validate({**base, "security": "none", "allow_plaintext_auth": True})
    assert plain.username == "u"
    assert SmtpSettings.model_validate({**base, "security": "starttls"}).username == "u"
    with pytest.raises(ConfigError, match=r"delivery.smtp \(line \d+\): .*sends the password in clear"):
        job_config(tmp_path, delivery={"method": "smtp"}, smtp={**base, "security": "none"})


def test_a_bearer_secret_needs_https_unless_the_url_is_loopback() -> None:
    with pytest.raises(ValidationError, match="use an https URL"):
        WebhookSettings(url="http://hooks.example/x", secret_env="TOKEN", auth="bearer")
    for url in ("https://hooks.example/x", "http://127.0.0.1:8000/x", "http://localhost:8000/x",
                "http://[::1]:8000/x"):
        assert WebhookSettings(url=url, secret_env="TOKEN", auth="bearer").url == url
    assert WebhookSettings(url="http://hooks.example/x", secret_env="TOKEN").auth == "hmac"
