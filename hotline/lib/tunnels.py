"""Connections through a proxy, as httpcore network backends: HTTP CONNECT and SOCKS5.

Each ``connect_tcp(host, port)`` opens a tunnel to host:port through the proxy and returns it
as the connection; the pool above then speaks HTTP (or TLS, with the name it chooses for SNI)
through it as if it were direct. So the fetcher decides exactly what the proxy is asked for:
the address it checked, or an onion name only Tor can resolve. httpx's own proxy support
cannot do that: through an HTTP proxy it names the TLS server after the connected host (an
IP address, when pinned), and it forwards plain http in absolute form, which lets the proxy
rewrite Host and add headers (Via) that tell a site a robot is asking.

Every tunnel is opened over the backend given (in the fetcher: the deadline's), so the proxy's
answers are bounded like any other read.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import typing
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import httpcore
from httpcore import NetworkBackend, NetworkStream

SocketOption = typing.Any  # httpcore's SOCKET_OPTION, private to it
SCHEMES = ("http", "socks5", "socks5h")  # socks5h: the same here (see tunnel_backend)
MAX_HEAD = 16 * 1024  # bytes of a proxy's answer to CONNECT
# SOCKS5 replies (RFC 1928) that mean the proxy could not reach the target, as a refused or
# failed direct connection would; the others are the proxy's own failure.
_UNREACHABLE = {3: "network unreachable", 4: "host unreachable", 5: "connection refused",
                6: "TTL expired"}


class Proxy(NamedTuple):
    scheme: str
    host: str
    port: int
    # A user name and password for the proxy (HTTP: Basic; SOCKS5: RFC 1929), or None.
    credentials: tuple[str, str] | None = None


def parse_proxy(url: str) -> Proxy:
    """The proxy a FETCH_PROXY value names; ValueError, which never repeats the password,
    when it cannot be used."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None:
        raise ValueError("a proxy is http://host:port or socks5://host:port") from None
    if (parts.username is None) != (parts.password is None):
        raise ValueError("a proxy's credentials are user:password@, both or neither")
    credentials = None
    if parts.username is not None and parts.password is not None:
        credentials = (unquote(parts.username), unquote(parts.password))
        if max(len(part.encode()) for part in credentials) > 255:
            raise ValueError("a proxy's user name and password are at most 255 bytes each")
    return Proxy(parts.scheme, parts.hostname, port, credentials)


def tunnel_backend(proxy: Proxy, backend: NetworkBackend) -> NetworkBackend:
    """socks5 and socks5h alike send names to the proxy: the fetcher only gives it names it
    must not resolve itself (onion), and addresses otherwise."""
    if proxy.scheme == "http":
        return HTTPConnectBackend(proxy, backend)
    return SOCKS5Backend(proxy, backend)


class _TunnelBackend(NetworkBackend):
    def __init__(self, proxy: Proxy, backend: NetworkBackend) -> None:
        self.proxy = proxy
        self._backend = backend

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[SocketOption] | None = None) -> NetworkStream:
        try:
            stream = self._backend.connect_tcp(self.proxy.host, self.proxy.port, timeout,
                                               local_address, socket_options)
        except httpcore.ConnectError as e:
            raise httpcore.ProxyError(f"proxy {self.proxy.host}:{self.proxy.port}: {e}") from None
        try:
            self.open(stream, host.strip("[]"), port, timeout)
        except BaseException:
            stream.close()
            raise
        return stream

    def open(self, stream: NetworkStream, host: str, port: int, timeout: float | None) -> None:
        raise NotImplementedError

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[SocketOption] | None = None,
                            ) -> NetworkStream:
        raise httpcore.ConnectError("the fetcher connects over TCP only")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class HTTPConnectBackend(_TunnelBackend):
    """Tunnels with CONNECT host:port (RFC 9110 §9.3.6), for http and https alike."""

    def open(self, stream: NetworkStream, host: str, port: int, timeout: float | None) -> None:
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        head = f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n"
        if self.proxy.credentials:
            token = base64.b64encode(":".join(self.proxy.credentials).encode()).decode("ascii")
            head += f"Proxy-Authorization: Basic {token}\r\n"
        stream.write(f"{head}\r\n".encode("ascii"), timeout)
        self._answer(stream, timeout)

    @staticmethod
    def _answer(stream: NetworkStream, timeout: float | None) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = stream.read(4096, timeout)
            if not chunk or len(head) + len(chunk) > MAX_HEAD:
                raise httpcore.ProxyError("the proxy's answer to CONNECT was cut or too long")
            head += chunk
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        code = status.split(" ", 2)[1] if status.count(" ") else ""
        if not status.startswith("HTTP/1.") or not code.startswith("2"):
            raise httpcore.ProxyError(f"the proxy answered CONNECT with {status[:100]!r}")
        if not head.endswith(b"\r\n\r\n"):
            # Nothing may follow the answer: the server speaks only after the client.
            raise httpcore.ProxyError("the proxy sent more than its answer to CONNECT")


class SOCKS5Backend(_TunnelBackend):
    """Tunnels with a SOCKS5 CONNECT (RFC 1928; a user name and password by RFC 1929 when
    configured), an address as an address and a name as a name, which the proxy resolves
    (Tor, for onion names)."""

    def open(self, stream: NetworkStream, host: str, port: int, timeout: float | None) -> None:
        # One method offered: the password when there is one (never a silent fall back to
        # none, which would share Tor circuits between captures), else no authentication.
        method = 2 if self.proxy.credentials else 0
        stream.write(bytes([5, 1, method]), timeout)
        if _exactly(stream, 2, timeout) != bytes([5, method]):
            raise httpcore.ProxyError("the SOCKS5 proxy wants a method the fetcher lacks")
        if self.proxy.credentials:
            self._authenticate(stream, self.proxy.credentials, timeout)
        stream.write(b"\x05\x01\x00" + _socks_address(host) + port.to_bytes(2, "big"), timeout)
        version, reply, _reserved, kind = _exactly(stream, 4, timeout)
        if version != 5:
            raise httpcore.ProxyError("the proxy does not speak SOCKS5")
        if reply in _UNREACHABLE:
            raise httpcore.ConnectError(f"through the proxy: {_UNREACHABLE[reply]}")
        if reply != 0:
            raise httpcore.ProxyError(f"the SOCKS5 proxy refused (reply {reply})")
        bound = {1: 4, 4: 16}.get(kind) or _exactly(stream, 1, timeout)[0]
        _exactly(stream, bound + 2, timeout)  # the proxy's own address and port: not needed

    @staticmethod
    def _authenticate(stream: NetworkStream, credentials: tuple[str, str],
                      timeout: float | None) -> None:
        user, password = (part.encode() for part in credentials)
        stream.write(bytes([1, len(user)]) + user + bytes([len(password)]) + password, timeout)
        if _exactly(stream, 2, timeout)[1] != 0:
            raise httpcore.ProxyError("the SOCKS5 proxy refused the user name or password")


def _socks_address(host: str) -> bytes:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.encode("ascii")
        if not 0 < len(name) < 256:
            raise httpcore.ProxyError("a name too long for SOCKS5") from None
        return b"\x03" + bytes([len(name)]) + name
    if address.version == 4:
        return b"\x01" + socket.inet_pton(socket.AF_INET, host)
    return b"\x04" + socket.inet_pton(socket.AF_INET6, host)


def _exactly(stream: NetworkStream, count: int, timeout: float | None) -> bytes:
    data = b""
    while len(data) < count:
        chunk = stream.read(count - len(data), timeout)
        if not chunk:
            raise httpcore.ProxyError("the SOCKS5 proxy closed the connection")
        data += chunk
    return data
