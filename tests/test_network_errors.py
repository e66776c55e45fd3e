"""A failed connection says what really failed: a bad host name, a site that is down, or no network.

An offline machine fails every lookup with the same "Name or service not known" a typo gets, so
"typo in the URL?" is said only for a clearly bad name or when another of the site's names resolved.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from pathlib import Path

import httpcore
import httpx
import pytest
from click.testing import CliRunner
from helpers.configfile import FAST_COLLECT, write_config
from helpers.server import unused_port

from digest.cli import main
from digest.collect.fetch import Fetcher
from digest.collect.neterrors import BAD_NAME, OFFLINE, clearly_bad_name, connect_failure
from digest.collect.policy import FetchPolicy
from digest.errors import ErrorKind, FetchError
from digest.settings.config import CollectSettings


def httpx_error(root: BaseException, url: str = "https://reviews.example/feed/") -> httpx.ConnectError:
    """The chain httpx really raises: httpx.ConnectError from httpcore.ConnectError from the socket's error
    (a refused or unroutable connection arrives as anyio's "All connection attempts failed" over it)."""
    request = httpx.Request("GET", url)
    try:
        try:
            try:
                if isinstance(root, socket.gaierror):
                    raise root
                raise OSError("All connection attempts failed") from root
            except OSError as exc:
                raise httpcore.ConnectError(exc) from exc
        except httpcore.ConnectError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
    except httpx.ConnectError as exc:
        return exc


NONAME = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
AGAIN = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
UNREACHABLE = OSError(errno.ENETUNREACH, "Network is unreachable")
NO_ROUTE = OSError(errno.EHOSTUNREACH, "No route to host")
REFUSED = ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 9)")


@pytest.mark.parametrize(("root", "host", "others", "kind", "said"), [
    (NONAME, "nothing.invalid", None, ErrorKind.DNS, BAD_NAME),  # reserved: never resolves anywhere
    (NONAME, "nothing.invalid", False, ErrorKind.DNS, BAD_NAME),
    (NONAME, "reviews.example", True, ErrorKind.DNS, BAD_NAME),  # the site's own name resolved
    (NONAME, "reviews.example", False, ErrorKind.NETWORK,
     f"{OFFLINE}: no host name could be looked up, neither reviews.example nor the site's other hosts"),
    (NONAME, "reviews.example", None, ErrorKind.DNS,
     "the host name reviews.example does not resolve: a typo in the URL, or is this machine offline?"),
    (AGAIN, "reviews.example", None, ErrorKind.NETWORK,
     f"{OFFLINE}: no name server answered for reviews.example"),
    (AGAIN, "reviews.example", False, ErrorKind.NETWORK,
     f"{OFFLINE}: no name server answered for reviews.example"),
    (AGAIN, "reviews.example", True, ErrorKind.DNS,
     "no name server answered for reviews.example (try again later)"),
    (UNREACHABLE, "reviews.example", None, ErrorKind.NETWORK, OFFLINE),
    (NO_ROUTE, "reviews.example", None, ErrorKind.CONNECT,
     "no route to reviews.example (is this machine offline, or the site down?)"),
    (REFUSED, "reviews.example", None, ErrorKind.CONNECT, "connection refused (is the site down?)"),
])
def test_each_connection_failure_is_told_as_what_it_is(
    root: BaseException, host: str, others: bool | None, kind: ErrorKind, said: str
) -> None:
    error = connect_failure(httpx_error(root, f"https://{host}/feed/"), host, others)
    assert (error.kind, str(error)) == (kind, said)


def test_an_unroutable_address_among_several_is_still_offline() -> None:
    both = [UNREACHABLE, OSError(errno.ENETUNREACH, "Network is unreachable")]
    group = ExceptionGroup("multiple connection attempts failed", both)
    assert str(connect_failure(httpx_error(group), "reviews.example", None)) == OFFLINE


@pytest.mark.parametrize(("host", "bad"), [
    ("nothing.invalid", True), ("feeds.test", True), ("bad_name.example.com", True), ("-x.example.com", True),
    ("a..b.com", True), ("reviews.example", False), ("butwhytho.net", False), ("xn--bcher-kva.example", False),
])
def test_clearly_bad_names(host: str, bad: bool) -> None:
    assert clearly_bad_name(host) is bad


def fetch_error(url: str, policy: FetchPolicy | None = None) -> FetchError:
    async def go() -> FetchError:
        async with Fetcher(CollectSettings(**FAST_COLLECT), policy=policy) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(url)
            return caught.value
    return asyncio.run(go())


def test_a_real_unresolvable_name_is_a_bad_name() -> None:
    error = fetch_error("http://feeds.nothing.invalid/feed/")
    assert (error.kind, str(error)) == (ErrorKind.DNS, BAD_NAME)


def test_a_name_that_fails_while_the_sites_other_name_resolves_is_a_bad_name() -> None:
    """A real lookup: "localhost" (another of the site's names) resolves, so the failure is the name's."""
    policy = FetchPolicy(frozenset(), ("feeds.no-such-host.example", "localhost"))
    error = fetch_error("http://feeds.no-such-host.example/feed/", policy)
    assert (error.kind, str(error)) == (ErrorKind.DNS, BAD_NAME)


def test_when_no_name_of_the_site_resolves_the_network_is_called_unreachable() -> None:
    policy = FetchPolicy(frozenset(), ("feeds.no-such-host.example", "www.no-such-host.invalid"))
    error = fetch_error("http://feeds.no-such-host.example/feed/", policy)
    assert error.kind == ErrorKind.NETWORK and str(error).startswith(OFFLINE)
    assert "typo" not in str(error)


def test_a_closed_port_is_refused_not_offline() -> None:
    error = fetch_error(f"http://127.0.0.1:{unused_port()}/feed/")
    assert (error.kind, str(error)) == (ErrorKind.CONNECT, "connection refused (is the site down?)")


def collect_output(tmp_path: Path, feeds: list[str]) -> str:
    path = write_config(tmp_path, feeds)
    result = CliRunner().invoke(main, ["--config", str(path), "collect", "--now", "2025-05-19T07:00", "-q"])
    assert result.exit_code != 0, result.output
    return result.output


def test_collect_says_the_network_is_unreachable_when_no_name_resolves(tmp_path: Path) -> None:
    out = collect_output(tmp_path, ["https://feeds.no-such-host.example/feed/"])
    assert f"{OFFLINE}: no host name could be looked up" in out and "typo" not in out


def test_collect_says_typo_for_a_reserved_name(tmp_path: Path) -> None:
    out = collect_output(tmp_path, ["https://feeds.nothing.invalid/feed/"])
    assert BAD_NAME in out and "unreachable" not in out
