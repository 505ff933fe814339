"""An HTTP proxy on loopback for tests that tunnels with CONNECT (and refuses anything else).

It records each request line's method and target in ``asked`` and reaches only loopback. A
name in a CONNECT is resolved by the test's ``resolve`` function, as a real proxy would with
its own DNS (a test gives one that asks its loopback DNS server); without one, names are
refused. With ``credentials`` (user, password) it answers 407 to a CONNECT without them.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

from .tcpserver import read_request, relay, tcp_server


@dataclass
class HTTPProxy:
    resolve: Callable[[str], str] | None = None
    credentials: tuple[str, str] | None = None
    port: int = 0
    asked: list[tuple[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        return f"http://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket, stop: threading.Event) -> None:
        line, *fields = read_request(conn).decode("latin-1").split("\r\n")
        method, target = [*line.split(" "), "", ""][:2]
        self.asked.append((method, target))
        if method != "CONNECT":
            return _answer(conn, "405 Method Not Allowed")
        if self.credentials and _authorization(fields) != self.credentials:
            return _answer(conn, "407 Proxy Authentication Required")
        host, _, port = target.rpartition(":")
        address = self._address(host.strip("[]"))
        if address is None or not ipaddress.ip_address(address).is_loopback:
            return _answer(conn, "403 Forbidden")  # a test proxy reaches nothing but loopback
        try:
            upstream = socket.create_connection((address, int(port)), timeout=5)
        except OSError:
            return _answer(conn, "502 Bad Gateway")
        with upstream:
            _answer(conn, "200 Connection established")
            relay(conn, upstream, stop)

    def _address(self, host: str) -> str | None:
        try:
            return str(ipaddress.ip_address(host))
        except ValueError:
            return self.resolve(host) if self.resolve else None


def _authorization(fields: list[str]) -> tuple[str, str] | None:
    for field_line in fields:
        name, _, value = field_line.partition(":")
        scheme, _, encoded = value.strip().partition(" ")
        if name.strip().lower() == "proxy-authorization" and scheme.lower() == "basic":
            user, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
            return user, password
    return None


def _answer(conn: socket.socket, status: str) -> None:
    conn.sendall(f"HTTP/1.1 {status}\r\n\r\n".encode("ascii"))


@contextmanager
def http_proxy(resolve: Callable[[str], str] | None = None,
               credentials: tuple[str, str] | None = None) -> Iterator[HTTPProxy]:
    proxy = HTTPProxy(resolve=resolve, credentials=credentials)
    with tcp_server(proxy.handle) as server:
        proxy.port = server.port
        yield proxy
