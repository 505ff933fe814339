"""Test set-up shared by every app (settings: hotline/test_settings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def sealing_keys() -> None:
    from django.conf import settings

    from hotline.lib.sealing import generate_keypair

    if not Path(settings.SEALING_PUBLIC_KEY_FILE).exists():
        generate_keypair(Path(settings.SEALING_PUBLIC_KEY_FILE),
                         Path(settings.SEALING_PRIVATE_KEY_FILE))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()
