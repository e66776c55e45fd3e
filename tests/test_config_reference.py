"""The config reference is generated from the models, committed as docs/CONFIG.md and linked;
every command's help has an example; bare ``digest`` prints help and exits 0."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from digest.cli import main
from digest.settings.reference import reference_markdown, rows

ROOT = Path(__file__).resolve().parents[1]


def test_docs_config_md_is_the_generated_reference() -> None:
    committed = (ROOT / "docs" / "CONFIG.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), "run: digest config-reference > docs/CONFIG.md"
    result = CliRunner().invoke(main, ["config-reference"])
    assert result.exit_code == 0 and result.output == committed


def test_every_key_has_a_type_a_default_and_a_meaning() -> None:
    keys = {key: (kind, default, meaning) for key, kind, default, meaning in rows()}
    missing = [key for key, (_, _, meaning) in keys.items() if not meaning.strip()]
    assert missing == []
    # Nested tables, lists of tables, aliases and branding are all there.
    for key in ("site.timezone", "feeds.url", "delivery.smtp.from", "email.social.url", "email.brand_color",
                "email.accent_color", "email.logo_url", "email.tagline", "email.footer_text",
                "email.utm_source", "output_dir", "issues_dir"):
        assert key in keys, key
    assert keys["select.top_count"][:2] == ("integer", "`5`")
    assert keys["reviews.fetch_pages"][0] == '"always" \\| "unscored" \\| "never"'
    assert "base_dir" not in keys and "config_name" not in keys  # filled in by the loader


def test_the_reference_is_linked_from_the_readme_and_the_sample_configs() -> None:
    for name in ("README.md", "config/digest.toml", "config/demo.toml"):
        assert "docs/CONFIG.md" in (ROOT / name).read_text(encoding="utf-8"), name


def test_every_command_has_help_with_an_example() -> None:
    assert isinstance(main, click.Group)
    for name in main.commands:
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert re.search(r"Example[s]?( \(.*\))?:\n\s+digest ", result.output), f"{name} --help has no example"
    top = CliRunner().invoke(main, ["--help"])
    assert "Example" in top.output


def test_bare_digest_prints_help_and_exits_0() -> None:
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ") and "Commands:" in result.output and "init" in result.output
