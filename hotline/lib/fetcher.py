"""The one HTTP fetcher of the product, with its safety limits.

Everything the hub downloads from a reported address (captures for hashing, takedown
re-checks) goes through :func:`fetch`. It

- resolves the name itself and refuses private, loopback, link-local and other non-global
  addresses (unless a test setting allows them), also inside an IPv6 address that carries an
  IPv4 one (IPv4-mapped or -compatible, NAT64, 6to4, Teredo), then connects to the address
  it checked, so a second DNS answer cannot point it elsewhere (DNS rebinding);
- follows redirects itself, parsing Location as a browser does and checking every hop the
  same way; a redirect to anything but a web address is a FetchError (``bad_redirect``);
- bounds time (connect, each read, and the whole fetch: a wall-clock deadline over every
  lookup, connection, TLS handshake, header and body byte of every hop) and size (bytes kept
  in memory);
- asks as a desktop browser does (:func:`browser_headers`): sites cloak, showing their
  material to browsers and a decoy to anything that looks like a robot;
- sends no cookies and keeps none;
- can go through a proxy (FETCH_PROXY), and stays pinned there: every name but an onion one
  is resolved and checked here, and the proxy is asked for that address, never the name
  (HTTP proxy: CONNECT to the address, for http and https alike, with Host and TLS SNI the
  name; SOCKS5: the address as an address). Onion names go to a SOCKS5 proxy (Tor), which
  resolves them; without one they are a FetchError (``onion_needs_proxy``), never a lookup.

The body is returned in memory only; callers hash it and drop it.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

import httpcore
import httpx
from ada_url import join_url
from django.conf import settings

from .deadline import Deadline, DeadlineBackend
from .tunnels import Proxy, parse_proxy, tunnel_backend

# Reasons, stable strings stored with captures and re-checks.
BAD_URL = "bad_url"
DNS = "dns"
PRIVATE = "private_address"
CONNECT = "connect"
TIMEOUT = "timeout"
TOO_LARGE = "too_large"
REDIRECTS = "too_many_redirects"
PROTOCOL = "protocol"
BAD_REDIRECT = "bad_redirect"  # a redirect to something that is not a web address
ONION_NEEDS_PROXY = "onion_needs_proxy"  # an onion address, and no SOCKS5 proxy (Tor) set
PROXY = "proxy"  # the proxy is unreachable, or refused or garbled the tunnel


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
    address: str = ""  # the checked address of the last hop; "" for an onion (Tor resolved it)


# IPv6 prefixes whose addresses carry an IPv4 address that the packets end up at (RFC 6052
# NAT64, RFC 4291 IPv4-compatible; 6to4 and Teredo are read by the ipaddress module). The
# IPv4 address inside is checked by the same rules, or 64:ff9b::10.0.0.1 would reach 10.0.0.1.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Local-use NAT64 (RFC 8215) is never global, although Python 3.11 calls it so.
_NOT_GLOBAL = (ipaddress.ip_network("64:ff9b:1::/48"),)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the Teredo server and the client behind it
    return []


def _listed(ip: Address) -> bool:
    return any(ip in ipaddress.ip_network(net) for net in settings.FETCH_ALLOW_NETWORKS)


def allowed_address(ip: Address) -> bool:
    """Whether the fetcher may connect to ip: a global address, or one a setting allows."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the very same host as its IPv4 address
            return allowed_address(ip.ipv4_mapped)
        if not all(allowed_address(inner) for inner in _embedded_ipv4(ip)):
            return False
    if _listed(ip):
        return True
    return ip.is_global and not ip.is_multicast and not any(ip in n for n in _NOT_GLOBAL)


def resolve(host: str, port: int, deadline: Deadline | None = None) -> str:
    """The first acceptable address of host, or FetchError (DNS, PRIVATE or TIMEOUT).

    The lookup ends by the deadline, when one is given.
    """
    deadline = deadline or Deadline(settings.DNS_TIMEOUT)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        candidates = [literal]
    elif settings.DNS_RESOLVERS:
        candidates = _resolve_with_configured(host, deadline)
    else:
        candidates = _resolve_with_system(host, port, deadline)
    allowed = [ip for ip in candidates if allowed_address(ip)]
    if not allowed:
        raise FetchError(PRIVATE, f"{host} resolves only to non-public addresses")
    if len(allowed) != len(candidates):
        # A name that answers with both public and private addresses is treated as hostile.
        raise FetchError(PRIVATE, f"{host} resolves to a non-public address too")
    return str(allowed[0])


def _resolve_with_system(host: str, port: int, deadline: Deadline) -> list[Address]:
    """Resolve with the system's resolver, giving up at the deadline.

    getaddrinfo takes no time-out, so it runs in a thread of its own that is left behind
    when the deadline passes; the system's resolver ends it after its own retries.
    """
    outcome: list[list[Address] | FetchError] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as e:
            outcome.append(FetchError(DNS, f"{host}: {e}"))
        else:
            outcome.append([ipaddress.ip_address(info[4][0]) for info in infos])

    thread = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(max(deadline.left(), 0))
    if not outcome:
        raise FetchError(TIMEOUT, f"{host}: the lookup took too long")
    if isinstance(outcome[0], FetchError):
        raise outcome[0]
    return outcome[0]


def _resolve_with_configured(host: str, deadline: Deadline) -> list[Address]:
    """Resolve through the configured resolvers (DNS_RESOLVERS), as the hosting trace does."""
    import dns.exception
    import dns.resolver

    from .resolver import ResolverConfigError, make_resolver

    try:
        resolver, _described = make_resolver()
    except ResolverConfigError as e:
        raise FetchError(DNS, str(e)) from None
    found: list[Address] = []
    gone = 0
    for rdtype in ("A", "AAAA"):
        try:
            resolver.lifetime = deadline.clamp(settings.DNS_TIMEOUT, dns.exception.Timeout)
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


# Longer addresses are refused: no real page needs one, and they end up in records.
MAX_URL_LENGTH = 4096
# A host name as DNS carries it (after IDNA): labels of letters, digits, "-" and "_".
_HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*\.?")


class _Target(NamedTuple):
    host: str  # in ASCII: a name as DNS knows it, or an IP address
    scheme: str
    port: int

    @property
    def host_header(self) -> str:
        default = self.port == (443 if self.scheme == "https" else 80)
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if default else f"{host}:{self.port}"


def _check(url: str, reason: str = BAD_URL) -> _Target:
    """Where a web address the fetcher can go to points, or FetchError(reason)."""
    try:
        parts = urlsplit(url)
        port = parts.port
        httpx.URL(url)  # what the request is built from must take it too
    except (ValueError, httpx.InvalidURL):
        raise FetchError(reason, url[:200]) from None
    host = _ascii_host(parts.hostname or "")
    if len(url) > MAX_URL_LENGTH or parts.scheme not in ("http", "https") or not host:
        raise FetchError(reason, url[:200])
    return _Target(host, parts.scheme, port or (443 if parts.scheme == "https" else 80))


def _ascii_host(host: str) -> str:
    """host as DNS or an IP literal has it, or "" when it is neither."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""
    return ascii_host if _HOST_NAME.fullmatch(ascii_host) else ""


def fetch(url: str, *, limits: Limits | None = None, method: str = "GET",
          headers: Mapping[str, str] | None = None, proxy: str | None = None) -> Response:
    """Fetch url within the limits, following redirects that pass the same checks.

    headers replace the browser's headers of the same name (an RDAP query asks for JSON);
    Host and Cookie are the fetcher's own and are not replaced. ``proxy`` is another egress
    than FETCH_PROXY (FETCH_PROXY_ALT, for removal checks seen from two places).
    """
    limits = limits or Limits.from_settings()
    deadline = Deadline(limits.total_timeout)
    hops: list[str] = []
    for hop in range(limits.max_redirects + 1):
        target = _check(url, BAD_REDIRECT if hop else BAD_URL)
        address = _address(target, deadline, proxy)
        request = _request(method, url, target, address or target.host, limits, headers or {})
        # A transport per hop, not a Client: a client would keep cookies, read proxies from
        # the environment and interpret Location before the checks above; and a connection
        # kept from the last hop would carry a request for another name over TLS checked
        # for the last hop's name (connections are keyed by the address).
        with _Transport(deadline, proxy) as transport:
            response = _send(transport, request, limits, deadline)
        hops.append(url)
        if response.status in (301, 302, 303, 307, 308) and response.location:
            url = _join(url, response.location)
            if method != "HEAD" and response.status == 303:
                method = "GET"
            continue
        response.url, response.hops, response.address = url, hops, address
        return response
    raise FetchError(REDIRECTS, f"more than {limits.max_redirects} redirects")


def _proxy(given: str | None = None) -> Proxy | None:
    configured = given or settings.FETCH_PROXY
    return parse_proxy(configured) if configured else None


def _address(target: _Target, deadline: Deadline, given: str | None = None) -> str:
    """The checked address to connect to, or "" for an onion name, which only Tor resolves."""
    if target.host.rstrip(".").endswith(".onion"):
        proxy = _proxy(given)
        if proxy is None or proxy.scheme == "http":
            raise FetchError(ONION_NEEDS_PROXY, f"{target.host} is reached only through Tor")
        return ""
    return resolve(target.host, target.port, deadline)


def _request(method: str, url: str, target: _Target, connect_to: str, limits: Limits,
             replaced: Mapping[str, str]) -> httpx.Request:
    """A request for url that goes to connect_to (the checked address, or an onion name),
    with the name for Host and TLS. Through a proxy, the tunnel is asked for connect_to."""
    to = httpx.URL(url).copy_with(host=f"[{connect_to}]" if ":" in connect_to else connect_to)
    headers = [("Host", target.host_header),
               *_replace(browser_headers(secure=target.scheme == "https"), replaced)]
    timeout = httpx.Timeout(connect=limits.connect_timeout, read=limits.read_timeout,
                            write=limits.read_timeout, pool=limits.connect_timeout)
    extensions = {"timeout": timeout.as_dict(), "sni_hostname": target.host}
    return httpx.Request(method, to, headers=headers, extensions=extensions)


# What Chromium sends when a person types an address, in its order. Accept-Encoding is
# Chromium's less br and zstd: httpx decodes those only with extra packages, and without a
# bound on the memory one small compressed chunk may expand to.
_NAVIGATION_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,"
                      "image/avif,image/webp,image/apng,*/*;q=0.8,"
                      "application/signed-exchange;v=b3;q=0.7")
_ACCEPT_ENCODING = "gzip, deflate"


def browser_headers(*, secure: bool) -> list[tuple[str, str]]:
    """The request headers of a browser's top-level navigation (the capture identity).

    Chromium sends client hints and fetch metadata to secure origins only, so plain http
    gets neither, as from a browser.
    """
    hints = settings.FETCH_CLIENT_HINTS if secure else ""
    headers = [("Connection", "keep-alive")]
    if hints:
        headers += [("sec-ch-ua", hints), ("sec-ch-ua-mobile", "?0"),
                    ("sec-ch-ua-platform", '"Linux"')]
    headers += [("Upgrade-Insecure-Requests", "1"), ("User-Agent", settings.FETCH_USER_AGENT),
                ("Accept", _NAVIGATION_ACCEPT)]
    if secure:
        headers += [("Sec-Fetch-Site", "none"), ("Sec-Fetch-Mode", "navigate"),
                    ("Sec-Fetch-User", "?1"), ("Sec-Fetch-Dest", "document")]
    headers += [("Accept-Encoding", _ACCEPT_ENCODING),
                ("Accept-Language", settings.FETCH_ACCEPT_LANGUAGE)]
    return headers


def _replace(headers: list[tuple[str, str]],
             replaced: Mapping[str, str]) -> list[tuple[str, str]]:
    """headers with the values in replaced, in place or added at the end; never Host or
    Cookie."""
    given = {name.lower(): (name, value) for name, value in replaced.items()
             if name.lower() not in ("host", "cookie")}
    kept = [(name, given.pop(name.lower(), (name, value))[1]) for name, value in headers]
    return [*kept, *given.values()]


def _join(base: str, location: str) -> str:
    """The address a Location header points at, parsed as a browser does; FetchError when
    it cannot be one."""
    if len(location) > MAX_URL_LENGTH:
        raise FetchError(BAD_REDIRECT, f"a Location of {len(location)} characters")
    try:
        return join_url(base, location)
    except ValueError:
        raise FetchError(BAD_REDIRECT, location[:200]) from None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The certificates the fetcher trusts: certifi's, never the environment's. Made once per
    process (loading certifi's bundle costs about 0.1 s of a core: bench/takedown_latency.py);
    an SSLContext is safe to share between threads and is never changed after this."""
    return httpx.create_ssl_context(trust_env=False)


class _Transport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that keeps the deadline.

    HTTPTransport takes no network backend, so its pool is replaced once made; httpx is
    pinned, and every fetch test goes through here.
    """

    def __init__(self, deadline: Deadline, given_proxy: str | None = None) -> None:
        tls = _tls_context()
        super().__init__(verify=tls, trust_env=False)
        backend: httpcore.NetworkBackend = DeadlineBackend(httpcore.SyncBackend(), deadline)
        proxy = _proxy(given_proxy)
        if proxy is not None:
            backend = tunnel_backend(proxy, backend)
        self._pool = httpcore.ConnectionPool(ssl_context=tls, network_backend=backend)


@dataclass
class _Raw(Response):
    location: str = ""


def _send(transport: httpx.HTTPTransport, request: httpx.Request, limits: Limits,
          deadline: Deadline) -> _Raw:
    try:
        answer = transport.handle_request(request)
        try:
            body = bytearray()
            declared = answer.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError(TOO_LARGE, f"declared {declared} bytes")
            for chunk in answer.iter_bytes():
                body.extend(chunk)
                if len(body) > limits.max_bytes:
                    raise FetchError(TOO_LARGE, f"over {limits.max_bytes} bytes")
                if deadline.left() <= 0:
                    raise FetchError(TIMEOUT, "the whole fetch took too long")
            return _Raw(url=str(request.url), status=answer.status_code,
                        content_type=answer.headers.get("Content-Type", "")[:200],
                        body=bytes(body), location=answer.headers.get("Location", ""))
        finally:
            answer.close()
    except httpx.TimeoutException as e:
        raise FetchError(TIMEOUT, type(e).__name__) from None
    except httpx.ProxyError as e:
        raise FetchError(PROXY, str(e)[:200]) from None
    except httpx.ConnectError as e:
        raise FetchError(CONNECT, str(e)[:200]) from None
    except (httpx.HTTPError, ValueError) as e:
        raise FetchError(PROTOCOL, str(e)[:200]) from None
