"""Commands for starting out: ``init`` (a config from a site's URL) and ``config-reference``."""

from __future__ import annotations

from pathlib import Path

import click

from digest.cli.base import Context, handles_errors, utcnow
from digest.errors import ConfigError, DigestError


def _mirror(text: str) -> tuple[str, Path]:
    host, sep, root = text.partition("=")
    if not sep or not host or not root:
        raise click.BadParameter(f"{text!r}: write it as HOST=FOLDER, e.g. example.com=site-copy")
    return host.lower(), Path(root)


@click.command()
@click.argument("url")
@click.option("--config", "target", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the config (default: the global --config path).")
@click.option("--mirror", "mirrors", multiple=True, metavar="HOST=FOLDER",
              help="Answer HOST's requests from FOLDER (offline copies); written into the config too.")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.pass_obj
@handles_errors
def init(obj: Context, url: str, target: Path | None, mirrors: tuple[str, ...], force: bool) -> None:
    """Look at a site (home page, feeds, a few posts) and write a commented config for it.

    \b
    Example:
      digest init https://butwhytho.net --config config/butwhytho.toml
    """
    import time

    from digest.settings.config import _check_http_url
    from digest.setup.discover import survey_site
    from digest.setup.propose import propose, sample_links
    from digest.setup.writer import config_text, write_config

    started = time.monotonic()
    try:
        _check_http_url(url)
    except ValueError as exc:
        raise DigestError(f"init: {exc}") from None
    path = target or obj.config_path
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it, or --config NEW.toml")
    mirror_map = dict(_mirror(m) for m in mirrors)
    resolved = {host: (root if root.is_absolute() else Path.cwd() / root) for host, root in mirror_map.items()}
    for host, root in resolved.items():
        if not root.is_dir():
            raise DigestError(f"--mirror {host}: {root} is not a folder")
    survey = survey_site(url, resolved, sample_links)
    proposal = propose(survey)
    text = config_text(proposal, url, resolved, path.resolve().parent, utcnow())
    write_config(path, text)
    click.echo(f"site: {proposal.site_name} <{proposal.site_url}>, timezone {proposal.timezone} "
               f"({proposal.timezone_how})")
    click.echo(f"feeds: {len(proposal.feeds)} ({', '.join(name for _, name in proposal.feeds)})")
    for _, why in proposal.feed_reasons:
        click.echo(f"  {why}")
    for note in proposal.feed_notes:
        click.echo(f"  {note}")
    click.echo(f"reviews: {proposal.rule_how}")
    for line in proposal.rule_candidates:
        click.echo(f"  {line}")
    click.echo("sections: " + (", ".join(s.name for s in proposal.sections) or "(the defaults)"))
    click.echo(f"scores: {proposal.score_form}" + (f" (selector {proposal.score_selector})"
                                                   if proposal.score_selector else "")
               + (" with letter grades" if proposal.letter_grades else "")
               + f"; fetch_pages = {proposal.fetch_pages}")
    for sample in proposal.samples:
        score = f"{sample.score.value:>4.1f} {sample.score.raw[:20]!r:<22}" if sample.score \
            else f"{'-':>4} {'(no score found)':<22}"
        click.echo(f"  {score} {sample.title[:60]}  {sample.url}")
    if proposal.trending_selector:
        click.echo(f"trending list: {proposal.trending_selector} ({proposal.trending_links} links)")
    else:
        click.echo("trending list: none found on the home page")
    for note in proposal.notes:
        click.echo(f"check: {note}")
    click.echo(f"wrote {path} ({survey.requests} requests, {time.monotonic() - started:.1f}s); "
               f"next: digest --config {path} collect")


@click.command("config-reference")
@click.pass_obj
@handles_errors
def config_reference(obj: Context) -> None:
    """Print every config key with its type, default and meaning (Markdown; docs/CONFIG.md).

    \b
    Example:
      digest config-reference > docs/CONFIG.md
    """
    from digest.settings.reference import reference_markdown

    click.echo(reference_markdown(), nl=False)
