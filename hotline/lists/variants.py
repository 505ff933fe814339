"""The hashed form of the URL list: SHA-256 of each URL's normalised variants.

A member who must not hold the plaintext list hashes the addresses it sees the same way and
looks them up. Variants cover what differs between how a page is linked and how it was
reported: scheme or none, with or without ``www.``, with or without a trailing slash, with or
without the query. Everything starts from the product's one canonical form.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from hotline.lib.urlcanon import canonicalise


def _hosts(host: str) -> set[str]:
    bare = host[4:] if host.startswith("www.") else host
    return {bare, "www." + bare}


def _paths(path: str) -> set[str]:
    path = path or "/"
    stripped = path.rstrip("/") or ""
    return {stripped, stripped + "/"}


def url_variants(url: str, *, whole_domain: bool = False) -> set[str]:
    """Every normalised spelling of a canonical URL (or of a domain, for dedicated sites)."""
    parts = urlsplit(canonicalise(url).url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    variants = set()
    for h in _hosts(host):
        if whole_domain:
            for scheme in ("", "http://", "https://"):
                variants.add(f"{scheme}{h}")
            continue
        for p in _paths(parts.path):
            queries = {""} | ({"?" + parts.query} if parts.query else set())
            for q in queries:
                for scheme in ("", "http://", "https://"):
                    variants.add(f"{scheme}{h}{p}{q}")
    return variants


def digest(variant: str) -> str:
    return hashlib.sha256(variant.encode()).hexdigest()


def hashed_variants(url: str, *, whole_domain: bool = False) -> set[str]:
    return {digest(v) for v in url_variants(url, whole_domain=whole_domain)}


def lookup_keys(seen_url: str) -> set[str]:
    """What a member computes for an address it sees: its page variants and its domains."""
    parts = urlsplit(canonicalise(seen_url).url)
    keys = hashed_variants(seen_url)
    host = parts.hostname or ""
    labels = host.split(".")
    for i in range(len(labels) - 1):  # every parent domain may be listed as a whole
        keys |= hashed_variants("http://" + ".".join(labels[i:]) + "/", whole_domain=True)
    return keys
