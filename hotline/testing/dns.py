"""A real DNS server on loopback for tests (dnslib), answering a zone the test gives.

    with dns_server(TEST_ZONE) as port:
        with override_settings(DNS_RESOLVERS=[f"127.0.0.1:{port}"]):
            ...

A zone maps names to records, ``[("CNAME", "target"), ("A", "192.0.2.1"), ...]``, to
:data:`DROP` for a name whose queries are never answered (to test time-outs), to
:data:`SERVFAIL`, or to a :class:`Rebinding` whose answer changes after the first. Names not in
the zone are NXDOMAIN. The server reads the zone it was given at every query, so a test may
change it while the server runs. Like a recursive resolver, the server follows CNAMEs inside
the zone and returns the whole chain, unless the CNAME itself is asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final

from dnslib import AAAA, CNAME, MX, QTYPE, RCODE, RR, TXT, A, DNSError, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer

DROP: Final = "drop"
SERVFAIL: Final = "servfail"
Records = Sequence[tuple[str, str]]


class Rebinding:
    """A name whose answer changes: `first` to its first A query, `then` ever after (the DNS
    rebinding attack: checked with a harmless address, used with an internal one)."""

    def __init__(self, first: Records, then: Records) -> None:
        self.first, self.then = first, then
        self.answered = False

    def records(self, qtype: str) -> Records:
        records = self.then if self.answered else self.first
        self.answered = self.answered or qtype == "A"
        return records


Zone = Mapping[str, "Records | Rebinding | str"]

# The zone of the hosting tests, shared with the takedown tests.
TEST_ZONE: dict[str, Records | str] = {
    "www.shop.example.test": [("CNAME", "cdn.example.test")],
    "cdn.example.test": [("CNAME", "edge.example.test")],
    "edge.example.test": [("A", "192.0.2.10"), ("AAAA", "2001:db8::10")],
    "cdn-hosted.example.test": [("A", "198.51.100.7")],
    "v6only.example.test": [("AAAA", "2001:db8::20")],
    "empty.example.test": [("TXT", "no addresses here")],
    "slow.example.test": DROP,
}

_RDATA: dict[str, Any] = {"A": A, "AAAA": AAAA, "CNAME": CNAME, "MX": MX, "TXT": TXT}


def _key(name: Any) -> str:
    return str(name).rstrip(".").lower()


class ZoneResolver(BaseResolver):  # type: ignore[misc]
    def __init__(self, zone: Zone, ttl: int = 300,
                 queries: list[tuple[str, str]] | None = None) -> None:
        self.source = zone
        self.ttl = ttl
        self.queries: list[tuple[str, str]] = [] if queries is None else queries

    def _rr(self, name: str, rtype: str, value: str) -> RR:
        return RR(name, getattr(QTYPE, rtype), rdata=_RDATA[rtype](value), ttl=self.ttl)

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        name, qtype = _key(request.q.qname), QTYPE[request.q.qtype]
        self.queries.append((name, qtype))
        reply = request.reply()
        zone = {_key(name): records for name, records in self.source.items()}
        for _ in range(20):  # follow CNAMEs inside the zone, as a recursive resolver would
            records = zone.get(name)
            if isinstance(records, Rebinding):
                records = records.records(qtype)
            if records == DROP:
                raise DNSError("dropped on purpose")  # the handler then sends nothing
            if records == SERVFAIL:
                reply.header.rcode = RCODE.SERVFAIL
                return reply
            if records is None:
                reply.header.rcode = RCODE.NXDOMAIN
                return reply
            assert not isinstance(records, str)
            cname = next((value for rtype, value in records if rtype == "CNAME"), None)
            if cname is not None and qtype != "CNAME":
                reply.add_answer(self._rr(name, "CNAME", cname))
                name = _key(cname)
                continue
            for rtype, value in records:
                if rtype == qtype:
                    reply.add_answer(self._rr(name, rtype, value))
            return reply
        reply.header.rcode = RCODE.SERVFAIL
        return reply


@contextmanager
def dns_server(zone: Zone, *, ttl: int = 300,
               log: list[tuple[str, str]] | None = None) -> Iterator[int]:
    """Serve zone over UDP on 127.0.0.1 and a free port; yields the port.

    Every query is appended to log, as (name, type), when one is given: a test can then show
    that a name was never looked up.
    """
    resolver = ZoneResolver(zone, ttl, log)
    quiet = DNSLogger(log="-request,-reply,-truncated,-error", prefix=False)
    server = DNSServer(resolver, address="127.0.0.1", port=0, logger=quiet)
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server.server.server_address[1]
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=5)


def resolvers(port: int) -> list[str]:
    """The DNS_RESOLVERS setting that points at the test server."""
    return [f"127.0.0.1:{port}"]
