"""Actions on reports: submission from a portal and intake by the background worker."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.lib import receipts, sealing
from hotline.lib.urlcanon import InvalidURL, canonicalise
from hotline.portals.models import Portal

from .models import Report, ReportedAddress


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
) -> Submission:
    """Store one report and queue its intake. Returns the receipt code, shown once."""
    # Seal before the transaction: a missing key fails loudly with nothing written.
    sealed = {
        "where_found_sealed": seal_optional(where_found),
        "description_sealed": seal_optional(description),
        "contact_sealed": seal_optional(contact),
    }
    for _attempt in range(3):
        code = receipts.new_code()
        digest = receipts.digest(code)
        try:
            with transaction.atomic():
                report = report_store(urls, portal=portal, language=language,
                                      content_kind=content_kind, wants_feedback=bool(contact),
                                      receipt_digest=digest, **sealed)
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
    # queuing fails (database lost a moment later); the recovery sweep queues the intake of
    # such a report (hotline/intake/recovery.py).
    transaction.on_commit(partial(_enqueue_intake, report.pk), robust=True)
    return report


def _enqueue_intake(report_id: int) -> None:
    from .tasks import intake_report

    intake_report.enqueue(report_id)


def report_for_receipt(code: str) -> Report | None:
    """The report a receipt code belongs to, or None. One Argon2id run whatever the code."""
    normalised = receipts.normalise(code)
    digest = receipts.digest(normalised)
    if not receipts.is_well_formed(normalised):
        return None
    return Report.objects.filter(receipt_digest=digest).first()


def report_intake(*, report_id: int) -> None:
    """Canonicalise the addresses of one report and attach each to the case of its URL.

    Safe to run twice, or in several workers at once: the report row is locked and marked done
    in the same transaction.
    """
    from hotline.cases.services import case_attach, report_refresh_status

    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.intake_done_at is not None:
            return
        for address in report.addresses.all():
            try:
                canonical = canonicalise(address.submitted)
            except InvalidURL:
                # The form accepted it, so this only happens if the canonicaliser became
                # stricter since; the address stays visible to staff as typed.
                continue
            address.canonical_url = canonical.url
            address.host = canonical.host
            address.registrable_domain = canonical.registrable_domain
            address.save(update_fields=["canonical_url", "host", "registrable_domain"])
            case_attach(report=report, address=address, canonical=canonical)
        report.intake_done_at = timezone.now()
        report.save(update_fields=["intake_done_at"])
        report_refresh_status(report)
