"""trace_url against a DNS server, GeoIP databases and an RDAP service of the test's own."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import dns.resolver
import pytest
from django.test import override_settings

from hotline.hosting import trace
from hotline.hosting.trace import parse_ip_network, trace_url
from hotline.lib.resolver import ResolverConfigError, parse_resolver
from hotline.testing.geoip import (
    ABUSE_EMAIL,
    HostingWorld,
    rdap_ip_network,
    rdap_service,
    unused_port,
    vcard,
    write_bootstrap,
)

TODAY = datetime.now(UTC).date().isoformat()


def test_a_cname_chain_is_traced_to_country_network_and_abuse_contact(
        world: HostingWorld) -> None:
    result = trace_url("https://www.shop.example.test/gallery/1?page=2")

    assert result.ok, result.error
    assert (result.failed_step, result.error) == ("", "")
    assert result.host == "www.shop.example.test"
    assert [(c.name, c.target) for c in result.cname_chain] == [
        ("www.shop.example.test", "cdn.example.test"),
        ("cdn.example.test", "edge.example.test")]
    assert all(c.ttl == 300 for c in result.cname_chain)
    assert result.canonical_name == "edge.example.test"
    assert [(a.ip, a.version) for a in result.addresses] == [("192.0.2.10", 4),
                                                             ("2001:db8::10", 6)]
    for address in result.addresses:
        assert (address.country, address.asn, address.organisation, address.cdn) == (
            "GM", 64500, "Example Hosting Ltd", False)
    assert (result.country, result.asn, result.organisation) == ("GM", 64500,
                                                                 "Example Hosting Ltd")
    assert result.abuse_email == ABUSE_EMAIL
    assert result.cdn is False
    assert result.rdap is not None
    assert result.rdap.handle == "NET-TEST-1"
    assert result.rdap.registrant == "Example Hosting Ltd"
    assert result.rdap.abuse_name == "Example Hosting Abuse Desk"


def test_each_step_records_its_source_and_time(world: HostingWorld) -> None:
    result = trace_url("https://www.shop.example.test/gallery/1")

    assert [s.step for s in result.steps] == ["dns", "geoip", "rdap"]
    assert all(s.ok and not s.skipped and s.seconds >= 0 and s.started for s in result.steps)
    dns_step, geoip_step, rdap_step = result.steps
    assert dns_step.source == {"resolver": f"127.0.0.1:{world.dns_port}", "timeout": 1.0}
    assert geoip_step.source == {
        "country": {"dataset": "GeoLite2-Country", "file": "GeoLite2-Country-test.mmdb",
                    "build_date": TODAY, "age_days": 0},
        "asn": {"dataset": "GeoLite2-ASN", "file": "GeoLite2-ASN-test.mmdb",
                "build_date": TODAY, "age_days": 0}}
    assert rdap_step.source == {
        "bootstrap": {"file": "ipv4.json", "publication": "2026-01-01T00:00:00Z"},
        "url": world.rdap.base_url + "ip/192.0.2.10"}
    assert world.rdap.site.requests[0][0] == "/rdap/ip/192.0.2.10"
    assert world.rdap.site.requests[0][1]["Accept"].startswith("application/rdap+json")
    assert result.seconds >= sum(s.seconds for s in result.steps) * 0.99


def test_the_result_is_plain_json(world: HostingWorld) -> None:
    data = json.loads(json.dumps(trace_url("https://www.shop.example.test/").as_dict()))

    assert data["ok"] is True
    assert (data["country"], data["asn"], data["abuse_email"], data["cdn"]) == (
        "GM", 64500, ABUSE_EMAIL, False)
    assert data["addresses"][0]["ip"] == "192.0.2.10"
    assert data["cname_chain"][0] == {"name": "www.shop.example.test",
                                      "target": "cdn.example.test", "ttl": 300}
    assert data["rdap"]["abuse_email"] == ABUSE_EMAIL
    assert [s["step"] for s in data["steps"]] == ["dns", "geoip", "rdap"]


def test_an_address_in_a_cdn_network_is_flagged(world: HostingWorld) -> None:
    result = trace_url("http://cdn-hosted.example.test/a.jpg")

    assert result.ok, result.error
    assert result.cname_chain == []
    assert result.canonical_name == "cdn-hosted.example.test"
    (address,) = result.addresses
    assert (address.ip, address.asn, address.organisation) == ("198.51.100.7", 13335,
                                                               "CLOUDFLARENET")
    assert (address.cdn, address.cdn_name) == (True, "Cloudflare")
    assert result.cdn is True
    assert result.country == "US"
    assert result.abuse_email == "abuse@cdn.example.test"


def test_an_ipv6_only_host_uses_the_ipv6_bootstrap(world: HostingWorld) -> None:
    result = trace_url("https://v6only.example.test/")

    assert result.ok, result.error
    assert [a.ip for a in result.addresses] == ["2001:db8::20"]
    assert (result.country, result.asn) == ("GM", 64500)
    assert result.abuse_email == ABUSE_EMAIL
    rdap_step = result.step("rdap")
    assert rdap_step is not None
    assert rdap_step.source["bootstrap"]["file"] == "ipv6.json"
    assert rdap_step.source["url"].endswith("/rdap/ip/2001:db8::20")


@pytest.mark.parametrize(("url", "ip"), [("http://192.0.2.10/a", "192.0.2.10"),
                                         ("http://[2001:db8::10]:8080/a", "2001:db8::10")])
def test_a_host_given_as_an_address_skips_dns(world: HostingWorld, url: str, ip: str) -> None:
    # No server answers DNS here: any query would time out and fail the trace.
    with override_settings(DNS_RESOLVERS=[f"127.0.0.1:{unused_port()}"]):
        result = trace_url(url)

    assert result.ok, result.error
    assert [a.ip for a in result.addresses] == [ip]
    dns_step = result.step("dns")
    assert dns_step is not None and dns_step.skipped and dns_step.ok
    assert result.country == "GM" and result.abuse_email == ABUSE_EMAIL


def test_nxdomain_fails_at_dns_quickly(world: HostingWorld) -> None:
    began = time.monotonic()
    result = trace_url("https://gone.example.test/page")
    elapsed = time.monotonic() - began

    assert elapsed < 0.5
    assert (result.ok, result.failed_step) == (False, "dns")
    assert result.error == "gone.example.test does not exist (NXDOMAIN)"
    assert result.addresses == [] and result.rdap is None
    assert [s.step for s in result.steps] == ["dns"]
    assert world.rdap.site.requests == []


def test_a_chain_into_a_missing_name_fails_at_dns(tmp_path: Path) -> None:
    from hotline.testing.dns import dns_server, resolvers

    zone = {"dangling.example.test": [("CNAME", "nowhere.example.test")]}
    with dns_server(zone) as port, override_settings(DNS_RESOLVERS=resolvers(port)):
        result = trace_url("https://dangling.example.test/")

    assert (result.ok, result.failed_step) == (False, "dns")
    assert [(c.name, c.target) for c in result.cname_chain] == [
        ("dangling.example.test", "nowhere.example.test")]
    assert "nowhere.example.test does not exist (NXDOMAIN)" in result.error


def test_a_resolver_that_never_answers_fails_at_dns_within_the_timeout(
        world: HostingWorld) -> None:
    with override_settings(DNS_TIMEOUT=0.8):
        began = time.monotonic()
        result = trace_url("https://slow.example.test/")
        elapsed = time.monotonic() - began

    assert 0.7 <= elapsed < 0.8 + 0.5
    assert (result.ok, result.failed_step) == (False, "dns")
    assert result.error == "no answer for slow.example.test within 0.8 s"


def test_a_name_without_addresses_fails_at_dns(world: HostingWorld) -> None:
    result = trace_url("https://empty.example.test/")

    assert (result.ok, result.failed_step) == (False, "dns")
    assert result.error == "empty.example.test has no A or AAAA records"


def test_no_host_fails_at_dns_without_raising(world: HostingWorld) -> None:
    for url in ("not a url", "https://[::bad/", ""):
        result = trace_url(url)
        assert (result.ok, result.failed_step) == (False, "dns")


def test_no_geoip_dataset_at_all_fails_at_geoip_keeping_dns(world: HostingWorld) -> None:
    with override_settings(GEOIP_COUNTRY_DB="", GEOIP_ASN_DB="", GEOIP_OFFLINE=False):
        result = trace_url("https://www.shop.example.test/")

    assert (result.ok, result.failed_step) == (False, "geoip")
    assert "GEOIP_COUNTRY_DB is not set" in result.error
    assert len(result.cname_chain) == 2
    assert [a.ip for a in result.addresses] == ["192.0.2.10", "2001:db8::10"]
    assert (result.country, result.asn, result.organisation) == ("", None, "")
    geoip_step = result.step("geoip")
    assert geoip_step is not None
    assert geoip_step.source == {"country": None, "asn": None}
    # RDAP needs only the address, so the abuse contact is still found.
    assert result.abuse_email == ABUSE_EMAIL


def test_an_unreadable_database_fails_at_geoip(world: HostingWorld, tmp_path: Path) -> None:
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"this is not a MaxMind database")
    with override_settings(GEOIP_ASN_DB=str(broken)):
        result = trace_url("https://www.shop.example.test/")

    assert (result.ok, result.failed_step) == (False, "geoip")
    assert "broken.mmdb" in result.error
    assert result.country == "GM"  # the country database still answered
    assert result.asn is None
    with override_settings(GEOIP_COUNTRY_DB=str(tmp_path / "absent.mmdb")):
        result = trace_url("https://www.shop.example.test/")
    assert (result.ok, result.failed_step) == (False, "geoip")
    assert "absent.mmdb" in result.error


def test_an_address_not_in_the_databases_is_not_a_failure(world: HostingWorld) -> None:
    bootstrap_dir = world.rdap.bootstrap_dir
    write_bootstrap(bootstrap_dir, world.rdap.base_url, ipv4=("203.0.113.0/24",))
    world.rdap.answer("203.0.113.5", rdap_ip_network("203.0.113.0", "203.0.113.255"))
    result = trace_url("http://203.0.113.5/")

    assert result.ok, result.error
    assert (result.country, result.asn) == ("", None)
    geoip_step = result.step("geoip")
    assert geoip_step is not None
    assert geoip_step.notes == ["203.0.113.5: not (fully) in the databases"]


def test_an_rdap_server_error_fails_at_rdap_keeping_dns_and_geoip(world: HostingWorld) -> None:
    world.rdap.answer("192.0.2.10", b"internal error", status=500)
    result = trace_url("https://www.shop.example.test/")

    assert (result.ok, result.failed_step) == (False, "rdap")
    assert result.error == f"{world.rdap.base_url}ip/192.0.2.10 answered HTTP 500"
    assert len(result.cname_chain) == 2
    assert (result.country, result.asn, result.organisation) == ("GM", 64500,
                                                                 "Example Hosting Ltd")
    assert result.abuse_email == ""


def test_an_unreachable_rdap_server_fails_at_rdap(world: HostingWorld, tmp_path: Path) -> None:
    dead = tmp_path / "dead-bootstrap"
    write_bootstrap(dead, f"http://127.0.0.1:{unused_port()}/rdap/")
    with override_settings(RDAP_BOOTSTRAP_DIR=dead):
        began = time.monotonic()
        result = trace_url("https://www.shop.example.test/")

    assert time.monotonic() - began < 5
    assert (result.ok, result.failed_step) == (False, "rdap")
    assert "connect" in result.error
    assert result.country == "GM" and result.asn == 64500


def test_rdap_that_is_not_json_or_has_no_abuse_contact_fails_at_rdap(
        world: HostingWorld) -> None:
    world.rdap.answer("192.0.2.10", b"<html>maintenance</html>")
    result = trace_url("https://www.shop.example.test/")
    assert (result.failed_step, result.error) == (
        "rdap", f"{world.rdap.base_url}ip/192.0.2.10 did not answer with JSON")

    no_abuse = rdap_ip_network("192.0.2.0", "192.0.2.255")
    no_abuse["entities"][1].pop("entities")
    world.rdap.answer("192.0.2.10", no_abuse)
    result = trace_url("https://www.shop.example.test/")
    assert (result.failed_step, result.error) == (
        "rdap", "the RDAP answer for 192.0.2.10 names no abuse contact e-mail")
    assert result.rdap is not None and result.rdap.handle == "NET-TEST-1"


def test_an_address_outside_the_bootstrap_fails_at_rdap(world: HostingWorld) -> None:
    result = trace_url("http://203.0.113.9/")

    assert (result.failed_step, result.error) == (
        "rdap", "no RDAP service for 203.0.113.9 in ipv4.json")


def test_rdap_follows_the_fetcher_redirects(tmp_path: Path, world: HostingWorld) -> None:
    # An RIR answers for space another holds with a redirect, as ARIN does.
    with rdap_service(tmp_path / "other") as other:
        world.rdap.site.routes["/rdap/ip/192.0.2.10"].status = 302
        world.rdap.site.routes["/rdap/ip/192.0.2.10"].headers = {
            "Location": other.base_url + "ip/192.0.2.10"}
        result = trace_url("https://www.shop.example.test/")

    assert result.ok, result.error
    rdap_step = result.step("rdap")
    assert rdap_step is not None
    assert rdap_step.source["answered_by"] == other.base_url + "ip/192.0.2.10"
    assert result.rdap is not None and result.rdap.url == other.base_url + "ip/192.0.2.10"


# --- pieces ------------------------------------------------------------------------------

def test_resolver_entries() -> None:
    assert parse_resolver("192.0.2.53") == ("192.0.2.53", 53)
    assert parse_resolver("192.0.2.53:5353") == ("192.0.2.53", 5353)
    assert parse_resolver("2001:db8::53") == ("2001:db8::53", 53)
    assert parse_resolver("[2001:db8::53]:5353") == ("2001:db8::53", 5353)
    assert parse_resolver("[2001:db8::53]") == ("2001:db8::53", 53)
    for bad in ("resolver.example.test", "192.0.2.53:0", "192.0.2.53:99999", "[x]:53"):
        with pytest.raises(ResolverConfigError):
            parse_resolver(bad)


def test_a_bad_resolver_setting_fails_at_dns() -> None:
    with override_settings(DNS_RESOLVERS=["dns.example.test"]):
        result = trace_url("https://www.shop.example.test/")
    assert (result.failed_step, result.error) == (
        "dns", "DNS_RESOLVERS entry 'dns.example.test' is not an IP address or address:port")


def test_the_abuse_contact_is_the_nearest_abuse_entity() -> None:
    data = rdap_ip_network("192.0.2.0", "192.0.2.255")
    # A deeper abuse contact (e.g. of an upstream) loses to a direct one.
    data["entities"].append({"roles": ["abuse", "technical"],
                             "vcardArray": ["vcard", [["fn", {}, "text", "Direct Abuse"],
                                                      ["email", {}, "text",
                                                       "mailto:direct@hosting.example.test"]]]})
    found = parse_ip_network(data, url="http://rdap.example.test/ip/192.0.2.10")
    assert (found.abuse_email, found.abuse_name) == ("direct@hosting.example.test",
                                                     "Direct Abuse")
    assert (found.country, found.start_address, found.end_address) == (
        "GM", "192.0.2.0", "192.0.2.255")


def test_malformed_rdap_is_tolerated() -> None:
    odd = {"entities": [None, "x", {"roles": "abuse"}, {"roles": ["ABUSE"], "vcardArray": [
        "vcard", [["email", {}, "text", ["", "abuse@odd.example.test"]]]]},
        {"roles": ["abuse"], "vcardArray": "nope", "entities": "nope"}]}
    assert parse_ip_network(odd).abuse_email == "abuse@odd.example.test"
    assert parse_ip_network({"entities": [{"roles": ["abuse"],
                                           "vcardArray": vcard("No Mail")}]}).abuse_email == ""


def test_the_cdn_list_is_well_formed() -> None:
    networks = trace.cdn_networks()
    assert networks[13335] == "Cloudflare"
    for asn in (20940, 16625, 54113, 16509, 15169, 8075, 12989, 33438, 22822, 60068, 200325,
                199524, 19551, 30148):
        assert asn in networks
    data = json.loads(trace.CDN_FILE.read_text())
    assert "MAINTAINED LIST" in data["description"]


def test_without_resolvers_configured_the_system_resolver_is_used(
        world: HostingWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    # The machine's own configuration is never read in tests: this one points at the test
    # server, as /etc/resolv.conf would point at the hub's resolver.
    def read_resolv_conf(resolver: dns.resolver.Resolver, *args: object) -> None:
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = world.dns_port

    monkeypatch.setattr(dns.resolver.Resolver, "read_resolv_conf", read_resolv_conf)
    with override_settings(DNS_RESOLVERS=[]):
        result = trace_url("https://www.shop.example.test/")

    assert result.ok, result.error
    dns_step = result.step("dns")
    assert dns_step is not None
    assert dns_step.source["resolver"] == "system resolver 127.0.0.1"
