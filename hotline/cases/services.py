"""Case actions: taking reports in (a case per canonical URL), claims, assessment, second
review and third opinion.

Every state change is one transaction that locks the case row, checks the state it expects and
writes the audit entry. What reporters and members see of it is derived on read
(hotline/cases/progress.py); what follows a confirmation is hotline/takedown/confirmation.py,
set off by the ``case_confirmed`` signal.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from hotline.audit.services import audit_record
from hotline.intake.models import Report, ReportedAddress
from hotline.lib.urlcanon import CanonicalURL, InvalidURL, canonicalise

from .grading import ItemGrades
from .models import Assessment, Case, CaseReport, Verdict, url_digest
from .queue import report_priority
from .signals import case_closed, case_confirmed, case_opened


class CaseStateError(Exception):
    """The case is not in a state that allows this action (someone else got there first)."""


def report_intake(*, report_id: int) -> None:
    """Canonicalise the addresses of one report and attach each to the case of its URL.

    Safe to run twice, or in several workers at once: the report row is locked and marked done
    in the same transaction.
    """
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


def case_attach(*, report: Report, address: ReportedAddress, canonical: CanonicalURL) -> Case:
    """Attach one reported address to the open case of its URL, opening one if needed."""
    digest = url_digest(canonical.url)
    open_cases = Case.objects.filter(url_sha256=digest).exclude(status=Case.Status.CLOSED)
    case = open_cases.select_for_update().first()
    if case is None:
        previous = (Case.objects.filter(url_sha256=digest, status=Case.Status.CLOSED)
                    .order_by("-closed_at").first())
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    url=canonical.url, url_sha256=digest, host=canonical.host,
                    registrable_domain=canonical.registrable_domain, previous=previous,
                    first_reported=report.received_at, last_reported=report.received_at,
                )
            transaction.on_commit(partial(case_opened.send, sender=Case, case_id=case.pk))
        except IntegrityError:
            # Another worker opened it a moment ago: attach to theirs.
            case = open_cases.select_for_update().get()
    CaseReport.objects.get_or_create(case=case, address=address, defaults={
        "report": report, "portal_id": report.portal_id})
    stats = Report.objects.filter(case_links__case=case).aggregate(
        first=Min("received_at"), last=Max("received_at"))
    case.report_count = case.links.values("report").distinct().count()
    case.first_reported, case.last_reported = stats["first"], stats["last"]
    case.priority = max(case.priority, report_priority(report))
    case.save(update_fields=["report_count", "first_reported", "last_reported", "priority"])
    return case


def _locked(case_id: int) -> Case:
    return Case.objects.select_for_update().get(pk=case_id)


def _live_claim_filter() -> Q:
    lapse = timezone.now() - timedelta(minutes=settings.CASE_CLAIM_MINUTES)
    return Q(claimed_by__isnull=True) | Q(claimed_at__lt=lapse)


def may_work_on(case: Case, user: Any) -> bool:
    """Whether this user may take this case in its current state."""
    if case.status == Case.Status.OPEN:
        return bool(user.can_assess)
    if case.status in (Case.Status.REVIEW, Case.Status.THIRD):
        earlier = set(case.assessments.values_list("analyst_id", flat=True))
        return bool(user.can_review) and user.pk not in earlier
    return False


def case_claim(*, case_id: int, user: Any) -> bool:
    """Claim a case; exactly one of several concurrent claimers wins."""
    with transaction.atomic():
        case = _locked(case_id)
        if not may_work_on(case, user):
            return False
        won = Case.objects.filter(pk=case_id, status=case.status).filter(
            _live_claim_filter() | Q(claimed_by=user)
        ).update(claimed_by=user, claimed_at=timezone.now())
        if won:
            audit_record(actor=user, action="case.claim", obj=case)
    return bool(won)


def case_release(*, case_id: int, user: Any) -> None:
    with transaction.atomic():
        case = _locked(case_id)
        if case.claimed_by_id == user.pk:
            case.claimed_by, case.claimed_at = None, None
            case.save(update_fields=["claimed_by", "claimed_at"])
            audit_record(actor=user, action="case.release", obj=case)


def _needs_review(verdict: str) -> bool:
    share = settings.REVIEW_SHARE_CSAM if verdict == Verdict.CSAM else settings.REVIEW_SHARE_OTHER
    return secrets.randbelow(1_000_000) < share * 1_000_000


def _close(case: Case, verdict: str, classification: dict[str, list[str]], *,
           reviewed: bool, dedicated: bool = False, item_grades: ItemGrades | None = None
           ) -> None:
    case.status = Case.Status.CLOSED
    case.verdict = verdict
    case.classification = classification
    case.item_grades = item_grades or {}
    case.confirmed = reviewed and verdict == Verdict.CSAM
    case.dedicated_site = dedicated and verdict == Verdict.CSAM
    case.closed_at = timezone.now()
    case.time_to_assessment = case.closed_at - case.first_reported
    case.links.update(closed_at=case.closed_at)
    case.claimed_by, case.claimed_at = None, None
    case_closed.send(sender=Case, case=case)


def _require_claim(case: Case, user: Any, status: str) -> None:
    if case.status != status or not case.is_claimed_by(user) or not may_work_on(case, user):
        raise CaseStateError("claim the case first")


def _confirmed(case: Case) -> None:
    """A reviewed CSAM verdict: what follows (URL list, own bank, trace, route, notice) is one
    sequence, hotline/takedown/confirmation.py, run in this transaction."""
    if case.confirmed:
        case_confirmed.send(sender=Case, case=case)


def case_assess(*, case_id: int, analyst: Any, verdict: str,
                classification: dict[str, list[str]], notes: str = "",
                dedicated: bool = False, item_grades: ItemGrades | None = None) -> Assessment:
    with transaction.atomic():
        case = _locked(case_id)
        _require_claim(case, analyst, Case.Status.OPEN)
        review = _needs_review(verdict)
        assessment = Assessment.objects.create(
            case=case, analyst=analyst, kind=Assessment.Kind.INITIAL, verdict=verdict,
            classification=classification, notes=notes, needs_review=review,
            dedicated_site=dedicated, item_grades=item_grades or {})
        if review:
            case.status = Case.Status.REVIEW
            case.claimed_by, case.claimed_at = None, None
        else:
            _close(case, verdict, classification, reviewed=False, dedicated=dedicated,
                   item_grades=item_grades)
        case.save()
        audit_record(actor=analyst, action="case.assess", obj=case, verdict=verdict,
                     classification=classification, review=review)
    return assessment


def case_review(*, case_id: int, reviewer: Any, agrees: bool, verdict: str = "",
                classification: dict[str, list[str]] | None = None,
                notes: str = "", dedicated: bool = False,
                item_grades: ItemGrades | None = None) -> Assessment:
    """Second review: agree (the verdict stands) or disagree (a third senior decides).

    The case page asks for a blind review (the reviewer's own grades, item by item) and
    calls this with ``agrees`` worked out by comparing the two (workbench/views.py)."""
    with transaction.atomic():
        case = _locked(case_id)
        _require_claim(case, reviewer, Case.Status.REVIEW)
        initial = case.initial_assessment()
        assert initial is not None
        if agrees:
            verdict, classification = initial.verdict, initial.classification
            dedicated = initial.dedicated_site
            item_grades = initial.item_grades
        assessment = Assessment.objects.create(
            case=case, analyst=reviewer, kind=Assessment.Kind.REVIEW, verdict=verdict,
            classification=classification or {}, agrees=agrees, notes=notes,
            dedicated_site=dedicated, item_grades=item_grades or {})
        if agrees:
            _close(case, verdict, classification or {}, reviewed=True, dedicated=dedicated,
                   item_grades=item_grades)
        else:
            case.status = Case.Status.THIRD
            case.claimed_by, case.claimed_at = None, None
        case.save()
        _confirmed(case)
        audit_record(actor=reviewer, action="case.review", obj=case, agrees=agrees,
                     verdict=verdict, classification=classification or {})
    return assessment


def case_decide(*, case_id: int, senior: Any, verdict: str,
                classification: dict[str, list[str]], notes: str = "",
                dedicated: bool = False, item_grades: ItemGrades | None = None) -> Assessment:
    """The third opinion after a disagreement: it is final."""
    with transaction.atomic():
        case = _locked(case_id)
        _require_claim(case, senior, Case.Status.THIRD)
        assessment = Assessment.objects.create(
            case=case, analyst=senior, kind=Assessment.Kind.THIRD, verdict=verdict,
            classification=classification, notes=notes, dedicated_site=dedicated,
            item_grades=item_grades or {})
        _close(case, verdict, classification, reviewed=True, dedicated=dedicated,
               item_grades=item_grades)
        case.save()
        _confirmed(case)
        audit_record(actor=senior, action="case.decide", obj=case, verdict=verdict,
                     classification=classification)
    return assessment


def case_reassess(*, case_id: int, senior: Any, verdict: str,
                  classification: dict[str, list[str]], notes: str) -> Assessment:
    """A senior who took no part in a confirmed case looks at it again (a correction, or an
    appeal): the new verdict replaces the old one. What follows for the list and the takedown
    is the caller's (hotline/takedown/appeals.py)."""
    with transaction.atomic():
        case = _locked(case_id)
        if case.status != Case.Status.CLOSED or not case.confirmed:
            raise CaseStateError("only a confirmed case is re-assessed")
        if case.assessments.filter(analyst=senior).exists():
            raise CaseStateError("someone who assessed the case cannot re-assess it")
        assessment = Assessment.objects.create(
            case=case, analyst=senior, kind=Assessment.Kind.REASSESS, verdict=verdict,
            classification=classification, notes=notes, dedicated_site=case.dedicated_site)
        case.verdict, case.classification = verdict, classification
        case.confirmed = verdict == Verdict.CSAM
        case.save(update_fields=["verdict", "classification", "confirmed"])
        audit_record(actor=senior, action="case.reassess", obj=case, verdict=verdict,
                     classification=classification, reason=notes)
    return assessment
