"""``digest preview``: the server on a free port, the watcher's rebuilds, the command."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from email_fixtures import BRANDED, NOW, email_config, email_config_text, realistic_selection

from digest.cli.base import Context
from digest.cli.mail import preview, rebuild_latest
from digest.desk.preview import EMAIL_POLICY, PreviewServer, Watcher, latest_issue_dir, make_server
from digest.errors import DigestError
from digest.mail.manifest import build_manifest
from digest.mail.output import write_issue
from digest.mail.render import render_issue
from digest.mail.samples import sample_values
from digest.settings.config import Config
from digest.store.database import Store


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return email_config(tmp_path / "config", **BRANDED)


def build(config: Config, out_root: Path, issue_id: str = "2025-W20", record: bool = False) -> Path:
    """Write an issue's files; with ``record`` also remember it in the config's store, as a build does."""
    selection = realistic_selection()
    rendered = render_issue(config, selection)
    manifest = build_manifest(selection, rendered.subject, config.site.tz, rendered.preheader)
    write_issue(config, out_root / issue_id, selection, rendered, manifest, NOW)
    if record:
        with Store.open(config.store_path) as store:
            store.record_issue(issue_id, NOW, (selection.window_start, selection.window_end), rendered.subject,
                               str(out_root / issue_id), [])
    return out_root / issue_id


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), ""


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[PreviewServer]:
    server = make_server(tmp_path / "out", port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_page_shows_both_widths_and_the_text(serving: PreviewServer, config: Config) -> None:
    folder = build(config, serving.out_root)
    status, _, page = get(serving.url)
    assert status == 200
    assert '<iframe src="/email.html" width="600"' in page and '<iframe src="/email.html" width="375"' in page
    assert "FROM THE EDITOR" in page and "2025-W20" in page
    assert "Clair Obscur" in page  # the subject, from the manifest
    status, headers, body = get(serving.url + "email.html")
    assert status == 200 and body == (folder / "digest.html").read_text(encoding="utf-8")
    assert headers["Content-Security-Policy"] == EMAIL_POLICY
    assert get(serving.url + "digest.txt")[2] == (folder / "digest.txt").read_text(encoding="utf-8")
    state = json.loads(get(serving.url + "state.json")[2])
    assert state == {"issue": "2025-W20", "version": (folder / "digest.html").stat().st_mtime_ns, "error": None}
    assert get(serving.url + "nope")[0] == 404


def test_nothing_built_yet(serving: PreviewServer) -> None:
    status, _, page = get(serving.url)
    assert status == 200 and "no issue built yet" in page
    assert get(serving.url + "email.html")[0] == 404


def test_the_latest_issue_is_the_one_written_last(tmp_path: Path, config: Config) -> None:
    out = tmp_path / "out"
    older = build(config, out, "2025-W21")
    newer = build(config, out, "2025-W19")
    os.utime(older / "digest.html", ns=(1, 1))
    assert latest_issue_dir(out) == newer
    assert latest_issue_dir(tmp_path / "missing") is None


def test_watcher_rebuilds_on_template_or_config_change(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "partials").mkdir(parents=True)
    card = templates / "partials" / "card.html"
    card.write_text("a", encoding="utf-8")
    config_file = tmp_path / "digest.toml"
    config_file.write_text("x", encoding="utf-8")
    calls: list[int] = []
    watcher = Watcher([templates, config_file], lambda: calls.append(1))
    assert watcher.check() is False  # the first look only takes a snapshot
    assert watcher.check() is False and calls == []
    os.utime(card, ns=(10**18, 10**18))
    assert watcher.check() is True and calls == [1]
    (templates / "partials" / "new.html").write_text("b", encoding="utf-8")
    assert watcher.check() is True and calls == [1, 1]
    os.utime(config_file, ns=(10**18, 10**18))
    assert watcher.check() is True and len(calls) == 3 and watcher.rebuilds == 3


def test_a_failed_rebuild_is_shown_and_cleared(tmp_path: Path, config: Config) -> None:
    watched = tmp_path / "watched.txt"
    watched.write_text("1", encoding="utf-8")
    outcomes: list[Exception | None] = [DigestError("templates/x.html, line 3: 'card' is undefined"), None]

    def rebuild() -> None:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    server = make_server(tmp_path / "out", port=0, rebuild=rebuild, watch=[watched], interval=0.05)
    build(config, tmp_path / "out")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        assert server.watcher is not None
        os.utime(watched, ns=(10**18, 10**18))
        server.watcher.check()
        state = json.loads(get(server.url + "state.json")[2])
        assert state["error"] == "templates/x.html, line 3: 'card' is undefined"
        assert "line 3: &#x27;card&#x27; is undefined</div>" in get(server.url)[2]
        os.utime(watched, ns=(2 * 10**18, 2 * 10**18))
        server.watcher.check()
        assert json.loads(get(server.url + "state.json")[2])["error"] is None
    finally:
        server.shutdown()
        server.server_close()


def test_the_watch_thread_polls_by_itself(tmp_path: Path) -> None:
    watched = tmp_path / "a.css"
    watched.write_text("1", encoding="utf-8")
    rebuilt = threading.Event()
    server = make_server(tmp_path / "out", port=0, rebuild=rebuilt.set, watch=[watched], interval=0.02)
    server.start_watching()
    try:
        os.utime(watched, ns=(10**18, 10**18))
        assert rebuilt.wait(5)
    finally:
        server.server_close()


def test_a_busy_port_is_a_clear_error(serving: PreviewServer) -> None:
    with pytest.raises(DigestError, match=r"cannot listen on 127.0.0.1:\d+: .* \(try --port\)"):
        make_server(serving.out_root, port=serving.server_address[1])


def test_preview_command_serves_until_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_path = tmp_path / "config" / "digest.toml"
    config_path.parent.mkdir(parents=True)
    config_path.write_text(email_config_text(**BRANDED), encoding="utf-8")
    ctx = Context(config_path)
    build(ctx.config, ctx.config.output_root(), record=True)
    seen: list[PreviewServer] = []

    def interrupted(self: PreviewServer, poll_interval: float = 0.5) -> None:
        seen.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(PreviewServer, "serve_forever", interrupted)
    result = CliRunner().invoke(preview, ["--port", "0", "--interval", "0.1"], obj=ctx)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("previewing May 12–18, 2025 (2025-W20) at http://127.0.0.1:")
    assert "(rebuilds on template/config changes)" in result.output and result.output.endswith("stopped\n")
    watcher = seen[0].watcher
    assert watcher is not None and config_path in watcher.paths and len(watcher.paths) == 2


def test_rebuild_callback_needs_a_built_issue(tmp_path: Path) -> None:
    config_path = tmp_path / "digest.toml"
    config_path.write_text(email_config_text(), encoding="utf-8")
    with pytest.raises(DigestError, match="no built issue to rebuild"):
        rebuild_latest(config_path)()


def test_merge_tags_show_sample_values_with_a_switch_to_the_tags(tmp_path: Path) -> None:
    """A Mailchimp issue: the preview shows what a reader gets (sample links, a sample address), the
    switch shows the tags as typed, and the built files keep the tags for Mailchimp to fill in."""
    settings = {k: v for k, v in BRANDED.items() if k != "from_name"}
    config = email_config(tmp_path / "config", **settings)
    folder = build(config, tmp_path / "out")
    email = config.email
    samples = {t: v for t, v in sample_values(email.unsubscribe, email.view_online, email.tags.address,
                                              config.site.name).items() if t in email.merge_tags}
    assert set(samples) == {"*|UNSUB|*", "*|ARCHIVE|*", "*|LIST:ADDRESSLINE|*"}
    server = make_server(tmp_path / "out", port=0, samples=samples, merge_tags=email.merge_tags)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        _, _, shown = get(server.url + "/email.html")
        assert "*|" not in shown
        assert 'href="#sample-unsubscribe-link"' in shown and 'href="#sample-web-version-link"' in shown
        assert "123 Main Street, Springfield, IL 62701 (sample address)" in shown
        _, _, typed = get(server.url + "/email.html?tags=raw")
        assert "*|LIST:ADDRESSLINE|*" in typed and 'href="*|UNSUB|*"' in typed and "sample" not in typed
        _, _, page = get(server.url + "/")
        assert "Merge tags:" in page and 'href="/?tags=raw">As typed' in page and "Lint" not in page
        assert "*|" not in page.split("<pre>")[1] and "(sample address)" in page.split("<pre>")[1]
        _, _, raw_page = get(server.url + "/?tags=raw")
        assert 'src="/email.html?tags=raw"' in raw_page and "*|UNSUB|*" in raw_page.split("<pre>")[1]
        assert 'href="/?tags=raw" aria-current="true"' in raw_page
    finally:
        server.shutdown()
        server.server_close()
    built = (folder / "digest.html").read_text(encoding="utf-8")
    assert "*|LIST:ADDRESSLINE|*" in built and "sample" not in built  # the email file keeps its tags


def test_no_tags_no_switch(serving: PreviewServer, tmp_path: Path) -> None:
    build(email_config(tmp_path / "config"), tmp_path / "out")
    _, _, page = get(serving.url + "/")
    assert "Merge tags:" not in page
