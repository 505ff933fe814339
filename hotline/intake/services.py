"""Actions on reports: submission from a portal, storing (also for trusted intake over the API),
and finding a report by its receipt. Taking a stored report in (a case per canonical URL) is
the cases app's work: ``report_stored`` tells it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction

from hotline.lib import receipts, sealing
from hotline.portals.models import Portal

from .models import Report, ReportedAddress
from .signals import report_stored


@dataclass(frozen=True)
class Submission:
    report: Report
    receipt_code: str


def seal_optional(text: str) -> bytes | None:
    return sealing.seal(text) if text else None


def report_submit(
    *,
    portal: Portal,
    language: str,
    urls: list[str],
    content_kind: str,
    where_found: str = "",
    description: str = "",
    contact: str = "",
    feedback: bool = False,
    urgent: bool = False,
) -> Submission:
    """Store one report and queue its intake. Returns the receipt code, shown once. Feedback
    e-mails (hotline/cases/feedback.py) go only to a contact address given with ``feedback``."""
    # Seal before the transaction: a missing key fails loudly with nothing written.
    sealed = {
        "where_found_sealed": seal_optional(where_found),
        "description_sealed": seal_optional(description),
        "contact_sealed": seal_optional(contact),
    }
    for _attempt in range(3):
        code = receipts.new_code()
        try:
            with transaction.atomic():
                report = report_store(urls, portal=portal, language=language,
                                      content_kind=content_kind, urgent=urgent,
                                      wants_feedback=bool(contact) and feedback,
                                      receipt_key=receipts.key(code), **sealed)
        except IntegrityError:
            # Two equal 19-digit random codes: vanishingly rare, but never reuse a receipt.
            continue
        return Submission(report=report, receipt_code=code)
    raise RuntimeError("could not allocate a unique receipt code")


def report_store(urls: list[str], **fields: Any) -> Report:
    """Write one report and its addresses, and queue its intake once the caller's transaction
    commits (call it inside one: the report and its addresses are written together or not)."""
    report = Report.objects.create(**fields)
    ReportedAddress.objects.bulk_create(
        ReportedAddress(report=report, position=i, submitted=url) for i, url in enumerate(urls))
    # Robust: once this commits the report is stored, so the reporter gets the receipt even if
    # queuing its intake fails (database lost a moment later); the recovery sweep queues the
    # intake of such a report (hotline/ops/recovery.py).
    transaction.on_commit(partial(report_stored.send, sender=Report, report_id=report.pk),
                          robust=True)
    return report


def report_for_receipt(code: str) -> Report | None:
    """The report a receipt code belongs to, or None.

    One keyed hash and one indexed lookup. Only a code whose key is unknown, and only while
    receipts issued before the keyed hash remain (until the retention rules delete their
    reports), also pays one Argon2id run: a wrong code costs nothing more once they are gone.
    """
    normalised = receipts.normalise(code)
    if not receipts.is_well_formed(normalised):
        return None
    found = Report.objects.filter(receipt_key=receipts.key(normalised)).first()
    if found is not None or not legacy_receipts_exist():
        return found
    return Report.objects.filter(receipt_digest=receipts.legacy_digest(normalised)).first()


def legacy_receipts_exist() -> bool:
    """Whether any report still has a receipt of the old (Argon2id) kind; reads the unique
    index of that column only."""
    return Report.objects.filter(receipt_digest__isnull=False).exists()
