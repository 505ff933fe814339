"""Test set-up shared by every app (settings: hotline/testing/settings.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Debian's Chromium, never a downloaded browser; these flags keep it off the network.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


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


@pytest.fixture(autouse=True)
def _fresh_pdq_indexes() -> None:
    """Each test starts with no bank index loaded or on disk: test databases reuse ids."""
    import shutil

    from django.conf import settings

    from hotline.lists import banks

    banks.forget_loaded()
    shutil.rmtree(settings.PDQ_INDEX_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings: Any) -> None:
    """Each test anchors into its own file: an anchor left by another test's database (a tick
    runs in many tests) would be a break for the next verification."""
    from uuid import uuid4

    settings.AUDIT_ANCHOR_FILE = settings.VAR_DIR / "audit" / f"anchors-{uuid4().hex}.log"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module (Playwright); each test makes its own fresh context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
