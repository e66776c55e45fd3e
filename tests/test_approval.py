"""The issue's states and approval on the demo: draft -> in review -> approved -> handed off.

Real parts throughout: the demo config (collected offline), its SQLite store, `digest run` handing the
issue to a real SMTP server (aiosmtpd) only once approved, and the notices to the next person by that
same server. Who may do what comes from ``[approval]`` in the config.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from service_fakes import Fake
from test_jobs_demo import demo_config
from test_jobs_support import local
from test_services import Builder, run, write_config
from test_smtp import Inbox, smtp_server
from test_unscored_reason import _old_store, _rows

from digest.cli import main
from digest.errors import ConfigError, DigestError, StoreError
from digest.job import approval
from digest.settings.config import load_config
from digest.store import campaigns, states
from digest.store.database import Store
from digest.store.schema import MIGRATIONS

ANA = {"name": "Ana Reyes", "email": "ana@secondscreen.example", "roles": ["editor"]}
BO = {"name": "Bo Lindqvist", "email": "bo@secondscreen.example", "roles": ["editor", "approver"]}
CY = {"name": "Cy Okafor", "email": "cy@secondscreen.example", "roles": ["approver"]}
WEEK = ["--week", "2025-W20"]


def _config(demo: Path, port: int, **approval_table: Any) -> Path:
    table = {"required": True, "people": [ANA, BO, CY], **approval_table}
    return demo_config(demo.parent, editions=[], approval=table, delivery={
        "method": "smtp",
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5,
                 "from": "Second Screen <digest@secondscreen.example>", "to": ["list@secondscreen.example"]}})


def _digest(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args])


def _issue(config: Path, action: str, *args: str) -> Result:
    return _digest(config, "issue", action, *WEEK, *args)


def _subjects(inbox: Inbox) -> list[str]:
    return [str(inbox.parsed(i)["Subject"]) for i in range(len(inbox.messages))]


def test_an_issue_is_handed_off_only_once_approved_and_only_once(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        first = _digest(config, "run", "--now", "2025-05-19T08:00")
        assert first.exit_code == 2, first.output
        assert "2025-W20 is a draft, not approved" in first.output
        assert "digest issue submit" in first.output
        assert inbox.messages == []  # built, never handed off

        status = _issue(config, "status", "--json")
        assert status.exit_code == 0, status.output
        assert json.loads(status.output)["state"] == "draft"

        submitted = _issue(config, "submit", "--as", "Ana Reyes", "--comment", "Week 20, ready")
        assert submitted.exit_code == 0, submitted.output
        assert "in review" in submitted.output
        # the approvers are told, by name and address from the config
        assert len(inbox.messages) == 1
        _, rcpts, _ = inbox.messages[0]
        assert sorted(rcpts) == ["bo@secondscreen.example", "cy@secondscreen.example"]
        notice = inbox.parsed(0)
        assert "2025-W20" in str(notice["Subject"]) and "review" in str(notice["Subject"])
        assert "Week 20, ready" in notice.get_content() and "Ana Reyes" in notice.get_content()

        refused = _issue(config, "approve", "--as", "Ana Reyes")
        assert refused.exit_code == 2
        assert "Ana Reyes is not an approver" in refused.output

        still = _digest(config, "run", "--now", "2025-05-19T09:00")
        assert still.exit_code == 2 and "2025-W20 is in review, not approved" in still.output
        assert len(inbox.messages) == 1

        approved = _issue(config, "approve", "--as", "Cy Okafor", "--comment", "Ship it")
        assert approved.exit_code == 0, approved.output
        assert len(inbox.messages) == 2
        assert inbox.messages[1][1] == ["ana@secondscreen.example"]  # the submitter
        assert "Ship it" in inbox.parsed(1).get_content()

        sent = _digest(config, "run", "--now", "2025-05-19T10:00")
        assert sent.exit_code == 0, sent.output
        assert "delivered by smtp" in sent.output
        assert len(inbox.messages) == 3 and inbox.messages[2][1] == ["list@secondscreen.example"]

        again = _digest(config, "run", "--now", "2025-05-19T11:00")
        assert again.exit_code == 0, again.output
        assert "already delivered by smtp" in again.output
        assert len(inbox.messages) == 3

    document = json.loads(_issue(config, "status", "--json").output)
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "json" / "issue-status.schema.json")
                        .read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["state"] == "handed off"
    assert [h["action"] for h in document["history"]] == ["submit", "approve", "hand off"]
    assert [h["by"] for h in document["history"]] == ["Ana Reyes", "Cy Okafor", "digest run"]
    assert document["history"][0]["comment"] == "Week 20, ready"
    assert document["history"][2]["at"].endswith("+00:00")
    assert document["allowed"] == []
    with Store.open(load_config(config).store_path) as store:
        rows = store.db.execute("SELECT state FROM issue_states WHERE issue_id = '2025-W20' ORDER BY seq")
        assert [r[0] for r in rows] == ["in review", "approved", "handed off"]


def test_illegal_moves_are_refused_naming_the_state_and_what_is_allowed(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        assert _digest(config, "run", "--now", "2025-05-19T08:00", "--no-deliver").exit_code == 0
        early = _issue(config, "approve", "--as", "Cy Okafor")
        assert early.exit_code == 2
        assert "2025-W20 is a draft: it cannot be approved; allowed now: submit" in early.output

        assert _issue(config, "submit", "--as", "Bo Lindqvist").exit_code == 0
        own = _issue(config, "approve", "--as", "Bo Lindqvist")
        assert own.exit_code == 2 and "Bo Lindqvist submitted it" in own.output  # separate_approver

        silent = _issue(config, "send-back", "--as", "Cy Okafor")
        assert silent.exit_code == 2 and "--comment" in silent.output
        back = _issue(config, "send-back", "--as", "Cy Okafor", "--comment", "The lead review is last week's")
        assert back.exit_code == 0, back.output
        assert inbox.messages[-1][1] == ["bo@secondscreen.example"]
        assert "The lead review is last week's" in inbox.parsed(len(inbox.messages) - 1).get_content()

        stranger = _issue(config, "submit", "--as", "Dee")
        assert stranger.exit_code == 2
        assert "Dee is not in [approval] people (Ana Reyes, Bo Lindqvist, Cy Okafor)" in stranger.output

        pull = _issue(config, "pull", "--as", "Cy Okafor")
        assert pull.exit_code == 2 and "2025-W20 is a draft" in pull.output

    text = _issue(config, "status").output
    assert "state: draft" in text and "send back by Cy Okafor" in text and "The lead review" in text


def test_stop_the_presses_pulls_an_approved_issue_back_to_draft(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        assert _digest(config, "run", "--now", "2025-05-19T08:00", "--no-deliver").exit_code == 0
        assert _issue(config, "submit", "--as", "Ana Reyes").exit_code == 0
        assert _issue(config, "approve", "--as", "Bo Lindqvist").exit_code == 0
        pulled = _issue(config, "pull", "--as", "Cy Okafor", "--comment", "Embargo moved")
        assert pulled.exit_code == 0, pulled.output
        run = _digest(config, "run", "--now", "2025-05-19T09:00")
        assert run.exit_code == 2 and "is a draft, not approved" in run.output
        assert all(m[1] != ["list@secondscreen.example"] for m in inbox.messages)

        # approved again, then handed off by a person (what the desk's button does), once
        assert _issue(config, "submit", "--as", "Ana Reyes").exit_code == 0
        assert _issue(config, "approve", "--as", "Cy Okafor").exit_code == 0
        for _ in range(2):
            handed = _issue(config, "hand-off", "--as", "Cy Okafor")
            assert handed.exit_code == 0, handed.output
        assert "already delivered by smtp" in handed.output
        assert [m[1] for m in inbox.messages].count(["list@secondscreen.example"]) == 1
    history = json.loads(_issue(config, "status", "--json").output)["history"]
    assert [(h["action"], h["by"]) for h in history][-1] == ("hand off", "Cy Okafor")
    assert [h["action"] for h in history].count("hand off") == 1


def test_a_comment_stays_in_the_notice_body_whatever_it_holds(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        assert _digest(config, "run", "--now", "2025-05-19T08:00", "--no-deliver").exit_code == 0
        assert _issue(config, "submit", "--as", "Ana Reyes").exit_code == 0
        hostile = "Fix the lead\r\nBcc: everyone@evil.example\r\nSubject: approved\u202e"
        back = _issue(config, "send-back", "--as", "Cy Okafor", "--comment", hostile)
        assert back.exit_code == 0, back.output
        mail_from, rcpts, _ = inbox.messages[-1]
        notice = inbox.parsed(len(inbox.messages) - 1)
    assert rcpts == ["ana@secondscreen.example"] and mail_from == "digest@secondscreen.example"
    assert notice["Bcc"] is None and "approved" not in str(notice["Subject"])
    assert str(notice["To"]) == "Ana Reyes <ana@secondscreen.example>"
    assert "Bcc: everyone@evil.example" in notice.get_content()  # shown, as text, in the body
    assert "\u202e" not in notice.get_content()  # no bidi control turns it around


def test_an_issue_rebuilt_after_approval_is_not_handed_off(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        assert _digest(config, "run", "--now", "2025-05-19T08:00", "--no-deliver").exit_code == 0
        assert _issue(config, "submit", "--as", "Ana Reyes").exit_code == 0
        assert _issue(config, "approve", "--as", "Bo Lindqvist").exit_code == 0
        rebuilt = _digest(config, "run", "--now", "2025-05-19T09:00", "--force")
        assert rebuilt.exit_code == 2, rebuilt.output
        assert "was rebuilt after it was approved" in rebuilt.output
        assert all(m[1] != ["list@secondscreen.example"] for m in inbox.messages)
    document = json.loads(_issue(config, "status", "--json").output)
    assert document["state"] == "approved" and document["stale"] is True
    assert "rebuilt since it was approved" in _issue(config, "status").output


def test_a_failed_notice_leaves_the_move_made_and_says_so(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        assert _digest(config, "run", "--now", "2025-05-19T08:00", "--no-deliver").exit_code == 0
        inbox.mode = "refuse-data"
        submitted = _issue(config, "submit", "--as", "Ana Reyes")
    assert submitted.exit_code == 0, submitted.output
    assert "2025-W20 is in review, but the notice failed" in submitted.output and "554" in submitted.output
    assert json.loads(_issue(config, "status", "--json").output)["state"] == "in review"


def test_without_required_approval_the_run_hands_off_and_records_it(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port, required=False)
        sent = _digest(config, "run", "--now", "2025-05-19T08:00")
        assert sent.exit_code == 0, sent.output
        assert len(inbox.messages) == 1
    document = json.loads(_issue(config, "status", "--json").output)
    assert document["state"] == "handed off" and document["required"] is False
    assert [(h["action"], h["by"]) for h in document["history"]] == [("hand off", "digest run")]


def test_without_required_approval_an_issue_put_in_review_waits_for_its_approver(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port, required=False)
        assert _digest(config, "run", "--now", "2025-05-19T08:00", "--no-deliver").exit_code == 0
        assert _issue(config, "submit", "--as", "Bo Lindqvist").exit_code == 0
        held = _digest(config, "run", "--now", "2025-05-19T09:00")
        assert held.exit_code == 2
        assert "2025-W20 is in review, not approved: its last move was submit by Bo Lindqvist at" in held.output
        assert _issue(config, "approve", "--as", "Bo Lindqvist").exit_code == 0  # separate_approver: off
        assert _digest(config, "run", "--now", "2025-05-19T10:00").exit_code == 0
        assert [m[1] for m in inbox.messages].count(["list@secondscreen.example"]) == 1


def test_each_edition_has_its_own_state(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        relay = {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5,
                 "from": "digest@secondscreen.example", "to": ["list@secondscreen.example"]}
        config = demo_config(demo.parent, approval={"required": True, "people": [ANA, BO, CY]},
                             delivery={"method": "smtp", "smtp": relay})  # with the demo's anime edition
        held = _digest(config, "run", "--now", "2025-05-19T08:00")
        assert held.exit_code == 2
        assert "anime/2025-W20 is a draft, not approved" in held.output and "--edition anime" in held.output
        assert _issue(config, "submit", "--edition", "anime", "--as", "Ana Reyes").exit_code == 0
        assert _issue(config, "approve", "--edition", "anime", "--as", "Bo Lindqvist").exit_code == 0
        second = _digest(config, "run", "--now", "2025-05-19T09:00")
        assert second.exit_code == 2, second.output  # the default edition is still a draft
        sent = [i for i, m in enumerate(inbox.messages) if m[1] == ["list@secondscreen.example"]]
        assert len(sent) == 1 and str(inbox.parsed(sent[0])["Subject"]).startswith("Anime this week")
    anime = json.loads(_issue(config, "status", "--edition", "anime", "--json").output)
    assert anime["issue"] == "anime/2025-W20" and anime["state"] == "handed off"
    assert json.loads(_issue(config, "status", "--json").output)["state"] == "draft"


def test_explain_shows_the_state(demo: Path) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = _config(demo, port)
        assert _digest(config, "run", "--now", "2025-05-19T08:00", "--no-deliver").exit_code == 0
        assert _issue(config, "submit", "--as", "Ana Reyes").exit_code == 0
    shown = _digest(config, "explain", *WEEK)
    assert shown.exit_code == 0, shown.output
    assert "state: in review (submit by Ana Reyes" in shown.output
    document = json.loads(_digest(config, "explain", *WEEK, "--json").output)
    assert document["approval"]["state"] == "in review"


# -- the config ----------------------------------------------------------------------------------


def _approval_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text('[site]\nname = "Second Screen"\nurl = "https://secondscreen.example"\n\n'
                    '[[feeds]]\nurl = "https://secondscreen.example/feed/"\n\n' + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "message"), [
    ('[approval]\npeople = [{ name = "Ana", email = "ana@secondscreen.example", roles = ["publisher"] }]\n',
     r"approval\.people\[0\]\.roles\[0\] \(line 9\): .*'editor' or 'approver'"),
    ('[approval]\npeople = [\n  { name = "Ana", email = "ana@secondscreen.example", roles = ["editor"] },\n'
     '  { name = "Ana", email = "ana2@secondscreen.example", roles = ["approver"] },\n]\n',
     r"approval\.people \(line 9\): .*a second person called 'Ana'"),
    ('[[approval.people]]\nname = "Ana"\nemail = "ana at secondscreen"\nroles = ["editor"]\n',
     r"approval\.people\[0\]\.email \(line 10\): .*'ana at secondscreen' is not an email address"),
    ('[approval]\nrequired = true\npeople = [{ name = "Ana", email = "ana@secondscreen.example", '
     'roles = ["editor"] }]\n', r"approval \(line 8\): .*no approver"),
    ('[[approval.people]]\nname = "Ana\\r\\nBcc: x@evil.example"\nemail = "ana@secondscreen.example"\n'
     'roles = ["editor"]\n', r"approval\.people\[0\]\.name \(line 9\): .*line break"),
])
def test_a_bad_approval_table_is_refused_with_its_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_approval_config(tmp_path, body))


def test_separate_approver_defaults_to_required(tmp_path: Path) -> None:
    people = '[[approval.people]]\nname = "Ana"\nemail = "ana@secondscreen.example"\nroles = ["approver"]\n'
    on = load_config(_approval_config(tmp_path, "[approval]\nrequired = true\n\n" + people))
    assert on.approval.separate is True
    off = load_config(_approval_config(tmp_path, people))
    assert off.approval.separate is False


# -- the store -----------------------------------------------------------------------------------


def test_a_move_made_by_someone_else_meanwhile_is_refused(demo: Path) -> None:
    """The desk and the CLI may act at once: a move is checked against the state it was asked from."""
    config = load_config(_config(demo, 2525))
    now = datetime(2025, 5, 19, 13, 0, tzinfo=UTC)
    with Store.open(config.store_path) as store:
        store.record_issue("2025-W20", now, (now, now), "Week 20", str(demo.parent / "out"), [])
        approval.transition(config, store, "2025-W20", "submit", "Ana Reyes", now, notify=False)
        moved = r"is in review now \(submit by Ana Reyes at .*\), no longer a draft"
        with pytest.raises(DigestError, match=moved):
            states.record_move(store, "2025-W20", expected="draft", action="submit", state="in review",
                               by="Bo Lindqvist", at=now)
        assert approval.status(config, store, "2025-W20").state == "in review"
        assert len(approval.status(config, store, "2025-W20").history) == 1


def test_a_store_an_older_digest_wrote_gains_the_states_table_keeping_every_row(tmp_path: Path) -> None:
    _old_store(tmp_path)
    path = tmp_path / "v8-caalden-film.sqlite"
    before = _rows(path)
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 10
        assert states.current(store, "2025-W45") == "draft"
    after = _rows(path)
    assert "issue_states" in after.keys() - before.keys() and after["issue_states"] == []
    for table, rows in before.items():
        width = len(rows[0]) if rows else 0
        assert [r[:width] for r in after[table]] == rows, table


def test_a_states_migration_that_fails_half_way_leaves_the_store_at_v9(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.store import connection

    _old_store(tmp_path)
    path = tmp_path / "v8-caalden-film.sqlite"
    broken = (*MIGRATIONS[:9], MIGRATIONS[9] + "; INSERT INTO no_such_table VALUES (1);")
    monkeypatch.setattr(connection, "MIGRATIONS", broken)
    with pytest.raises(StoreError, match="no such table"):
        Store.open(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 9  # migration 9 whole, 10 not at all
        assert "issue_states" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    monkeypatch.setattr(connection, "MIGRATIONS", MIGRATIONS)
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS) and states.moves(store, "2025-W45") == []


def test_an_old_store_gains_the_states_table_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:9]:
        db.executescript(migration)
    db.execute("PRAGMA user_version = 9")
    db.execute("INSERT INTO deliveries VALUES ('2025-W19', 'smtp', '2025-05-12T13:00:00+00:00', 'to x')")
    db.close()
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.delivered_at("2025-W19", "smtp") is not None
        assert store.db.execute("SELECT count(*) FROM issue_states").fetchone()[0] == 0


# -- a mailing service's draft -------------------------------------------------------------------


def test_a_pulled_service_draft_is_updated_by_the_next_hand_off_never_doubled(
        tmp_path: Path, mailchimp: Fake) -> None:
    """Stop the presses on a draft already in the service: the issue is a draft again, the service's
    draft is not touched until it is approved once more, and then that same draft is updated."""
    path = write_config(tmp_path, mailchimp)
    with path.open("a", encoding="utf-8") as toml:
        toml.write("\n[approval]\nrequired = true\n" + "".join(
            f'\n[[approval.people]]\nname = "{p["name"]}"\nemail = "{p["email"]}"\n'
            f'roles = {json.dumps(p["roles"])}\n' for p in (ANA, BO)))
    config = load_config(path)
    now = datetime(2025, 5, 19, 14, 0, tzinfo=UTC)
    with Store.open(config.store_path) as store:
        first = run(config, store)
        assert first.delivery_error and "2025-W20 is a draft, not approved" in first.delivery_error
        assert mailchimp.campaigns == {}
        approval.transition(config, store, "2025-W20", "submit", "Ana Reyes", now)
        approval.transition(config, store, "2025-W20", "approve", "Bo Lindqvist", now)
        handed = run(config, store, at=local(2025, 5, 19, 11))
        assert handed.delivery_error is None and "ready to approve" in (handed.delivery or "")
        assert len(mailchimp.campaigns) == 1 and approval.status(config, store, "2025-W20").allowed == ("pull",)

        pulled = approval.transition(config, store, "2025-W20", "pull", "Bo Lindqvist", now, "Wrong lead")
        assert pulled.status.state == "draft"
        asked = len(mailchimp.requests)
        rebuilt = run(config, store, at=local(2025, 5, 19, 12), force=True, builder=Builder("Fixed subject"))
        assert rebuilt.delivery_error and "is a draft, not approved" in rebuilt.delivery_error
        assert len(mailchimp.requests) == asked  # the draft in the service was not touched

        approval.transition(config, store, "2025-W20", "submit", "Ana Reyes", now)
        approval.transition(config, store, "2025-W20", "approve", "Bo Lindqvist", now)
        again = run(config, store, at=local(2025, 5, 19, 13))
        assert again.delivery_error is None, again.delivery_error
        assert len(mailchimp.campaigns) == 1
        assert mailchimp.count("create") == 1 and mailchimp.count("update") == 1
        assert mailchimp.only["subject"] == "Fixed subject"
        history = approval.status(config, store, "2025-W20").history
        assert [m.action for m in history] == ["submit", "approve", "hand off", "pull", "submit", "approve",
                                               "hand off"]

        record = campaigns.campaign(store, "2025-W20", "mailchimp")
        assert record is not None
        campaigns.record_state(store, "2025-W20", "mailchimp", "final", "sent", now)
        with pytest.raises(DigestError, match=r"2025-W20 is sent in mailchimp .*cannot be pulled back"):
            approval.transition(config, store, "2025-W20", "pull", "Bo Lindqvist", now)
        assert approval.status(config, store, "2025-W20").allowed == ()


def test_the_notice_is_posted_to_the_editors_webhook_too(demo: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/editors", method="POST").respond_with_data("ok")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = demo_config(demo.parent, editions=[], approval={"required": True, "people": [ANA, BO, CY]},
                             delivery={"method": "files", "notify": {
                                 "webhook": {"url": httpserver.url_for("/editors"), "timeout": 5},
                                 "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5,
                                          "from": "digest@secondscreen.example",
                                          "to": ["desk@secondscreen.example"]}}})
        assert _digest(config, "build", *WEEK, "--now", "2025-05-19T08:00").exit_code == 0
        submitted = _issue(config, "submit", "--as", "Ana Reyes", "--comment", "Ready")
        assert submitted.exit_code == 0, submitted.output
        assert f"posted to http://localhost:{httpserver.port} (HTTP 200 OK); told bo@" in submitted.output
    posted = json.loads(httpserver.log[0][0].get_data())
    assert posted["event"] == "issue_state" and posted["issue"] == "2025-W20" and posted["state"] == "in review"
    assert posted["by"] == "Ana Reyes" and posted["comment"] == "Ready"
    assert [p["name"] for p in posted["to"]] == ["Bo Lindqvist", "Cy Okafor"]
    assert inbox.messages[0][1] == ["bo@secondscreen.example", "cy@secondscreen.example"]  # the notify relay
