"""The desk's ``action=order`` (what a drag of a top pick posts) over real HTTP: the top picks' links, one a
line, checked and kept as ``digest build --order`` keeps them; what the command line refuses, the desk
refuses with the same message and writes nothing. And the page's contract: ids, the cards' data, /desk.js."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from click.testing import CliRunner
from helpers.desk import NOW, WEEK, build_demo, request, running_desk
from test_desk import issue_file, manifest

from digest.cli import main


def tops(config: Path) -> list[str]:
    return [p["url"] for p in manifest(config)["picks"] if p["kind"] == "top"]  # type: ignore[union-attr]


def test_order_puts_the_top_picks_in_the_order_posted_as_the_cli_would(demo: Path) -> None:
    build_demo(demo)
    before = tops(demo)
    wanted = [before[2], before[0], before[1], *before[3:]]
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        answer = request(server, "POST", "/change", {**page.fields("order"), "order": "\r\n".join(wanted)})
    assert answer.status == 200, answer.text
    assert tops(demo) == wanted
    text = issue_file(demo).read_text(encoding="utf-8")
    assert "order = [" + "".join(f'\n    "{u}",' for u in wanted) + "\n]" in text
    assert f"moved {escape(wanted[0])} to #1" in answer.text
    first = r'<ol id="picks"[^>]*><li class="card" data-url="' + re.escape(escape(wanted[0]))
    assert re.search(first, answer.text)


def test_order_refuses_what_the_cli_refuses_with_its_message_and_writes_nothing(demo: Path) -> None:
    build_demo(demo, "--note", "kept as it was")
    before = issue_file(demo).read_bytes()
    top = tops(demo)
    unknown = "https://secondscreen.example/no-such-review/"
    cli = CliRunner().invoke(main, ["--config", str(demo), "build", "--week", WEEK, "--now", NOW,
                                    "--order", f"{top[0]},{top[0]}"])
    assert cli.exit_code == 2
    twice = cli.output.removeprefix("error: ").strip()
    miss = manifest(demo)["near_misses"][0]["url"]  # type: ignore[index]
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        form = page.fields("order")
        answers = {name: request(server, "POST", "/change", {**form, "order": order}) for name, order in {
            "twice": f"{top[0]}\n{top[0]}", "unknown": f"{unknown}\n{top[0]}", "not top": f"{miss}\n{top[0]}",
            "empty": "\n \n"}.items()}
        stale = request(server, "POST", "/change", {**form, "version": "0" * 64, "order": "\n".join(top[::-1])})
    assert {name: a.status for name, a in answers.items()} == dict.fromkeys(answers, 422)
    assert escape(twice) in answers["twice"].text
    assert escape(f"--order {unknown}: not a stored review") in answers["unknown"].text
    assert escape(f"--order {miss}: only a top pick") in answers["not top"].text
    assert "no order given" in answers["empty"].text
    assert stale.status == 409
    assert issue_file(demo).read_bytes() == before


def test_the_page_keeps_the_contract_ids_and_serves_its_one_script(demo: Path) -> None:
    build_demo(demo)
    picks = manifest(demo)["picks"]
    assert isinstance(picks, list)
    with running_desk(demo) as server:
        page = request(server, "GET", "/")
        script = re.search(r'<script src="(/desk\.js\?v=\w+)" defer></script>', page.text)
        assert script is not None
        js = request(server, "GET", script.group(1))
        other = request(server, "GET", "/desk.js?v=old")
        email = request(server, "GET", "/email.html?v=12345")
    assert '<main id="desk">' in page.text
    assert '<div id="messages" role="status" aria-live="polite">' in page.text
    for pick in picks:
        drag = (' draggable="true" tabindex="0" aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"'
                if pick["kind"] == "top" else "")
        card = f'<li class="card" data-url="{escape(pick["url"])}" data-kind="{pick["kind"]}"{drag}>'
        assert card in page.text
    assert page.text.count("<script") == 1
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "connect-src 'self'" in policy and "unsafe" not in policy
    assert js.status == 200 and js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert js.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in js.headers["cache-control"] and "max-age=31536000" in js.headers["cache-control"]
    assert "addEventListener" in js.text and "eval(" not in js.text
    # HTML as text goes only into the email's frame (sandboxed, nothing runs there), never into the desk
    code = [line.strip() for line in js.text.splitlines() if not line.strip().startswith("//")]
    assert [line for line in code if "innerHTML" in line] == [
        'holder.innerHTML = `<div${tag ? tag[1] : ""}></div>`;', "root.innerHTML = text;"]
    assert other.status == 200 and other.headers["cache-control"] == "no-cache"
    assert email.status == 200 and "<html" in email.text.lower()
