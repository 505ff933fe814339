"""The one URL canonicaliser of the product.

Reporters paste addresses from chats, e-mails and threat feeds: without a scheme, "defanged"
(``hxxp://example[.]test``), wrapped in brackets or followed by punctuation. This module turns
such text into one canonical http(s) URL, WHATWG-parsed by ada-url, so that every report of
the same page lands on the same case. Invalid input raises :class:`InvalidURL` with a reason
code; it never raises anything else.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

import tldextract
from ada_url import URL

MAX_URL_LENGTH = 4096

# Reasons, turned into translated messages by the forms that show them.
EMPTY = "empty"
TOO_LONG = "too_long"
NOT_HTTP = "not_http"
UNPARSABLE = "unparsable"
NO_HOST = "no_host"


class InvalidURL(ValueError):
    def __init__(self, reason: str, text: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.text = text


@dataclass(frozen=True)
class CanonicalURL:
    url: str
    scheme: str
    host: str
    registrable_domain: str
    had_userinfo: bool = False  # the text carried a user name or password (never kept)


_DEFANG_SCHEMES = re.compile(r"^\s*h(?:xx|\*\*|XX|tt)p(s?)(?:\[:\]|:)//", re.IGNORECASE)
_DEFANG_DOTS = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}", re.IGNORECASE)
_DEFANG_COLON = re.compile(r"\[:\]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOSTLIKE_SCHEME = re.compile(r"^[a-zA-Z0-9.-]+:\d+(?:[/?#]|$)")  # "example.test:8080/…"
_WRAPPERS = [("<", ">"), ("(", ")"), ("[", "]"), ('"', '"'), ("'", "'"), ("«", "»"), ("“", "”")]
_TRAILING = ".,;:!?'\"»”’)]}>…"
_PERCENT = re.compile(r"%([0-9a-fA-F]{2})")
_AUTHORITY_END = re.compile(r"[/?#\\]")
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def refang(text: str) -> str:
    """Undo the usual ways of making an address non-clickable."""
    text = _DEFANG_SCHEMES.sub(lambda m: f"http{m.group(1).lower()}://", text)
    text = _DEFANG_DOTS.sub(".", text)
    return _DEFANG_COLON.sub(":", text)


def _strip_pasted(text: str) -> str:
    text = text.strip().replace("\u200b", "").replace("\ufeff", "")
    changed = True
    while changed and text:
        changed = False
        for opening, closing in _WRAPPERS:
            if len(text) >= 2 and text[0] == opening and text[-1] == closing:
                text, changed = text[1:-1].strip(), True
        # Trailing punctuation from prose ("see http://example.test/a.") is not part of the
        # address, but a closing bracket that balances an opening one inside it is.
        while text and text[-1] in _TRAILING:
            last = text[-1]
            if last == ")" and text.count("(") >= text.count(")"):
                break
            if last == "]" and text.count("[") >= text.count("]"):
                break
            text, changed = text[:-1], True
    return text


def _normalise_percent(part: str) -> str:
    """Decode escapes of unreserved characters and upper-case the hex of the others."""

    def repl(m: re.Match[str]) -> str:
        char = chr(int(m.group(1), 16))
        return char if char in _UNRESERVED else "%" + m.group(1).upper()

    return _PERCENT.sub(repl, part)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # Only the public suffix list bundled with tldextract: never fetched at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                 include_psl_private_domains=True)


def registrable_domain(host: str) -> str:
    """The domain a registrant controls (``a.b.example.co.uk`` → ``example.co.uk``)."""
    if _is_ip(host):
        return host
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    # Reserved and unknown top-level names (.test, .invalid, .onion): the last two labels.
    return ".".join(host.split(".")[-2:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def canonicalise(text: str) -> CanonicalURL:
    """Return the canonical form of one pasted address, or raise InvalidURL."""
    if not isinstance(text, str):
        raise InvalidURL(UNPARSABLE, str(text))
    original = text
    if "\x00" in text:
        raise InvalidURL(UNPARSABLE, original)
    text = _strip_pasted(refang(_strip_pasted(text)))
    if not text:
        raise InvalidURL(EMPTY, original)
    if len(text) > MAX_URL_LENGTH:
        raise InvalidURL(TOO_LONG, original)
    if text.startswith("//"):
        text = "http:" + text
    scheme = _SCHEME.match(text)
    if scheme is None or _HOSTLIKE_SCHEME.match(text):
        text = "http://" + text
    elif scheme.group(1).lower() not in ("http", "https"):
        raise InvalidURL(NOT_HTTP, original)
    elif not text[scheme.end():].startswith("//"):
        # "http:example.test" is legal WHATWG but almost always a typo of http://.
        text = f"{scheme.group(1)}://{text[scheme.end():].lstrip('/')}"
    try:
        url = URL(text)
    except ValueError:
        raise InvalidURL(UNPARSABLE, original) from None
    host = url.hostname.rstrip(".")
    if not host:
        raise InvalidURL(NO_HOST, original)
    if not _is_ip(host) and ("." not in host or host.startswith(".") or ".." in host):
        raise InvalidURL(NO_HOST, original)
    url.hostname = host
    url.hash = ""
    had_userinfo = bool(url.username or url.password)
    url.username = ""
    url.password = ""
    url.pathname = _normalise_percent(url.pathname)
    if url.search in ("", "?"):
        url.search = ""
    else:
        url.search = _normalise_percent(url.search)
    href = url.href
    if href.endswith("?"):
        href = href[:-1]
    if len(href) > MAX_URL_LENGTH:
        raise InvalidURL(TOO_LONG, original)
    return CanonicalURL(
        url=href, scheme=url.protocol.rstrip(":"), host=host,
        registrable_domain=registrable_domain(host), had_userinfo=had_userinfo,
    )


def without_userinfo(text: str, canonical: CanonicalURL | None = None) -> str:
    """The pasted text without the user name and password it may carry.

    Addresses pasted from a browser or a chat sometimes hold credentials
    (``https://user:secret@example.test/``). They are not needed to find the page and must not
    be stored or shown again, so they are cut out of the text as typed; when the text is too
    odd for that to give the same URL back, the canonical URL (which never has them) is kept
    instead. Raises InvalidURL, like canonicalise, for text that is not an address.
    """
    canonical = canonical or canonicalise(text)
    if not canonical.had_userinfo:
        return text
    stripped = _remove_userinfo(text)
    try:
        again = canonicalise(stripped)
    except InvalidURL:
        return canonical.url
    if again.had_userinfo or again.url != canonical.url:
        return canonical.url
    return stripped


def _remove_userinfo(text: str) -> str:
    """Remove everything up to the last @ of the authority (after "//", or from the start
    when there is no scheme), as the WHATWG URL parser reads it."""
    slashes = text.find("//")
    start = slashes + 2 if slashes >= 0 and not _AUTHORITY_END.search(text[:slashes]) else 0
    end = _AUTHORITY_END.search(text, start)
    at = text.rfind("@", start, end.start() if end else len(text))
    return text if at < 0 else text[:start] + text[at + 1:]
