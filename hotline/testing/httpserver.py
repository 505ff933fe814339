"""A real HTTP server on loopback for tests: content the test controls, changed mid-test."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
    # For hostile tests: a body produced slowly or endlessly.
    stream: Callable[[], Iterator[bytes]] | None = None
    delay: float = 0.0
    # For a site whose answer depends on who asks (one that cloaks): the request's headers
    # in, the route to answer with out.
    choose: Callable[[Message], Route] | None = None


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.port = 0
        self.scheme = "http"
        # HTTP/1.1 keeps connections open between answers (routes without a stream only).
        self.keep_alive = False

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve(given: Site | None = None, *, tls: ssl.SSLContext | None = None) -> Iterator[Site]:
    """Serve the site's routes on 127.0.0.1 and a free port; over TLS with a tls context."""
    site = given or Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _answer(self, head_only: bool) -> None:
            site.requests.append((self.path, dict(self.headers)))
            route = site.routes.get(self.path)
            if route is not None and route.choose is not None:
                route = route.choose(self.headers)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.delay:
                time.sleep(route.delay)
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.stream is None:
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                if not head_only:
                    self.wfile.write(route.body)
                return
            self.end_headers()
            try:
                for chunk in route.stream():
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            self._answer(head_only=False)

        def do_HEAD(self) -> None:
            self._answer(head_only=True)

    Handler.protocol_version = "HTTP/1.1" if site.keep_alive else "HTTP/1.0"
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        site.scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
