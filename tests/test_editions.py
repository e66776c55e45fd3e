"""Editions: two newsletters from one collect of the demo site, each built and delivered once a week.

The weekly best goes by SMTP (aiosmtpd on loopback), the anime-only edition, with its own
subject, branding and counts, by webhook (pytest-httpserver). A crash between the two (an
exception, or a real SIGKILL of a ``digest run`` process) leaves the next run only the
missing edition to do; a re-run builds and sends nothing.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import subprocess
import sys
import textwrap
import threading
import urllib.request
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import test_jobs_demo as demo
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from test_jobs_support import FixedClock, local
from test_smtp import Inbox, smtp_server

from digest.cli.base import Context
from digest.cli.job import run
from digest.cli.mail import built_issue_dir
from digest.cli.select import build, explain
from digest.desk.preview import make_server
from digest.errors import ConfigError
from digest.job.build import BuildResult, build_issue
from digest.job.run import run_editions
from digest.job.schedule import DigestScheduler, due_work
from digest.settings.config import Config, load_config
from digest.settings.editions import all_editions, archive_dir, edition_config, issue_dir, pick_edition
from digest.store.database import Store
from digest.weeks import Week, issue_key, parse_week, split_issue_key

ROOT = Path(__file__).resolve().parents[1]
HOOK = "/hooks/anime"
WEEKLY_LIST, ANIME_BRAND, BASE_BRAND = "weekly-list@lists.example", "#6b2fa3", "#1d2433"
MONDAY = "2025-05-19T08:00"
W20 = parse_week("2025-W20")


def anime_edition(hook_url: str, **extra: Any) -> dict[str, Any]:
    return {"name": "anime", "title": "Second Screen Anime", "sections": ["Anime"],
            "subject": "Anime weekly: {{ hero.title if hero else 'what is trending' }}",
            "select": {"top_count": 3, "trending_count": 2},
            "email": {"brand_color": ANIME_BRAND, "tagline": "The week in anime"},
            "delivery": {"method": "webhook", "webhook": {"url": hook_url, "timeout": 5}}, **extra}


def two_editions(folder: Path, smtp_port: int, httpserver: HTTPServer, **tables: Any) -> Path:
    """The demo config: the weekly best by SMTP, and an anime edition by webhook."""
    smtp = {"host": "127.0.0.1", "port": smtp_port, "security": "none", "timeout": 5,
            "from": "digest@secondscreen.example", "to": [WEEKLY_LIST]}
    return demo.demo_config(folder, delivery={"method": "smtp", "smtp": smtp},
                            editions=[anime_edition(f"http://127.0.0.1:{httpserver.port}{HOOK}")], **tables)


def message(inbox: Inbox, index: int) -> EmailMessage:
    parsed = email.message_from_bytes(inbox.messages[index][2], policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def html_of(mail: EmailMessage) -> str:
    part = mail.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def posted(httpserver: HTTPServer) -> list[dict[str, Any]]:
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


def check_both_sent_once(tmp_path: Path, inbox: Inbox, httpserver: HTTPServer) -> None:
    """One email to the weekly list, one webhook POST for the anime edition, each its own issue."""
    assert len(inbox.messages) == 1 and inbox.messages[0][1] == [WEEKLY_LIST]
    weekly = message(inbox, 0)
    weekly_manifest = json.loads((tmp_path / "out" / "2025-W20" / "manifest.json").read_text("utf-8"))
    assert weekly["X-Digest-Issue"] == "2025-W20" and weekly["Subject"] == weekly_manifest["subject"]
    assert BASE_BRAND in html_of(weekly) and ANIME_BRAND not in html_of(weekly)
    assert weekly_manifest["edition"] == "default"
    assert len({p["section"] for p in weekly_manifest["picks"]}) > 1  # the best of everything

    hooks = posted(httpserver)
    assert len(hooks) == 1
    anime = hooks[0]
    assert anime["issue"] == "anime/2025-W20" and anime["manifest"]["edition"] == "anime"
    assert anime["subject"].startswith("Anime weekly: ") and anime["subject"] == anime["manifest"]["subject"]
    assert ANIME_BRAND in anime["html"] and "The week in anime" in anime["html"]
    sections = [p["section"] for p in anime["manifest"]["picks"]]
    assert sections and set(sections) == {"Anime"}
    kinds = [p["kind"] for p in anime["manifest"]["picks"]]
    assert kinds.count("top") == 3 and kinds.count("trending") <= 2
    out = tmp_path / "out" / "anime" / "2025-W20"
    assert anime["html"] == (out / "digest.html").read_text("utf-8")


def test_two_editions_from_one_collect_each_built_and_delivered_once(tmp_path: Path,
                                                                     httpserver: HTTPServer) -> None:
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        path = two_editions(tmp_path, port, httpserver)
        runner = CliRunner()
        first = runner.invoke(run, ["--now", MONDAY], obj=Context(path))
        assert first.exit_code == 0, first.output
        assert first.output.count("collected 7 feeds") == 1  # one collect serves both editions
        assert "built 2025-W20: " in first.output and "built anime/2025-W20: Anime weekly: " in first.output
        assert "delivered by smtp" in first.output and "delivered by webhook HTTP 200" in first.output
        check_both_sent_once(tmp_path, inbox, httpserver)
        files = sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file())
        stamps = [p.stat().st_mtime_ns for p in files]

        again = runner.invoke(run, ["--now", "2025-05-19T10:00"], obj=Context(path))
        assert again.exit_code == 0, again.output
        assert "collected" not in again.output and "built 2025" not in again.output
        assert "2025-W20 was already built" in again.output
        assert "anime/2025-W20 was already built" in again.output
        assert "already delivered by smtp" in again.output and "already delivered by webhook" in again.output
        check_both_sent_once(tmp_path, inbox, httpserver)
    assert [p.stat().st_mtime_ns for p in files] == stamps


def test_an_exception_between_the_editions_then_the_next_run_does_only_the_missing_one(
    tmp_path: Path, httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    inbox = Inbox()
    built: list[str] = []

    def crashing(config: Config, store: Store, now: datetime, week: Week) -> BuildResult:
        if config.edition_id == "anime":
            raise RuntimeError("power cut between the editions")
        built.append(issue_key(week.id, config.edition_id))
        return build_issue(config, store, now, week)

    def counting(config: Config, store: Store, now: datetime, week: Week) -> BuildResult:
        built.append(issue_key(week.id, config.edition_id))
        return build_issue(config, store, now, week)

    with smtp_server(inbox) as port:
        config = load_config(two_editions(tmp_path, port, httpserver))
        clock = FixedClock(local(2025, 5, 19, 8))
        with Store.open(config.store_path) as store:
            with pytest.raises(RuntimeError, match="power cut"):
                run_editions(config, store, clock, builder=crashing)
            assert store.issue("2025-W20") is not None and store.issue("anime/2025-W20") is None
            assert store.delivered_at("2025-W20", "smtp") is not None and len(inbox.messages) == 1
            assert due_work(config, store, clock()).editions == ("anime",)

            clock.advance(hours=1)
            second = run_editions(config, store, clock, builder=counting)
            assert [o.action for o in second.outcomes] == ["already built", "built"]
            assert second.outcomes[0].delivery is not None
            assert second.outcomes[0].delivery.startswith("already delivered by smtp")
            assert second.collect is not None  # the anime build needed a collect first

            clock.advance(hours=1)
            third = run_editions(config, store, clock, builder=counting)
            assert [o.action for o in third.outcomes] == ["already built", "already built"]
            assert third.collect is None
            assert due_work(config, store, clock()).action == "none"
        assert built == ["2025-W20", "anime/2025-W20"]
        check_both_sent_once(tmp_path, inbox, httpserver)


KILLER = textwrap.dedent("""
    import os, signal, sys
    import digest.job.run as job_run
    from digest.cli.main import main

    real = job_run.default_builder

    def builder(config, store, now, week):
        if config.edition_id == "anime":  # the weekly best is built and delivered: die before the next
            os.kill(os.getpid(), signal.SIGKILL)
        return real(config, store, now, week)

    job_run.default_builder = builder
    main(["--config", sys.argv[1], "run", "--now", sys.argv[2]])
""")


def test_a_sigkilled_run_between_the_editions_is_completed_by_the_next(tmp_path: Path,
                                                                      httpserver: HTTPServer) -> None:
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        path = two_editions(tmp_path, port, httpserver)
        killed = subprocess.run([sys.executable, "-c", KILLER, str(path), MONDAY], capture_output=True,
                                text=True, timeout=120, cwd=tmp_path)
        assert killed.returncode == -9, killed.stderr
        with Store.open(load_config(path).store_path) as store:  # what the killed run left behind
            assert store.issue("2025-W20") is not None and store.issue("anime/2025-W20") is None
            assert store.delivered_at("2025-W20", "smtp") is not None
        assert len(inbox.messages) == 1 and not httpserver.log
        assert not (tmp_path / "out" / "anime" / "2025-W20").exists()

        runner = CliRunner()
        second = runner.invoke(run, ["--now", "2025-05-19T09:00"], obj=Context(path))
        assert second.exit_code == 0, second.output
        assert "2025-W20 was already built" in second.output and "already delivered by smtp" in second.output
        assert "built anime/2025-W20: " in second.output
        check_both_sent_once(tmp_path, inbox, httpserver)

        third = runner.invoke(run, ["--now", "2025-05-19T10:00"], obj=Context(path))
        assert third.exit_code == 0 and "built 2025" not in third.output and "built anime" not in third.output
        check_both_sent_once(tmp_path, inbox, httpserver)


def test_the_scheduler_logs_one_line_listing_the_editions(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = load_config(two_editions(tmp_path, port, httpserver))
        with Store.open(config.store_path) as store:
            due = due_work(config, store, local(2025, 5, 19, 10))
        assert (due.action, due.editions) == ("build", ("default", "anime"))
        assert "2025-W20, anime/2025-W20" in due.reason
        scheduler = DigestScheduler(config, clock=FixedClock(local(2025, 5, 19, 10, 30)), triggers={})
        line = scheduler.tick("catch-up")
        assert re.match(r"catch-up: editions default, anime: 2025-W20: built; \d+ picks .*; delivered by smtp "
                        r"to weekly-list@lists\.example; .* \| anime/2025-W20: built; \d+ picks "
                        r"\(3 top, \d trending\).*; delivered by webhook HTTP 200 OK from .* \| "
                        r"collected 7 feeds, \d+ new entries; (archive: [^;]+; )?[\d.]+s$", line), line
        later = scheduler.tick("collect")
        assert "2025-W20, anime/2025-W20 are built and delivered" in later, later
        check_both_sent_once(tmp_path, inbox, httpserver)


def test_explain_and_preview_switch_editions(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    (issues / "anime").mkdir(parents=True)
    (issues / "anime" / "2025-W20.toml").write_text(
        'note = "A big week for **anime**."\nprivate_note = "Subscribers: code KOMARI for 10% off."\n', "utf-8")
    path = demo.demo_config(tmp_path, issues_dir=str(issues),
                            editions=[anime_edition("https://hooks.example/x", delivery={"method": "files"})])
    runner = CliRunner()
    assert runner.invoke(run, ["--now", MONDAY], obj=Context(path)).exit_code == 0

    shown = runner.invoke(explain, ["--edition", "anime"], obj=Context(path))
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("May 12–18, 2025 (anime/2025-W20) ")
    assert "in the window; edition anime" in shown.output
    assert "A big week for **anime**." in shown.output and "code KOMARI" in shown.output
    rows = [line for line in shown.output.splitlines() if re.match(r"\s*\d+\s+(top|trending|pinned)\s", line)]
    assert rows and all(" Anime " in row for row in rows)
    weekly = runner.invoke(explain, ["--week", "2025-W20"], obj=Context(path))
    assert weekly.output.startswith("May 12–18, 2025 (2025-W20) ")
    assert "in the window; edition default" in weekly.output
    unknown = runner.invoke(explain, ["--edition", "manga"], obj=Context(path))
    assert unknown.exit_code == 2 and "no edition called 'manga' (editions: default, anime)" in unknown.output
    anime_email = (tmp_path / "out" / "anime" / "2025-W20" / "digest.html").read_text("utf-8")
    assert "code KOMARI" in anime_email  # the private note is for subscribers: in the email
    by_hand = runner.invoke(build, ["--edition", "anime", "--week", "2025-W19", "--now", "2025-05-19T09:00"],
                            obj=Context(path))
    assert by_hand.exit_code == 0 and by_hand.output.startswith("built anime/2025-W19: 3 top"), by_hand.output
    assert (tmp_path / "out" / "anime" / "2025-W19" / "manifest.json").is_file()

    config = load_config(path)
    obj = Context(path)
    roots = {"default": lambda: built_issue_dir(obj, None),
             "anime": lambda: built_issue_dir(obj, None, "anime")}
    server = make_server(tmp_path / "out", port=0, editions=roots, locate=roots["default"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        def get(path: str) -> str:
            with urllib.request.urlopen(server.url.rstrip("/") + path, timeout=5) as response:  # noqa: S310
                return str(response.read().decode("utf-8"))

        page = get("/?edition=anime")
        assert 'href="/?edition=default"' in page and 'class="current">anime<' in page
        assert 'src="/email.html?edition=anime"' in page
        latest = (tmp_path / "out" / "anime" / "2025-W19" / "digest.html").read_text("utf-8")  # built last
        assert get("/email.html?edition=anime") == latest
        assert get("/email.html") == (issue_dir(config, "2025-W20") / "digest.html").read_text("utf-8")
        assert json.loads(get("/state.json?edition=anime"))["issue"] == "2025-W19"
    finally:
        server.shutdown()
        server.server_close()


# -- the config -------------------------------------------------------------------------------------


def test_an_editions_effective_config_is_the_base_with_its_overrides(tmp_path: Path) -> None:
    config = load_config(demo.demo_config(tmp_path, email={"tagline": "Base tagline", "utm_source": "news"},
                                          editions=[anime_edition("https://hooks.example/anime")],
                                          archive={"title": "Back issues"}))
    default, anime = all_editions(config)
    assert default is config and default.edition_id is None and anime.edition_id == "anime"
    assert anime.select.sections == ["Anime"]
    assert (anime.select.top_count, anime.select.trending_count) == (3, 2)
    assert anime.select.repeat_weeks == config.select.repeat_weeks
    assert anime.email.brand_color == ANIME_BRAND and anime.email.tagline == "The week in anime"
    assert anime.email.utm_source == "news" and anime.email.accent_color == config.email.accent_color
    assert anime.delivery.method == "webhook" and config.delivery.method == "files"
    assert anime.feeds == config.feeds and anime.store_path == config.store_path
    assert issue_dir(anime, "2025-W20") == tmp_path / "out" / "anime" / "2025-W20"
    assert issue_dir(config, "2025-W20") == tmp_path / "out" / "2025-W20"
    assert pick_edition(config, "anime") == anime and pick_edition(config, "default") is config
    # Like the outputs, the archive is per config by default; an edition's is a sub-folder of it.
    assert archive_dir(config) == tmp_path / "archive" / "demo"
    assert archive_dir(anime) == tmp_path / "archive" / "demo" / "anime"
    assert edition_config(config, config.editions[0]) == anime


def test_issue_keys_round_trip() -> None:
    assert issue_key("2025-W20") == "2025-W20" and issue_key("2025-W20", "anime") == "anime/2025-W20"
    assert split_issue_key("anime/2025-W20") == ("anime", "2025-W20")
    assert split_issue_key("2025-W20") == (None, "2025-W20")


GOOD = """\
[site]
name = "Second Screen"
url = "https://secondscreen.example"

[[feeds]]
url = "https://secondscreen.example/feed/"

[email]
unsubscribe_url = "https://secondscreen.example/newsletter/unsubscribe/"
postal_address = "Second Screen, 1200 W. Example Avenue, Chicago, IL 60607"

[[editions]]
name = "film"
sections = ["Film"]

[[editions]]
name = "anime"
sections = ["Anime"]
subject = "Anime: {{ issue.range }}"

[editions.select]
top_count = 3

[editions.email]
brand_color = "#6b2fa3"
"""


def load_text(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    return str(caught.value)


def line(text: str, needle: str, after: str) -> int:
    lines = text.splitlines()
    start = next(i for i, value in enumerate(lines) if after in value)
    return next(i for i, value in enumerate(lines) if i > start and needle in value) + 1


def test_the_good_editions_config_loads(tmp_path: Path) -> None:
    config = load_text(tmp_path, GOOD)
    assert [e.name for e in config.editions] == ["film", "anime"]
    film, anime = all_editions(config)[1:]
    assert film.select.top_count == 5 and anime.select.top_count == 3
    assert anime.email.subject == "Anime: {{ issue.range }}" and film.email.subject is None


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('brand_color = "#6b2fa3"', 'brand_color = "purple"',
     r"editions\[1\]\.email\.brand_color \(line {brand}\): Value error, 'purple' is not a six-digit hex"),
    ("top_count = 3", "top_count = -3",
     r"editions\[1\]\.select\.top_count \(line {top}\): Input should be greater than or equal to 0"),
    ("top_count = 3", "top_cuont = 3", r"editions\[1\]\.select\.top_cuont \(line {top}\): unknown key"),
    ('sections = ["Anime"]', 'sections = ["Anme"]',
     r"editions\[1\]\.sections \(line {sections}\): unknown section 'Anme' \(sections: Anime, Comics"),
    ('name = "anime"', 'name = "film"', r"editions\[1\]\.name \(line {name}\): a second edition called 'film'"),
    ('name = "anime"', 'name = "default"', r"editions\[1\]\.name \(line {name}\): Value error, \"default\" is"),
    ('name = "anime"', 'name = "Anime Weekly"', r"editions\[1\]\.name \(line {name}\): String should match"),
    ('subject = "Anime', 'sujbect = "Anime', r"editions\[1\]\.sujbect \(line {subject}\): unknown key"),
])
def test_a_bad_edition_is_reported_with_its_key_and_line(tmp_path: Path, old: str, new: str,
                                                         expected: str) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    message = error_of(tmp_path, text)
    second = text.index("[[editions]]", text.index("[[editions]]") + 1)
    head = text[:second].count("\n")
    numbers = {
        "brand": line(text, "brand_color", "[editions.email]"),
        "top": line(text, "top_c", "[editions.select]"),
        "sections": head + 3, "name": head + 2, "subject": head + 4,
    }
    pattern = f"^{re.escape(str(tmp_path / 'digest.toml'))}: " + expected.format(**numbers)
    assert re.search(pattern, message), message


def test_an_edition_without_its_delivery_table_is_named(tmp_path: Path) -> None:
    text = GOOD + '\n[editions.delivery]\nmethod = "smtp"\n'
    message = error_of(tmp_path, text)
    assert f"editions[1].delivery (line {line(text, 'method = ', '[editions.delivery]') - 1}): " in message
    assert "there is no [delivery.smtp] table" in message


def test_the_base_configs_own_section_filter_is_checked(tmp_path: Path) -> None:
    text = GOOD.split("[[editions]]")[0] + '[select]\nsections = ["Anime", "Podcasts"]\n'
    message = error_of(tmp_path, text)
    number = text.splitlines().index('sections = ["Anime", "Podcasts"]') + 1
    assert f"select.sections (line {number}): unknown section 'Podcasts'" in message


def test_edition_is_not_a_key_of_the_file(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'edition = "anime"\n' + GOOD)
    assert "edition (line 1): unknown key" in message


def test_an_edition_overrides_part_of_a_table_and_keeps_the_rest(tmp_path: Path) -> None:
    config = load_text(tmp_path, GOOD.split("[[editions]]")[0] + """\
[delivery]
method = "smtp"
[delivery.smtp]
host = "smtp.example.com"
from = "news@secondscreen.example"
to = ["weekly@lists.example"]

[[editions]]
name = "anime"
[editions.delivery.smtp]
from = "anime@secondscreen.example"
to = ["anime@lists.example"]
""")
    default, anime = all_editions(config)
    assert default.delivery.smtp is not None and anime.delivery.smtp is not None
    assert (default.delivery.smtp.sender, default.delivery.smtp.to) == ("news@secondscreen.example",
                                                                        ["weekly@lists.example"])
    assert (anime.delivery.smtp.sender, anime.delivery.smtp.to) == ("anime@secondscreen.example",
                                                                    ["anime@lists.example"])
    assert anime.delivery.smtp.host == "smtp.example.com"


def test_each_edition_remembers_only_its_own_recent_picks(tmp_path: Path) -> None:
    from scenario import Scenario, make_config
    from scenario import local as chicago

    sc = Scenario(tmp_path)
    best = sc.review("REVIEW: ‘Komari’s Midnight Kitchen’ Episode 8", chicago(2025, 5, 13, 9), score="9/10")
    sc.review("REVIEW: ‘Lantern Row Detectives’ Episode 7", chicago(2025, 5, 14, 9), score="7/10")
    sc.review("REVIEW: ‘Saint Agnes Street’ Soars", chicago(2025, 5, 15, 9), section="Film", score="8/10")
    sc.collect_every(chicago(2025, 5, 12), chicago(2025, 5, 19, 8), hours=24)
    base = make_config(tmp_path, editions=[{"name": "anime", "sections": ["Anime"]}])
    anime = pick_edition(base, "anime")
    # The weekly best featured the anime review last week (as a pin from outside its window, say).
    sc.store.record_issue("2025-W19", chicago(2025, 5, 12, 8), parse_week("2025-W19").window(base.site.tz),
                          "W19", str(tmp_path / "out" / "2025-W19"), [(best.uid, best.link, "top", 1)])
    weekly = sc.choose(base, chicago(2025, 5, 19, 8), W20)
    assert best.title not in [p.review.title for p in weekly.picks]  # not repeated in its own edition
    assert "featured in 2025-W19" in " ".join(m.reason for m in weekly.near_misses if m.review.uid == best.uid)
    anime_issue = sc.choose(anime, chicago(2025, 5, 19, 8), W20)
    assert anime_issue.issue_id == "anime/2025-W20"
    assert [p.review.title for p in anime_issue.top][0] == best.title  # another edition may feature it
    assert {p.review.section for p in anime_issue.picks} == {"Anime"}
    sc.close()


def test_an_edition_has_its_own_templates_and_check_lists_it(tmp_path: Path) -> None:
    from scenario import Scenario, make_config
    from scenario import local as chicago

    from digest.cli.collect import check

    sc = Scenario(tmp_path)
    sc.review("REVIEW: ‘Komari’s Midnight Kitchen’ Episode 8", chicago(2025, 5, 13, 9), score="9/10")
    sc.review("REVIEW: ‘Saint Agnes Street’ Soars", chicago(2025, 5, 15, 9), section="Film", score="8/10")
    sc.collect_every(chicago(2025, 5, 12), chicago(2025, 5, 19, 8), hours=24)
    (tmp_path / "anime-templates").mkdir()
    (tmp_path / "anime-templates" / "preheader.txt").write_text("Only anime, {{ issue.range }}\n", "utf-8")
    base = make_config(tmp_path, output_dir=str(tmp_path / "out"),
                       editions=[{"name": "anime", "sections": ["Anime"],
                                  "email": {"templates_dir": "anime-templates"}}])
    now = chicago(2025, 5, 19, 8)
    weekly = build_issue(base, sc.store, now, W20)
    anime = build_issue(pick_edition(base, "anime"), sc.store, now, W20)
    sc.close()
    assert anime.rendered.preheader == "Only anime, May 12–18, 2025"
    assert not weekly.rendered.preheader.startswith("Only anime")
    assert anime.out_dir == tmp_path / "out" / "anime" / "2025-W20"
    assert weekly.out_dir == tmp_path / "out" / "2025-W20"
    manifest = json.loads((anime.out_dir / "manifest.json").read_text("utf-8"))
    assert (manifest["issue"], manifest["edition"], manifest["week"]) == ("anime/2025-W20", "anime", "2025-W20")

    load_text(tmp_path, GOOD)  # writes digest.toml: two editions, for the check command
    shown = CliRunner().invoke(check, [], obj=Context(tmp_path / "digest.toml"))
    assert shown.exit_code == 0, shown.output
    assert "edition default: all sections; 5 top, 4 trending; delivery files" in shown.output
    assert "edition film: Film; 5 top" in shown.output
    assert "edition anime: Anime; 3 top, 4 trending; delivery files; files in " in shown.output


def test_an_edition_cannot_move_the_shared_archive(tmp_path: Path) -> None:
    archive_table = '[editions.archive]\ndir = "elsewhere"\ntitle = "A"\n\n'
    text = GOOD.replace("[editions.select]", archive_table + "[editions.select]")
    message = error_of(tmp_path, text)
    number = text.splitlines().index("[editions.archive]") + 1
    assert f"editions[1].archive (line {number}): " in message
    assert "dir is shared by every edition" in message


def test_a_thin_edition_does_not_hold_back_the_others(tmp_path: Path) -> None:
    thin = {"name": "anime", "sections": ["Anime"], "select": {"min_scored_reviews": 50}}
    film = {"name": "film", "sections": ["Film"], "select": {"top_count": 2}}
    path = demo.demo_config(tmp_path, editions=[thin, film])
    result = CliRunner().invoke(run, ["--now", MONDAY], obj=Context(path))
    assert result.exit_code == 5, result.output
    assert "built 2025-W20: " in result.output and "built film/2025-W20: " in result.output
    assert re.search(r"^anime/2025-W20: build stopped: anime/2025-W20: only \d+ scored reviews this week",
                     result.output, re.M), result.output
    assert "stopped: not built: anime/2025-W20 (the next run tries again)" in result.output
    assert (tmp_path / "out" / "film" / "2025-W20" / "digest.html").is_file()
    assert not (tmp_path / "out" / "anime").exists()

    config = load_config(path)
    scheduler = DigestScheduler(config, clock=FixedClock(local(2025, 5, 19, 9)), triggers={})
    line = scheduler.tick("collect")  # the thin edition is still owed: tried again, stopped again
    assert re.match(r"collect: editions default, anime, film: 2025-W20: already built at [^|]+\| "
                    r"anime/2025-W20: build stopped: [^|]+\| film/2025-W20: already built at ", line), line


def test_run_json_lists_every_edition_and_validates(tmp_path: Path) -> None:
    import jsonschema

    path = demo.demo_config(tmp_path, editions=[{"name": "anime", "sections": ["Anime"]}],
                            archive={"dir": str(tmp_path / "archive"), "publish": "on-build"})
    result = CliRunner().invoke(run, ["--now", MONDAY, "--json"], obj=Context(path))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    schema = json.loads((ROOT / "docs" / "json" / "run.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert (document["issue"], document["action"]) == ("2025-W20", "built")  # the default edition, as before
    assert [(e["edition"], e["issue"], e["action"]) for e in document["editions"]] == [
        ("default", "2025-W20", "built"), ("anime", "anime/2025-W20", "built")]
    assert document["archive"] == "archive: 2 pages, published 2025-W20, anime/2025-W20"
