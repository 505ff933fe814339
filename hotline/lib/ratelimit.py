"""Rate limits that do not track anyone.

A client is known only by a short HMAC of its address under a key of the day. That key is an
HMAC of the date under ``RATELIMIT_SECRET``, a secret kept like the others (environment or
file, never the cache, the database or a log), and computed in memory when needed: whoever
reads the cache, where the counters live, cannot turn a counter's name back into an address.
Counters expire with their window, and a new day brings a new key, so yesterday's visitors
cannot be linked to today's from the cache.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

DAY = 24 * 3600
# A client key keeps 24 bits of the HMAC, so that even someone holding the secret and the cache
# cannot name the address behind a key: 2^32 IPv4 addresses share 2^24 keys, 256 addresses per
# key (IPv6 addresses, far more). Reporters rarely collide: with 10,000 clients active in the
# same hour, a reporter shares its key (and so its budget) with one of them with a chance of
# 10,000 / 2^24, about 0.06 %.
KEY_BITS = 24


def client_address(meta: dict[str, str]) -> str:
    """The client's address, taking trusted proxies (and only those) into account."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return meta.get("REMOTE_ADDR", "")


def _daily_key(day: int) -> bytes:
    secret = settings.RATELIMIT_SECRET.encode()
    return hmac.new(secret, f"ratelimit-day:{day}".encode(), hashlib.sha256).digest()


def client_key(address: str) -> str:
    key = _daily_key(int(time.time() // DAY))
    digest = hmac.new(key, address.encode(), hashlib.sha256).digest()
    return digest[:KEY_BITS // 8].hex()


def hit(scope: str, key: str, window: int = 3600) -> int:
    """Count one hit for (scope, key) and return the hits of the current window so far."""
    name = f"ratelimit:{scope}:{key}:{int(time.time() // window)}"
    cache.add(name, 0, timeout=window)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        return 1


def allow(scope: str, key: str, limit: int, window: int = 3600) -> bool:
    """Count one hit for (scope, key) and say whether it is within the limit."""
    return hit(scope, key, window) <= limit
