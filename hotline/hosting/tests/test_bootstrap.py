"""RDAP bootstrap files: the shipped snapshot, lookups, checks and `hotline rdap refresh`."""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from hotline.hosting import bootstrap
from hotline.hosting.bootstrap import BootstrapError
from hotline.testing.httpserver import Route, Site, serve

SHIPPED = Path(bootstrap.__file__).resolve().parent / "rdap_bootstrap"
ARIN, RIPE, APNIC = ("https://rdap.arin.net/registry/", "https://rdap.db.ripe.net/",
                     "https://rdap.apnic.net/")
LACNIC, AFRINIC = "https://rdap.lacnic.net/rdap/", "https://rdap.afrinic.net/rdap/"


def test_the_default_directory_is_the_shipped_snapshot() -> None:
    assert Path(settings.RDAP_BOOTSTRAP_DIR) == SHIPPED
    assert "SNAPSHOT" in (SHIPPED / "README.md").read_text()


@pytest.mark.parametrize("kind", bootstrap.KINDS)
def test_the_shipped_files_are_valid(kind: str) -> None:
    boot = bootstrap.load(kind, SHIPPED)
    assert boot.publication and boot.services


@pytest.mark.parametrize(("ip", "expected"), [
    ("8.8.8.8", ARIN), ("23.1.2.3", ARIN), ("192.0.2.10", ARIN),
    ("193.0.6.139", RIPE), ("185.1.2.3", RIPE), ("2.1.2.3", RIPE),
    ("1.1.1.1", APNIC), ("203.0.113.1", APNIC), ("133.1.2.3", APNIC),
    ("200.160.2.3", LACNIC), ("177.1.2.3", LACNIC),
    ("41.1.2.3", AFRINIC), ("196.1.2.3", AFRINIC),
    ("2001:67c:2e8::1", RIPE), ("2a00:1450::1", RIPE), ("2606:4700::1", ARIN),
    ("2400:cb00::1", APNIC), ("2800:3f0::1", LACNIC), ("2c0f:f248::1", AFRINIC),
    ("10.1.2.3", None), ("127.0.0.1", None), ("224.0.0.1", None), ("fe80::1", None),
])
def test_the_snapshot_knows_the_rir_of_public_addresses(ip: str, expected: str | None) -> None:
    address = ipaddress.ip_address(ip)
    boot = bootstrap.load(f"ipv{address.version}", SHIPPED)
    assert boot.base_url_for_address(address) == expected


def _file(services: list[Any], **extra: Any) -> dict[str, Any]:
    return {"version": "1.0", "publication": "2026-01-01T00:00:00Z", "services": services,
            **extra}


def test_the_longest_prefix_wins_and_https_is_preferred(tmp_path: Path) -> None:
    data = _file([[["192.0.0.0/8"], ["http://wide.example.test/rdap"]],
                  [["192.0.2.0/24"], ["http://narrow.example.test/",
                                      "https://narrow.example.test/"]]])
    (tmp_path / "ipv4.json").write_text(json.dumps(data))
    boot = bootstrap.load("ipv4", tmp_path)
    assert boot.base_url_for_address(ipaddress.ip_address("192.0.2.1")) == (
        "https://narrow.example.test/")
    assert boot.base_url_for_address(ipaddress.ip_address("192.0.3.1")) == (
        "http://wide.example.test/rdap/")
    assert boot.base_url_for_address(ipaddress.ip_address("2001:db8::1")) is None


@pytest.mark.parametrize(("kind", "data", "problem"), [
    ("ipv4", [], "not a JSON object"),
    ("ipv4", _file([[["192.0.2.0/24"], ["https://r.example.test/"]]], version="2.0"),
     "version"),
    ("ipv4", {"version": "1.0", "services": [[["192.0.2.0/24"], ["https://r/"]]]},
     "publication"),
    ("ipv4", _file([]), "no services"),
    ("ipv4", _file([[["192.0.2.0/24"]]]), "not [[entries], [URLs]]"),
    ("ipv4", _file([[["192.0.2.0/24"], []]]), "not [[entries], [URLs]]"),
    ("ipv4", _file([[["192.0.2.1/24"], ["https://r.example.test/"]]]), "not an IP prefix"),
    ("ipv4", _file([[["2001:db8::/32"], ["https://r.example.test/"]]]), "not an ipv4"),
    ("ipv6", _file([[["192.0.2.0/24"], ["https://r.example.test/"]]]), "not an ipv6"),
    ("ipv4", _file([[["192.0.2.0/24"], ["ftp://r.example.test/"]]]), "not an http(s) URL"),
    ("ipv4", _file([[[42], ["https://r.example.test/"]]]), "not a string"),
    ("asn", _file([[["10-5"], ["https://r.example.test/"]]]), "not a valid AS number range"),
    ("asn", _file([[["AS1"], ["https://r.example.test/"]]]), "not an AS number range"),
    ("dns", _file([[["bad domain"], ["https://r.example.test/"]]]), "not a domain name"),
])
def test_malformed_files_are_refused(kind: str, data: Any, problem: str) -> None:
    with pytest.raises(BootstrapError, match=re.escape(problem)):
        bootstrap.validate(kind, data)


def test_unparsable_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BootstrapError, match="not JSON"):
        bootstrap.parse("ipv4", b'{"version": "1.0", "services": [')
    with pytest.raises(BootstrapError, match="cannot be read"):
        bootstrap.load("ipv4", tmp_path)


# --- hotline rdap refresh ----------------------------------------------------------------

def _official_like() -> dict[str, bytes]:
    """Files as IANA serves them: here, the shipped snapshot with a newer publication date."""
    files = {}
    for kind in bootstrap.KINDS:
        data = json.loads((SHIPPED / f"{kind}.json").read_text())
        data["publication"] = "2026-12-01T17:00:02Z"
        files[kind] = json.dumps(data).encode()
    return files


def _serve_files(site: Site, files: dict[str, bytes]) -> None:
    for kind, raw in files.items():
        site.routes[f"/rdap/{kind}.json"] = Route(body=raw, content_type="application/json")


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """A bootstrap directory holding an older copy of the files."""
    directory = tmp_path / "bootstrap"
    directory.mkdir()
    for kind in bootstrap.KINDS:
        (directory / f"{kind}.json").write_bytes((SHIPPED / f"{kind}.json").read_bytes())
    return directory


def _refresh(site: Site, directory: Path) -> str:
    out = StringIO()
    with override_settings(RDAP_BOOTSTRAP_URL=site.base + "/rdap",
                           RDAP_BOOTSTRAP_DIR=directory):
        call_command("rdap", "refresh", stdout=out)
    return out.getvalue()


def test_refresh_downloads_checks_and_replaces_the_files(installed: Path) -> None:
    files = _official_like()
    with serve() as site:
        _serve_files(site, files)
        out = _refresh(site, installed)

    assert sorted(path for path, _ in site.requests) == sorted(
        f"/rdap/{kind}.json" for kind in bootstrap.KINDS)
    for kind in bootstrap.KINDS:
        assert (installed / f"{kind}.json").read_bytes() == files[kind]
        assert bootstrap.load(kind, installed).publication == "2026-12-01T17:00:02Z"
    assert sorted(p.name for p in installed.iterdir()) == [
        "asn.json", "dns.json", "ipv4.json", "ipv6.json"]  # no temporary files left
    assert "ipv4.json\t2026-12-01T17:00:02Z" in out
    assert f"replaced in {installed}" in out


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.iterdir()}


@pytest.mark.parametrize("breakage", ["not json", "wrong structure", "bad prefix", "http 404",
                                      "http 500"])
def test_refresh_refuses_bad_files_and_keeps_the_old_ones(installed: Path,
                                                          breakage: str) -> None:
    files = _official_like()
    before = _snapshot(installed)
    with serve() as site:
        _serve_files(site, files)
        route = site.routes["/rdap/ipv6.json"]  # the second file: ipv4.json was fine
        if breakage == "not json":
            route.body = b"<html>Service Unavailable</html>"
        elif breakage == "wrong structure":
            route.body = json.dumps({"version": "1.0", "publication": "x",
                                     "services": {"2001::/16": "https://r/"}}).encode()
        elif breakage == "bad prefix":
            data = json.loads(files["ipv6"])
            broken = copy.deepcopy(data)
            broken["services"][0][0].append("2001:db8::1/32")
            route.body = json.dumps(broken).encode()
        else:
            route.status = int(breakage.split()[1])
        with pytest.raises(CommandError) as e:
            _refresh(site, installed)

    assert "ipv6.json" in str(e.value)
    assert _snapshot(installed) == before


def test_refresh_refuses_an_endless_file(installed: Path) -> None:
    before = _snapshot(installed)
    with serve() as site:
        _serve_files(site, _official_like())
        site.routes["/rdap/ipv4.json"] = Route(stream=lambda: iter([b" " * 65536] * 200))
        with pytest.raises(CommandError, match="larger than"):
            _refresh(site, installed)
    assert _snapshot(installed) == before


def test_show_lists_the_files_in_use(installed: Path) -> None:
    (installed / "dns.json").write_text("{}")
    out = StringIO()
    call_command("rdap", "show", "--dir", str(installed), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("ipv4.json\t2026-11-25T00:00:00Z\t5 services")
    assert lines[3].startswith("dns.json\tBROKEN")
