"""Sealing of reporter-written text with libsodium sealed boxes (PyNaCl).

The public web tier encrypts with the hub's public key only; it cannot read what it stored.
The private key is read only on the staff side, by code that decrypts on an analyst's
explicit, audited request.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nacl.encoding import Base64Encoder
from nacl.public import PrivateKey, PublicKey, SealedBox


def _read_key(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes().strip()
    except OSError as e:
        raise ImproperlyConfigured(
            f"The sealing {what} key {path} cannot be read ({e.strerror}). "
            "Run `hotline keys generate` (see README, Keys)."
        ) from None


@lru_cache(maxsize=4)
def _public_key(path: Path) -> PublicKey:
    return PublicKey(_read_key(path, "public"), encoder=Base64Encoder)


@lru_cache(maxsize=4)
def _private_key(path: Path) -> PrivateKey:
    return PrivateKey(_read_key(path, "private"), encoder=Base64Encoder)


def seal(text: str) -> bytes:
    """Encrypt text so that only the holder of the private key can read it."""
    box = SealedBox(_public_key(Path(settings.SEALING_PUBLIC_KEY_FILE)))
    return bytes(box.encrypt(text.encode("utf-8")))


def unseal(data: bytes) -> str:
    """Decrypt sealed text. Staff side only; callers record the decryption in the audit log."""
    box = SealedBox(_private_key(Path(settings.SEALING_PRIVATE_KEY_FILE)))
    return box.decrypt(bytes(data)).decode("utf-8")


def generate_keypair(public_path: Path, private_path: Path) -> None:
    """Write a new key pair; refuses to overwrite an existing key (sealed data would be lost)."""
    for path in (public_path, private_path):
        if path.exists():
            raise FileExistsError(f"{path} already exists; move it away first")
    key = PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.encode(encoder=Base64Encoder) + b"\n")
    public_path.write_bytes(key.public_key.encode(encoder=Base64Encoder) + b"\n")
    _public_key.cache_clear()
    _private_key.cache_clear()
