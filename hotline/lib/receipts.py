"""Receipt codes: what a reporter keeps to check the status of a report later.

A code is 20 digits: 19 random ones and a Damm check digit (which catches every single-digit
typo and every swap of neighbours). Only a keyed hash is stored (``key``): HMAC-SHA-256 of the
code with the server-side pepper, which is a lookup key (the same code always gives the same
key) and is useless without the pepper, which is not in the database.

Why not a slow hash: a slow hash (Argon2id, scrypt) protects secrets that people choose and
that can therefore be guessed in a few billion tries. A receipt code is not chosen: its 19
random digits carry 63 bits, so guessing one takes about 2^62 tries on average, and every try
needs the pepper. Online, guesses are rate limited and the check digit refuses most of them
before any lookup. Even with the database and the pepper stolen together, what a found code
opens is one report's status and its questions, nothing about the reporter. Argon2id at
64 MiB and 3 passes cost every submission and every status check about 0.3 s of a core and
64 MiB of memory (2.3 reports/s; see BENCHMARKS.md) for no protection that matters.

Receipts issued before this change are stored as ``legacy_digest`` (Argon2id over the same
HMAC, with a salt derived from the pepper). They keep working: a code whose key is unknown is
hashed the old way only while such receipts exist (hotline/intake/services.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

DIGITS = 20
_GROUP = 4

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
_SEPARATORS = re.compile(r"[\s\-–—.·_/]+")


def _damm(digits: str) -> int:
    interim = 0
    for d in digits:
        interim = _DAMM[interim][int(d)]
    return interim


def new_code() -> str:
    body = "".join(str(secrets.randbelow(10)) for _ in range(DIGITS - 1))
    return body + str(_damm(body))


def is_well_formed(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit() and code.isascii() and _damm(code) == 0


def normalise(text: str) -> str:
    """Digits only, in ASCII; what the reporter typed may contain spaces and dashes.

    Reporters type codes on phones set to their own script: every Unicode decimal digit
    (Arabic-Indic, Persian, Devanagari, Bengali, Thai, full-width…) reads as its ASCII digit.
    Numbers that are not decimal digits (², ①, Ethiopic ፩) stay as typed and fail the format
    check."""
    digits = "".join(str(unicodedata.digit(ch)) if ch.isdecimal() else ch for ch in text)
    return _SEPARATORS.sub("", digits)


def group(code: str) -> str:
    return " ".join(code[i : i + _GROUP] for i in range(0, len(code), _GROUP))


def _keyed(code: str) -> bytes:
    return hmac.new(settings.RECEIPT_PEPPER.encode(), code.encode(), hashlib.sha256).digest()


def key(code: str) -> str:
    """What is stored of a receipt: HMAC-SHA-256 with the pepper (see the module's text for
    why not a slow hash). The pepper is already an HMAC key for the old digests; a label keeps
    the two apart."""
    return hmac.new(settings.RECEIPT_PEPPER.encode(), b"hotline receipt key v2\0" + code.encode(),
                    hashlib.sha256).hexdigest()


def legacy_digest(code: str) -> str:
    """What was stored before the keyed hash: Argon2id over the keyed code. Only for finding
    receipts issued before; never written any more."""
    pepper = settings.RECEIPT_PEPPER.encode()
    keyed = _keyed(code)
    salt = hmac.new(pepper, b"hotline receipt salt v1", hashlib.sha256).digest()[:16]
    raw = hash_secret_raw(
        secret=keyed,
        salt=salt,
        time_cost=settings.RECEIPT_ARGON2_TIME_COST,
        memory_cost=settings.RECEIPT_ARGON2_MEMORY_KIB,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    return raw.hex()
