"""The fetcher through HTTP and SOCKS5 proxies: onion names go to Tor, every other name is
resolved and checked here and the proxy is asked for the checked address (pinning)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import dns.resolver
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from hotline import settings as hotline_settings
from hotline.lib import fetcher
from hotline.lib.fetcher import FetchError, Limits, fetch
from hotline.testing.dns import Rebinding, dns_server, resolvers
from hotline.testing.httpproxy import http_proxy
from hotline.testing.httpserver import Route, serve
from hotline.testing.socks5 import socks5_proxy
from hotline.testing.tcpserver import tcp_server
from hotline.testing.tls import server_context, trust_test_ca

LOOPBACK = override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
FAST = Limits(max_bytes=1024 * 1024, connect_timeout=5, read_timeout=5, total_timeout=10,
              max_redirects=3)
ONION = "gallery4testxyz.onion"  # made up for tests
PAGE = b"<p>the page (a stand-in)</p>"


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[list[str]]:
    """Every name given to the system resolver (addresses to connect to pass as they are)."""
    settings.DNS_RESOLVERS = []  # the system resolver, not the tests' dead one
    asked: list[str] = []
    real = socket.getaddrinfo

    def spy(host: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    yield asked


@LOOPBACK
def test_an_onion_address_is_fetched_through_socks5_without_a_local_lookup(
        lookups: list[str]) -> None:
    queries: list[tuple[str, str]] = []
    with serve() as site, dns_server({}, log=queries) as port, \
            override_settings(DNS_RESOLVERS=resolvers(port)), \
            socks5_proxy({ONION: "127.0.0.1"}) as proxy, override_settings(FETCH_PROXY=proxy.url):
        site.routes["/a"] = Route(body=PAGE)
        response = fetch(f"http://{ONION}:{site.port}/a", limits=FAST)
    assert response.body == PAGE
    assert proxy.asked == [("name", ONION, site.port)]
    assert site.requests[0][1]["Host"] == f"{ONION}:{site.port}"
    assert queries == []
    assert not [name for name in lookups if "onion" in name]


@LOOPBACK
@pytest.mark.parametrize("proxy_kind", ["none", "http"])
def test_without_a_socks5_proxy_an_onion_address_is_a_clear_error(
        proxy_kind: str, lookups: list[str]) -> None:
    queries: list[tuple[str, str]] = []
    with dns_server({}, log=queries) as port, override_settings(DNS_RESOLVERS=resolvers(port)), \
            http_proxy() as proxy:
        with override_settings(FETCH_PROXY=proxy.url if proxy_kind == "http" else ""), \
                pytest.raises(FetchError) as e:
            fetch(f"http://{ONION}/", limits=FAST)
    assert e.value.reason == fetcher.ONION_NEEDS_PROXY
    assert queries == [] and lookups == [] and proxy.asked == []


@LOOPBACK
def test_a_redirect_to_an_onion_address_goes_through_socks5() -> None:
    with serve() as site, socks5_proxy({ONION: "127.0.0.1"}) as proxy, \
            override_settings(FETCH_PROXY=proxy.url):
        site.routes["/a"] = Route(status=302, headers={"Location": f"http://{ONION}:{site.port}/b"})
        site.routes["/b"] = Route(body=PAGE)
        response = fetch(site.url("/a"), limits=FAST)
    assert response.body == PAGE
    assert proxy.asked == [("ipv4", "127.0.0.1", site.port), ("name", ONION, site.port)]
    assert response.address == ""  # the proxy resolved the onion name, not us


def _resolving_with(port: int) -> Any:
    """A proxy's own DNS: the test's loopback server."""
    def resolve(name: str) -> str:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers, resolver.port, resolver.lifetime = ["127.0.0.1"], port, 2
        return str(resolver.resolve(name, "A")[0])
    return resolve


@LOOPBACK
def test_an_http_proxy_is_asked_for_the_checked_address_not_the_name() -> None:
    # The name answers 127.0.0.1 (allowed here, as a public address would be) to the check,
    # then 127.0.0.2 (an internal address) to anyone who asks again, as the proxy would.
    zone = {"rebind.example.test": Rebinding([("A", "127.0.0.1")], [("A", "127.0.0.2")])}
    with serve() as site, dns_server(zone) as port, \
            override_settings(DNS_RESOLVERS=resolvers(port)), \
            http_proxy(resolve=_resolving_with(port)) as proxy, \
            override_settings(FETCH_PROXY=proxy.url):
        site.routes["/a"] = Route(body=PAGE)
        response = fetch(f"http://rebind.example.test:{site.port}/a", limits=FAST)
    assert proxy.asked == [("CONNECT", f"127.0.0.1:{site.port}")]
    assert response.body == PAGE and response.address == "127.0.0.1"
    assert site.requests[0][1]["Host"] == f"rebind.example.test:{site.port}"


@LOOPBACK
@pytest.mark.parametrize("kind", ["http", "socks5"])
def test_https_through_a_proxy_is_pinned_and_names_the_host_in_tls(
        kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    trust_test_ca(monkeypatch)
    tls = server_context("secure.example.test")
    zone = {"secure.example.test": [("A", "127.0.0.1")]}
    proxies: dict[str, Callable[[], AbstractContextManager[Any]]] = {
        "http": http_proxy, "socks5": socks5_proxy}
    with serve(tls=tls) as site, dns_server(zone) as port, \
            override_settings(DNS_RESOLVERS=resolvers(port)), proxies[kind]() as proxy, \
            override_settings(FETCH_PROXY=proxy.url):
        site.routes["/a"] = Route(body=PAGE)
        response = fetch(f"https://secure.example.test:{site.port}/a", limits=FAST)
    assert response.body == PAGE  # the certificate was checked against the name
    assert tls.sni_names == ["secure.example.test"]
    assert site.requests[0][1]["Host"] == f"secure.example.test:{site.port}"
    if kind == "http":
        assert proxy.asked == [("CONNECT", f"127.0.0.1:{site.port}")]
    else:
        assert proxy.asked == [("ipv4", "127.0.0.1", site.port)]


@LOOPBACK
def test_socks5_gets_the_checked_address_of_an_ordinary_name() -> None:
    zone = {"www.example.test": [("A", "127.0.0.1")]}
    with serve() as site, dns_server(zone) as port, \
            override_settings(DNS_RESOLVERS=resolvers(port)), socks5_proxy() as proxy, \
            override_settings(FETCH_PROXY=proxy.url):
        site.routes["/a"] = Route(body=PAGE)
        assert fetch(f"http://www.example.test:{site.port}/a", limits=FAST).body == PAGE
    assert proxy.asked == [("ipv4", "127.0.0.1", site.port)]


@LOOPBACK
def test_a_private_address_never_reaches_the_proxy() -> None:
    with socks5_proxy() as proxy, override_settings(FETCH_PROXY=proxy.url), \
            pytest.raises(FetchError) as e:
        fetch("http://10.0.0.1/", limits=FAST)
    assert e.value.reason == fetcher.PRIVATE
    assert proxy.asked == []


@LOOPBACK
def test_what_the_proxy_cannot_reach_is_a_connect_error_and_a_dead_proxy_a_proxy_error() -> None:
    with socks5_proxy() as proxy, override_settings(FETCH_PROXY=proxy.url):
        with pytest.raises(FetchError) as e:
            fetch("http://unknown4test.onion/", limits=FAST)  # the proxy knows no such name
        assert e.value.reason == fetcher.CONNECT
        dead = proxy.url
    with override_settings(FETCH_PROXY=dead), pytest.raises(FetchError) as e:
        fetch(f"http://{ONION}/", limits=FAST)
    assert e.value.reason == fetcher.PROXY


@LOOPBACK
def test_an_http_proxy_that_refuses_is_a_proxy_error() -> None:
    with http_proxy() as proxy, override_settings(FETCH_PROXY=proxy.url):
        with pytest.raises(FetchError) as e:
            fetch("http://127.0.0.1:9/", limits=FAST)  # the test proxy: 502, port 9 is closed
    assert e.value.reason == fetcher.PROXY
    assert "502" in e.value.detail


@LOOPBACK
def test_a_proxy_that_never_answers_is_left_at_the_total_limit() -> None:
    def silent(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait(60)

    limits = Limits(max_bytes=1024, connect_timeout=20, read_timeout=20, total_timeout=1.5)
    with tcp_server(silent) as server:
        for scheme in ("socks5", "http"):
            start = time.monotonic()
            with override_settings(FETCH_PROXY=f"{scheme}://127.0.0.1:{server.port}"), \
                    pytest.raises(FetchError) as e:
                fetch(f"http://{ONION}/" if scheme == "socks5" else "http://127.0.0.1/",
                      limits=limits)
            assert e.value.reason == fetcher.TIMEOUT
            assert time.monotonic() - start < 6  # the server would hold it for 60 s


@pytest.mark.parametrize("value", ["https://127.0.0.1:3128", "socks4://127.0.0.1:1080",
                                   "socks5://127.0.0.1", "127.0.0.1:9050",
                                   "socks5://user@127.0.0.1:9050"])
def test_a_proxy_setting_it_cannot_use_is_refused_loudly(
        value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_PROXY", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_PROXY") as e:
        hotline_settings.envproxy("SOME_PROXY")
    assert "secret" not in str(e.value)


def test_a_refused_proxy_setting_does_not_print_its_password(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_PROXY", "socks4://user:secret@127.0.0.1:1080")
    with pytest.raises(ImproperlyConfigured, match="SOME_PROXY") as e:
        hotline_settings.envproxy("SOME_PROXY")
    assert "secret" not in str(e.value)


def test_proxy_settings_it_can_use(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ["http://127.0.0.1:3128", "socks5://127.0.0.1:9050",
                  "socks5h://[::1]:9050", "socks5://capture-7:x%40y@127.0.0.1:9050", ""]:
        monkeypatch.setenv("SOME_PROXY", value)
        assert hotline_settings.envproxy("SOME_PROXY") == value


@LOOPBACK
def test_proxy_credentials_are_given_to_either_kind_of_proxy() -> None:
    # Tor puts captures that give different credentials on different circuits.
    credentials = ("capture-7", "p@ss:word")
    with serve() as site, socks5_proxy({ONION: "127.0.0.1"}, credentials=credentials) as socks, \
            http_proxy(credentials=credentials) as http:
        site.routes["/a"] = Route(body=PAGE)
        with override_settings(FETCH_PROXY=socks.url_with(*credentials)):
            assert fetch(f"http://{ONION}:{site.port}/a", limits=FAST).body == PAGE
        with override_settings(FETCH_PROXY=http.url_with(*credentials)):
            assert fetch(site.url("/a"), limits=FAST).body == PAGE
        for proxy in (socks, http):
            with override_settings(FETCH_PROXY=proxy.url_with("capture-7", "wrong")), \
                    pytest.raises(FetchError) as e:
                fetch(f"http://{ONION}:{site.port}/a" if proxy is socks else site.url("/a"),
                      limits=FAST)
            assert e.value.reason == fetcher.PROXY
            assert "wrong" not in str(e.value)
