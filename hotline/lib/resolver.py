"""The DNS resolver the product uses: DNS_RESOLVERS when set, else the system's.

One place for it, so that the hosting trace and the fetcher ask the same servers.
"""

from __future__ import annotations

import ipaddress
import re

import dns.exception
import dns.nameserver
import dns.resolver
from django.conf import settings


class ResolverConfigError(ValueError):
    """DNS_RESOLVERS is wrong, or there is no system resolver."""


_HOST_PORT = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?|([0-9.]+):(\d{1,5})")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def parse_resolver(entry: str) -> tuple[str, int]:
    """ "192.0.2.1", "192.0.2.1:5353", "2001:db8::1" or "[2001:db8::1]:5353" → (ip, port)."""
    entry = entry.strip()
    if _is_ip(entry) and not entry.startswith("["):
        return entry, 53
    match = _HOST_PORT.fullmatch(entry)
    if match:
        address, port = (match[1], match[2] or "53") if match[1] else (match[3], match[4])
        if _is_ip(address) and 0 < int(port) < 65536:
            return address, int(port)
    raise ResolverConfigError(
        f"DNS_RESOLVERS entry {entry!r} is not an IP address or address:port")


def make_resolver() -> tuple[dns.resolver.Resolver, str]:
    """A resolver as configured, and a description of it for the record."""
    resolver: dns.resolver.Resolver
    if settings.DNS_RESOLVERS:
        servers = [parse_resolver(entry) for entry in settings.DNS_RESOLVERS]
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in servers]
        described = ", ".join(f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
                              for ip, port in servers)
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.exception.DNSException as e:
            raise ResolverConfigError(f"no system resolver: {e}") from None
        described = "system resolver " + ", ".join(str(n) for n in resolver.nameservers)
    resolver.timeout = resolver.lifetime = settings.DNS_TIMEOUT
    resolver.cache = None
    return resolver, described
