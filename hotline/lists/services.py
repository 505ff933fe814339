"""Lists and banks: what a confirmed case adds, what removal takes away, captures, matching."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from hotline.audit.services import audit_record
from hotline.cases.models import Case
from hotline.lib import csvsafe, fetcher

from .models import BankHash, Capture, HashBank, Match, UrlListChange, UrlListEntry

log = logging.getLogger(__name__)
OWN_BANK = "Confirmed by this hub"


# --- URL list -------------------------------------------------------------------------------

def list_version() -> int:
    return UrlListChange.objects.aggregate(v=Max("id"))["v"] or 0


def url_list_add(case: Case) -> UrlListEntry:
    """Put a confirmed case's URL (or its whole domain, for a dedicated site) on the list."""
    with transaction.atomic():
        entry, created = UrlListEntry.objects.get_or_create(case=case, defaults={
            "url": case.url, "domain": case.host, "whole_domain": case.dedicated_site})
        if created or not entry.active:
            entry.active, entry.removed_at = True, None
            entry.save(update_fields=["active", "removed_at"])
            UrlListChange.objects.create(entry=entry, action=UrlListChange.Action.ADD)
    return entry


def url_list_remove(case: Case, *, reason: str) -> None:
    """Take a URL off the list when the material is gone (history is kept)."""
    with transaction.atomic():
        entry = UrlListEntry.objects.select_for_update().filter(case=case, active=True).first()
        if entry is None:
            return
        entry.active, entry.removed_at = False, timezone.now()
        entry.save(update_fields=["active", "removed_at"])
        UrlListChange.objects.create(entry=entry, action=UrlListChange.Action.REMOVE)
        audit_record(actor="system", action="urllist.remove", obj=entry, reason=reason)


@dataclass(frozen=True)
class ListRow:
    version: int
    action: str
    value: str
    whole_domain: bool
    added_at: str


def url_list_rows(since: int | None) -> tuple[int, list[ListRow]]:
    """A full snapshot (since=None) or the changes after a version."""
    version = list_version()
    if since is None:
        entries = UrlListEntry.objects.filter(active=True).order_by("id")
        latest = {c.entry_id: c.pk for c in UrlListChange.objects.filter(
            action=UrlListChange.Action.ADD, entry__active=True)}
        return version, [ListRow(latest.get(e.pk, 0), "add", e.value, e.whole_domain,
                                 e.added_at.isoformat()) for e in entries]
    changes = UrlListChange.objects.filter(id__gt=since).select_related("entry")
    return version, [ListRow(c.pk, c.action, c.entry.value, c.entry.whole_domain,
                             c.at.isoformat()) for c in changes]


# --- Hash banks -----------------------------------------------------------------------------

HASH_FIELDS = ("md5", "sha1", "sha256", "pdq", "pdq_quality", "classification")


def own_bank() -> HashBank:
    bank, _ = HashBank.objects.get_or_create(name=OWN_BANK, defaults={
        "kind": HashBank.Kind.OWN, "source": "Assessments by this hub's analysts"})
    return bank


class BankFileError(ValueError):
    pass


def _clean_hex(value: Any, length: int, name: str, row: int) -> str:
    text = str(value or "").strip().lower()
    if text and (len(text) != length or any(c not in "0123456789abcdef" for c in text)):
        raise BankFileError(f"row {row}: {name} must be {length} hex digits")
    return text


def bank_import(bank: HashBank, data: bytes, fmt: str) -> int:
    """Import hashes from CSV (header md5,sha1,sha256,pdq,...) or JSON (a list of objects).
    The whole file is checked first; nothing is written if any row is wrong."""
    try:
        text = data.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text))) if fmt == "csv" else json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as e:
        raise BankFileError(f"not valid {fmt.upper()}: {e}") from None
    if not isinstance(rows, list):
        raise BankFileError("expected a list of hashes")
    objects = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise BankFileError(f"row {i}: expected fields")
        item = BankHash(
            bank=bank,
            md5=_clean_hex(row.get("md5"), 32, "md5", i),
            sha1=_clean_hex(row.get("sha1"), 40, "sha1", i),
            sha256=_clean_hex(row.get("sha256"), 64, "sha256", i),
            pdq=_clean_hex(row.get("pdq"), 64, "pdq", i),
        )
        quality = str(row.get("pdq_quality") or "").strip()
        item.pdq_quality = int(quality) if quality.isdigit() else None
        classification = row.get("classification") or {}
        if isinstance(classification, str):
            try:
                classification = json.loads(classification) if classification else {}
            except json.JSONDecodeError:
                raise BankFileError(f"row {i}: classification is not JSON") from None
        item.classification = classification
        if not (item.md5 or item.sha1 or item.sha256 or item.pdq):
            raise BankFileError(f"row {i}: no hash")
        objects.append(item)
    with transaction.atomic():
        BankHash.objects.bulk_create(objects, batch_size=1000)
    return len(objects)


def bank_export(bank: HashBank, fmt: str) -> str:
    rows = list(bank.hashes.order_by("id").values(*HASH_FIELDS))
    if fmt == "json":
        return json.dumps(rows, indent=1)
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(HASH_FIELDS)
    for row in rows:
        row["classification"] = json.dumps(row["classification"])
        writer.writerow(row[name] for name in HASH_FIELDS)
    return out.getvalue()


# --- Capture and matching -------------------------------------------------------------------

def _looks_like_image(content_type: str, body: bytes) -> bool:
    if content_type.startswith("image/"):
        return True
    return body[:4] in (b"\x89PNG", b"GIF8") or body[:3] == b"\xff\xd8\xff"


def case_capture(*, case_id: int) -> Capture:
    """Fetch a case's URL into memory, keep its hashes, drop the bytes, match the banks."""
    from hotline.lib.pdq import NotAnImage, pdq_hash_bytes

    case = Case.objects.get(pk=case_id)
    capture = Capture(case=case, url=case.url)
    try:
        response = fetcher.fetch(case.url)
    except fetcher.FetchError as e:
        capture.error = e.reason
        capture.save()
        return capture
    body = response.body
    capture.status, capture.content_type, capture.size = (
        response.status, response.content_type, len(body))
    capture.md5 = hashlib.md5(body, usedforsecurity=False).hexdigest()
    capture.sha1 = hashlib.sha1(body, usedforsecurity=False).hexdigest()
    capture.sha256 = hashlib.sha256(body).hexdigest()
    if _looks_like_image(response.content_type, body):
        try:
            result = pdq_hash_bytes(body)
        except NotAnImage as e:
            capture.error = f"not an image: {str(e)[:200]}"
        else:
            capture.pdq, capture.pdq_quality = result.hash_hex, result.quality
    del body, response  # the content is never kept
    with transaction.atomic():
        capture.save()
        capture_match(capture)
    return capture


def _pdq_matches(pdq_hex: str, banks: Any, max_distance: int) -> list[tuple[int, int]]:
    rows = list(BankHash.objects.filter(bank__in=banks).exclude(pdq="")
                .filter(Q(pdq_quality__isnull=True) | Q(pdq_quality__gte=settings.PDQ_MIN_QUALITY))
                .values_list("id", "pdq"))
    if not rows:
        return []
    from hotline.lib.pdqindex import PDQIndex

    ids = np.array([r[0] for r in rows], dtype=np.int64)
    codes = np.frombuffer(b"".join(bytes.fromhex(r[1]) for r in rows),
                          dtype=np.uint8).reshape(-1, 32)
    index = PDQIndex(codes, ids)
    query = np.frombuffer(bytes.fromhex(pdq_hex), dtype=np.uint8).reshape(1, 32)
    return [(int(i), int(d)) for _q, i, d in index.search(query, max_distance=max_distance)]


def capture_match(capture: Capture) -> list[Match]:
    banks = HashBank.objects.filter(enabled=True)
    found: list[Match] = []
    for kind in ("md5", "sha1", "sha256"):
        value = getattr(capture, kind)
        if value:
            for bank_hash in BankHash.objects.filter(bank__in=banks, **{kind: value}):
                found.append(Match(capture=capture, bank_hash=bank_hash, kind=kind))
    if capture.pdq and (capture.pdq_quality or 0) >= settings.PDQ_MIN_QUALITY:
        for bank_hash_id, distance in _pdq_matches(capture.pdq, banks,
                                                   settings.PDQ_MAX_DISTANCE):
            found.append(Match(capture=capture, bank_hash_id=bank_hash_id,
                               kind=Match.Kind.PDQ, distance=distance))
    Match.objects.bulk_create(found)
    if found and not capture.case.known_content:
        Case.objects.filter(pk=capture.case_id).update(known_content=True)
    return found


def known_classification(case: Case) -> dict[str, list[str]]:
    """The classification of the closest known match, to pre-fill the assessment."""
    match = (Match.objects.filter(capture__case=case).select_related("bank_hash")
             .order_by("distance", "id").first())
    return dict(match.bank_hash.classification) if match else {}


def own_bank_add(case: Case) -> None:
    """A confirmed case's captured hashes go into the hub's own bank (once each)."""
    bank = own_bank()
    for capture in case.captures.exclude(sha256=""):
        if not bank.hashes.filter(sha256=capture.sha256).exists():
            BankHash.objects.create(bank=bank, md5=capture.md5, sha1=capture.sha1,
                                    sha256=capture.sha256, pdq=capture.pdq,
                                    pdq_quality=capture.pdq_quality,
                                    classification=case.classification, case=case)
