"""A raw TCP server on loopback for tests: every connection runs a function the test gives.

For servers that misbehave below HTTP, which http.server cannot play: one that accepts and
never answers, one that drips the bytes of its headers.

    def tarpit(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        stop.wait(60)          # holds the connection until the test ends

    with tcp_server(tarpit) as server:
        fetch(server.url("/"))

``stop`` is set when the test leaves the block, so that no handler outlives its test.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Handler = Callable[[socket.socket, threading.Event], None]


@dataclass
class TCPServer:
    port: int
    stop: threading.Event = field(default_factory=threading.Event)
    connections: int = 0

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


def read_request(conn: socket.socket, limit: int = 65536) -> bytes:
    """The bytes of one request head (up to the blank line), or what came before EOF."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def drip(conn: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    """Send data one byte at a time, a byte every `every` seconds, until done or stopped."""
    for i in range(len(data)):
        if stop.wait(every):
            return
        conn.sendall(data[i:i + 1])


@contextmanager
def tcp_server(handle: Handler) -> Iterator[TCPServer]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # so that the accepting thread notices the end of the test
    server = TCPServer(port=listener.getsockname()[1])

    def serve_one(conn: socket.socket) -> None:
        with conn:
            try:
                handle(conn, server.stop)
            except OSError:
                pass  # the client gave up: that is what these servers are for

    def accept() -> None:
        while not server.stop.is_set():
            try:
                conn, _peer = listener.accept()
            except TimeoutError:
                continue
            server.connections += 1
            conn.settimeout(None)
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        thread.join(timeout=5)
        listener.close()


def relay(one: socket.socket, other: socket.socket, stop: threading.Event) -> None:
    """Pass bytes both ways between two connections until either closes (a proxy's tunnel)."""
    peers = {one: other, other: one}
    while not stop.is_set():
        ready, _, _ = select.select(list(peers), [], [], 0.1)
        for sock in ready:
            data = sock.recv(65536)
            if not data:
                return
            peers[sock].sendall(data)


def exactly(conn: socket.socket, count: int) -> bytes:
    """count bytes from conn; ConnectionError when it closes first."""
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed early")
        data += chunk
    return data
