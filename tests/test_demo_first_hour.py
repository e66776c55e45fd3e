"""The bundled demo does what the README shows in an editor's first hour: an edition, an archive,
a test send with no mail server, and a plain answer when the week asked for has no posts."""

from __future__ import annotations

import email
import email.policy
import re
import resource
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

from digest.cli import main
from digest.select.stale import span
from digest.weeks import Week

NOW = "2025-05-19T08:00"


def digest(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.output


def out_dir(config: Path) -> Path:
    return Path(tomllib.loads(config.read_text(encoding="utf-8"))["output_dir"])


def test_the_demo_builds_its_anime_edition_and_publishes_both_to_its_archive(demo: Path) -> None:
    code, output = digest(demo, "run", "--now", NOW)
    assert code == 0, output
    assert "built 2025-W20: " in output and "built anime/2025-W20: Anime this week: " in output
    assert "archive: 2 pages, published 2025-W20, anime/2025-W20" in output
    archive = out_dir(demo) / "archive"
    assert (archive / "2025-W20.html").is_file() and (archive / "anime" / "2025-W20.html").is_file()
    code, output = digest(demo, "explain", "--edition", "anime")
    assert code == 0, output
    assert output.startswith("May 12–18, 2025 (anime/2025-W20)")
    code, output = digest(demo, "archive", "publish", "2025-W20")
    assert code == 0 and "2025-W20: was already published" in output, output


def test_send_test_without_a_mail_server_writes_the_test_message_where_it_says(demo: Path) -> None:
    code, output = digest(demo, "build", "--week", "2025-W20", "--now", NOW)
    assert code == 0, output
    code, output = digest(demo, "send-test", "--to", "editor@secondscreen.example")
    assert code == 0, output
    written = out_dir(demo) / "test" / "2025-W20.eml"
    assert f"wrote 2025-W20 as a test for editor@secondscreen.example to {written}" in output
    assert "not recorded as delivered" in output
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert str(message["Subject"]).startswith("[TEST] ")
    assert message["To"] == "editor@secondscreen.example"
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
    assert b"\r\n" in written.read_bytes() and not list(written.parent.glob(".*"))  # no temp file left
    code, output = digest(demo, "send-test", "--to", "editor@secondscreen.example", "--edition", "anime")
    assert code == 2 and "no issue has been built yet" in output, output  # build made the default's only


def test_send_test_refuses_an_address_that_would_shape_a_header(demo: Path) -> None:
    code, output = digest(demo, "build", "--week", "2025-W20", "--now", NOW)
    assert code == 0, output
    code, output = digest(demo, "send-test", "--to", "me@example.com\r\nBcc: all@example.com")
    assert code == 2 and "nothing was sent" in output, output
    assert not (out_dir(demo) / "test").exists()


def test_send_test_file_keeps_the_merge_tag_guard(demo: Path) -> None:
    """An issue built for Mailchimp's tags, test-sent after the config went back to plain files: refused."""
    text = demo.read_text(encoding="utf-8")
    demo.write_text(text.replace("[email]\n", '[email]\nmailer = "mailchimp"\n', 1), encoding="utf-8")
    code, output = digest(demo, "build", "--week", "2025-W20", "--now", NOW)
    assert code == 0, output
    demo.write_text(text, encoding="utf-8")
    code, output = digest(demo, "send-test", "--to", "me@example.com")
    assert code == 2 and "test send" in output and "*|" in output, output
    assert not (out_dir(demo) / "test" / "2025-W20.eml").exists()


def test_run_on_a_store_of_older_weeks_names_the_newest_week_and_the_now_to_use(demo: Path) -> None:
    code, output = digest(demo, "build", "--now", "2026-12-07T08:00")
    assert code == 5, output
    assert ("2026-W49: no posts this week; the store's newest posts are from 2025-W20 (May 12–18, 2025), "
            "before this week: run with --now 2025-05-19T08:00 to build that week") in output
    assert "build_thin_week" not in output  # the usual advice does not apply to an empty week
    code, output = digest(demo, "build", "--now", "2025-05-19T08:00")
    assert code == 0, output


def test_a_quiet_week_in_a_current_store_keeps_the_thin_week_advice(demo: Path) -> None:
    """A week with no reviews but later posts stored is a quiet week, not a stale store: no --now hint."""
    code, output = digest(demo, "build", "--week", "2025-W10", "--now", NOW)
    assert code == 5, output
    assert "--now" not in output and re.search(r"only 0 scored reviews", output), output


def test_week_spans_read_like_a_calendar() -> None:
    assert span(Week(2025, 20)) == "May 12–18, 2025"
    assert span(Week(2025, 18)) == "Apr 28–May 4, 2025"
    assert span(Week(2026, 1)) == "Dec 29, 2025–Jan 4, 2026"


def test_run_without_now_on_the_demo_says_its_weeks_are_in_2025_and_which_now_to_use(demo: Path) -> None:
    """The real clock: the demo's posts are all from spring 2025, so the week that just ended is empty."""
    code, output = digest(demo, "run")
    assert code == 5, output
    hint = ("no posts this week; the store's newest posts are from 2025-W20 (May 12–18, 2025), before this "
            "week: run with --now 2025-05-19T08:00 to build that week")
    for edition in ("", "anime/"):  # each edition says it
        assert re.search(rf"^{edition}\d{{4}}-W\d\d: .*{re.escape(hint)}",
                         output, re.M), output
    assert "build_thin_week" not in output


def test_a_test_file_that_cannot_be_written_whole_is_not_written_at_all(demo: Path) -> None:
    """A file-size limit (or a full disk) mid-write: a clear error, the earlier file intact, no temp file."""
    code, output = digest(demo, "build", "--week", "2025-W20", "--now", NOW)
    assert code == 0, output
    code, output = digest(demo, "send-test", "--to", "me@example.com")
    assert code == 0, output
    written = out_dir(demo) / "test" / "2025-W20.eml"
    before = written.read_bytes()
    assert len(before) > 40_000

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    done = subprocess.run([sys.executable, "-c", "from digest.cli import main; main()", "--config", str(demo),
                           "send-test", "--to", "other@example.com"], capture_output=True, text=True,
                          preexec_fn=limit, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"cannot write {written}" in done.stderr + done.stdout and "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    assert written.read_bytes() == before
    assert [p.name for p in written.parent.iterdir()] == ["2025-W20.eml"]
