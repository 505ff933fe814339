"""Sign-in throttling: failures counted per account and per connection, in the cache only."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW = 15 * 60


def _account_key(email: str) -> str:
    return "signin-fail:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def locked(email: str, client_key: str) -> bool:
    return (cache.get(_account_key(email), 0) >= settings.SIGNIN_MAX_FAILURES
            or cache.get(f"signin-fail-client:{client_key}", 0)
            >= settings.SIGNIN_MAX_FAILURES * 4)


def record_failure(email: str, client_key: str) -> None:
    for key in (_account_key(email), f"signin-fail-client:{client_key}"):
        cache.add(key, 0, WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW)


def clear(email: str) -> None:
    cache.delete(_account_key(email))
