"""A wall-clock deadline over a whole HTTP exchange, as an httpcore network backend.

httpx's time-outs bound each step (connect, one read, one write), not their sum: a server
that sends a byte just before each read time-out, or never finishes its headers, holds a
fetch for as long as it likes. Here every connect, TLS handshake, read and write is given
at most the time left before the deadline, and fails with a time-out once none is left.
The connection pool and the proxy tunnels (:mod:`hotline.lib.tunnels`) all go through it.
"""

from __future__ import annotations

import ssl
import time
import typing
from collections.abc import Iterable

import httpcore
from httpcore import NetworkBackend, NetworkStream

SocketOption = typing.Any  # httpcore's SOCKET_OPTION, private to it


class Deadline:
    """A moment on the monotonic clock after which the exchange is over."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()

    def clamp(self, timeout: float | None, error: type[Exception]) -> float:
        """timeout, shortened to the time left; raise error when none is left."""
        left = self.left()
        if left <= 0:
            raise error("the whole fetch took too long")
        return left if timeout is None else min(timeout, left)


class DeadlineStream(NetworkStream):
    """A network stream whose every operation ends by the deadline."""

    def __init__(self, stream: NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        # A plain read returns as soon as any byte arrives, and a TLS read is bounded as a
        # whole by the standard library, so each read ends by the deadline.
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # The fetcher writes only request heads, a few hundred bytes, which the kernel's send
        # buffer takes in one call: the clamp on that call bounds the write.
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> NetworkStream:
        # The standard library bounds the whole handshake by the time-out it is given.
        timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout),
                              self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(NetworkBackend):
    """Connections made by backend, each bounded by the deadline from connect to close."""

    def __init__(self, backend: NetworkBackend, deadline: Deadline) -> None:
        self._backend = backend
        self._deadline = deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[SocketOption] | None = None) -> NetworkStream:
        timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[SocketOption] | None = None,
                            ) -> NetworkStream:
        raise httpcore.ConnectError("the fetcher connects over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(self._deadline.left(), 0)))
