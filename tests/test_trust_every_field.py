"""Every field that shows feed text stays text, on every card: the hero, the other top-scored picks
and the trending list, in the HTML and in the plain-text part.

The issue is built through the real pipeline (a WordPress feed served on 127.0.0.1, two collects
so comments grow and four reviews trend, ``build_issue`` writing the issue folder). Then each
field is broken on purpose, one at a time, in an editor's override template (``| safe``, which
turns escaping off): the same checks must catch every one, which is what proves they would
catch a regression in the shipped templates.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import hostile
from helpers.configfile import Clock, write_config
from helpers.server import FeedServer, serve_wordpress

import digest.mail.render as render
from digest.collect.collector import run_collect
from digest.job.build import BuildResult, build_issue
from digest.mail.render import BUILTIN_TEMPLATES, render_issue
from digest.settings.config import Config, load_config
from digest.store.database import Store
from digest.weeks import parse_week


@dataclass(frozen=True)
class Built:
    config: Config
    result: BuildResult
    benign_html: str
    picks: list[hostile.Pick]


def _build(folder: Path, is_hostile: bool) -> tuple[Config, BuildResult, list[hostile.Pick]]:
    folder.mkdir()
    with FeedServer() as server:
        wordpress, picks = hostile.site(is_hostile)
        path = write_config(folder, [serve_wordpress(server, wordpress)], timezone="UTC")
        path.write_text(path.read_text(encoding="utf-8") + hostile.sections_toml(is_hostile), encoding="utf-8")
        config = load_config(path)
        with Store.open(config.store_path) as store:
            assert run_collect(config, store, Clock(hostile.FIRST_COLLECT)).outcomes[0].new == len(picks)
            hostile.comments_grow(wordpress)
            run_collect(config, store, Clock(hostile.SECOND_COLLECT))
            result = build_issue(config, store, hostile.BUILD_AT, parse_week("2024-W20"))
    return config, result, picks


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    folder = tmp_path_factory.mktemp("every-field")
    _, benign, _ = _build(folder / "benign", False)
    config, result, picks = _build(folder / "hostile", True)
    yield Built(config, result, benign.rendered.html, picks)


def test_every_pick_is_hostile_and_in_its_place(built: Built) -> None:
    """The fixture really exercises every position: five top picks and four trending, all hostile."""
    selection = built.result.selection
    assert {p.review.section for p in selection.picks} == {hostile.SECTION}
    assert [p.kind.value for p in selection.picks] == ["top"] * hostile.TOP + ["trending"] * hostile.TRENDING
    assert all(hostile.RAW in p.review.title and hostile.RAW in p.review.tldr for p in selection.picks)
    assert all(p.review.image is not None and p.review.image.url.startswith("https://")
               for p in selection.picks)


def test_hostile_text_in_every_field_is_shown_as_text_in_the_written_issue(built: Built) -> None:
    folder = built.result.out_dir
    html = (folder / "digest.html").read_text(encoding="utf-8")
    text = (folder / "digest.txt").read_text(encoding="utf-8")
    hostile.check_html(html, built.benign_html, built.picks)
    hostile.check_text(text, built.picks)
    message = email.message_from_bytes((folder / "digest.eml").read_bytes(), policy=email.policy.default)
    parts = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
    hostile.check_html(parts["text/html"], built.benign_html, built.picks)
    hostile.check_text(parts["text/plain"], built.picks)


def test_javascript_links_fall_back_to_the_site(built: Built) -> None:
    root = hostile.dom(built.result.rendered.html)
    titles = root.xpath("//h3/a")
    for n in hostile.JS_LINKED:
        assert titles[n - 1].get("href") == "https://reviews.example/"
    assert all(a.get("href", "").startswith(("https://", "*|")) for a in root.iter("a"))


# (template, what it says, the same with escaping turned off): every place feed text is shown.
UNESCAPED = [
    ("partials/hero.html", 'alt="{{ hero.image.alt }}"', 'alt="{{ hero.image.alt | safe }}"'),
    ("partials/hero.html", "{{ hero.title }}</a>", "{{ hero.title | safe }}</a>"),
    ("partials/hero.html", "{{ hero.tldr }}</p>", "{{ hero.tldr | safe }}</p>"),
    ("partials/hero.html", "By {{ hero.author }}", "By {{ hero.author | safe }}"),
    ("partials/card.html", 'alt="{{ card.image.alt }}"', 'alt="{{ card.image.alt | safe }}"'),
    ("partials/card.html", "{{ card.title }}</a>", "{{ card.title | safe }}</a>"),
    ("partials/card.html", "{{ card.tldr }}</p>", "{{ card.tldr | safe }}</p>"),
    ("partials/card.html", "By {{ card.author }}", "By {{ card.author | safe }}"),
    ("partials/trending.html", 'alt="{{ card.image.alt }}"', 'alt="{{ card.image.alt | safe }}"'),
    ("partials/trending.html", "{{ card.title }}</a>", "{{ card.title | safe }}</a>"),
    ("partials/trending.html", "By {{ card.author }}", "By {{ card.author | safe }}"),
    ("partials/components.html", 'aria-label="{{ label }}"', 'aria-label="{{ label | safe }}"'),
    ("partials/components.html", "{{ card.section }}", "{{ card.section | safe }}"),
    ("partials/preheader.html", "{{ preheader }}", "{{ preheader | safe }}"),
    ("base.html", "<title>{{ subject }}</title>", "<title>{{ subject | safe }}</title>"),
    ("base.html", 'aria-label="{{ subject }}"', 'aria-label="{{ subject | safe }}"'),
]


def _override(tmp_path: Path, config: Config, name: str, old: str, new: str) -> Config:
    """The editor's templates folder with ``name`` overridden: the built-in with one field changed."""
    source = (BUILTIN_TEMPLATES / name).read_text(encoding="utf-8")
    assert source.count(old) == 1, f"{name} no longer says {old!r}: update this list"
    target = tmp_path / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.replace(old, new), encoding="utf-8")
    return config.model_copy(update={"email": config.email.model_copy(
        update={"templates_dir": tmp_path / "templates"})})


@pytest.mark.parametrize(("name", "old", "new"), UNESCAPED, ids=[f"{n}:{o}" for n, o, _ in UNESCAPED])
def test_the_checks_catch_each_field_left_unescaped(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, old: str, new: str,
) -> None:
    config = _override(tmp_path, built.config, name, old, new)
    # The lint would refuse much of this; it is turned off so that the checks alone are judged.
    monkeypatch.setattr(render, "lint_html", lambda html, tags: [])
    broken = render_issue(config, built.result.selection)
    with pytest.raises(AssertionError):
        hostile.check_html(broken.html, built.benign_html, built.picks)


def test_the_checks_pass_an_override_that_changes_nothing(built: Built, tmp_path: Path) -> None:
    """The control for the test above: overriding a template by name is not itself what fails."""
    same = "{{ card.title }}</a>"
    config = _override(tmp_path, built.config, "partials/card.html", same, same)
    hostile.check_html(render_issue(config, built.result.selection).html, built.benign_html, built.picks)


def test_the_checks_catch_html_escaping_in_the_text_part(built: Built, tmp_path: Path) -> None:
    config = _override(tmp_path, built.config, "partials/card.txt", "(lead ~ card.title)",
                       "(lead ~ (card.title | e))")
    with pytest.raises(AssertionError):
        hostile.check_text(render_issue(config, built.result.selection).text, built.picks)
