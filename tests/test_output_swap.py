"""The issue folder's swap, when it fails and before it happens.

A rebuild writes a complete sibling folder and swaps it into place: with ``renameat2(RENAME_EXCHANGE)``
(called through ctypes, so ``os.rename`` never sees it) where Linux has it, with two renames and
the old folder parked beside it elsewhere. Whichever step fails, the previous issue must stay
under its name, byte for byte, with nothing half-written beside it. And every file of the new
issue, and the folder itself, must be on disk before the swap makes it the issue: a power cut
just after must not leave an issue of empty files.
"""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from email_fixtures import BRANDED, email_config, realistic_selection
from test_output import write_realistic

import digest.mail.output as output
from digest.errors import DigestError
from digest.mail.render import render_issue
from digest.models import RenderedIssue
from digest.settings.config import Config

REAL_RENAME = os.rename  # the stand-ins below call this, never one another
EXTRA = {"web.html": "<!DOCTYPE html><html lang=\"en\"><body><p>The archive's copy</p></body></html>\n"}


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return email_config(tmp_path / "config", **BRANDED)


@pytest.fixture
def rendered(config: Config) -> RenderedIssue:
    return render_issue(config, realistic_selection())


def _write(config: Config, rendered: RenderedIssue, out_dir: Path) -> list[Path]:
    return write_realistic(config, rendered, out_dir, EXTRA)


def _rebuilt(rendered: RenderedIssue) -> RenderedIssue:
    return RenderedIssue(rendered.issue_id, "A later subject", "p", rendered.html.replace("Top-scored", "Best"),
                         "the rebuilt text part\n")


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _renameat2_failing(code: int) -> Callable[..., Any]:
    """A stand-in for ``ctypes.CDLL`` whose renameat2 fails with ``code``, as the C call reports it."""
    def renameat2(*args: object) -> int:
        ctypes.set_errno(code)
        return -1

    return lambda *args, **kwargs: SimpleNamespace(renameat2=renameat2)


def _failing_rename(calls: list[tuple[str, str]], fail_on: Callable[[str, str], bool]
                    ) -> Callable[[Any, Any], None]:
    def rename(src: Any, dst: Any) -> None:
        calls.append((Path(src).name, Path(dst).name))
        if fail_on(Path(src).name, Path(dst).name):
            raise OSError(errno.EIO, "Input/output error", str(src))
        REAL_RENAME(src, dst)

    return rename


def _assert_previous_issue_whole(out_dir: Path, before: dict[str, bytes]) -> None:
    assert _contents(out_dir) == before  # every file there, byte for byte, and nothing new
    assert sorted(p.name for p in out_dir.parent.iterdir()) == [out_dir.name]  # no temp or parked folder


def test_the_exchange_is_the_swap_on_this_system(tmp_path: Path, config: Config, rendered: RenderedIssue,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests below fail each path; this one proves the first (renameat2) is the one really taken."""
    out_dir = tmp_path / "out" / "2025-W20"
    _write(config, rendered, out_dir)
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(os, "rename", _failing_rename(calls, lambda src, dst: False))
    _write(config, _rebuilt(rendered), out_dir)
    assert calls == []  # no os.rename: the folders were exchanged in one step
    assert (out_dir / "digest.txt").read_text(encoding="utf-8") == "the rebuilt text part\n"


def test_a_failing_exchange_keeps_the_previous_issue_whole(tmp_path: Path, config: Config,
                                                           rendered: RenderedIssue,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir = tmp_path / "out" / "2025-W20"
    _write(config, rendered, out_dir)
    before = _contents(out_dir)
    assert set(before) == {"digest.html", "digest.txt", "digest.eml", "manifest.json", "web.html"}
    monkeypatch.setattr(ctypes, "CDLL", _renameat2_failing(errno.EIO))
    with pytest.raises(DigestError, match=r"cannot write the issue to .*2025-W20: Input/output error "
                                          r"\(the previous issue folder, if any, is untouched\)"):
        _write(config, _rebuilt(rendered), out_dir)
    _assert_previous_issue_whole(out_dir, before)


@pytest.mark.parametrize("step", ["park the old folder", "move the new one in"])
def test_a_failing_rename_keeps_the_previous_issue_whole(
    tmp_path: Path, config: Config, rendered: RenderedIssue, monkeypatch: pytest.MonkeyPatch, step: str,
) -> None:
    """Without renameat2 (older kernels, other filesystems): either rename of the two may fail."""
    out_dir = tmp_path / "out" / "2025-W20"
    _write(config, rendered, out_dir)
    before = _contents(out_dir)
    monkeypatch.setattr(ctypes, "CDLL", _renameat2_failing(errno.ENOSYS))  # the fallback, for real
    calls: list[tuple[str, str]] = []
    if step == "park the old folder":
        fails = lambda src, dst: src == "2025-W20"  # noqa: E731
    else:
        fails = lambda src, dst: src.startswith(".2025-W20.tmp-")  # noqa: E731
    monkeypatch.setattr(os, "rename", _failing_rename(calls, fails))
    with pytest.raises(DigestError, match=r"cannot write the issue to .*2025-W20: Input/output error"):
        _write(config, _rebuilt(rendered), out_dir)
    _assert_previous_issue_whole(out_dir, before)
    assert calls[0][0] == "2025-W20" and calls[0][1].startswith(".2025-W20.old-")  # the fallback was taken


def test_a_failing_rename_of_a_first_build_leaves_nothing_under_the_name(
    tmp_path: Path, config: Config, rendered: RenderedIssue, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out_dir = tmp_path / "out" / "2025-W20"
    out_dir.parent.mkdir()
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(os, "rename", _failing_rename(calls, lambda src, dst: True))
    with pytest.raises(DigestError, match=r"cannot write the issue to .*2025-W20: Input/output error"):
        _write(config, rendered, out_dir)
    assert [dst for _, dst in calls] == ["2025-W20"]
    assert list(out_dir.parent.iterdir()) == []



def test_when_the_old_issue_cannot_be_put_back_the_error_says_where_it_is_and_the_next_build_restores_it(
    tmp_path: Path, config: Config, rendered: RenderedIssue, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fallback parks the old folder, fails to move the new one in, then fails to move the old one
    back: the old issue is whole but beside its name. The editor is told where; the next build of the
    issue must put it back first, never sweep it away as a leftover."""
    out_dir = tmp_path / "out" / "2025-W20"
    _write(config, rendered, out_dir)
    before = _contents(out_dir)
    monkeypatch.setattr(ctypes, "CDLL", _renameat2_failing(errno.ENOSYS))
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(os, "rename", _failing_rename(calls, lambda src, dst: dst == "2025-W20"))
    with pytest.raises(DigestError) as failed:
        _write(config, _rebuilt(rendered), out_dir)
    parked = [p for p in out_dir.parent.iterdir() if p.name.startswith(".2025-W20.old-")]
    assert len(parked) == 1 and not out_dir.exists()
    assert _contents(parked[0]) == before
    assert "untouched" not in str(failed.value)
    assert str(parked[0]) in str(failed.value) and "Input/output error" in str(failed.value)
    assert sorted(p.name for p in out_dir.parent.iterdir()) == [parked[0].name]  # no temp folder

    # Every rename refused: the old issue cannot go back yet, and is kept where it is (not swept away).
    monkeypatch.setattr(os, "rename", _failing_rename(calls, lambda src, dst: True))
    with pytest.raises(DigestError, match=r"cannot write the issue to .*2025-W20: Input/output error"):
        _write(config, _rebuilt(rendered), out_dir)
    assert sorted(p.name for p in out_dir.parent.iterdir()) == [parked[0].name]
    assert _contents(parked[0]) == before

    # The disk still refuses the new folder: the next build puts the old one back before it tries.
    monkeypatch.setattr(os, "rename", _failing_rename(calls, lambda src, dst: src.startswith(".2025-W20.tmp-")))
    with pytest.raises(DigestError, match=r"cannot write the issue to .*2025-W20: Input/output error"):
        _write(config, _rebuilt(rendered), out_dir)
    _assert_previous_issue_whole(out_dir, before)

# -- durability: on disk before the swap ---------------------------------------------------------------


class Journal:
    """Every fsync (by the path its descriptor names) and every swap, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, str]] = []
        real_fsync, real_rename, real_exchange = os.fsync, os.rename, output._exchange

        def fsync(fd: int) -> None:
            self.events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
            real_fsync(fd)

        def rename(src: Any, dst: Any) -> None:
            self.events.append(("rename", f"{src} -> {dst}"))
            real_rename(src, dst)

        def exchange(a: Path, b: Path) -> bool:
            self.events.append(("exchange", f"{a} <-> {b}"))
            return real_exchange(a, b)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "rename", rename)
        monkeypatch.setattr(output, "_exchange", exchange)

    def first_swap(self) -> int:
        return next(i for i, (kind, what) in enumerate(self.events) if kind in ("rename", "exchange")
                    and ".tmp-" in what)

    def synced_before_swap(self) -> set[str]:
        return {what for kind, what in self.events[: self.first_swap()] if kind == "fsync"}

    def synced_after_swap(self) -> set[str]:
        return {what for kind, what in self.events[self.first_swap():] if kind == "fsync"}

    def staging(self) -> Path:
        kind, what = self.events[self.first_swap()]
        return Path(what.split(" ")[0])


@pytest.mark.parametrize("swap", ["exchange", "two renames", "first build"])
def test_every_file_and_the_folder_are_on_disk_before_the_swap(
    tmp_path: Path, config: Config, rendered: RenderedIssue, monkeypatch: pytest.MonkeyPatch, swap: str,
) -> None:
    out_dir = tmp_path / "out" / "2025-W20"
    if swap != "first build":
        _write(config, rendered, out_dir)
    if swap == "two renames":
        monkeypatch.setattr(ctypes, "CDLL", _renameat2_failing(errno.ENOSYS))
    journal = Journal(monkeypatch)
    files = _write(config, _rebuilt(rendered), out_dir)
    staging = journal.staging()
    assert staging.parent == out_dir.parent and staging.name.startswith(".2025-W20.tmp-")
    names = {p.name for p in files}
    assert names == {"digest.html", "digest.txt", "digest.eml", "manifest.json", "web.html"}
    assert journal.synced_before_swap() == {str(staging / name) for name in names} | {str(staging)}
    assert str(out_dir.parent) in journal.synced_after_swap()  # the rename itself made durable
    kinds = [kind for kind, _ in journal.events]
    assert kinds[-1] == "fsync" and journal.events[-1][1] == str(out_dir.parent)
    assert _contents(out_dir)["digest.txt"] == b"the rebuilt text part\n"
