"""Hosting trace: where a web address is hosted and whom to tell.

:func:`trace_url` runs three steps and records each one's source and time:

1. ``dns``: the URL's host is resolved with the configured resolvers (``DNS_RESOLVERS``,
   ``DNS_TIMEOUT``): the CNAME chain is followed one query at a time, then the A and AAAA
   addresses of the name it ends at. A host that is an IP address skips this step.
2. ``geoip``: for each address, the country, network number (ASN) and its organisation from
   MaxMind-format databases (``GEOIP_COUNTRY_DB``, ``GEOIP_ASN_DB``), and a CDN flag when the
   ASN is in ``data/cdn_asns.json``. Without a country file the offline dataset answers the
   country (``datasets.py``); each answer's dataset and its age are recorded.
3. ``rdap``: the abuse contact of the first address, from the RIR's RDAP service found in the
   IANA bootstrap files (``RDAP_BOOTSTRAP_DIR``), fetched with the product's bounded fetcher.

Nothing here raises for network trouble or missing data: the result says which step failed
first (``failed_step``, ``error``) and keeps what the other steps found. Without addresses
there is nothing more to do, so a DNS failure ends the trace; the GeoIP and RDAP steps need
only the addresses, so an RDAP contact is still looked up when GeoIP fails.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver
import maxminddb
from django.conf import settings

from hotline.lib import fetcher
from hotline.lib.resolver import ResolverConfigError, make_resolver

from . import bootstrap, datasets

logger = logging.getLogger(__name__)

DNS = "dns"
GEOIP = "geoip"
RDAP = "rdap"
STEPS = (DNS, GEOIP, RDAP)

MAX_CNAMES = 10
RDAP_MAX_BYTES = 2 * 1024 * 1024
RDAP_HEADERS = {"Accept": "application/rdap+json, application/json;q=0.9"}  # RFC 7480
RDAP_MAX_ENTITIES = 500
CDN_FILE = Path(__file__).resolve().parent / "data" / "cdn_asns.json"


@dataclass
class Step:
    """One step of a trace: what it asked (source), when, for how long, and how it ended."""

    step: str
    started: str
    seconds: float = 0.0
    ok: bool = True
    skipped: bool = False
    error: str = ""
    source: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class CnameLink:
    name: str
    target: str
    ttl: int


@dataclass
class Address:
    ip: str
    version: int
    country: str = ""  # ISO 3166-1 alpha-2 where the address is used
    registered_country: str = ""  # where the network is registered, when the database says
    asn: int | None = None
    organisation: str = ""
    cdn: bool = False
    cdn_name: str = ""


@dataclass
class Rdap:
    url: str
    handle: str = ""
    name: str = ""
    country: str = ""
    start_address: str = ""
    end_address: str = ""
    registrant: str = ""
    abuse_name: str = ""
    abuse_email: str = ""


@dataclass
class TraceResult:
    url: str
    host: str
    started: str
    seconds: float = 0.0
    ok: bool = False
    failed_step: str = ""  # "" or one of STEPS: the first step that failed
    error: str = ""
    cname_chain: list[CnameLink] = field(default_factory=list)
    canonical_name: str = ""  # where the CNAME chain ends (the host itself without CNAMEs)
    addresses: list[Address] = field(default_factory=list)  # A first, then AAAA
    rdap: Rdap | None = None
    steps: list[Step] = field(default_factory=list)

    # The first address stands for the host: it is the one RDAP was asked about.
    @property
    def primary(self) -> Address | None:
        return self.addresses[0] if self.addresses else None

    @property
    def country(self) -> str:
        return self.primary.country if self.primary else ""

    @property
    def asn(self) -> int | None:
        return self.primary.asn if self.primary else None

    @property
    def organisation(self) -> str:
        return self.primary.organisation if self.primary else ""

    @property
    def abuse_email(self) -> str:
        return self.rdap.abuse_email if self.rdap else ""

    @property
    def cdn(self) -> bool:
        """Any of the addresses is in a CDN's network."""
        return any(a.cdn for a in self.addresses)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.step == name), None)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types only, with the convenience values alongside."""
        data = asdict(self)
        data.update(country=self.country, asn=self.asn, organisation=self.organisation,
                    abuse_email=self.abuse_email, cdn=self.cdn)
        return data


class StepFailed(Exception):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@contextmanager
def _step(result: TraceResult, name: str) -> Iterator[Step]:
    step = Step(step=name, started=_now())
    result.steps.append(step)
    began = time.monotonic()
    try:
        yield step
    except StepFailed as e:
        step.ok, step.error = False, str(e)
    except Exception as e:  # a trace never raises: record the surprise and go on
        logger.exception("hosting trace: %s step failed unexpectedly", name)
        step.ok, step.error = False, f"unexpected error: {type(e).__name__}: {e}"[:500]
    finally:
        step.seconds = round(time.monotonic() - began, 4)
    if not step.ok and not result.failed_step:
        result.failed_step, result.error = name, step.error


def trace_url(url: str) -> TraceResult:
    """Trace url to its host: DNS, then country/network of each address, then abuse contact."""
    began = time.monotonic()
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        host = ""
    result = TraceResult(url=url, host=host, started=_now())
    try:
        _trace(result)
    finally:
        result.seconds = round(time.monotonic() - began, 4)
        result.ok = not result.failed_step
    return result


def _trace(result: TraceResult) -> None:
    with _step(result, DNS) as step:
        if not result.host:
            raise StepFailed("the URL has no host")
        literal = _ip_literal(result.host)
        if literal is not None:
            step.skipped = True
            step.notes.append("the host is an IP address")
            result.canonical_name = str(literal)
            result.addresses = [Address(ip=str(literal), version=literal.version)]
        else:
            _resolve(result, step)
    if not result.addresses:
        return
    with _step(result, GEOIP) as step:
        _geoip(result.addresses, step)
    with _step(result, RDAP) as step:
        result.rdap = _rdap(result.addresses[0].ip, step)
        if not result.rdap.abuse_email:
            raise StepFailed(f"the RDAP answer for {result.addresses[0].ip} names no abuse "
                             f"contact e-mail")


def _ip_literal(host: str) -> bootstrap.IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


# --- DNS ---------------------------------------------------------------------------------

def _dns_problem(e: Exception, name: str, seconds: float) -> str:
    if isinstance(e, dns.resolver.NXDOMAIN):
        return f"{name} does not exist (NXDOMAIN)"
    if isinstance(e, dns.exception.Timeout):
        return f"no answer for {name} within {seconds:g} s"
    if isinstance(e, dns.resolver.NoNameservers):
        return f"no resolver could answer for {name}: {e}"[:500]
    return f"{name}: {type(e).__name__}: {e}"[:500]


def _query(resolver: dns.resolver.Resolver, name: dns.name.Name,
           rdtype: str) -> dns.resolver.Answer:
    return resolver.resolve(name, rdtype, search=False, raise_on_no_answer=False)


def _resolve(result: TraceResult, step: Step) -> None:
    try:
        resolver, described = make_resolver()
    except ResolverConfigError as e:
        raise StepFailed(str(e)) from None
    step.source = {"resolver": described, "timeout": settings.DNS_TIMEOUT}
    timeout = settings.DNS_TIMEOUT
    try:
        name = dns.name.from_text(result.host)
    except (dns.exception.DNSException, ValueError) as e:
        raise StepFailed(f"{result.host!r} is not a valid host name: {e}") from None
    seen = {name}
    for _ in range(MAX_CNAMES + 1):
        shown = name.to_text(omit_final_dot=True)
        try:
            answer = _query(resolver, name, "CNAME")
        except dns.exception.DNSException as e:
            raise StepFailed(_dns_problem(e, shown, timeout)) from None
        rrset = answer.rrset
        if rrset is None or rrset.rdtype != dns.rdatatype.CNAME:
            break
        target = rrset[0].target
        result.cname_chain.append(CnameLink(
            name=shown, target=target.to_text(omit_final_dot=True), ttl=rrset.ttl))
        if target in seen:
            raise StepFailed(f"CNAME loop at {target.to_text(omit_final_dot=True)}")
        seen.add(target)
        name = target
    else:
        raise StepFailed(f"CNAME chain longer than {MAX_CNAMES}")
    shown = name.to_text(omit_final_dot=True)
    result.canonical_name = shown
    problems: list[str] = []
    for rdtype, version in (("A", 4), ("AAAA", 6)):
        try:
            answer = _query(resolver, name, rdtype)
        except dns.exception.DNSException as e:
            problems.append(f"{rdtype}: {_dns_problem(e, shown, timeout)}")
            if isinstance(e, dns.resolver.NXDOMAIN):
                break  # the name does not exist: no use asking for AAAA
            continue
        for rr in answer.rrset or []:
            if not any(a.ip == rr.address for a in result.addresses):
                result.addresses.append(Address(ip=rr.address, version=version))
    if not result.addresses:
        raise StepFailed("; ".join(problems) if problems
                         else f"{shown} has no A or AAAA records")
    step.notes.extend(problems)  # e.g. AAAA timed out although A answered


# --- GeoIP -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _cdn_table(path: str, mtime_ns: int) -> dict[int, str]:
    data = json.loads(Path(path).read_text())
    return {int(n["asn"]): str(n["name"]) for n in data["networks"]}


def cdn_networks() -> dict[int, str]:
    """ASN → CDN name, from the maintained list in data/cdn_asns.json."""
    return _cdn_table(str(CDN_FILE), CDN_FILE.stat().st_mtime_ns)


def _iso(record: Any, key: str) -> str:
    part = record.get(key) if isinstance(record, dict) else None
    code = part.get("iso_code") if isinstance(part, dict) else None
    return code.upper() if isinstance(code, str) else ""


def _country(address: Address, record: Any) -> None:
    address.registered_country = _iso(record, "registered_country")
    address.country = _iso(record, "country") or address.registered_country


def _asn(address: Address, record: Any) -> None:
    if not isinstance(record, dict):
        return
    number = record.get("autonomous_system_number")
    if isinstance(number, int):
        address.asn = number
        cdn_name = cdn_networks().get(number, "")
        address.cdn, address.cdn_name = bool(cdn_name), cdn_name
    organisation = record.get("autonomous_system_organization")
    if isinstance(organisation, str):
        address.organisation = organisation


def _from_file(addresses: list[Address], step: Step, setting: str, kind: str,
               apply: Callable[[Address, Any], None]) -> str:
    """Look every address up in the MaxMind-format file of setting; "" or the problem."""
    path = str(getattr(settings, setting))
    try:
        with maxminddb.open_database(path) as reader:
            step.source[kind] = datasets.database_dataset(Path(path).name,
                                                          reader.metadata()).source()
            for address in addresses:
                apply(address, reader.get(address.ip))
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as e:
        step.source[kind] = {"file": Path(path).name}
        return f"{setting} {Path(path).name}: {e}"[:300]
    return ""


def _from_offline(addresses: list[Address], step: Step, offline: datasets.Dataset) -> None:
    step.source["country"] = offline.source()
    step.notes.append(f"countries from {offline.name} {offline.version}: where each address "
                      f"block is registered (RIR delegations), not necessarily where it is used")
    for address in addresses:
        address.registered_country = datasets.offline_country(address.ip)
        address.country = address.registered_country


def _geoip(addresses: list[Address], step: Step) -> None:
    problems: list[str] = []
    offline = datasets.offline_dataset()
    if settings.GEOIP_COUNTRY_DB:
        problems.append(_from_file(addresses, step, "GEOIP_COUNTRY_DB", "country", _country))
    elif offline is not None:
        _from_offline(addresses, step, offline)
    else:
        step.source["country"] = None
        problems.append("GEOIP_COUNTRY_DB is not set and GEOIP_OFFLINE is off: no country "
                        "lookup")
    # Network numbers only name the host and flag CDNs; routing needs the country, so a
    # missing ASN file is said, not failed.
    if settings.GEOIP_ASN_DB:
        problems.append(_from_file(addresses, step, "GEOIP_ASN_DB", "asn", _asn))
    else:
        step.source["asn"] = None
        step.notes.append("GEOIP_ASN_DB is not set: no network numbers (ASN), no CDN flag")
    problems = [p for p in problems if p]
    if problems:
        raise StepFailed("; ".join(problems))
    for address in addresses:
        if (settings.GEOIP_ASN_DB and address.asn is None) or not address.country:
            step.notes.append(f"{address.ip}: not (fully) in the databases")


# --- RDAP --------------------------------------------------------------------------------

def _rdap(ip: str, step: Step) -> Rdap:
    address = ipaddress.ip_address(ip)
    kind = f"ipv{address.version}"
    try:
        boot = bootstrap.load(kind)
    except bootstrap.BootstrapError as e:
        raise StepFailed(f"RDAP bootstrap: {e}") from None
    step.source["bootstrap"] = {"file": Path(boot.path).name, "publication": boot.publication}
    base = boot.base_url_for_address(address)
    if base is None:
        raise StepFailed(f"no RDAP service for {ip} in {kind}.json")
    url = f"{base}ip/{ip}"
    step.source["url"] = url
    total = settings.RDAP_TIMEOUT
    limits = fetcher.Limits(max_bytes=RDAP_MAX_BYTES, connect_timeout=min(5.0, total),
                            read_timeout=total, total_timeout=total, max_redirects=3)
    try:
        # An RDAP server is asked as one, not with the browser identity of captures.
        response = fetcher.fetch(url, limits=limits, headers=RDAP_HEADERS)
    except fetcher.FetchError as e:
        raise StepFailed(f"{url}: {e}"[:500]) from None
    if response.url != url:
        step.source["answered_by"] = response.url
    if response.status != 200:
        raise StepFailed(f"{response.url} answered HTTP {response.status}")
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        raise StepFailed(f"{response.url} did not answer with JSON") from None
    if not isinstance(data, dict):
        raise StepFailed(f"{response.url} did not answer with an RDAP object")
    return parse_ip_network(data, url=response.url)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def entities(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """All entities under obj, nearest first (breadth first), nested ones included."""
    queue: deque[Any] = deque(obj.get("entities") or [])
    count = 0
    while queue and count < RDAP_MAX_ENTITIES:
        entity = queue.popleft()
        if not isinstance(entity, dict):
            continue
        count += 1
        yield entity
        nested = entity.get("entities")
        if isinstance(nested, list):
            queue.extend(nested)


def roles(entity: dict[str, Any]) -> set[str]:
    found = entity.get("roles")
    return {r.lower() for r in found if isinstance(r, str)} if isinstance(found, list) else set()


def vcard_values(entity: dict[str, Any], prop: str) -> list[str]:
    """The values of a vCard property (jCard, RFC 7095) of an entity."""
    card = entity.get("vcardArray")
    if not (isinstance(card, list) and len(card) == 2 and card[0] == "vcard"
            and isinstance(card[1], list)):
        return []
    values = []
    for item in card[1]:
        if not (isinstance(item, list) and len(item) >= 4 and isinstance(item[0], str)
                and item[0].lower() == prop):
            continue
        for value in item[3:]:
            for text in value if isinstance(value, list) else [value]:
                if _text(text):
                    values.append(_text(text))
    return values


def _email(entity: dict[str, Any]) -> str:
    for value in vcard_values(entity, "email"):
        value = value.removeprefix("mailto:")
        if "@" in value:
            return value
    return ""


def parse_ip_network(data: dict[str, Any], *, url: str = "") -> Rdap:
    """The fields of an RDAP ip network object (RFC 9083) that a notice needs."""
    rdap = Rdap(url=url, handle=_text(data.get("handle")), name=_text(data.get("name")),
                country=_text(data.get("country")).upper(),
                start_address=_text(data.get("startAddress")),
                end_address=_text(data.get("endAddress")))
    for entity in entities(data):
        entity_roles = roles(entity)
        if "abuse" in entity_roles and not rdap.abuse_email:
            email = _email(entity)
            if email:
                rdap.abuse_email = email
                rdap.abuse_name = next(iter(vcard_values(entity, "fn")), "")
        if "registrant" in entity_roles and not rdap.registrant:
            rdap.registrant = next(iter(vcard_values(entity, "fn")), "")
    return rdap
