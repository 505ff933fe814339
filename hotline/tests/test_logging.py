"""What the product's own logs may not hold: one-time set-up links, and the addresses captures
fetch (a third-party library logging every request at INFO)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.test import override_settings

from hotline.accounts.services import setup_link
from hotline.lib.fetcher import Limits, fetch
from hotline.testing.base import StaffTestCase, make_user
from hotline.testing.httpserver import Route, serve


@contextmanager
def console_output() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) writes, filters and all."""
    handler = next(h for h in logging.getLogger("django").handlers
                   if isinstance(h, logging.StreamHandler))
    out = io.StringIO()
    previous = handler.setStream(out)
    try:
        yield out
    finally:
        handler.setStream(previous)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class LoggingTest(StaffTestCase):
    def test_a_set_up_link_is_not_logged_while_it_still_works(self) -> None:
        user = make_user("new@hub.example.test", "analyst")
        path = urlsplit(setup_link(user)).path
        token = path.rstrip("/").rsplit("/", 1)[1]
        with console_output() as out:
            # A password that is refused: the link stays valid, and Django logs a 400.
            r = self.client.post(path, {"password": "short", "password2": "short"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("Bad Request: /staff/setup/", out.getvalue())
        self.assertNotIn(token, out.getvalue())

    @override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
    def test_a_capture_does_not_log_the_address_it_fetches(self) -> None:
        collect = Collect()
        logging.getLogger().addHandler(collect)
        try:
            with serve() as site:
                site.routes["/reported/zq7x-page"] = Route(body=b"<p>benign</p>")
                fetch(site.url("/reported/zq7x-page"),
                      limits=Limits(max_bytes=4096, connect_timeout=2, read_timeout=2,
                                    total_timeout=5, max_redirects=1))
        finally:
            logging.getLogger().removeHandler(collect)
        self.assertEqual([m for m in collect.messages if "zq7x" in m], [])
