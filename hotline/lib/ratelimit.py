"""Rate limits that do not track anyone.

A client is known only by an HMAC of its address under a key that is random, rotated every
day and kept only in the cache (memory or Redis, never the database or a log). Counters live
in the cache too and expire with their window, so yesterday's visitors cannot be linked to
today's, and nothing durable links a key to an address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core.cache import cache

DAY = 24 * 3600


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
    name = f"ratelimit-key:{day}"
    cache.add(name, secrets.token_hex(32), timeout=2 * DAY)
    value = cache.get(name)
    if value is None:  # evicted between add and get: make a fresh one
        value = secrets.token_hex(32)
        cache.set(name, value, timeout=2 * DAY)
    return bytes.fromhex(value)


def client_key(address: str) -> str:
    key = _daily_key(int(time.time() // DAY))
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def allow(scope: str, key: str, limit: int, window: int = 3600) -> bool:
    """Count one hit for (scope, key) and say whether it is within the limit."""
    name = f"ratelimit:{scope}:{key}:{int(time.time() // window)}"
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        count = 1
    return count <= limit
