"""What an address belongs to, for tests: small MaxMind-format databases and an RDAP service.

    paths = write_geoip(tmp_path)                     # country + ASN .mmdb for the test ranges
    with rdap_service(tmp_path / "bootstrap") as rdap:   # loopback RDAP + bootstrap dir
        with override_settings(**geoip_settings(paths), **rdap.settings()):
            ...

The databases use the GeoLite2 record layout (``country.iso_code``,
``autonomous_system_number``, ``autonomous_system_organization``), which DB-IP shares.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmdb_writer import MMDBWriter
from netaddr import IPSet

from hotline.testing.dns import TEST_ZONE, dns_server, resolvers
from hotline.testing.httpserver import Route, Site, serve

# Test ranges (documentation prefixes only).
COUNTRIES: dict[str, str] = {"192.0.2.0/24": "GM", "198.51.100.0/24": "US",
                             "2001:db8::/32": "GM"}
NETWORKS: dict[str, tuple[int, str]] = {
    "192.0.2.0/24": (64500, "Example Hosting Ltd"),
    "198.51.100.0/24": (13335, "CLOUDFLARENET"),  # a CDN's number: sets the CDN flag
    "2001:db8::/32": (64500, "Example Hosting Ltd"),
}
ABUSE_EMAIL = "abuse@hosting.example.test"


@dataclass(frozen=True)
class GeoipPaths:
    country: Path
    asn: Path


def _writer(database_type: str) -> MMDBWriter:
    return MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=database_type,
                      languages=["en"], description=f"{database_type} for tests",
                      int_type="u32")


def write_country_db(path: Path, countries: Mapping[str, str] = COUNTRIES) -> Path:
    writer = _writer("GeoLite2-Country")
    for network, code in countries.items():
        record = {"country": {"iso_code": code, "names": {"en": code}},
                  "registered_country": {"iso_code": code, "names": {"en": code}}}
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


def write_asn_db(path: Path,
                 networks: Mapping[str, tuple[int, str]] = NETWORKS) -> Path:
    writer = _writer("GeoLite2-ASN")
    for network, (asn, organisation) in networks.items():
        writer.insert_network(IPSet([network]), {"autonomous_system_number": asn,
                                                 "autonomous_system_organization": organisation})
    writer.to_db_file(str(path))
    return path


def write_geoip(directory: Path) -> GeoipPaths:
    """Country and ASN databases for the test ranges, written into directory."""
    directory.mkdir(parents=True, exist_ok=True)
    return GeoipPaths(country=write_country_db(directory / "GeoLite2-Country-test.mmdb"),
                      asn=write_asn_db(directory / "GeoLite2-ASN-test.mmdb"))


def geoip_settings(paths: GeoipPaths) -> dict[str, Any]:
    return {"GEOIP_COUNTRY_DB": str(paths.country), "GEOIP_ASN_DB": str(paths.asn)}


# --- RDAP --------------------------------------------------------------------------------

def vcard(fn: str, email: str = "") -> list[Any]:
    props: list[Any] = [["version", {}, "text", "4.0"], ["fn", {}, "text", fn]]
    if email:
        props.append(["email", {"type": "work"}, "text", email])
    return ["vcard", props]


def rdap_ip_network(start: str, end: str, *, handle: str = "NET-TEST-1",
                    name: str = "EXAMPLE-HOSTING", country: str = "GM",
                    abuse_email: str = ABUSE_EMAIL) -> dict[str, Any]:
    """An RDAP ip network answer (RFC 9083) in the shape RIRs use: the abuse contact is an
    entity nested under the registrant organisation, next to an unrelated technical one."""
    abuse = {"objectClassName": "entity", "handle": "ABUSE-TEST", "roles": ["abuse"],
             "vcardArray": vcard("Example Hosting Abuse Desk", abuse_email)}
    return {
        "rdapConformance": ["rdap_level_0"], "objectClassName": "ip network",
        "handle": handle, "name": name, "country": country, "type": "ALLOCATED PA",
        "startAddress": start, "endAddress": end,
        "entities": [
            {"objectClassName": "entity", "handle": "TECH-TEST", "roles": ["technical"],
             "vcardArray": vcard("Network Operations", "noc@hosting.example.test")},
            {"objectClassName": "entity", "handle": "ORG-TEST", "roles": ["registrant"],
             "vcardArray": vcard("Example Hosting Ltd"), "entities": [abuse]},
        ],
    }


def write_bootstrap(directory: Path, base_url: str, *,
                    ipv4: tuple[str, ...] = ("192.0.2.0/24", "198.51.100.0/24"),
                    ipv6: tuple[str, ...] = ("2001:db8::/32",),
                    publication: str = "2026-01-01T00:00:00Z") -> Path:
    """Bootstrap files (RFC 9224) sending the test ranges to base_url."""
    directory.mkdir(parents=True, exist_ok=True)
    entries = {"ipv4": list(ipv4), "ipv6": list(ipv6), "asn": ["64496-64511"],
               "dns": ["test"]}
    for kind, services in entries.items():
        data = {"description": f"test {kind}", "publication": publication,
                "services": [[services, [base_url]]], "version": "1.0"}
        (directory / f"{kind}.json").write_text(json.dumps(data))
    return directory


@dataclass
class RdapService:
    site: Site
    bootstrap_dir: Path

    @property
    def base_url(self) -> str:
        return self.site.base + "/rdap/"

    def answer(self, ip: str, body: Any, status: int = 200) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.site.routes[f"/rdap/ip/{ip}"] = Route(status=status, body=raw,
                                                   content_type="application/rdap+json")

    def reset(self, answers: Mapping[str, Any] | None = None) -> None:
        """Back to the default answers and bootstrap files, with no requests recorded."""
        write_bootstrap(self.bootstrap_dir, self.base_url)
        self.site.routes.clear()
        self.site.requests.clear()
        for ip, body in (DEFAULT_ANSWERS if answers is None else answers).items():
            self.answer(ip, body)

    def settings(self) -> dict[str, Any]:
        """RDAP_BOOTSTRAP_DIR, and the loopback allowance the fetcher needs."""
        return {"RDAP_BOOTSTRAP_DIR": self.bootstrap_dir,
                "FETCH_ALLOW_NETWORKS": ["127.0.0.1/32"]}


# The answers of the default service, for the test zone's addresses.
DEFAULT_ANSWERS: dict[str, dict[str, Any]] = {
    "192.0.2.10": rdap_ip_network("192.0.2.0", "192.0.2.255"),
    "198.51.100.7": rdap_ip_network("198.51.100.0", "198.51.100.255", handle="NET-CDN-1",
                                    name="CDN-EDGE", country="US",
                                    abuse_email="abuse@cdn.example.test"),
    "2001:db8::10": rdap_ip_network("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
    "2001:db8::20": rdap_ip_network("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
}


@contextmanager
def rdap_service(bootstrap_dir: Path,
                 answers: Mapping[str, Any] | None = None) -> Iterator[RdapService]:
    """A loopback RDAP server with answers for the test addresses, and a bootstrap dir."""
    with serve() as site:
        service = RdapService(site=site, bootstrap_dir=bootstrap_dir)
        service.reset(answers)
        yield service


def unused_port() -> int:
    """A loopback TCP port with nothing listening (for "unreachable" tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class HostingWorld:
    settings: dict[str, Any]  # apply with override_settings(**world.settings)
    dns_port: int
    geoip: GeoipPaths
    rdap: RdapService


@contextmanager
def hosting_world(directory: Path) -> Iterator[HostingWorld]:
    """Everything a hosting trace needs, on loopback: the test DNS zone (TEST_ZONE), GeoIP
    databases and the RDAP service with its bootstrap files, written under directory."""
    with dns_server(TEST_ZONE) as port, rdap_service(directory / "bootstrap") as rdap:
        paths = write_geoip(directory / "geoip")
        yield HostingWorld(settings={"DNS_RESOLVERS": resolvers(port), "DNS_TIMEOUT": 1.0,
                                     **geoip_settings(paths), **rdap.settings()},
                           dns_port=port, geoip=paths, rdap=rdap)
