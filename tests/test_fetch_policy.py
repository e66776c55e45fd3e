"""Addresses that come from content are fetched only from the site's own origins.

Two real servers on loopback: the allow-listed site (feeds and article pages) and an
"internal" one on another port, reached by other spellings of its address (a decimal
integer, ``localhost``, a relative link under a hostile channel ``<link>``, a redirect
from the site). The internal server must see no request at all, and its text must reach
neither the store nor the report.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from pathlib import Path

import pytest
from helpers.configfile import Clock, make_config
from helpers.server import FeedServer, Reply

from digest.collect.collector import run_collect
from digest.collect.policy import FetchPolicy, Origin, canonical_host, origin_of
from digest.errors import FetchError
from digest.store.database import Store

SECRET = "INTERNAL-ADMIN-TOKEN-7f3a"
HTML = {"Content-Type": "text/html; charset=UTF-8"}


def item(link: str, title: str, day: int = 19) -> str:
    return (f"<item><title>REVIEW: {title}</title><link>{link}</link><guid isPermaLink=\"false\">{title}</guid>"
            f"<pubDate>{day} May 2024 10:00:00 +0000</pubDate><category>Reviews</category>"
            "<description>A short review.</description></item>")


def feed(channel_link: str, items: list[str]) -> bytes:
    return ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Site</title>"
            f"<link>{channel_link}</link>"
            + "".join(items) + "</channel></rss>").encode()


@pytest.fixture
def internal() -> FeedServer:
    with FeedServer() as server:
        server.route("/admin/", Reply(200, f"<html><body><p>{SECRET}</p></body></html>".encode(), HTML))
        yield server


def page(text: str) -> Reply:
    return Reply(200, f"<html><body><article><p>{text}</p><p>Rating: 8/10</p></article></body></html>".encode(),
                 HTML)


def test_links_off_the_site_are_skipped_on_every_spelling_and_hop(
    feed_server: FeedServer, internal: FeedServer, tmp_path: Path, store: Store, clock: Clock
) -> None:
    site = feed_server.base
    port = internal.base.rsplit(":", 1)[1]
    feed_server.route("/good/", page("A fine film."))
    feed_server.route("/hop/", Reply(302, b"", {"Location": f"{internal.base}/admin/"}))
    feed_server.route("/hop-local/", Reply(302, b"", {"Location": f"http://localhost:{port}/admin/"}))
    links = {
        "good": f"{site}/good/",
        "direct": f"{internal.base}/admin/",
        "decimal": f"http://2130706433:{port}/admin/",
        "hex": f"http://0x7f.1:{port}/admin/",
        "localhost": f"http://localhost:{port}/admin/",
        "relative": "admin/",  # resolved against the hostile channel <link>
        "redirect": f"{site}/hop/",
        "redirect-localhost": f"{site}/hop-local/",
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "file": "file:///etc/passwd",
    }
    body = feed(f"{internal.base}/", [item(url, name) for name, url in links.items()])
    url = feed_server.feed("/feed/", body)
    config = make_config(tmp_path, [url], reviews={"fetch_pages": "always"})

    report = run_collect(config, store, clock)

    assert internal.requests == [], "the internal server was reached"
    assert report.pages_fetched == 1
    skipped = dict(report.page_skipped)
    failures = dict(report.page_failures)
    off = f"skipped: points off-site (127.0.0.1:{port})"
    for name in ("direct", "decimal", "hex", "localhost"):
        assert skipped[links[name]] == off, name
    assert skipped[f"{internal.base}/admin/"] == off  # the relative link, resolved under the channel link
    assert skipped["http://169.254.169.254/latest/meta-data/"] == "skipped: points off-site (169.254.169.254)"
    assert failures[f"{site}/hop/"] == f"skipped: redirected off-site (127.0.0.1:{port})"
    assert failures[f"{site}/hop-local/"] == f"skipped: redirected off-site (127.0.0.1:{port})"
    assert [s.path for s in feed_server.requests].count("/good/") == 1
    pages = store.db.execute("SELECT url, body FROM pages").fetchall()
    assert all(SECRET not in (row[1] or "") for row in pages)
    assert {row[0] for row in pages} == {f"{site}/good/", f"{site}/hop/", f"{site}/hop-local/"}


def test_allowed_hosts_and_default_ports(feed_server: FeedServer, internal: FeedServer, tmp_path: Path,
                                         store: Store, clock: Clock) -> None:
    """``collect.allowed_hosts`` lets the editor add an origin (a CDN, another port)."""
    port = internal.base.rsplit(":", 1)[1]
    internal.route("/review/", page("Hosted on the other port, on purpose."))
    url = feed_server.feed("/feed/", feed(feed_server.base, [item(f"{internal.base}/review/", "cdn")]))
    config = make_config(tmp_path, [url], reviews={"fetch_pages": "always"},
                         allowed_hosts=[f"127.0.0.1:{port}"])
    report = run_collect(config, store, clock)
    assert (report.pages_fetched, report.page_skipped) == (1, ())
    assert [s.path for s in internal.requests] == ["/review/"]


def test_origins_compare_in_canonical_form() -> None:
    assert canonical_host("2130706433") == canonical_host("0x7f.0.0.1") == "127.0.0.1"
    assert canonical_host("127.1") == canonical_host("0177.0.0.1") == "127.0.0.1"
    assert canonical_host("LocalHost.") == canonical_host("a.localhost") == "127.0.0.1"
    assert canonical_host("[::FFFF:7f00:1]") == "::ffff:7f00:1"
    assert canonical_host("Reviews.Example.") == "reviews.example"
    assert origin_of("http://reviews.example/") == origin_of("https://reviews.example:443/x") \
        == Origin("reviews.example", None)
    assert origin_of("https://reviews.example:8443/") == Origin("reviews.example", 8443)
    assert origin_of("file:///etc/passwd") is None and origin_of("javascript:alert(1)") is None


def test_a_name_that_resolves_to_an_internal_address_is_refused(
    internal: FeedServer, tmp_path: Path, store: Store, clock: Clock,
) -> None:
    """An allowed *name* is still checked on connecting: this machine's own name reaches loopback,
    which is not where the site is (its URL names a public host), so no request is sent."""
    name = socket.gethostname()
    resolved = {ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(name, 80)}
    assert resolved and all(not a.is_global for a in resolved), \
        f"this machine's own name {name!r} must resolve to its loopback or private address for this test"
    port = internal.base.rsplit(":", 1)[1]
    link = f"http://{name}:{port}/admin/"
    (tmp_path / "feed.xml").write_bytes(feed("https://reviews.example/", [item(link, "by-name")]))
    config = make_config(tmp_path, ["feed.xml"], reviews={"fetch_pages": "always"},
                         allowed_hosts=[f"{name}:{port}"])
    report = run_collect(config, store, clock)
    (url, reason), = report.page_failures
    assert url == link and reason.startswith(f"skipped: {name} resolves to an internal address (")
    assert reason.endswith("), which is not the site's") and internal.requests == []


def test_the_site_on_loopback_is_trusted_but_metadata_never() -> None:
    policy = FetchPolicy(frozenset({Origin("127.0.0.1", 8080)}))
    asyncio.run(policy.check_peer("127.0.0.1", ipaddress.ip_address("127.0.0.1")))  # where the config says
    for address in ("169.254.169.254", "10.0.0.7", "127.0.0.2", "::ffff:169.254.169.254"):
        with pytest.raises(FetchError, match="internal address"):
            asyncio.run(policy.check_peer("x", ipaddress.ip_address(address)))
    asyncio.run(policy.check_peer("x", ipaddress.ip_address("93.184.215.14")))  # a public address


def test_the_guarded_transport_loads_the_ca_store_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A collect's transport reads the CA bundle once (each read holds about 1 MB for the run, issue 23's
    memory), and the one context it keeps verifies certificates and host names."""
    import ssl

    from digest.collect.policy import GuardedTransport

    loads: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loads.append(self)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    transport = GuardedTransport(FetchPolicy(frozenset({Origin("127.0.0.1", 8080)})))
    assert len(loads) == 1
    context = transport._pool._ssl_context
    assert context is loads[0]
    assert context is not None and context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
