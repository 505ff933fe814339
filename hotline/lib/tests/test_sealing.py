from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from nacl.exceptions import CryptoError

from hotline.lib import sealing


def test_sealed_text_opens_only_with_the_private_key(tmp_path: Path) -> None:
    sealed = sealing.seal("Seen in a chat group on 3 November")
    assert b"chat group" not in sealed
    assert sealing.unseal(sealed) == "Seen in a chat group on 3 November"
    other_pub, other_key = tmp_path / "o.pub", tmp_path / "o.key"
    sealing.generate_keypair(other_pub, other_key)
    with override_settings(SEALING_PRIVATE_KEY_FILE=other_key), pytest.raises(CryptoError):
        sealing.unseal(sealed)


def test_generate_never_overwrites(tmp_path: Path) -> None:
    pub, key = tmp_path / "k.pub", tmp_path / "k.key"
    sealing.generate_keypair(pub, key)
    before = key.read_bytes()
    with pytest.raises(FileExistsError):
        sealing.generate_keypair(pub, key)
    assert key.read_bytes() == before
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_a_missing_key_is_a_loud_error(tmp_path: Path) -> None:
    with override_settings(SEALING_PUBLIC_KEY_FILE=tmp_path / "missing.pub"), \
            pytest.raises(ImproperlyConfigured, match="hotline keys generate"):
        sealing.seal("x")


def test_the_public_side_needs_no_private_key(tmp_path: Path) -> None:
    with override_settings(SEALING_PRIVATE_KEY_FILE=tmp_path / "absent.key"):
        assert sealing.seal("only the public key is read")
