"""``digest lint PATH``: findings printed, exit 2 on errors, merge tags from the config or --mailer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from email_fixtures import BRANDED, email_config_text, realistic_selection

from digest.cli.base import Context
from digest.cli.mail import lint
from digest.mail.render import render_issue
from digest.store.database import Store


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    path = tmp_path / "config" / "digest.toml"
    path.parent.mkdir(parents=True)
    path.write_text(email_config_text(**BRANDED), encoding="utf-8")
    return Context(path)


@pytest.fixture
def built(ctx: Context) -> Path:
    folder = ctx.config.output_root() / "2025-W20"
    folder.mkdir(parents=True)
    selection = realistic_selection()
    (folder / "digest.html").write_text(render_issue(ctx.config, selection).html, encoding="utf-8")
    with Store.open(ctx.config.store_path) as store:  # lint with no PATH lints what this config's store built
        store.record_issue("2025-W20", selection.now, (selection.window_start, selection.window_end), "s",
                           str(folder), [])
    return folder


def test_a_good_email_passes(ctx: Context, built: Path) -> None:
    for args in ([str(built / "digest.html")], [str(built)], []):
        result = CliRunner().invoke(lint, args, obj=ctx)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0] == "pre-send report:"
        assert any(line.split()[:2] == ["ok", "contrast"] for line in lines)
        assert any(line.split()[:3] == ["not", "checked", "spamassassin"] for line in lines)  # no .eml beside
        assert lines[-1].startswith(f"{built / 'digest.html'}: 0 errors, 0 warnings; ")


def test_a_broken_email_lists_findings_and_exits_2(ctx: Context, built: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    html = (built / "digest.html").read_text(encoding="utf-8")
    html = html.replace('<html lang="en"', "<html").replace('alt="', 'data-alt="', 1)
    bad.write_text(html, encoding="utf-8")
    result = CliRunner().invoke(lint, [str(bad)], obj=ctx)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert "error   html-lang: <html> has no lang attribute" in lines
    assert any(line.startswith("error   img-alt: image without alt (line ") for line in lines)
    assert lines[-1] == f"error: {bad}: 2 errors, 0 warnings"


def test_merge_tags_come_from_the_mailer(ctx: Context, built: Path) -> None:
    result = CliRunner().invoke(lint, [str(built), "--mailer", "brevo"], obj=ctx)
    assert result.exit_code == 2
    assert "link-href: '*|UNSUB|*' is not an absolute https URL" in result.output


def test_strict_fails_on_warnings(ctx: Context, built: Path, tmp_path: Path) -> None:
    html = (built / "digest.html").read_text(encoding="utf-8")
    padded = tmp_path / "big.html"
    padded.write_text(html.replace("</body>", "<!-- " + "x" * (95_000 - len(html)) + " --></body>"),
                      encoding="utf-8")
    assert CliRunner().invoke(lint, [str(padded)], obj=ctx).exit_code == 0
    result = CliRunner().invoke(lint, [str(padded), "--strict"], obj=ctx)
    assert result.exit_code == 2 and "warning size: " in result.output
    assert "warning     size" in result.output  # and in the pre-send report


def test_the_report_judges_the_eml_beside_the_html(ctx: Context, built: Path) -> None:
    """In an issue folder, List-Unsubscribe and SpamAssassin are checked on its digest.eml."""
    from datetime import UTC, datetime

    from digest.mail.output import build_eml

    rendered = render_issue(ctx.config, realistic_selection())
    (built / "digest.eml").write_bytes(build_eml(ctx.config, rendered, datetime(2025, 5, 19, tzinfo=UTC)))
    result = CliRunner().invoke(lint, [str(built)], obj=ctx)
    assert result.exit_code == 0, result.output
    assert "mailchimp adds List-Unsubscribe and one-click when it sends" in result.output
    spam = next(line for line in result.output.splitlines() if "spamassassin" in line)
    assert spam.split()[0] == "ok" and "score " in spam


def test_nothing_built_is_a_clear_error(ctx: Context) -> None:
    result = CliRunner().invoke(lint, [], obj=ctx)
    assert result.exit_code == 2
    assert f"no issue built with {ctx.config_path} yet; run digest build, or pass a PATH" in result.output


def test_another_configs_issue_is_not_linted(ctx: Context, tmp_path: Path) -> None:
    """A sibling config's files in a shared folder are not this config's issue."""
    other = tmp_path / "config" / "out" / "digest" / "2025-W20"
    other.mkdir(parents=True)
    (other / "digest.html").write_text("<html></html>", encoding="utf-8")
    result = CliRunner().invoke(lint, [], obj=ctx)
    assert result.exit_code == 2 and "no issue built with" in result.output
