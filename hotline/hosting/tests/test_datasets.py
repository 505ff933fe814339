"""Which IP → country/network dataset answers: configured MaxMind-format files, else the
offline dataset installed with the product (iptocc: the RIRs' delegations)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import override_settings

from hotline.hosting import datasets
from hotline.hosting.trace import trace_url
from hotline.testing.geoip import HostingWorld, unused_port, write_country_db

NO_FILES = {"GEOIP_COUNTRY_DB": "", "GEOIP_ASN_DB": ""}
# Addresses whose registration the RIRs fix: Google's public resolver (ARIN, US), APNIC's
# research prefix 1.1.1.0/24 (APNIC, AU), Google's IPv6 resolver (ARIN, US). The host is an
# address, so nothing is resolved, and only the bootstrap of the test ranges is known, so no
# RDAP query leaves the machine either.
WELL_KNOWN = [("8.8.8.8", "US"), ("1.1.1.1", "AU"), ("2001:4860:4860::8888", "US")]


def _url(ip: str) -> str:
    return f"http://[{ip}]/" if ":" in ip else f"http://{ip}/"


@pytest.mark.parametrize(("ip", "country"), WELL_KNOWN)
def test_without_files_the_offline_dataset_gives_the_country(world: HostingWorld, ip: str,
                                                             country: str) -> None:
    with override_settings(**NO_FILES, DNS_RESOLVERS=[f"127.0.0.1:{unused_port()}"]):
        result = trace_url(_url(ip))

    assert result.country == country
    assert result.primary is not None and result.primary.registered_country == country
    assert result.asn is None
    geoip_step = result.step("geoip")
    assert geoip_step is not None and geoip_step.ok, geoip_step
    offline = geoip_step.source["country"]
    assert offline["dataset"] == "iptocc"
    assert offline["version"] == datasets.offline_dataset().version  # type: ignore[union-attr]
    built = datetime.fromisoformat(offline["build_date"]).date()
    assert offline["age_days"] == (datetime.now(UTC).date() - built).days
    assert geoip_step.source["asn"] is None
    assert any("GEOIP_ASN_DB is not set" in note for note in geoip_step.notes)
    assert any("registered" in note for note in geoip_step.notes)


def test_a_documentation_address_is_not_in_the_offline_dataset(world: HostingWorld) -> None:
    with override_settings(**NO_FILES):
        result = trace_url("http://192.0.2.10/")

    assert (result.country, result.asn) == ("", None)
    geoip_step = result.step("geoip")
    assert geoip_step is not None and geoip_step.ok
    assert "192.0.2.10: not (fully) in the databases" in geoip_step.notes
    assert result.ok, result.error  # RDAP (loopback) still found the abuse contact


def test_a_configured_country_file_wins_over_the_offline_dataset(world: HostingWorld,
                                                                 tmp_path: Path) -> None:
    # The file says 1.1.1.1 is in The Gambia; the RIRs say Australia: the file answers.
    own = write_country_db(tmp_path / "DBIP-Country-own.mmdb", {"1.1.1.0/24": "GM"})
    with override_settings(GEOIP_COUNTRY_DB=str(own), GEOIP_ASN_DB=""):
        result = trace_url("http://1.1.1.1/")

    assert result.country == "GM"
    geoip_step = result.step("geoip")
    assert geoip_step is not None and geoip_step.ok
    assert geoip_step.source["country"]["file"] == "DBIP-Country-own.mmdb"
    assert geoip_step.source["country"]["dataset"] == "GeoLite2-Country"
    assert geoip_step.source["country"]["age_days"] == 0


def test_with_the_offline_dataset_off_and_no_files_the_step_fails(world: HostingWorld) -> None:
    with override_settings(**NO_FILES, GEOIP_OFFLINE=False):
        result = trace_url("http://8.8.8.8/")

    assert (result.ok, result.failed_step) == (False, "geoip")
    assert "GEOIP_COUNTRY_DB is not set" in result.error
    assert result.country == ""


def test_the_offline_dataset_describes_itself() -> None:
    offline = datasets.offline_dataset()
    assert offline is not None
    assert offline.name == "iptocc" and offline.version
    assert offline.built is not None and offline.built.year >= 2026
    with override_settings(GEOIP_OFFLINE=False):
        assert datasets.offline_dataset() is None
