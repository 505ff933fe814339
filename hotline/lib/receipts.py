"""Receipt codes: what a reporter keeps to check the status of a report later.

A code is 20 digits: 19 random ones and a Damm check digit (which catches every single-digit
typo and every swap of neighbours). Only a slow hash is stored: Argon2id over an HMAC of the
code with a server-side pepper, so that the database alone is useless for guessing. The salt
is fixed per installation (derived from the pepper), which makes the hash a lookup key: every
status check costs exactly one Argon2id computation, right code or wrong.
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


def digest(code: str) -> str:
    pepper = settings.RECEIPT_PEPPER.encode()
    keyed = hmac.new(pepper, code.encode(), hashlib.sha256).digest()
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
