"""``[schedule]`` and ``[delivery]`` settings, and the hand-off's own checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_jobs_support import FakeBuilder, job_config, local

from digest.errors import ConfigError, DeliveryError
from digest.job.deliver import deliver_issue
from digest.settings.job import DeliverySettings, ScheduleSettings, SmtpSettings
from digest.store.database import Store
from digest.weeks import parse_week

SMTP = {"host": "smtp.example.com", "from": "digest@secondscreen.example", "to": "import@lists.example"}


def test_defaults() -> None:
    schedule = ScheduleSettings()
    assert (schedule.collect, schedule.build) == ("0 */3 * * *", "0 8 * * mon")
    assert schedule.deliver_after_build is True
    assert (schedule.misfire_grace_time, schedule.lock_wait) == (43_200, 600)
    assert DeliverySettings().method == "files"
    smtp = SmtpSettings.model_validate(SMTP)
    assert (smtp.security, smtp.effective_port, smtp.timeout, smtp.to) == ("starttls", 587, 30.0,
                                                                           ["import@lists.example"])
    assert SmtpSettings.model_validate({**SMTP, "security": "tls"}).effective_port == 465
    assert SmtpSettings.model_validate({**SMTP, "security": "none"}).effective_port == 25
    assert ScheduleSettings(collect="off", build="").collect is None


@pytest.mark.parametrize(("smtp", "message"), [
    ({**SMTP, "password": "hunter2-Secret"},
     r"delivery.smtp \(line \d+\): Value error, do not put the password in the config file; set password_env"),
    ({**SMTP, "username": "digest", "password_env": "hunter2 Secret!"},
     r"delivery.smtp.password_env \(line \d+\): Value error, must be the NAME of an environment variable"),
    ({**SMTP, "username": "digest"}, "set both username and password_env to log in, or neither"),
    ({**SMTP, "to": ["editors"]}, r"delivery.smtp.to \(line \d+\): Value error, 'editors' is not an email"),
    ({**SMTP, "security": "ssl"},
     r"delivery.smtp.security \(line \d+\): Input should be 'starttls', 'tls' or 'none'"),
])
def test_bad_smtp_settings_are_config_errors_that_never_echo_a_secret(
    tmp_path: Path, smtp: dict[str, str], message: str,
) -> None:
    with pytest.raises(ConfigError) as caught:
        job_config(tmp_path, delivery={"method": "smtp"}, smtp=smtp)
    assert re.search(message, str(caught.value)), str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_method_needs_its_table_and_a_webhook_needs_an_http_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r'delivery \(line \d+\): Value error, method is "smtp" '
                                          r"but there is no \[delivery.smtp\] table"):
        job_config(tmp_path, delivery={"method": "smtp"})
    with pytest.raises(ConfigError, match="delivery.webhook.url .*must be an http.s. URL"):
        job_config(tmp_path, delivery={"method": "webhook"}, webhook={"url": "ftp://example.com/x"})
    with pytest.raises(ConfigError, match="delivery.webhook .*do not put the secret in the config file"):
        job_config(tmp_path, delivery={"method": "webhook"},
                   webhook={"url": "https://x.example/", "secret": "s"})
    with pytest.raises(ConfigError, match="delivery.method .*'files', 'smtp', 'webhook', 'brevo', "
                                          "'buttondown', 'kit', 'listmonk', 'mailchimp' or 'mailerlite'"):
        job_config(tmp_path, delivery={"method": "carrier-pigeon"})


def test_files_delivery_is_the_out_dir_and_records_nothing(tmp_path: Path) -> None:
    config = job_config(tmp_path)
    with Store.open(config.store_path) as store:
        FakeBuilder()(config, store, local(2025, 5, 19, 8), parse_week("2025-W20"))
        assert deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8)) is None
        assert store.delivered_at("2025-W20", "files") is None


def test_missing_built_files_say_how_to_rebuild(tmp_path: Path) -> None:
    config = job_config(tmp_path, delivery={"method": "webhook"}, webhook={"url": "http://127.0.0.1:9/x"})
    with Store.open(config.store_path) as store:
        with pytest.raises(DeliveryError, match="2025-W20 has not been built yet"):
            deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
        FakeBuilder()(config, store, local(2025, 5, 19, 8), parse_week("2025-W20"))
        (tmp_path / "out" / "2025-W20" / "digest.eml").unlink()
        with pytest.raises(DeliveryError) as caught:
            deliver_issue(config, store, "2025-W20", local(2025, 5, 19, 8))
    assert str(caught.value) == (f"the files of 2025-W20 are missing from {tmp_path / 'out' / '2025-W20'} "
                                 "(digest.eml); rebuild it with: digest run --week 2025-W20 --force")
