"""The one check of a batch of reported web addresses, for the portal form and trusted intake:
each must canonicalise (hotline/lib/urlcanon.py), and addresses that name the same canonical
URL are kept once, as first typed but without any user name or password in them (never
stored, never shown again)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hotline.lib.urlcanon import InvalidURL, canonicalise, without_userinfo


@dataclass(frozen=True)
class Invalid:
    position: int  # 0-based, in the batch as given
    text: str
    reason: str


@dataclass(frozen=True)
class AddressBatch:
    kept: list[str]  # unique addresses, stripped, in the order given
    invalid: list[Invalid]


def address_batch(addresses: Iterable[str]) -> AddressBatch:
    kept: dict[str, str] = {}
    invalid = []
    for position, text in enumerate(addresses):
        try:
            canonical = canonicalise(text)
            kept.setdefault(canonical.url, without_userinfo(text.strip(), canonical))
        except InvalidURL as e:
            invalid.append(Invalid(position, text, str(e)))
    return AddressBatch(list(kept.values()), invalid)
