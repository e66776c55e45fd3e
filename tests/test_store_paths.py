"""A store path that cannot be made, or a disk full before the store exists, is one line, not a traceback.

The lock file is the first thing a run writes, before the store itself: a parent that is a file,
a broken symbolic link, or a file-size limit of zero must be the editor's error there too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_jobs_support import job_config
from test_store_robustness import limited_fsize

from digest.errors import StoreError
from digest.store.lock import StoreLock

DIGEST = [sys.executable, "-c", "from digest.cli.main import main; main()"]
NOW = ["--now", "2025-05-19T08:00"]
EXIT_USER, EXIT_DISK_FULL = 2, 6


def config_with_store(folder: Path, store: Path) -> Path:
    path = job_config(folder).resolve("digest.toml")
    text = path.read_text(encoding="utf-8").replace('path = "var/digest.sqlite"', f'path = "{store}"')
    path.write_text(text, encoding="utf-8")
    return path


def digest(config: Path, *args: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DIGEST, "--config", str(config), *args], capture_output=True, text=True,
                          timeout=120, cwd=config.parent, **options)  # type: ignore[call-overload]


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("blocker", ["file", "dangling symlink"])
def test_a_store_whose_folder_is_a_file_is_refused_by_every_command(tmp_path: Path, blocker: str) -> None:
    notes = tmp_path / "notes"
    if blocker == "file":
        notes.write_text("editor's notes\n", encoding="utf-8")
    else:
        notes.symlink_to(tmp_path / "gone")
    config = config_with_store(tmp_path / "site", notes / "digest.sqlite")
    for command in (["check"], ["collect", *NOW], ["build", *NOW], ["run", *NOW], ["prune"]):
        result = digest(config, *command)
        line = one_error_line(result)
        assert result.returncode == EXIT_USER, (command, result.stderr)
        assert "store.path" in line and f"{notes} is" in line and "not a folder" in line, line
    assert not (tmp_path / "gone").exists()


def test_the_lock_on_a_store_whose_folder_is_a_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("editor's notes\n", encoding="utf-8")
    store = tmp_path / "notes" / "var" / "digest.sqlite"
    with pytest.raises(StoreError, match=r"notes is not a folder; set \[store\] path"), StoreLock(store):
        pass


@pytest.mark.parametrize("limit", [0, 2])
def test_a_first_run_on_a_full_disk_is_one_line_and_exit_6(tmp_path: Path, limit: int) -> None:
    config = config_with_store(tmp_path, tmp_path / "var" / "digest.sqlite")
    result = digest(config, "collect", *NOW, preexec_fn=limited_fsize(limit))
    line = one_error_line(result)
    assert result.returncode == EXIT_DISK_FULL, result.stderr
    assert str(tmp_path / "var" / "digest.sqlite") in line and "full" in line and "file-size limit" in line
    again = digest(config, "collect", *NOW)  # with room, the same folder works
    assert again.returncode == 0, again.stderr
