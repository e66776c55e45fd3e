"""The issue folder (atomic, complete) and the .eml (parsed back with the email package)."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from email_fixtures import BRANDED, NOW, email_config, realistic_selection

import digest.mail.output as output
from digest.errors import DigestError
from digest.mail.manifest import build_manifest
from digest.mail.output import FILES, build_eml, write_issue
from digest.mail.render import render_issue
from digest.models import RenderedIssue
from digest.settings.config import Config


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return email_config(tmp_path / "config", **BRANDED)


@pytest.fixture
def rendered(config: Config) -> RenderedIssue:
    return render_issue(config, realistic_selection())


def write_realistic(config: Config, rendered: RenderedIssue, out_dir: Path,
                    extra: dict[str, str] | None = None) -> list[Path]:
    """The realistic week's issue folder, as a build writes it (``extra``: the build's other files)."""
    selection = realistic_selection()
    manifest = build_manifest(selection, rendered.subject, config.site.tz)
    return write_issue(config, out_dir, selection, rendered, manifest, NOW, extra)


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_write_issue_writes_the_four_files(tmp_path: Path, config: Config, rendered: RenderedIssue) -> None:
    out_dir = tmp_path / "out" / "2025-W20"
    files = write_realistic(config, rendered, out_dir)
    assert files == [out_dir / name for name in FILES]
    assert (out_dir / "digest.html").read_text(encoding="utf-8") == rendered.html
    assert (out_dir / "digest.txt").read_text(encoding="utf-8") == rendered.text
    manifest_text = (out_dir / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(manifest_text)
    assert manifest["subject"] == rendered.subject
    assert manifest_text == json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    assert "Sánchez" in manifest_text  # not \u-escaped
    assert parse((out_dir / "digest.eml").read_bytes())["Subject"] == rendered.subject
    assert sorted(p.name for p in out_dir.parent.iterdir()) == ["2025-W20"]
    assert out_dir.stat().st_mode & 0o777 == 0o755


def test_rewriting_an_issue_replaces_the_folder_whole(tmp_path: Path, config: Config,
                                                      rendered: RenderedIssue) -> None:
    out_dir = tmp_path / "out" / "2025-W20"
    write_realistic(config, rendered, out_dir)
    (out_dir / "stray.txt").write_text("from an older build", encoding="utf-8")
    rebuilt = RenderedIssue(rendered.issue_id, "New subject", "p", rendered.html, "new text\n")
    write_realistic(config, rebuilt, out_dir)
    assert (out_dir / "digest.txt").read_text(encoding="utf-8") == "new text\n"
    assert not (out_dir / "stray.txt").exists()
    assert sorted(p.name for p in out_dir.parent.iterdir()) == ["2025-W20"]


def test_without_renameat2_the_fallback_swap_also_works(tmp_path: Path, config: Config, rendered: RenderedIssue,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir = tmp_path / "out" / "2025-W20"
    write_realistic(config, rendered, out_dir)
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    write_realistic(config, RenderedIssue(rendered.issue_id, "S", "p", rendered.html, "fallback\n"), out_dir)
    assert (out_dir / "digest.txt").read_text(encoding="utf-8") == "fallback\n"
    assert sorted(p.name for p in out_dir.parent.iterdir()) == ["2025-W20"]


def test_a_failure_mid_write_keeps_the_previous_issue(tmp_path: Path, config: Config, rendered: RenderedIssue,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir = tmp_path / "out" / "2025-W20"
    write_realistic(config, rendered, out_dir)
    before = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    written: list[str] = []
    real_write_text = output.write_text

    def spy(path: Path, text: str) -> None:
        written.append(path.name)
        real_write_text(path, text)

    def disk_full(path: Path, manifest: dict[str, object]) -> None:
        assert "digest.html" in written  # the html is already on disk in the temp folder
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output, "write_text", spy)
    monkeypatch.setattr(output, "write_manifest", disk_full)
    new = RenderedIssue(rendered.issue_id, "Broken", "p", "<html>new</html>", "new\n")
    with pytest.raises(DigestError, match=r"cannot write the issue to .*2025-W20: No space left on device"):
        write_realistic(config, new, out_dir)
    assert {p.name: p.read_bytes() for p in out_dir.iterdir()} == before
    assert sorted(p.name for p in out_dir.parent.iterdir()) == ["2025-W20"]  # no temp folder behind


def test_an_unexpected_error_also_leaves_no_temp_folder(tmp_path: Path, config: Config, rendered: RenderedIssue,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir = tmp_path / "out" / "2025-W20"

    def boom(path: Path, manifest: dict[str, object]) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(output, "write_manifest", boom)
    with pytest.raises(RuntimeError):
        write_realistic(config, rendered, out_dir)
    assert list(out_dir.parent.iterdir()) == []


def test_stale_temp_folders_from_a_crash_are_swept(tmp_path: Path, config: Config,
                                                   rendered: RenderedIssue) -> None:
    out = tmp_path / "out"
    (out / ".2025-W20.tmp-abc123").mkdir(parents=True)
    (out / ".2025-W20.old-0011").mkdir()
    (out / ".keep-me").mkdir()
    write_realistic(config, rendered, out / "2025-W20")
    assert sorted(p.name for p in out.iterdir()) == [".keep-me", "2025-W20"]


def test_eml_is_multipart_alternative_text_then_html(config: Config, rendered: RenderedIssue) -> None:
    raw = build_eml(config, rendered, NOW)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout
    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert parts[0].get_content().replace("\r\n", "\n") == rendered.text  # canonical CRLF inside
    assert parts[1].get_content().replace("\r\n", "\n") == rendered.html
    assert parts[1]["Content-Transfer-Encoding"] == "quoted-printable"
    assert message["Subject"] == rendered.subject  # non-ASCII quotes survive RFC 2047
    assert message["From"] == "But Why Tho? Weekly <newsletter@butwhytho.example>"
    assert message["Date"] == "Mon, 19 May 2025 13:00:00 +0000"
    assert message["Message-ID"].endswith("@butwhytho.example>") and "2025-W20" in message["Message-ID"]
    assert message["To"] is None and message["List-Unsubscribe"] is None  # merge tags are not URLs
    assert message["X-Digest-Issue"] == "2025-W20"


def test_eml_list_unsubscribe_with_one_click_post(tmp_path: Path, rendered: RenderedIssue) -> None:
    config = email_config(tmp_path, mailer="custom", unsubscribe_url="https://butwhytho.example/unsub?u=1",
                          postal_address="1 Main St, Springfield",
                          list_unsubscribe_mailto="unsub@butwhytho.example",
                          reply_to="editors@butwhytho.example")
    message = parse(build_eml(config, rendered, datetime(2025, 5, 19, 8, 0), to=["a@x.example", "b@x.example"],
                              subject_prefix="[TEST] "))
    assert message["List-Unsubscribe"] == ("<https://butwhytho.example/unsub?u=1>, "
                                           "<mailto:unsub@butwhytho.example?subject=unsubscribe>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["To"] == "a@x.example, b@x.example"
    assert message["Subject"] == "[TEST] " + rendered.subject
    assert message["Reply-To"] == "editors@butwhytho.example"
    assert message["From"] == "But Why Tho? <newsletter@butwhytho.example>"  # defaults: site name and host
    assert message["Date"] == "Mon, 19 May 2025 08:00:00 +0000"  # a naive time is taken as UTC


def test_mailto_only_list_unsubscribe_has_no_post_header(tmp_path: Path, rendered: RenderedIssue) -> None:
    config = email_config(tmp_path, list_unsubscribe_mailto="unsub@butwhytho.example")
    message = parse(build_eml(config, rendered, NOW, to="one@x.example"))
    assert message["List-Unsubscribe"] == "<mailto:unsub@butwhytho.example?subject=unsubscribe>"
    assert message["List-Unsubscribe-Post"] is None
    assert message["To"] == "one@x.example"


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: victim@x.example",
                                     "=?utf-8?q?Hi=0D=0ABcc:_victim@x.example?="])
def test_eml_of_a_hostile_subject_cannot_inject_headers(config: Config, rendered: RenderedIssue,
                                                        subject: str) -> None:
    evil = RenderedIssue(rendered.issue_id, subject, "p", rendered.html, rendered.text)
    message = parse(build_eml(config, evil, datetime(2025, 5, 19, tzinfo=UTC)))
    assert "Bcc" not in message and message["Subject"].replace("\u200b", "") == " ".join(subject.split())
    assert "=?" not in message["Subject"]  # shown the same, but no decoder sees an encoded word
