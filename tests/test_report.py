"""The pre-send report: each check on a good email and on the same email broken, and the build stopping."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from email_fixtures import BRANDED, email_config, realistic_selection
from test_jobs_demo import demo_config

from digest.cli.base import Context
from digest.cli.job import run
from digest.mail.output import build_eml
from digest.mail.render import render_issue
from digest.mail.report import presend_report, spam_check, unsubscribe_check
from digest.settings.config import Config

NOW = datetime(2025, 5, 19, 13, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return email_config(tmp_path_factory.mktemp("report") / "config", **BRANDED)


@pytest.fixture(scope="module")
def html(config: Config) -> str:
    return render_issue(config, realistic_selection()).html


def statuses(html: str, config: Config) -> dict[str, str]:
    report = presend_report(html, config.email.merge_tags, "butwhytho.example", None, "mailchimp", "files")
    return {c.name: c.status for c in report.checks}


def test_a_good_email_passes_every_html_check(html: str, config: Config) -> None:
    report = presend_report(html, config.email.merge_tags, "butwhytho.example", None, "mailchimp", "files")
    assert {c.name: c.status for c in report.checks} == {
        "lint": "ok", "size": "ok", "contrast": "ok", "layout-375": "ok", "links": "ok",
        "list-unsubscribe": "not checked", "spamassassin": "not checked"}
    figures = report.figures
    assert 40_000 < figures["html_bytes"] < 70_000 and figures["style_bytes"] < 4_000
    assert figures["contrast_min_light"] >= 4.5 and figures["contrast_min_dark"] >= 4.5
    assert figures["offsite_hosts"] == ["facebook.com", "x.com", "youtube.com"]
    assert report.lines()[0] == "pre-send report:" and json.dumps(report.to_json())


@pytest.mark.parametrize(("check", "old", "new"), [
    ("layout-375", '<td class="note"', '<td class="note"><div style="width:520px">wide</div></td><td'),
    ("layout-375", 'class="col col-text" style="display:inline-block; width:100%;',
     'class="col col-text" style="display:inline-block;'),
    ("contrast", "color:#5b6270", "color:#b0b0b0"),
    ("links", 'href="mailto:editors@butwhytho.example"', 'href="ftp://butwhytho.example/x"'),
])
def test_each_check_catches_its_break(html: str, config: Config, check: str, old: str, new: str) -> None:
    assert old in html
    broken = statuses(html.replace(old, new), config)
    assert broken[check] == "error", broken


def test_size_warns_near_the_clip_and_fails_past_it(html: str, config: Config) -> None:
    near = html.replace("</body>", "<!-- " + "x" * (93_000 - len(html)) + " --></body>")
    past = html.replace("</body>", "<!-- " + "x" * (106_000 - len(html)) + " --></body>")
    assert statuses(near, config)["size"] == "warning" and statuses(past, config)["size"] == "error"


def test_list_unsubscribe_depends_on_who_sends(tmp_path: Path) -> None:
    custom = email_config(tmp_path / "a", mailer="custom", unsubscribe_url="https://butwhytho.example/unsub",
                          list_unsubscribe_mailto="leave@butwhytho.example", postal_address="1 Main St")
    rendered = render_issue(custom, realistic_selection())
    eml = build_eml(custom, rendered, NOW)
    assert unsubscribe_check(eml, "custom", "smtp").status == "ok"
    mailchimp = email_config(tmp_path / "b", **BRANDED)
    bare = build_eml(mailchimp, render_issue(mailchimp, realistic_selection()), NOW)
    assert b"List-Unsubscribe" not in bare
    assert unsubscribe_check(bare, "mailchimp", "files").status == "ok"  # the service adds it
    sent_by_us = unsubscribe_check(bare, "mailchimp", "smtp")
    assert sent_by_us.status == "warning" and "no List-Unsubscribe header" in sent_by_us.summary


def test_spamassassin_not_checked_when_off_or_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert spam_check(b"Subject: x\r\n\r\nhi\r\n", enabled=False).status == "not checked"
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: the tool is not there
    missing = spam_check(b"Subject: x\r\n\r\nhi\r\n")
    assert missing.status == "not checked" and "not installed" in missing.summary


def test_a_report_error_stops_the_build_and_nothing_is_written(tmp_path: Path) -> None:
    templates = tmp_path / "templates" / "partials"
    templates.mkdir(parents=True)
    (templates / "section_heading.html").write_text(
        '<tr><td class="section"><table role="presentation" width="520"><tr><td>'
        '<h2 class="section-title">{{ heading }}</h2></td></tr></table></td></tr>\n', encoding="utf-8")
    path = demo_config(tmp_path, email={"templates_dir": str(tmp_path / "templates"), "spamassassin": False})
    result = CliRunner().invoke(run, ["--now", "2025-05-19T08:00"], obj=Context(path))
    assert result.exit_code == 2, result.output
    assert "the 2025-W20 email fails its pre-send report (nothing was written)" in result.output
    assert "error       layout-375" in result.output and "fixed at 520 px" in result.output
    assert not (tmp_path / "out" / "2025-W20").exists()
