"""Known content: captured items matched against the enabled hash banks.

An item matches a bank hash by MD5, SHA-1 or SHA-256, or by PDQ within the bank's distance when
both hashes reach the bank's minimum quality (PDQ through the bank's index: banks.py). Only
items that are 2xx images or videos have hashes at all (hotline/capture), so page bodies and
error pages never match. Every match is kept as evidence, and a case is *known content* when
one of its items matches a bank that is not a negative one, and that item matches no negative
(allow-list) bank: a known benign logo or decoy never makes a case known.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from hotline.capture.models import Capture, CaptureItem
from hotline.cases.classification import ClassificationError, classification_check
from hotline.cases.models import Case

from .banks import bank_index
from .models import BankHash, HashBank, Match

EXACT = ("md5", "sha1", "sha256")
log = logging.getLogger(__name__)


def find_matches(items: Iterable[CaptureItem], banks: Iterable[HashBank]) -> list[Match]:
    """The matches of these items in these banks (not stored). Exact hashes through the
    database; PDQ through each bank's index, all of a capture's items in one scan per bank."""
    items = [item for item in items if item.sha256]
    banks = list(banks)
    found: list[Match] = []
    for kind in EXACT:  # one query per kind of hash for all the items
        by_value: dict[str, list[CaptureItem]] = {}
        for item in items:
            if getattr(item, kind):
                by_value.setdefault(getattr(item, kind), []).append(item)
        if by_value:
            found += [Match(item=item, bank_hash=bank_hash, kind=kind)
                      for bank_hash in BankHash.objects.filter(
                          bank__in=banks, **{f"{kind}__in": list(by_value)}).order_by("id")
                      for item in by_value[getattr(bank_hash, kind)]]
    for bank in banks:
        asking = [item for item in items
                  if item.pdq and (item.pdq_quality or 0) >= bank.min_quality]
        index = bank_index(bank) if asking else None
        if index is None:
            continue
        queries = np.frombuffer(b"".join(bytes.fromhex(item.pdq) for item in asking),
                                dtype=np.uint8).reshape(-1, 32)
        found += [Match(item=asking[q], bank_hash_id=int(bank_hash_id), kind=Match.Kind.PDQ,
                        distance=int(distance))
                  for q, bank_hash_id, distance in index.search(
                      queries, max_distance=bank.distance)]
    return found


def items_match(items: Iterable[CaptureItem], banks: Iterable[HashBank]) -> int:
    """Match items against banks and store what is new; the number of new matches."""
    created = Match.objects.bulk_create(find_matches(items, banks), ignore_conflicts=True)
    return len(created)


def capture_match(capture: Capture) -> list[Match]:
    """Match a new capture's items against every enabled bank; mark the case known."""
    items_match(capture.items.exclude(sha256=""), HashBank.objects.filter(enabled=True))
    case_known_refresh(capture.case_id)
    return list(Match.objects.filter(item__capture=capture).select_related("bank_hash__bank"))


def _benign_items() -> QuerySet[Match]:
    return Match.objects.filter(item=OuterRef("item"), bank_hash__bank__kind=HashBank.Kind.NEGATIVE)


def known_matches(case_id: int) -> QuerySet[Match]:
    """Matches that make the case known: a positive bank, on an item no negative bank clears."""
    return (Match.objects.filter(item__capture__case_id=case_id, bank_hash__bank__enabled=True)
            .exclude(bank_hash__bank__kind=HashBank.Kind.NEGATIVE)
            .exclude(Exists(_benign_items())))


def case_known_refresh(case_id: int) -> bool:
    known = known_matches(case_id).exists()
    Case.objects.filter(pk=case_id).exclude(known_content=known).update(known_content=known)
    return known


def known_classification(case: Case) -> dict[str, list[str]]:
    """The classification of the closest known match, to pre-fill the assessment; a hash
    analysts contradicted BANK_DISAGREEMENT_LIMIT times pre-fills nothing."""
    match = (known_matches(case.pk)
             .filter(bank_hash__disagreements__lt=settings.BANK_DISAGREEMENT_LIMIT)
             .select_related("bank_hash").order_by("distance", "id").first())
    if match is None:
        return {}
    try:
        return dict(classification_check(match.bank_hash.classification))
    except ClassificationError:
        # A row stored before imports were checked: no pre-fill rather than a broken page.
        log.warning("bank hash %s has a malformed classification", match.bank_hash_id)
        return {}


def case_matches(case: Case) -> list[Any]:
    """Every match of the case's items, closest first, with bank and (own bank) source case."""
    return list(Match.objects.filter(item__capture__case=case)
                .select_related("bank_hash__bank", "bank_hash__case", "item")
                .order_by("distance", "id"))
