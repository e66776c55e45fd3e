"""The package as users install it: a wheel that carries its templates and builds an issue anywhere.

The editable install the suite runs under hides a wheel that forgot its templates, so the slow
test here builds the wheel, installs it into a fresh virtualenv, and runs the demo from a folder
outside the checkout.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_lists_every_subpackage_of_digest() -> None:
    """pyproject.toml lists packages by hand (templates/ is mapped in); a new stage must be added there.

    Each folder of templates/ (partials/, styles/) is a package too: Python can import it, so setuptools
    warns at every install and build that it "would be ignored" unless it is listed."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {"digest"} | {
        "digest." + ".".join(p.parent.relative_to(ROOT / "digest").parts)
        for p in (ROOT / "digest").rglob("__init__.py") if p.parent != ROOT / "digest"
    }
    templates = ROOT / "templates"
    template_folders = {
        "digest.templates." + ".".join(folder.relative_to(templates).parts)
        for folder in templates.rglob("*") if folder.is_dir() and folder.name != "__pycache__"
    }
    assert template_folders, "templates/ has its partials/ and styles/ folders"
    assert listed == on_disk | {"digest.templates"} | template_folders


def test_templates_are_loaded_through_the_package_not_the_checkout() -> None:
    from digest.mail.render import BUILTIN_TEMPLATES

    assert (BUILTIN_TEMPLATES / "issue.html").is_file()
    assert (BUILTIN_TEMPLATES / "styles" / "inline.css").is_file()
    assert (BUILTIN_TEMPLATES / "partials" / "card.html").is_file()


def test_help_loads_no_stage_and_no_heavy_library() -> None:
    """``digest --help`` imports click and the command modules only: each command imports what it uses."""
    probe = ("import sys; from digest.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('premailer', 'apscheduler', 'feedparser', 'pydantic', 'httpx', 'jinja2', 'lxml', 'cssutils')"
             " or m.startswith(('digest.collect', 'digest.reviews', 'digest.select', 'digest.mail.',"
             " 'digest.job.', 'digest.settings.', 'digest.store.'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_check_loads_no_premailer_feedparser_or_scheduler(tmp_path: Path) -> None:
    probe = ("import sys; from digest.cli import main\n"
             f"try:\n    main(['--config', {str(ROOT / 'config' / 'demo.toml')!r}, 'check'])\n"
             "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('premailer', 'feedparser', 'jinja2')"
             " or m.startswith('apscheduler.schedulers')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_a_wheel_in_a_fresh_venv_builds_the_demo_issue_outside_the_checkout(tmp_path: Path) -> None:
    # Built from a copy of the tracked files: setuptools writes build/ beside its source.
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    # -v shows setuptools' own output: a folder it would leave out is a wall of warnings at every install.
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(wheels), str(source)]
    built = subprocess.run(pip_wheel, cwd=tmp_path, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "would be ignored" not in built.stdout + built.stderr, built.stdout + built.stderr
    (wheel,) = wheels.glob("digest-*.whl")
    assert "digest/desk/desk.js" in zipfile.ZipFile(wheel).namelist()  # the desk page's one script
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)

    # A copy of the demo config and site, far from the checkout, so nothing resolves through it.
    site = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "config", site / "config", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([str(env_dir / "bin" / "digest"), "--config", "config/demo.toml", "run",
                           "--now", "2025-05-19T08:00"], cwd=site, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    located = subprocess.run([str(python), "-c", "import digest.mail.render as r; print(r.BUILTIN_TEMPLATES)"],
                             cwd=site, capture_output=True, text=True, check=True).stdout.strip()
    assert str(env_dir) in located and str(ROOT) not in located

    out = site / "out" / "demo" / "2025-W20"  # config/demo.toml: output_dir = "../out/demo"
    html = (out / "digest.html").read_text(encoding="utf-8")
    assert "<table" in html and "style=" in html  # rendered from the packaged templates, inlined
    assert (out / "digest.txt").read_text(encoding="utf-8").strip()
    message = email.message_from_bytes((out / "digest.eml").read_bytes(), policy=email.policy.default)
    assert message["Subject"] and message.get_body(("html",)) is not None
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["issue"] == "2025-W20" and manifest["picks"]
