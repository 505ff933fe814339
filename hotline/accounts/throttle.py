"""Sign-in throttling, in the cache only: client keys (hotline.lib.ratelimit) are never stored.

Failures count per account *and* connection: SIGNIN_MAX_FAILURES of them lock that connection
out of that account for WINDOW, and nobody else, so an attacker cannot lock a staff member out
by failing on purpose. Guesses spread over many connections meet a slower backoff on the
account itself: from four times that many failures within the window, each further attempt
waits after the latest failure, twice as long each time (1 s, 2 s, 4 s … at most
BACKOFF_MAX_SECONDS). A connection that fails on many accounts is stopped at the same number.

An administrator's unlock (``unlock``) starts every count of an account again: the account's
keys carry a generation number, and unlocking moves it on.

Refused attempts are audited, at most one entry per account per minute with how many were
refused since the last, so that a flood leaves a trace without flooding the log.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from hotline.audit.services import audit_record

WINDOW = 15 * 60
BACKOFF_MAX_SECONDS = 5 * 60
REFUSALS_AUDITED_EVERY = 60


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Lock:
    reason: str  # "connection", "account" (the backoff) or "many-accounts"
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        if self.reason == "account":
            return _("Too many failed attempts on this account. Wait a few minutes and try "
                     "again.")
        return _("Too many failed attempts. Wait 15 minutes and try again.")


def _account(email: str) -> str:
    """The account's part of every cache key: a digest of the address, and the generation
    that ``unlock`` moves on (so that no count of before the unlock is read again)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"{digest}.{cache.get(f'signin-gen:{digest}', 0)}"


def unlock(email: str) -> None:
    """Forget every failure and backoff of the account, on every connection."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    cache.set(f"signin-gen:{digest}", int(cache.get(f"signin-gen:{digest}", 0)) + 1, None)


def is_locked(email: str) -> bool:
    """Whether the account is in its backoff (guesses from many connections)."""
    until = cache.get(f"signin-backoff:{_account(email)}")
    return until is not None and until > _now()


def _incr(key: str) -> int:
    cache.add(key, 0, WINDOW)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
        return 1


def _account_wide_limit() -> int:
    return settings.SIGNIN_MAX_FAILURES * 4


def lock_for(email: str, client_key: str) -> Lock | None:
    """Why this connection may not try to sign in to this account now, if it may not."""
    account = _account(email)
    if cache.get(f"signin-fail:{account}:{client_key}", 0) >= settings.SIGNIN_MAX_FAILURES:
        return Lock("connection", WINDOW)
    if cache.get(f"signin-fail-client:{client_key}", 0) >= _account_wide_limit():
        return Lock("many-accounts", WINDOW)
    until = cache.get(f"signin-backoff:{account}")
    if until is not None and until > _now():
        return Lock("account", math.ceil(until - _now()))
    return None


def record_failure(email: str, client_key: str) -> None:
    account = _account(email)
    _incr(f"signin-fail:{account}:{client_key}")
    _incr(f"signin-fail-client:{client_key}")
    beyond = _incr(f"signin-fail:{account}") - _account_wide_limit()
    if beyond >= 0:
        wait = min(2 ** min(beyond, 16), BACKOFF_MAX_SECONDS)
        cache.set(f"signin-backoff:{account}", _now() + wait, WINDOW)


def record_refusal(email: str, *, actor: object, step: str, lock: Lock) -> None:
    """Audit a refused attempt: the first of each minute, with the count held back before it."""
    account = _account(email)
    refused = _incr(f"signin-refused:{account}")
    minute = int(_now() // REFUSALS_AUDITED_EVERY)
    if not cache.add(f"signin-refused-audited:{account}:{minute}", 1, 2 * REFUSALS_AUDITED_EVERY):
        return
    cache.delete(f"signin-refused:{account}")
    audit_record(actor=actor, action="signin.refused", step=step, reason=lock.reason,
                 refused=refused)


def clear(email: str, client_key: str) -> None:
    """After a complete sign-in: this connection's failures on this account are forgotten. The
    account's own count runs out with its window, so a guesser gains nothing from it."""
    cache.delete(f"signin-fail:{_account(email)}:{client_key}")
