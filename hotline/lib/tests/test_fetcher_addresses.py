"""Which addresses the fetcher refuses, and what it does with a redirect it cannot follow.

None of these tests reaches a server: a refused address is refused before any connection,
and a malformed target before any lookup.
"""

from __future__ import annotations

import ipaddress

import pytest
from django.test import override_settings

from hotline.lib import fetcher
from hotline.lib.fetcher import FetchError, Limits, fetch
from hotline.testing.dns import dns_server, resolvers
from hotline.testing.httpserver import Route, Site, serve
from hotline.testing.tls import server_context, trust_test_ca

LOOPBACK = override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
FAST = Limits(max_bytes=1024 * 1024, connect_timeout=2, read_timeout=2, total_timeout=5,
              max_redirects=3)

# IPv6 forms that carry a private IPv4 address (10.0.0.1, or the cloud metadata address).
EMBEDDED_PRIVATE = {
    "ipv4-mapped": "::ffff:10.0.0.1",
    "ipv4-compatible": "::10.0.0.1",
    "nat64 well-known prefix": "64:ff9b::10.0.0.1",
    "nat64 metadata": "64:ff9b::169.254.169.254",
    "nat64 local-use prefix": "64:ff9b:1::a00:1",
    "6to4": "2002:a00:1::1",
    "6to4 metadata": "2002:a9fe:a9fe::",
    "teredo client": "2001:0:c000:201::f5ff:fffe",
}


@pytest.mark.parametrize("form", EMBEDDED_PRIVATE)
def test_ipv6_forms_of_private_ipv4_addresses_are_refused(form: str) -> None:
    address = EMBEDDED_PRIVATE[form]
    assert not fetcher.allowed_address(ipaddress.ip_address(address))
    with pytest.raises(FetchError) as e:
        fetch(f"http://[{address}]/", limits=FAST)
    assert e.value.reason == fetcher.PRIVATE


@override_settings(FETCH_ALLOW_NETWORKS=["192.0.2.0/24"])  # stands for the public internet
def test_the_embedded_address_decides_for_nat64() -> None:
    # A NAT64 address reaches the IPv4 host inside it: with that host public (here: allowed),
    # the address is as acceptable as the host.
    assert fetcher.allowed_address(ipaddress.ip_address("64:ff9b::192.0.2.1"))
    assert not fetcher.allowed_address(ipaddress.ip_address("64:ff9b::198.51.100.1"))


@override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
def test_loopback_allowed_for_tests_does_not_open_other_embeddings() -> None:
    assert fetcher.allowed_address(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not fetcher.allowed_address(ipaddress.ip_address("64:ff9b::127.0.0.2"))
    assert not fetcher.allowed_address(ipaddress.ip_address("::1"))


MALFORMED_LOCATIONS = {
    "unclosed ipv6 bracket": "http://[::1",
    "space in the host": "http://exa mple.test/",
    "port out of range": "http://example.test:99999/",
    "port not a number": "http://example.test:8o/",
    "unknown scheme": "gopher://example.test/",
    "javascript": "javascript:alert(1)",
    "no host": "http://:8080/only-a-path",
    "over 4 KB": "http://example.test/" + "a" * 4100,
    "empty label": "http://example..test/",
}


@LOOPBACK
@pytest.mark.parametrize("kind", MALFORMED_LOCATIONS)
def test_a_malformed_redirect_target_is_a_clear_error(kind: str) -> None:
    # The loopback DNS server would see any lookup: a malformed target must make none.
    queries: list[tuple[str, str]] = []
    with dns_server({}, log=queries) as port, override_settings(DNS_RESOLVERS=resolvers(port)):
        with serve() as site:
            site.routes["/a"] = Route(status=302, headers={"Location": MALFORMED_LOCATIONS[kind]})
            with pytest.raises(FetchError) as e:
                fetch(site.url("/a"), limits=FAST)
    assert e.value.reason == fetcher.BAD_REDIRECT
    assert queries == []
    assert [path for path, _headers in site.requests] == ["/a"]


def test_a_malformed_address_to_fetch_is_a_bad_url() -> None:
    for url in ["http://[::1", "http://exa mple.test/", "http://example.test:99999/",
                "http://example.test/" + "a" * 4100]:
        with pytest.raises(FetchError) as e:
            fetch(url, limits=FAST)
        assert e.value.reason == fetcher.BAD_URL, url


@LOOPBACK
def test_a_redirect_to_another_name_on_the_same_address_gets_its_own_tls_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # One server, one address, a certificate for a.example.test only: b.example.test must
    # not ride on the connection that was checked for a.example.test.
    trust_test_ca(monkeypatch)
    zone = {"a.example.test": [("A", "127.0.0.1")], "b.example.test": [("A", "127.0.0.1")]}
    keeping = Site()
    keeping.keep_alive = True  # the connection to a.example.test stays open for reuse
    with dns_server(zone) as port, override_settings(DNS_RESOLVERS=resolvers(port)), \
            serve(keeping, tls=server_context("a.example.test")) as site:
        site.routes["/a"] = Route(status=302, headers={
            "Location": f"https://b.example.test:{site.port}/b"})
        site.routes["/b"] = Route(body=b"for b only")
        with pytest.raises(FetchError) as e:
            fetch(f"https://a.example.test:{site.port}/a", limits=FAST)
    assert e.value.reason == fetcher.CONNECT
    assert "CERTIFICATE_VERIFY_FAILED" in e.value.detail
    assert [path for path, _headers in site.requests] == ["/a"]
