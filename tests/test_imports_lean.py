"""A command imports only what its config needs (issue 23).

Each command runs the real CLI in a fresh interpreter on a copy of the bundled demo (offline: its
feeds are served from config/demo/site/ through its [[mirrors]]), then lists ``sys.modules``. The
demo hands its issues off as files and publishes a web archive on build: no mailing service, SMTP,
webhook or ``requests`` is ever loaded; ``collect`` and ``reviews`` load no renderer or archive;
``reviews`` reads the store only, so no HTTP client or fetch policy. Each command also names modules
it must load, so an empty or failed run cannot pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_jobs_demo import demo_config

from digest.collect.parsepool import parse_workers
from digest.cron import cron_trigger
from digest.errors import ConfigError
from digest.settings.config import load_config
from digest.settings.job import DEFAULT_BUILD, DEFAULT_COLLECT

NOW = "2025-05-19T08:00"
WEEK = "2025-W20"
ADAPTERS = ("digest.services.mailchimp", "digest.services.brevo", "digest.services.buttondown",
            "digest.services.kit", "digest.services.listmonk", "digest.services.mailerlite",
            "digest.services.client")
NEVER = (*ADAPTERS, "digest.job.smtp", "digest.job.webhook", "smtplib", "digest.desk", "digest.setup",
         "digest.clicks", "urllib3", "requests.sessions", "charset_normalizer", "apscheduler")
RENDER = ("premailer", "cssutils", "jinja2", "digest.mail.render", "digest.mail.inline")
ARCHIVE = ("digest.mail.archive", "digest.mail.web", "digest.mail.web_policy")
FETCH = ("httpx", "httpcore", "digest.collect.policy", "digest.collect.fetch", "digest.outbound")

_PROBE = """
import json, sys
from digest.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print("\\n" + json.dumps(sorted(sys.modules)))
"""


# Which functions were running when markdown-it was first imported (the "import" audit event).
_WHO_IMPORTS = """
import json, sys, traceback
callers = []
def spy(event, args):
    if event == "import" and args[0] == "markdown_it" and not callers:
        callers.extend(frame.name for frame in traceback.extract_stack())
sys.addaudithook(spy)
""" + _PROBE + """
print("\\n" + json.dumps(callers))
"""


def loaded(config: Path, *args: str) -> set[str]:
    """The modules ``digest --config CONFIG ARGS`` has imported when it ends, run in its own process."""
    done = subprocess.run([sys.executable, "-c", _PROBE, "--config", str(config), *args],
                          capture_output=True, text=True, cwd=config.parent, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def markdown_importers(config: Path, *args: str) -> list[str]:
    """The call stack (function names, outermost first) that first imported markdown-it in
    ``digest --config CONFIG ARGS``; empty when it never loaded."""
    done = subprocess.run([sys.executable, "-c", _WHO_IMPORTS, "--config", str(config), *args],
                          capture_output=True, text=True, cwd=config.parent, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert "digest.job.run" in json.loads(lines[-3]), "the probe's run did not run"
    return list(json.loads(lines[-1]))


def present(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The names, or packages of them, found in ``modules``."""
    return sorted(m for m in modules for name in names if m == name or m.startswith(name + "."))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo copy whose store holds the collected demo (collect is checked in its own test)."""
    return demo_config(tmp_path_factory.mktemp("lean"))


@pytest.fixture(scope="module")
def collected(demo: Path) -> set[str]:
    return loaded(demo, "collect", "--quiet", "--now", NOW)


def test_collect_loads_the_fetcher_but_no_renderer_archive_or_service(collected: set[str]) -> None:
    assert {"digest.collect.fetch", "digest.collect.parsepool", "httpx"} <= collected
    assert present(collected, (*NEVER, *RENDER, *ARCHIVE, "digest.select", "digest.job")) == []


def test_reviews_reads_the_store_without_an_http_client(demo: Path, collected: set[str]) -> None:
    modules = loaded(demo, "reviews", "--week", WEEK, "--now", NOW)
    assert {"digest.reviews.rules", "digest.store.database", "digest.settings.config"} <= modules
    assert present(modules, (*NEVER, *RENDER, *ARCHIVE, *FETCH, "feedparser", "digest.job")) == []


def test_build_renders_and_publishes_but_fetches_nothing(demo: Path, collected: set[str]) -> None:
    modules = loaded(demo, "build", "--week", WEEK, "--now", NOW)
    assert {"premailer", "digest.mail.render", "digest.mail.archive", "digest.job.build"} <= modules
    assert present(modules, (*NEVER, "digest.collect.policy", "digest.collect.fetch", "feedparser")) == []


def test_build_without_an_archive_loads_no_web_page_writer(tmp_path: Path) -> None:
    config = demo_config(tmp_path, archive=None, editions=[])
    loaded(config, "collect", "--quiet", "--now", NOW)
    modules = loaded(config, "build", "--week", WEEK, "--now", NOW)
    assert {"premailer", "digest.mail.render", "digest.job.build"} <= modules
    assert present(modules, (*NEVER, *ARCHIVE)) == []


# The collect's own stack: in ``digest run`` only its forked child holds it (digest.collect.forked).
COLLECT_STACK = ("httpx", "httpcore", "h11", "anyio", "asyncio", "certifi", "multiprocessing", "concurrent",
                 "digest.collect.collector", "digest.collect.fetch", "digest.collect.policy",
                 "digest.collect.parsepool", "feedparser")


def test_run_loads_what_the_demo_uses_and_no_service(tmp_path: Path) -> None:
    """From an empty store: the run collects (in its child) and builds. Its own process never imports
    the collect's stack, before or after the child (ssl it does: cssutils imports urllib.request)."""
    modules = loaded(demo_config(tmp_path), "run", "--now", NOW)
    assert {"digest.collect.forked", "premailer", "digest.mail.archive", "digest.job.run"} <= modules
    assert present(modules, NEVER) == []
    if sys.platform.startswith("linux"):
        assert present(modules, COLLECT_STACK) == []
    # the demo's week has no editor's note: the note's renderer never loads
    assert present(modules, ("markdown_it", "digest.mail.markdown")) == []


@pytest.mark.parametrize("key", ["note", "private_note"])
def test_run_with_a_note_loads_markdown_it_before_its_render(tmp_path: Path, key: str) -> None:
    """The editor's note is known from the issue file before the build: the run's preparation
    (``load_build``: once the collect's child has ended, or while an in-process collect waits on its
    workers) imports the note's renderer, so the render itself does not pay for it."""
    config = demo_config(tmp_path)
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / f"{WEEK}.toml").write_text(f'{key} = "A **big** week for anime."\n',
                                                        encoding="utf-8")
    callers = markdown_importers(config, "run", "--now", NOW)
    assert "load_build" in callers and "prepare_render" in callers, callers
    assert "render_issue" not in callers and "build_issue" not in callers, callers
    html = (tmp_path / "out" / WEEK / "digest.html").read_text(encoding="utf-8")
    assert html.count("<strong>big</strong>") == 1


@pytest.mark.skipif(parse_workers(7) < 2, reason="one usable core, or not Linux: the demo parses on a thread")
def test_the_feed_parser_loads_only_in_the_parse_workers(collected: set[str]) -> None:
    """The demo's seven feeds parse on forked workers: feedparser (and chardet, which it loads) is
    imported there, after the fork, so the collect's own process never holds it (issue 23's memory)."""
    assert "digest.collect.parsepool" in collected
    assert present(collected, ("feedparser", "chardet", "digest.collect.feeds")) == []


@pytest.mark.parametrize("default", [DEFAULT_COLLECT, DEFAULT_BUILD])
def test_the_schedules_defaults_taken_unchecked_are_cron_expressions(default: str) -> None:
    """Loading a config takes the schedule's defaults without apscheduler: they must be valid."""
    assert cron_trigger(default, "UTC").get_next_fire_time(None, datetime(2025, 5, 19, tzinfo=UTC)) is not None


def test_a_service_tables_number_out_of_range_still_says_its_range(tmp_path: Path) -> None:
    """The config names only the services' shared base model (a service's own is loaded when its table is
    there): an out-of-range number in a service's own key still gets that key's allowed range."""
    path = tmp_path / "digest.toml"
    path.write_text('[site]\nname = "Example Reviews"\nurl = "https://reviews.example"\n\n'
                    '[[feeds]]\nurl = "https://reviews.example/feed/"\n\n[delivery]\nmethod = "kit"\n\n'
                    '[delivery.kit]\ntag_ids = [0]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "delivery.kit.tag_ids[0] (line 12): Input should be greater than or equal to 1 (allowed: 1 to " \
        in str(caught.value)


@pytest.mark.skipif(parse_workers(7) < 2, reason="one usable core, or not Linux: the demo parses on a thread")
def test_the_collects_analyses_run_on_the_parse_workers(collected: set[str]) -> None:
    """The demo's reviews are analysed on the forked parse workers, beside each other on every core,
    so the collect's own process never loads the readers (its page pass parses pages with lxml itself)."""
    assert "digest.reviews.rules" in collected
    readers = ("digest.reviews.document", "digest.reviews.scores", "digest.reviews.tldr",
               "digest.reviews.lead_image")
    assert present(collected, readers) == []
