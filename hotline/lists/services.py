"""Lists and banks: what a confirmed case adds, what removal takes away, bank files, what
analysts' verdicts teach the banks, and retroactive matching (matching itself: matching.py)."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone

from hotline.audit.services import audit_record
from hotline.capture.models import CaptureItem
from hotline.cases.classification import ClassificationError, classification_check
from hotline.cases.grading import csam_items
from hotline.cases.models import Case, Scheme, Verdict
from hotline.lib import csvsafe

from .banks import bank_changed
from .matching import case_known_refresh, items_match
from .models import BankHash, HashBank, UrlListChange, UrlListEntry

log = logging.getLogger(__name__)
OWN_BANK = "Confirmed by this hub"
NEGATIVE_BANK = "Known to be benign (this hub)"
# Verdicts that contradict a match on a bank of CSAM hashes.
DISAGREEING = {Verdict.NOT_ILLEGAL, Verdict.NOT_IN_REMIT}
REMATCH_CHUNK = 500


# --- URL list -------------------------------------------------------------------------------

def list_version() -> int:
    return UrlListChange.objects.aggregate(v=Max("id"))["v"] or 0


def url_list_add(case: Case, *, why: str = UrlListChange.Why.CONFIRMED) -> UrlListEntry:
    """Put a confirmed case's URL (or its whole domain, for a dedicated site) on the list."""
    with transaction.atomic():
        entry, created = UrlListEntry.objects.get_or_create(case=case, defaults={
            "url": case.url, "domain": case.host, "whole_domain": case.dedicated_site})
        if created or not entry.active:
            entry.active, entry.removed_at = True, None
            entry.save(update_fields=["active", "removed_at"])
            UrlListChange.objects.create(entry=entry, action=UrlListChange.Action.ADD, why=why)
    return entry


def url_list_remove(case: Case, *, reason: str, why: str = UrlListChange.Why.REMOVED) -> None:
    """Take a URL off the list: the material is gone, or a senior corrected it (history is
    kept; members see why in the deltas)."""
    with transaction.atomic():
        entry = UrlListEntry.objects.select_for_update().filter(case=case, active=True).first()
        if entry is None:
            return
        entry.active, entry.removed_at = False, timezone.now()
        entry.save(update_fields=["active", "removed_at"])
        UrlListChange.objects.create(entry=entry, action=UrlListChange.Action.REMOVE, why=why)
        audit_record(actor="system", action="urllist.remove", obj=entry, reason=reason, why=why)


@dataclass(frozen=True)
class ListRow:
    version: int
    action: str
    value: str
    whole_domain: bool
    added_at: str
    why: str = ""


def url_list_rows(since: int | None) -> tuple[int, list[ListRow]]:
    """A full snapshot (since=None) or the changes after a version."""
    version = list_version()
    if since is None:
        entries = UrlListEntry.objects.filter(active=True).order_by("id")
        latest = {c.entry_id: c.pk for c in UrlListChange.objects.filter(
            action=UrlListChange.Action.ADD, entry__active=True)}
        return version, [ListRow(latest.get(e.pk, 0), "add", e.value, e.whole_domain,
                                 e.added_at.isoformat(), "confirmed") for e in entries]
    changes = UrlListChange.objects.filter(id__gt=since).select_related("entry")
    return version, [ListRow(c.pk, c.action, c.entry.value, c.entry.whole_domain,
                             c.at.isoformat(), c.why) for c in changes]


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


def _bank_classification(value: Any, schemes: list[Scheme], row: int) -> dict[str, list[str]]:
    """A row's classification (JSON text in CSV), checked against this hub's schemes: a
    malformed one would otherwise reach the pre-filled assessment of every matching case."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value else {}
        except json.JSONDecodeError:
            raise BankFileError(f"row {row}: classification is not JSON") from None
    try:
        return classification_check(value or {}, schemes)
    except ClassificationError as e:
        raise BankFileError(f"row {row}: {e}") from None


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
    schemes = list(Scheme.objects.prefetch_related("options"))
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
        item.classification = _bank_classification(row.get("classification"), schemes, i)
        if not (item.md5 or item.sha1 or item.sha256 or item.pdq):
            raise BankFileError(f"row {i}: no hash")
        objects.append(item)
    with transaction.atomic():
        BankHash.objects.bulk_create(objects, batch_size=1000)
        bank_changed(bank)
        if bank.enabled:
            bank_rematch_start(bank)
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


# --- What cases add to the banks ----------------------------------------------------------

def _bank_add(bank: HashBank, items: Iterable[CaptureItem], **fields: Any) -> list[BankHash]:
    """Add the hashes of media items to a bank, once per SHA-256; a new version if any."""
    added = []
    for item in items:
        if item.sha256 and not bank.hashes.filter(sha256=item.sha256).exists():
            added.append(BankHash.objects.create(
                bank=bank, md5=item.md5, sha1=item.sha1, sha256=item.sha256, pdq=item.pdq,
                pdq_quality=item.pdq_quality, **fields))
    if added:
        bank_changed(bank)
    return added


def confirmed_items(case: Case) -> QuerySet[CaptureItem]:
    """The media items a confirmed case confirmed: those graded CSAM (and confirmed by the
    review) when its items were graded one by one; every media item of its captures when the
    page was graded as a whole. Page bodies and error pages have no hashes, so are never
    among them."""
    items = CaptureItem.objects.filter(capture__case=case).exclude(sha256="")
    if case.item_grades:
        items = items.filter(pk__in=[int(key) for key in csam_items(case.item_grades)])
    return items.order_by("-capture__fetched_at", "position")


def own_bank_add(case: Case) -> list[BankHash]:
    """A confirmed case's confirmed items (2xx images and videos, by their bytes) go into the
    hub's own bank, each with its own classification when it was graded alone."""
    bank, added = own_bank(), []
    for item in confirmed_items(case):
        if item.sha256 and not bank.hashes.filter(sha256=item.sha256).exists():
            grade = case.item_grades.get(str(item.pk)) or {}
            added.append(BankHash.objects.create(
                bank=bank, md5=item.md5, sha1=item.sha1, sha256=item.sha256, pdq=item.pdq,
                pdq_quality=item.pdq_quality, case=case,
                classification={**case.classification, **grade.get("classification", {})}))
    if added:
        bank_changed(bank)
    return added


def own_bank_remove(case: Case) -> int:
    """A case re-assessed as not confirmed: its hashes leave the own bank (a new version)."""
    bank = own_bank()
    removed, _ = BankHash.objects.filter(bank=bank, case=case).delete()
    if removed:
        bank_changed(bank)
    return removed


def negative_bank() -> HashBank:
    bank, _ = HashBank.objects.get_or_create(name=NEGATIVE_BANK, defaults={
        "kind": HashBank.Kind.NEGATIVE, "source": "Marked benign by this hub's analysts"})
    return bank


def negative_bank_add(*, item: CaptureItem, user: Any) -> list[BankHash]:
    """An analyst marks an item benign (a logo, a placeholder, a decoy): its hashes go into
    the hub's allow-list, and no case is known content because of it any more."""
    with transaction.atomic():
        bank = negative_bank()
        added = _bank_add(bank, [item])
        items_match([item], [bank])
        case_known_refresh(item.capture.case_id)
        audit_record(actor=user, action="bank.negative_add", obj=item, bank=bank.name,
                     sha256=item.sha256)
    return added


def disagreements_record(case: Case) -> int:
    """The case closed with a verdict that contradicts the partner-bank hashes its items
    matched (not illegal, not in remit): count it on each of those hashes."""
    if case.verdict not in DISAGREEING:
        return 0
    hashes = set(BankHash.objects.filter(
        matches__item__capture__case=case, bank__kind=HashBank.Kind.PARTNER
    ).values_list("id", flat=True))
    if hashes:
        BankHash.objects.filter(pk__in=hashes).update(disagreements=F("disagreements") + 1)
        audit_record(actor="system", action="bank.disagreement", obj=case,
                     verdict=case.verdict, bank_hashes=sorted(hashes))
    return len(hashes)


# --- Retroactive matching -------------------------------------------------------------------

def bank_rematch_start(bank: HashBank) -> None:
    """Match the bank against the items of open cases in the background, once this commits."""
    from .tasks import bank_rematch  # tasks import this module: a genuine cycle

    HashBank.objects.filter(pk=bank.pk).update(
        rematch_total=0, rematch_done=0, rematch_started_at=None, rematch_finished_at=None)
    transaction.on_commit(partial(bank_rematch.enqueue, bank.pk))


def bank_rematch(*, bank_id: int) -> int:
    """Match one bank against every hashed item of every open case (hashes are kept, so no
    content is needed); progress is written on the bank as it goes. New matches, counted."""
    bank = HashBank.objects.get(pk=bank_id)
    items = (CaptureItem.objects.exclude(sha256="")
             .exclude(capture__case__status=Case.Status.CLOSED).order_by("id"))
    HashBank.objects.filter(pk=bank_id).update(rematch_total=items.count(), rematch_done=0,
                                               rematch_started_at=timezone.now(),
                                               rematch_finished_at=None)
    created, done, after = 0, 0, 0
    while chunk := list(items.filter(id__gt=after).select_related("capture")[:REMATCH_CHUNK]):
        after = chunk[-1].pk
        created += items_match(chunk, [bank])
        for case_id in {item.capture.case_id for item in chunk}:
            case_known_refresh(case_id)
        done += len(chunk)
        HashBank.objects.filter(pk=bank_id).update(rematch_done=done)
    HashBank.objects.filter(pk=bank_id).update(rematch_finished_at=timezone.now())
    return created
