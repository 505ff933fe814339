"""IANA RDAP bootstrap files (RFC 9224): checking, loading and looking up.

The four files (ipv4.json, ipv6.json, asn.json, dns.json) live in ``RDAP_BOOTSTRAP_DIR``; a
snapshot ships in ``hotline/hosting/rdap_bootstrap/`` and ``hotline rdap refresh`` replaces it
with IANA's current files.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

KINDS = ("ipv4", "ipv6", "asn", "dns")
_ASN_RANGE = re.compile(r"(\d{1,10})(?:-(\d{1,10}))?")
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*",
                     re.IGNORECASE)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BootstrapError(ValueError):
    """A bootstrap file that is missing, unreadable or not in the RFC 9224 format."""


def _check_entry(kind: str, entry: str) -> None:
    if kind in ("ipv4", "ipv6"):
        try:
            network = ipaddress.ip_network(entry, strict=True)
        except ValueError:
            raise BootstrapError(f"{entry!r} is not an IP prefix") from None
        if network.version != int(kind[-1]):
            raise BootstrapError(f"{entry!r} is not an {kind} prefix")
    elif kind == "asn":
        match = _ASN_RANGE.fullmatch(entry)
        if not match:
            raise BootstrapError(f"{entry!r} is not an AS number range")
        low, high = int(match[1]), int(match[2] or match[1])
        if not low <= high < 2**32:
            raise BootstrapError(f"{entry!r} is not a valid AS number range")
    elif not _DOMAIN.fullmatch(entry):
        raise BootstrapError(f"{entry!r} is not a domain name")


def validate(kind: str, data: Any) -> None:
    """Raise BootstrapError unless data is a well-formed bootstrap file of this kind."""
    if kind not in KINDS:
        raise BootstrapError(f"unknown bootstrap file {kind!r}")
    if not isinstance(data, dict):
        raise BootstrapError("not a JSON object")
    if data.get("version") != "1.0":
        raise BootstrapError(f"version is {data.get('version')!r}, not '1.0'")
    if not isinstance(data.get("publication"), str) or not data["publication"]:
        raise BootstrapError("no publication date")
    services = data.get("services")
    if not isinstance(services, list) or not services:
        raise BootstrapError("no services")
    for number, service in enumerate(services, 1):
        if not (isinstance(service, list) and len(service) == 2
                and all(isinstance(part, list) and part for part in service)):
            raise BootstrapError(f"service {number} is not [[entries], [URLs]]")
        entries, urls = service
        for entry in entries:
            if not isinstance(entry, str):
                raise BootstrapError(f"service {number}: entry {entry!r} is not a string")
            _check_entry(kind, entry)
        for url in urls:
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise BootstrapError(f"service {number}: {url!r} is not an http(s) URL")


def parse(kind: str, raw: bytes) -> dict[str, Any]:
    """The checked content of a bootstrap file, or BootstrapError."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise BootstrapError(f"not JSON: {e}") from None
    validate(kind, data)
    return data


def write_atomically(path: Path, raw: bytes) -> None:
    """Replace path with raw in one step: readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def preferred_url(urls: list[str]) -> str:
    """RFC 9224 lists several base URLs for one service: take https when offered."""
    chosen = next((u for u in urls if u.startswith("https://")), urls[0])
    return chosen if chosen.endswith("/") else chosen + "/"


@dataclass(frozen=True)
class Bootstrap:
    kind: str
    path: str
    publication: str
    services: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

    def networks(self) -> list[tuple[IPNetwork, str]]:
        return _networks(self)

    def published(self) -> date | None:
        """The day IANA published the file (RFC 9224 "publication"), None if unreadable."""
        try:
            return date.fromisoformat(self.publication[:10])
        except ValueError:
            return None

    def base_url_for_address(self, address: IPAddress) -> str | None:
        """The base URL of the most specific prefix holding address (longest match)."""
        best: tuple[int, str] | None = None
        for network, url in self.networks():
            if network.version == address.version and address in network and (
                    best is None or network.prefixlen > best[0]):
                best = (network.prefixlen, url)
        return best[1] if best else None


@lru_cache(maxsize=16)
def _networks(boot: Bootstrap) -> list[tuple[IPNetwork, str]]:
    return [(ipaddress.ip_network(entry), preferred_url(list(urls)))
            for entries, urls in boot.services for entry in entries]


@lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int, kind: str) -> Bootstrap:
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise BootstrapError(f"{path} cannot be read: {e.strerror}") from None
    data = parse(kind, raw)
    services = tuple((tuple(entries), tuple(urls)) for entries, urls in data["services"])
    return Bootstrap(kind=kind, path=path, publication=data["publication"], services=services)


def load(kind: str, directory: Path | str | None = None) -> Bootstrap:
    """The bootstrap file of this kind from RDAP_BOOTSTRAP_DIR (re-read when it changes)."""
    path = Path(directory or settings.RDAP_BOOTSTRAP_DIR) / f"{kind}.json"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as e:
        raise BootstrapError(f"{path} cannot be read: {e.strerror}") from None
    return _load(str(path), mtime, kind)
