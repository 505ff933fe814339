"""The fetcher against real servers on loopback, including hostile ones."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.test import override_settings

from hotline.lib import fetcher
from hotline.lib.fetcher import FetchError, Limits, fetch
from hotline.testing.httpserver import Route, serve

LOOPBACK = override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
FAST = Limits(max_bytes=1024 * 1024, connect_timeout=2, read_timeout=0.5, total_timeout=2,
              max_redirects=3)


@LOOPBACK
def test_it_fetches_into_memory() -> None:
    with serve() as site:
        site.routes["/a"] = Route(body=b"<p>hello</p>", content_type="text/html")
        r = fetch(site.url("/a"), limits=FAST)
    assert r.status == 200
    assert r.body == b"<p>hello</p>"
    assert r.content_type == "text/html"
    assert r.address == "127.0.0.1"


@LOOPBACK
def test_it_sends_no_cookies_and_names_the_host() -> None:
    with serve() as site:
        site.routes["/a"] = Route(status=302, headers={"Location": "/b",
                                                       "Set-Cookie": "track=1; Path=/"})
        site.routes["/b"] = Route(body=b"ok")
        r = fetch(site.url("/a"), limits=FAST)
    assert r.body == b"ok"
    assert r.hops == [site.url("/a"), site.url("/b")]
    for _path, headers in site.requests:
        assert "Cookie" not in headers
        assert headers["Host"] == f"127.0.0.1:{site.port}"


def test_loopback_is_refused_by_default() -> None:
    with serve() as site:
        site.routes["/a"] = Route(body=b"secret")
        with pytest.raises(FetchError) as e:
            fetch(site.url("/a"), limits=FAST)
    assert e.value.reason == fetcher.PRIVATE
    assert site.requests == []


@LOOPBACK
@pytest.mark.parametrize("target", ["http://10.0.0.1/", "http://169.254.169.254/latest/",
                                    "http://127.0.0.2/", "http://[::1]/", "http://0.0.0.0/",
                                    "http://[::ffff:10.0.0.1]/"])
def test_a_redirect_to_a_private_address_is_refused(target: str) -> None:
    with serve() as site:
        site.routes["/a"] = Route(status=302, headers={"Location": target})
        with pytest.raises(FetchError) as e:
            fetch(site.url("/a"), limits=FAST)
    assert e.value.reason == fetcher.PRIVATE


@override_settings(FETCH_ALLOW_NETWORKS=["192.0.2.0/24"],  # stands for the public internet
                   DNS_RESOLVERS=[])  # the system resolver's answer is given below
def test_a_name_with_any_non_public_answer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # The resolver's answer is what is under test here, so it is given, not looked up.
    answers = [(2, 1, 6, "", ("192.0.2.10", 80)), (2, 1, 6, "", ("10.1.2.3", 80))]
    monkeypatch.setattr(fetcher.socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(FetchError) as e:
        fetcher.resolve("mixed.example.test", 80)
    assert e.value.reason == fetcher.PRIVATE
    assert "non-public address too" in e.value.detail
    monkeypatch.setattr(fetcher.socket, "getaddrinfo", lambda *a, **k: answers[:1])
    assert fetcher.resolve("public.example.test", 80) == "192.0.2.10"


@LOOPBACK
def test_redirect_loops_are_bounded() -> None:
    with serve() as site:
        site.routes["/a"] = Route(status=302, headers={"Location": "/a"})
        with pytest.raises(FetchError) as e:
            fetch(site.url("/a"), limits=FAST)
    assert e.value.reason == fetcher.REDIRECTS
    assert len(site.requests) == FAST.max_redirects + 1


@LOOPBACK
def test_a_1_gb_answer_is_refused_from_its_header() -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield b"\0" * 65536

    with serve() as site:
        site.routes["/big"] = Route(stream=endless, headers={"Content-Length": str(2**30)})
        start = time.monotonic()
        with pytest.raises(FetchError) as e:
            fetch(site.url("/big"), limits=FAST)
    assert e.value.reason == fetcher.TOO_LARGE
    assert time.monotonic() - start < 30  # bounded, not a timing target


@LOOPBACK
def test_an_endless_answer_without_length_stops_at_the_limit() -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield b"\0" * 65536

    with serve() as site:
        site.routes["/big"] = Route(stream=endless)
        with pytest.raises(FetchError) as e:
            fetch(site.url("/big"), limits=FAST)
    assert e.value.reason == fetcher.TOO_LARGE


@LOOPBACK
def test_a_server_that_never_answers_times_out() -> None:
    with serve() as site:
        site.routes["/slow"] = Route(body=b"late", delay=5)
        with pytest.raises(FetchError) as e:
            fetch(site.url("/slow"), limits=FAST)
    assert e.value.reason == fetcher.TIMEOUT


@LOOPBACK
def test_a_slow_drip_hits_the_total_deadline() -> None:
    def drip() -> Iterator[bytes]:
        while True:
            time.sleep(0.2)
            yield b"x"

    with serve() as site:
        site.routes["/drip"] = Route(stream=drip)
        with pytest.raises(FetchError) as e:
            fetch(site.url("/drip"), limits=FAST)
    assert e.value.reason == fetcher.TIMEOUT


def test_only_web_addresses() -> None:
    for url in ["ftp://example.test/", "file:///etc/passwd", "http:///x"]:
        with pytest.raises(FetchError) as e:
            fetch(url, limits=FAST)
        assert e.value.reason == fetcher.BAD_URL


@LOOPBACK
def test_a_closed_port_is_a_connect_error() -> None:
    with serve() as site:
        port = site.port
    with pytest.raises(FetchError) as e:
        fetch(f"http://127.0.0.1:{port}/", limits=FAST)
    assert e.value.reason == fetcher.CONNECT
