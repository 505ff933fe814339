"""The fetcher's total time limit holds for the whole exchange, against servers that stall.

Every test gives the fetch a total limit of 1.5 s and per-step time-outs far above it, faces
it with a server that would hold it for a minute, and asserts that it ended with a time-out
well within 6 s: the limit held, whatever the server did. (This is a bound, not a speed.)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings

from hotline.lib import fetcher
from hotline.lib.fetcher import FetchError, Limits, fetch
from hotline.testing.dns import DROP, dns_server, resolvers
from hotline.testing.httpserver import Route, serve
from hotline.testing.tcpserver import drip, read_request, tcp_server

LOOPBACK = override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
# Each step alone may take 20 s; the whole fetch only 1.5 s.
LIMITS = Limits(max_bytes=1024 * 1024, connect_timeout=20, read_timeout=20, total_timeout=1.5,
                max_redirects=10)
BOUND = 6.0  # seconds: the limit plus room for a busy machine; the servers would hold 60 s


def _timed_out(url: str) -> float:
    """Seconds the fetch of url took to fail with a time-out."""
    start = time.monotonic()
    with pytest.raises(FetchError) as e:
        fetch(url, limits=LIMITS)
    assert e.value.reason == fetcher.TIMEOUT, e.value
    return time.monotonic() - start


@LOOPBACK
def test_a_server_that_never_sends_headers_is_left_at_the_limit() -> None:
    def silent(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        stop.wait(60)

    with tcp_server(silent) as server:
        assert _timed_out(server.url("/")) < BOUND


@LOOPBACK
def test_a_server_that_drips_its_header_bytes_is_left_at_the_limit() -> None:
    def slow_headers(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        drip(conn, b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 120 + b"\r\n\r\n", 0.5, stop)

    with tcp_server(slow_headers) as server:
        assert _timed_out(server.url("/")) < BOUND


@LOOPBACK
def test_a_server_that_drips_its_body_is_left_at_the_limit() -> None:
    def slow_body(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 120\r\n\r\n")
        drip(conn, b"x" * 120, 0.5, stop)

    with tcp_server(slow_body) as server:
        assert _timed_out(server.url("/")) < BOUND


@LOOPBACK
def test_a_stalled_tls_handshake_is_left_at_the_limit() -> None:
    def no_server_hello(conn: socket.socket, stop: threading.Event) -> None:
        conn.recv(4096)  # the ClientHello, never answered
        stop.wait(60)

    with tcp_server(no_server_hello) as server:
        assert _timed_out(server.url("/", scheme="https")) < BOUND


@LOOPBACK
def test_the_limit_covers_every_redirect_hop() -> None:
    # Each hop is answered within its own time-outs, but together they take longer.
    with serve() as site:
        site.routes["/loop"] = Route(status=302, headers={"Location": "/loop"}, delay=0.4)
        assert _timed_out(site.url("/loop")) < BOUND
    assert len(site.requests) < LIMITS.max_redirects


@LOOPBACK
@override_settings(DNS_TIMEOUT=30)
def test_a_resolver_that_never_answers_is_left_at_the_limit() -> None:
    with dns_server({"slow.example.test": DROP}) as port, \
            override_settings(DNS_RESOLVERS=resolvers(port)):
        assert _timed_out("http://slow.example.test/") < BOUND


@pytest.fixture
def hanging_system_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    # The system resolver cannot be pointed at a test server without changing the machine's
    # configuration, so its call is replaced by one that hangs (until the test ends).
    asked: list[str] = []
    release = threading.Event()
    real: Callable[..., Any] = socket.getaddrinfo

    def hang(host: str, *args: Any, **kwargs: Any) -> Any:
        if host.endswith(".example.test"):
            asked.append(host)
            release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "gave up")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    yield asked
    release.set()


@LOOPBACK
@override_settings(DNS_RESOLVERS=[])
def test_a_system_resolver_that_hangs_is_left_at_the_limit(
        hanging_system_resolver: list[str]) -> None:
    assert _timed_out("http://hangs.example.test/") < BOUND
    assert hanging_system_resolver == ["hangs.example.test"]
