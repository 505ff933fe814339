"""The one HTTP fetcher of the product, with its safety limits.

Everything the hub downloads from a reported address (captures for hashing, takedown
re-checks) goes through :func:`fetch`. It

- resolves the name itself and refuses private, loopback, link-local and other non-global
  addresses (unless a test setting allows them), then connects to the address it checked, so
  a second DNS answer cannot point it elsewhere (DNS rebinding);
- follows redirects itself, checking every hop the same way;
- bounds time (connect, each read, and the whole fetch) and size (bytes kept in memory);
- sends no cookies and keeps none, and can go through a configured proxy.

The body is returned in memory only; callers hash it and drop it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

# Reasons, stable strings stored with captures and re-checks.
BAD_URL = "bad_url"
DNS = "dns"
PRIVATE = "private_address"
CONNECT = "connect"
TIMEOUT = "timeout"
TOO_LARGE = "too_large"
REDIRECTS = "too_many_redirects"
PROTOCOL = "protocol"


class FetchError(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0
    max_redirects: int = 5

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(max_bytes=settings.FETCH_MAX_BYTES,
                   connect_timeout=settings.FETCH_CONNECT_TIMEOUT,
                   read_timeout=settings.FETCH_READ_TIMEOUT,
                   total_timeout=settings.FETCH_TOTAL_TIMEOUT,
                   max_redirects=settings.FETCH_MAX_REDIRECTS)


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    body: bytes
    hops: list[str] = field(default_factory=list)
    address: str = ""


def _allowed_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in ipaddress.ip_network(net) for net in settings.FETCH_ALLOW_NETWORKS):
        return True
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> str:
    """The first acceptable address of host, or FetchError (DNS or PRIVATE)."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        candidates = [literal]
    elif settings.DNS_RESOLVERS:
        candidates = _resolve_with_configured(host)
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as e:
            raise FetchError(DNS, f"{host}: {e}") from None
        candidates = [ipaddress.ip_address(info[4][0]) for info in infos]
    allowed = [ip for ip in candidates if _allowed_address(ip)]
    if not allowed:
        raise FetchError(PRIVATE, f"{host} resolves only to non-public addresses")
    if len(allowed) != len(candidates):
        # A name that answers with both public and private addresses is treated as hostile.
        raise FetchError(PRIVATE, f"{host} resolves to a non-public address too")
    return str(allowed[0])


def _resolve_with_configured(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Resolve through the configured resolvers (DNS_RESOLVERS), as the hosting trace does."""
    import dns.exception
    import dns.resolver

    from .resolver import ResolverConfigError, make_resolver

    try:
        resolver, _described = make_resolver()
    except ResolverConfigError as e:
        raise FetchError(DNS, str(e)) from None
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    gone = 0
    for rdtype in ("A", "AAAA"):
        try:
            answer = resolver.resolve(host, rdtype)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            gone += 1
            continue
        except dns.exception.DNSException as e:
            raise FetchError(TIMEOUT if isinstance(e, dns.exception.Timeout) else DNS,
                             f"{host}: {type(e).__name__}") from None
        found.extend(ipaddress.ip_address(r.address) for r in answer)
    if not found:
        raise FetchError(DNS, f"{host} has no address")
    return found


def _check(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(BAD_URL, url[:200])
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname, parts.scheme, port


def fetch(url: str, *, limits: Limits | None = None, method: str = "GET",
          proxy: str | None = None) -> Response:
    """Fetch url within the limits, following redirects that pass the same checks; through
    ``proxy`` when given (a second egress, FETCH_PROXY_ALT), else FETCH_PROXY if set."""
    limits = limits or Limits.from_settings()
    deadline = time.monotonic() + limits.total_timeout
    timeout = httpx.Timeout(connect=limits.connect_timeout, read=limits.read_timeout,
                            write=limits.read_timeout, pool=limits.connect_timeout)
    proxy = proxy or settings.FETCH_PROXY or None
    hops: list[str] = []
    with httpx.Client(timeout=timeout, proxy=proxy, follow_redirects=False,
                      headers={"User-Agent": settings.FETCH_USER_AGENT}) as client:
        for _hop in range(limits.max_redirects + 1):
            host, scheme, port = _check(url)
            address = resolve(host, port)
            client.cookies.clear()  # nothing a server set on an earlier hop goes back
            request = client.build_request(method, url)
            request.headers.pop("Cookie", None)
            if proxy is None:
                # Connect to the checked address; keep the name for Host and TLS.
                ip_host = f"[{address}]" if ":" in address else address
                request.url = request.url.copy_with(host=ip_host)
                request.headers["Host"] = host if port in (80, 443) else f"{host}:{port}"
                if scheme == "https":
                    request.extensions["sni_hostname"] = host
            response = _send(client, request, limits, deadline)
            hops.append(url)
            if response.status in (301, 302, 303, 307, 308) and response.location:
                url = urljoin(url, response.location)
                if method != "HEAD" and response.status == 303:
                    method = "GET"
                continue
            response.url, response.hops, response.address = url, hops, address
            return response
    raise FetchError(REDIRECTS, f"more than {limits.max_redirects} redirects")


@dataclass
class _Raw(Response):
    location: str = ""


def _send(client: httpx.Client, request: httpx.Request, limits: Limits,
          deadline: float) -> _Raw:
    try:
        answer = client.send(request, stream=True)
        try:
            body = bytearray()
            declared = answer.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError(TOO_LARGE, f"declared {declared} bytes")
            for chunk in answer.iter_bytes():
                body.extend(chunk)
                if len(body) > limits.max_bytes:
                    raise FetchError(TOO_LARGE, f"over {limits.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(TIMEOUT, "the whole fetch took too long")
            return _Raw(url=str(request.url), status=answer.status_code,
                        content_type=answer.headers.get("Content-Type", "")[:200],
                        body=bytes(body), location=answer.headers.get("Location", ""))
        finally:
            answer.close()
    except httpx.TimeoutException as e:
        raise FetchError(TIMEOUT, type(e).__name__) from None
    except httpx.ConnectError as e:
        raise FetchError(CONNECT, str(e)[:200]) from None
    except (httpx.HTTPError, ValueError) as e:
        raise FetchError(PROTOCOL, str(e)[:200]) from None
