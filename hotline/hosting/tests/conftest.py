"""Hosting tests talk only to servers they start on loopback.

Every test here runs with two guards: no host name may be resolved through the system (only
loopback IP literals pass), and dnspython may not read the machine's /etc/resolv.conf, so a
test that forgot to point DNS_RESOLVERS or RDAP_BOOTSTRAP_DIR at its own servers fails
instead of reaching the internet.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import dns.resolver
import pytest
from django.test import override_settings

from hotline.testing.geoip import HostingWorld, hosting_world


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            loopback = ipaddress.ip_address(str(host).strip("[]")).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise AssertionError(f"a hosting test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def read_resolv_conf(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a hosting test tried to use the system's DNS configuration")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(dns.resolver.Resolver, "read_resolv_conf", read_resolv_conf)


@pytest.fixture(scope="module")
def _world_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostingWorld]:
    with hosting_world(tmp_path_factory.mktemp("hosting")) as found:
        yield found


@pytest.fixture
def world(_world_servers: HostingWorld) -> Iterator[HostingWorld]:
    """The test zone's DNS server, GeoIP databases and RDAP service, their settings in force
    (servers shared by a module's tests; RDAP answers and bootstrap reset for each test)."""
    _world_servers.rdap.reset()
    with override_settings(**_world_servers.settings):
        yield _world_servers
