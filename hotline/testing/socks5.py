"""A SOCKS5 proxy on loopback for tests (RFC 1928: CONNECT; no authentication, or a user
name and password (RFC 1929) when given ``credentials``).

It records what it was asked to connect to, as ``(kind, host, port)`` with kind ``name``,
``ipv4`` or ``ipv6``, and reaches only loopback: a name must be one the test maps (as Tor maps
an onion name to its service), an address must be a loopback one.

    with socks5_proxy({"gallery4testxyz.onion": "127.0.0.1"}) as proxy:
        with override_settings(FETCH_PROXY=proxy.url):
            ...
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

from .tcpserver import exactly, relay, tcp_server

SUCCEEDED, NOT_ALLOWED, HOST_UNREACHABLE, REFUSED, UNSUPPORTED = 0, 2, 4, 5, 7


@dataclass
class Socks5Proxy:
    names: Mapping[str, str]
    credentials: tuple[str, str] | None = None
    port: int = 0
    asked: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        return f"socks5://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket, stop: threading.Event) -> None:
        _version, count = exactly(conn, 2)
        method = 2 if self.credentials else 0
        if method not in exactly(conn, count):
            conn.sendall(b"\x05\xff")  # no acceptable method: the client must not go on
            return
        conn.sendall(bytes([5, method]))
        if self.credentials and not self._authenticated(conn):
            return
        _version, command, _reserved, kind = exactly(conn, 4)
        host, named = self._address(conn, kind)
        port = int.from_bytes(exactly(conn, 2), "big")
        self.asked.append((named, host, port))
        if command != 1:
            return _reply(conn, UNSUPPORTED)
        address = self.names.get(host) if named == "name" else host
        if address is None:
            return _reply(conn, HOST_UNREACHABLE)
        if not ipaddress.ip_address(address).is_loopback:
            return _reply(conn, NOT_ALLOWED)  # a test proxy reaches nothing but loopback
        try:
            upstream = socket.create_connection((address, port), timeout=5)
        except OSError:
            return _reply(conn, REFUSED)
        with upstream:
            _reply(conn, SUCCEEDED)
            relay(conn, upstream, stop)

    def _authenticated(self, conn: socket.socket) -> bool:
        _version, length = exactly(conn, 2)
        user = exactly(conn, length).decode("utf-8")
        password = exactly(conn, exactly(conn, 1)[0]).decode("utf-8")
        good = (user, password) == self.credentials
        conn.sendall(b"\x01\x00" if good else b"\x01\x01")
        return good

    @staticmethod
    def _address(conn: socket.socket, kind: int) -> tuple[str, str]:
        if kind == 1:
            return socket.inet_ntop(socket.AF_INET, exactly(conn, 4)), "ipv4"
        if kind == 4:
            return socket.inet_ntop(socket.AF_INET6, exactly(conn, 16)), "ipv6"
        length = exactly(conn, 1)[0]
        return exactly(conn, length).decode("ascii"), "name"


def _reply(conn: socket.socket, code: int) -> None:
    conn.sendall(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))  # bound address 0.0.0.0:0


@contextmanager
def socks5_proxy(names: Mapping[str, str] | None = None,
                 credentials: tuple[str, str] | None = None) -> Iterator[Socks5Proxy]:
    proxy = Socks5Proxy(names=dict(names or {}), credentials=credentials)
    with tcp_server(proxy.handle) as server:
        proxy.port = server.port
        yield proxy
