"""TLS for loopback test servers: a throwaway certificate authority (trustme) that only the
test's own fetches trust.

    trust_test_ca(monkeypatch)
    with serve(tls=server_context("secure.example.test")) as site:
        fetch(...)

The server's context records the name each client asked for (SNI) in ``sni_names``.
"""

from __future__ import annotations

import ssl
from functools import cache

import pytest
import trustme


@cache
def authority() -> trustme.CA:
    """One authority for the whole test run (a key pair is slow to make)."""
    return trustme.CA()


class RecordingContext(ssl.SSLContext):
    sni_names: list[str | None]


def server_context(*names: str) -> RecordingContext:
    """A server context with a certificate for names, recording the SNI of each handshake."""
    context = RecordingContext(ssl.PROTOCOL_TLS_SERVER)
    authority().issue_cert(*names).configure_cert(context)
    context.sni_names = []

    def record(_sock: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        context.sni_names.append(name)

    context.sni_callback = record  # type: ignore[assignment]
    return context


def trust_test_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fetcher trust the test authority (and nothing else) for this test.

    The public authorities cannot vouch for a loopback server, so the fetcher's trust store is
    the one thing replaced."""
    from hotline.lib import fetcher

    def context() -> ssl.SSLContext:
        client = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        authority().configure_trust(client)
        return client

    monkeypatch.setattr(fetcher, "_tls_context", context)
