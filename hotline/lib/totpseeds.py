"""Authenticator app (TOTP) seeds, sealed at rest with a key kept outside the database.

Whoever holds a seed can make every future code of that second factor, so a copy of the
database alone must not give one away. Each seed is encrypted with ChaCha20-Poly1305 (IETF,
libsodium through PyNaCl) under a key derived from the TOTP_SEED_KEY secret, and bound to its
account: a sealed seed copied onto another account's row does not open there.

The stored form, ``$tseal1$`` and the URL-safe Base64 of nonce, ciphertext and tag, is 72
characters: it fits django_otp's 80-character key column, so the seed stays in its own table.
Nonces are random (96 bits); a hub seals a few seeds per staff member, far below the 2**32
messages under one key up to which random 96-bit nonces are safe.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from django.conf import settings
from nacl.bindings import (
    crypto_aead_chacha20poly1305_ietf_decrypt,
    crypto_aead_chacha20poly1305_ietf_encrypt,
    crypto_aead_chacha20poly1305_ietf_NPUBBYTES,
)
from nacl.exceptions import CryptoError

PREFIX = "$tseal1$"
NONCE_BYTES = crypto_aead_chacha20poly1305_ietf_NPUBBYTES  # 12


class SeedError(ValueError):
    """A stored seed that does not open: another key, another account, or altered."""


def _key() -> bytes:
    # The secret is text (an environment variable or a file); the cipher needs 32 bytes.
    return hashlib.blake2b(settings.TOTP_SEED_KEY.encode(), digest_size=32,
                           person=b"hotline:totpseed").digest()


def _bound_to(user_id: int) -> bytes:
    return f"hotline totp seed of user {user_id}".encode()


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal_seed(seed: bytes, *, user_id: int) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = crypto_aead_chacha20poly1305_ietf_encrypt(seed, _bound_to(user_id), nonce, _key())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_seed(value: str, *, user_id: int) -> bytes:
    if not is_sealed(value):
        raise SeedError("the seed is not sealed")
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX):])
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        return crypto_aead_chacha20poly1305_ietf_decrypt(sealed, _bound_to(user_id), nonce,
                                                         _key())
    except (binascii.Error, ValueError, CryptoError):
        raise SeedError("the seed does not open with this key for this account") from None
