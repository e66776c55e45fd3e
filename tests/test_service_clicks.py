"""Each service's per-link click report, read from its fake on a real socket (issue 22).

The fakes answer as the vendored descriptions say (helpers.contract checks every request and
answer); here the report is summed per URL, its pages followed, and whatever the service says
about a person (an email address, a subscriber id) never reaches the ClickReport.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from service_fakes import FAKES, KEY, Failure, Fake

from digest.errors import DeliveryError
from digest.services import SERVICES, Sender, Service
from digest.services.clicks import ClickReport, LinkClicks

PERSONAL = ("reader@example.org", "sub_4242", "9f86d081884c7d659a2feaa0c55ad015")


def adapter(fake: Fake) -> Service:
    kind = SERVICES[fake.name]
    return kind(kind.Settings(**fake.settings()), KEY, Sender("Example Reviews", "news@reviews.example", None))


def sent_campaign(fake: Fake, cid: str, **extra: Any) -> str:
    fake.campaigns[cid] = {"id": cid, "status": fake.sent_status, "subject": "Issue", "html": "<p>x</p>",
                           "text": "x", "preheader": None, "name": "digest 2025-W21", **extra}
    return cid


def no_person(report: ClickReport) -> None:
    shown = repr(report) + "".join(f"{link.url}" for link in report.links)
    for value in PERSONAL:
        assert value not in shown
    assert all(type(link) is LinkClicks for link in report.links)
    assert {f for link in report.links for f in vars(link)} <= {"url", "unique", "total"}


# -- listmonk ----------------------------------------------------------------------------------------


@pytest.fixture
def listmonk(httpserver: HTTPServer) -> Fake:
    return FAKES["listmonk"](httpserver)


def test_listmonk_sums_per_url_with_the_campaigns_sent_count(listmonk: Fake) -> None:
    cid = sent_campaign(listmonk, "7", sent=1200)
    listmonk.clicks[cid] = [{"url": "https://reviews.example/1/", "count": 40},
                            {"url": "https://reviews.example/2/", "count": 12},
                            {"url": "https://reviews.example/1/", "count": 2}]
    report = adapter(listmonk).link_clicks(cid)
    assert report.service == "listmonk" and report.campaign_id == "7" and report.delivered == 1200
    assert report.links == (LinkClicks("https://reviews.example/1/", None, 42),
                            LinkClicks("https://reviews.example/2/", None, 12))
    assert any("total clicks" in note and "individual_tracking" in note for note in report.notes)
    assert any("sent" in note for note in report.notes)


def test_listmonk_counts_are_unique_clickers_when_individual_tracking_is_on(listmonk: Fake) -> None:
    cid = sent_campaign(listmonk, "8", sent=10)
    listmonk.individual_tracking = True  # type: ignore[attr-defined]
    listmonk.clicks[cid] = [{"url": "https://reviews.example/1/", "count": 3}]
    report = adapter(listmonk).link_clicks(cid)
    assert report.links == (LinkClicks("https://reviews.example/1/", 3, None),)
    assert any("unique" in note for note in report.notes)


def test_listmonk_says_what_a_count_may_be_when_its_settings_are_refused(listmonk: Fake) -> None:
    cid = sent_campaign(listmonk, "13")
    listmonk.inject("config", Failure(403, "permission denied"))
    listmonk.clicks[cid] = [{"url": "https://reviews.example/1/", "count": 5}]
    report = adapter(listmonk).link_clicks(cid)
    assert report.links == (LinkClicks("https://reviews.example/1/", None, 5),) and report.delivered is None
    assert any("could not read the setting" in note for note in report.notes)


def test_listmonk_asks_for_the_period_in_date_times(listmonk: Fake) -> None:
    cid = sent_campaign(listmonk, "9", sent=10)
    since, until = datetime(2025, 5, 19, 8, tzinfo=UTC), datetime(2025, 5, 26, 8, tzinfo=UTC)
    adapter(listmonk).link_clicks(cid, since=since, until=until)  # type: ignore[call-arg]
    assert listmonk.periods == [("2025-05-19T08:00:00Z", "2025-05-26T08:00:00Z")]  # type: ignore[attr-defined]


def test_listmonk_says_when_it_gives_only_the_top_fifty(listmonk: Fake) -> None:
    cid = sent_campaign(listmonk, "10", sent=10)
    listmonk.clicks[cid] = [{"url": f"https://reviews.example/{n}/", "count": 100 - n} for n in range(60)]
    report = adapter(listmonk).link_clicks(cid)
    assert len(report.links) == 50
    assert any("50" in note for note in report.notes)


def test_listmonk_keeps_no_person_from_the_answer(listmonk: Fake) -> None:
    cid = sent_campaign(listmonk, "11", sent=10)
    listmonk.clicks[cid] = [{"url": "https://reviews.example/1/", "count": 4, "email": PERSONAL[0],
                             "subscriber_uuid": PERSONAL[2], "subscriber_id": PERSONAL[1]}]
    report = adapter(listmonk).link_clicks(cid)
    assert report.links == (LinkClicks("https://reviews.example/1/", None, 4),)
    no_person(report)


# -- Brevo -------------------------------------------------------------------------------------------


@pytest.fixture
def brevo(httpserver: HTTPServer) -> Fake:
    return FAKES["brevo"](httpserver)


def brevo_sent(fake: Fake, cid: str, delivered: int) -> str:
    return sent_campaign(fake, cid, sender={"name": "Example Reviews", "email": "news@reviews.example"},
                         lists=[2, 7], delivered=delivered)


def test_brevo_reads_both_shapes_of_links_stats_and_delivered_from_global_stats(brevo: Fake) -> None:
    cid = brevo_sent(brevo, "31", 980)
    brevo.clicks[cid] = {"https://reviews.example/1/": 7, "https://reviews.example/2/": {"nbClick": 80},
                         "https://reviews.example/3/": 0}
    report = adapter(brevo).link_clicks(cid)
    assert report.service == "brevo" and report.delivered == 980
    assert report.links == (LinkClicks("https://reviews.example/2/", None, 80),
                            LinkClicks("https://reviews.example/1/", None, 7),
                            LinkClicks("https://reviews.example/3/", None, 0))
    assert [step for step, _, _ in brevo.requests] == ["statistics=linksStats", "statistics=globalStats"]
    assert any("number of clicks" in note for note in report.notes)


def test_brevo_keeps_no_person_from_the_answer(brevo: Fake) -> None:
    cid = brevo_sent(brevo, "32", 5)
    brevo.clicks[cid] = {"https://reviews.example/1/": {"nbClick": 2, "email": PERSONAL[0],
                                                        "contactId": PERSONAL[1]}}
    report = adapter(brevo).link_clicks(cid)
    assert report.links == (LinkClicks("https://reviews.example/1/", None, 2),)
    no_person(report)


# -- Buttondown --------------------------------------------------------------------------------------


@pytest.fixture
def buttondown(httpserver: HTTPServer) -> Fake:
    return FAKES["buttondown"](httpserver)


def test_buttondown_sums_clicked_events_per_url_across_pages(buttondown: Fake) -> None:
    cid = sent_campaign(buttondown, "em_41", delivered=640)
    buttondown.clicks[cid] = ([{"url": "https://reviews.example/1/"}] * 1203
                              + [{"url": "https://reviews.example/2/"}] * 4)
    report = adapter(buttondown).link_clicks(cid)
    assert report.delivered == 640
    assert report.links == (LinkClicks("https://reviews.example/1/", None, 1203),
                            LinkClicks("https://reviews.example/2/", None, 4))
    assert buttondown.count("events") == 2  # 1207 events, 1000 a page
    assert any("metadata" in note and "url" in note for note in report.notes)


def test_buttondown_keeps_no_person_and_never_expands_the_subscriber(buttondown: Fake) -> None:
    cid = sent_campaign(buttondown, "em_42", delivered=3)
    buttondown.clicks[cid] = [{"url": "https://reviews.example/1/", "email": PERSONAL[0],
                               "subscriber": PERSONAL[1]}] * 3
    report = adapter(buttondown).link_clicks(cid)
    assert report.links == (LinkClicks("https://reviews.example/1/", None, 3),)
    no_person(report)
    assert "sub_4242" not in repr(report)


def test_buttondown_says_how_many_clicks_carried_no_url(buttondown: Fake) -> None:
    cid = sent_campaign(buttondown, "em_43", delivered=3)
    buttondown.clicks[cid] = [{"url": "https://reviews.example/1/"}, {"link": "https://reviews.example/2/"}]
    report = adapter(buttondown).link_clicks(cid)
    assert report.links == (LinkClicks("https://reviews.example/1/", None, 1),)
    assert any("1 clicked event(s)" in note for note in report.notes)


# -- MailerLite --------------------------------------------------------------------------------------


def test_mailerlite_says_it_has_no_per_link_clicks_and_asks_nothing(httpserver: HTTPServer) -> None:
    fake = FAKES["mailerlite"](httpserver)
    with pytest.raises(DeliveryError) as caught:
        adapter(fake).link_clicks("77")
    said = str(caught.value)
    assert said.startswith("MailerLite: cannot read the link clicks of campaign 77: ")
    assert "no per-link clicks" in said and "[trending] analytics_csv" in said
    assert fake.requests == []


# -- Mailchimp ---------------------------------------------------------------------------------------


@pytest.fixture
def mailchimp(httpserver: HTTPServer) -> Fake:
    return FAKES["mailchimp"](httpserver)


def link(n: int, url: str, total: int, unique: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"l{n}", "url": url, "total_clicks": total, "unique_clicks": unique, "campaign_id": "c1",
            "click_percentage": 0.1, "unique_click_percentage": 0.1, "last_click": "2025-05-20T09:00:00+00:00",
            **extra}


def test_mailchimp_sums_a_url_listed_twice_across_pages(mailchimp: Fake) -> None:
    cid = sent_campaign(mailchimp, "c1")
    mailchimp.clicks[cid] = ([link(0, "https://reviews.example/1/", 30, 20),
                              link(1, "https://reviews.example/1/", 30, 20)]
                             + [link(n, f"https://reviews.example/x{n}/", 1, 1) for n in range(2, 1205)])
    report = adapter(mailchimp).link_clicks(cid)
    assert report.service == "mailchimp" and report.campaign_id == "c1"
    assert report.links[0] == LinkClicks("https://reviews.example/1/", 40, 60)
    assert len(report.links) == 1204
    assert mailchimp.count("clicks") == 2  # 1205 rows, 1000 a page


def test_mailchimp_keeps_no_person_from_the_answer(mailchimp: Fake) -> None:
    cid = sent_campaign(mailchimp, "c2")
    mailchimp.clicks[cid] = [link(0, "https://reviews.example/1/", 3, 2, email_address=PERSONAL[0],
                                  email_id=PERSONAL[2], list_id=PERSONAL[1])]
    report = adapter(mailchimp).link_clicks(cid)
    assert report.links == (LinkClicks("https://reviews.example/1/", 2, 3),)
    no_person(report)
    assert all("/members" not in path for _, _, path in mailchimp.requests)


# -- Kit ---------------------------------------------------------------------------------------------


@pytest.fixture
def kit(httpserver: HTTPServer) -> Fake:
    return FAKES["kit"](httpserver)


def click(url: str, unique: int, **extra: Any) -> dict[str, Any]:
    return {"url": url, "unique_clicks": unique, "click_to_delivery_rate": 0.01, "click_to_open_rate": 0.03,
            **extra}


def test_kit_sums_unique_clicks_per_url_across_pages_with_recipients(kit: Fake) -> None:
    cid = sent_campaign(kit, "151", delivered=700, filter=None)
    kit.clicks[cid] = ([click("https://reviews.example/1/", 9), click("https://reviews.example/1/", 1)]
                       + [click(f"https://reviews.example/x{n}/", 1) for n in range(1001)])
    report = adapter(kit).link_clicks(cid)
    assert report.delivered == 700
    assert report.links[0] == LinkClicks("https://reviews.example/1/", 10, None)
    assert len(report.links) == 1002
    assert kit.count("clicks") == 2  # 1003 rows, 1000 a page
    assert any("no per-link total" in note for note in report.notes)


def test_kit_keeps_no_person_from_the_answer(kit: Fake) -> None:
    cid = sent_campaign(kit, "152", delivered=5, filter=None)
    kit.clicks[cid] = [click("https://reviews.example/1/", 2, email_address=PERSONAL[0],
                             subscriber_id=PERSONAL[1])]
    report = adapter(kit).link_clicks(cid)
    assert report.links == (LinkClicks("https://reviews.example/1/", 2, None),)
    no_person(report)


# -- every service: a refusal --------------------------------------------------------------------------

# service, the campaign as sent there, the fake's step to fail, how the error starts
REFUSALS = [
    ("listmonk", lambda f: sent_campaign(f, "12", sent=10), "clicks",
     "listmonk: cannot read the link clicks of campaign 12: "),
    ("brevo", lambda f: brevo_sent(f, "33", 5), "get", "Brevo: cannot read the link clicks of campaign 33: "),
    ("buttondown", lambda f: sent_campaign(f, "em_44", delivered=3), "events",
     "Buttondown: cannot read the link clicks of email em_44: "),
    ("mailchimp", lambda f: sent_campaign(f, "c3"), "clicks",
     "Mailchimp: cannot read the link clicks of campaign c3: "),
    ("kit", lambda f: sent_campaign(f, "153", delivered=5, filter=None), "clicks",
     "Kit: cannot read the link clicks of broadcast 153: "),
]


@pytest.mark.parametrize(("status", "words"), [(401, "refused the API key"), (404, "not found"),
                                               (429, "rate limited")])
@pytest.mark.parametrize(("name", "sent", "step", "starts"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refusal_names_the_service_and_step(httpserver: HTTPServer, name: str, sent: Any, step: str,
                                               starts: str, status: int, words: str) -> None:
    fake = FAKES[name](httpserver)
    cid = sent(fake)
    fake.inject(step, Failure(status, "nope", headers={"Retry-After": "3600"}))
    with pytest.raises(DeliveryError) as caught:
        adapter(fake).link_clicks(cid)
    assert str(caught.value).startswith(starts)
    assert words in str(caught.value)
