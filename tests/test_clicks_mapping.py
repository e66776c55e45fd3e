"""A reported link mapped to the issue's pick: the forms the services' reports really give (research 22)."""

from __future__ import annotations

import pytest

from digest.clicks.mapping import Match, clean, match, matcher, strip_tracking, unwrap

WITCH = "https://site.example/2025/05/06/review-witch-watch-episode-5-cat-scout/"
ANDOR = "http://site.example/2025/05/07/review-andor-season-2-is-star-wars-at-its-best/"
PICKS = matcher([("uid-witch", WITCH), ("uid-andor", ANDOR)])


@pytest.mark.parametrize("reported", [
    # the email's own UTM tags (digest.mail.render) and Mailchimp's mc_cid/mc_eid on the destination
    WITCH + "?utm_source=secondscreen&utm_medium=email&utm_campaign=2025-W20",
    WITCH + "?utm_source=secondscreen&utm_medium=email&utm_campaign=2025-W20"
    "&mc_cid=5c1a9e2f04&mc_eid=8a3b1f0c9d",
    # Kit appends the subscriber id; HubSpot its _hsenc/_hsmi
    WITCH + "?ck_subscriber_id=2318471123",
    WITCH + "?_hsenc=p2ANqtz-8Kj3v&_hsmi=284719",
    WITCH + "#comments",
    "https://www.site.example/2025/05/06/review-witch-watch-episode-5-cat-scout",
    # Buttondown's tracked form, on its own host and on a custom tracking domain
    "https://buttondown.com/c/8d1e0a6c-2b54-4d0e-9d2b-6f1d3c9e7a10/3f9a2c71-55b0-4c39-8e1f-0d7a6b2e4c88/"
    + WITCH + "?utm_source=secondscreen&utm_medium=email",
    "https://links.secondscreen.example/c/8d1e0a6c/3f9a2c71/https:/site.example/2025/05/06/"
    "review-witch-watch-episode-5-cat-scout/",
    "https://buttondown.com/c/8d1e0a6c/3f9a2c71/https%3A%2F%2Fsite.example%2F2025%2F05%2F06%2F"
    "review-witch-watch-episode-5-cat-scout%2F",
])
def test_tracked_and_redirected_forms_map_to_their_pick(reported: str) -> None:
    assert match(reported, PICKS) == Match(WITCH, "uid-witch")


def test_the_email_upgrading_http_to_https_still_maps_to_the_pick() -> None:
    found = match("https://site.example/2025/05/07/review-andor-season-2-is-star-wars-at-its-best/"
                  "?utm_campaign=2025-W20", PICKS)
    assert found.uid == "uid-andor"


def test_a_query_that_names_the_page_is_kept() -> None:
    assert strip_tracking("https://site.example/?p=4812&utm_source=x&fbclid=IwAR2x") == "https://site.example/?p=4812"
    assert match("https://site.example/?p=4813", matcher([("a", "https://site.example/?p=4812")])).uid is None


@pytest.mark.parametrize(("reported", "kept"), [
    ("https://site.example/?utm_source=secondscreen&utm_medium=email", "https://site.example/"),
    ("https://site.example/digest/2025-W19/?mc_eid=8a3b1f0c9d", "https://site.example/digest/2025-W19/"),
    ("https://secondscreen.us1.list-manage.com/unsubscribe?u=9f1d2c&id=44ab3e&e=8a3b1f0c9d&c=5c1a9e2f04",
     "https://secondscreen.us1.list-manage.com/unsubscribe"),
])
def test_anything_else_is_other_and_keeps_no_tracking(reported: str, kept: str) -> None:
    assert match(reported, PICKS) == Match(kept, None)


@pytest.mark.parametrize(("reported", "kept"), [
    # Mailchimp's tracker: the member id is in e=; the original is not recoverable from the URL
    ("https://secondscreen.us1.list-manage.com/track/click?u=9f1d2c7a4b&id=44ab3e91c0&e=8a3b1f0c9d",
     "https://secondscreen.us1.list-manage.com/track/click"),
    # listmonk: /link/{link uuid}/{campaign uuid}/{subscriber uuid}
    ("https://lists.secondscreen.example/link/0a3f8b2e-6c1d-4e9a-b7f2-5d8c1e0a9b34/"
     "7e2d4c1a-9b3f-4a8e-8c6d-2f1b0e9a7c55/c4e1a9b2-3d7f-4e8c-9a1b-6f2d0c8e7b13",
     "https://lists.secondscreen.example/link"),
    # Brevo's tracked form carries the address in uid=
    ("https://url.secondscreen.example/fbe5387ec717e333628380454f68670010b205ff/1/go?uid=ana%40example.org"
     "&utm_source=brevo&utm_campaign=test_camp&utm_medium=email",
     "https://url.secondscreen.example/fbe5387ec717e333628380454f68670010b205ff/1/go"),
])
def test_a_redirect_that_hides_its_original_keeps_no_reader_id(reported: str, kept: str) -> None:
    found = match(reported, PICKS)
    assert found == Match(kept, None)
    assert "8a3b1f0c9d" not in clean(reported) and "ana%40" not in clean(reported)
    assert "c4e1a9b2" not in clean(reported)


def test_unwrap_leaves_a_plain_link_alone() -> None:
    assert unwrap(WITCH) == WITCH
    assert unwrap("https://site.example/c/recipes/") == "https://site.example/c/recipes/"


@pytest.mark.parametrize(("reported", "kept"), [
    ("https://buttondown.com/secondscreen/unsubscribe/3f9a2c71-55b0-4c39-8e1f-0d7a6b2e4c88",
     "https://buttondown.com/secondscreen/unsubscribe"),
    ("https://app.kit.com/unsubscribe/2318471123?t=abc", "https://app.kit.com/unsubscribe"),
    ("mailto:ana@example.org?subject=Re%3A%202025-W20", "mailto:"),
])
def test_an_other_link_never_keeps_a_reader(reported: str, kept: str) -> None:
    assert match(reported, PICKS) == Match(kept, None)


@pytest.mark.parametrize(("reported", "kept"), [
    # a service's answer is untrusted text: no credentials, no control characters, no unbounded length
    ("https://ana%40example.org:x@site.example/about/", "https://site.example/about"),
    ("https://site.example/about/\x1b]8;;https://evil.example\x07", "https://site.example/about/%1B%5D8"),
    ("https://site.example/" + "review-" * 700, "https://site.example/" + "review-" * 60),
])
def test_a_hostile_reported_link_is_kept_harmless(reported: str, kept: str) -> None:
    found = match(reported, PICKS)
    assert found.uid is None and found.link.startswith(kept) and len(found.link) <= 512
    assert "ana" not in found.link and "\x1b" not in found.link and "\x07" not in found.link
