"""How far a report has got, derived on read from its cases and their takedowns: the one place
that answers "what does the reporter's receipt say?" and "what state is each URL in?".

The receipt's status page (hotline.public), the member API (hotline.api) and anything else that
shows progress call ``progress_of`` / ``report_progress``; nothing stores the answer. Takedowns
are read through the ``takedown`` relation that the takedown app adds to a case (one row per
confirmed case, with ``removed_at`` once the material is gone), and its notices through that
takedown's ``notices`` relation (``sent_at`` once a notice or referral has really gone out);
nothing of that app is imported.

"Action taken" is said only once a notice or referral has been sent: before that, a confirmed
case is "Confirmed" (the host is being traced, or nobody to tell was found yet).

Cost: two queries for any number of reports (their addresses; their case links with cases,
takedowns and the time of their first sent notice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Min
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.intake.models import Report, ReportedAddress

from .models import Case, CaseReport


class ReportStatus(models.TextChoices):
    """What the reporter's receipt shows."""

    RECEIVED = "received", _("Received")
    BEING_ASSESSED = "being_assessed", _("Being assessed")
    ASSESSED = "assessed", _("Assessed")
    CONFIRMED = "confirmed", _("Confirmed")
    ACTION_TAKEN = "action_taken", _("Action taken")
    REMOVED = "removed", _("Removed")


# What each status means and what usually happens next, in one or two sentences: on the status
# page and in the API (``status_text``).
STATUS_TEXT: dict[str, Promise] = {
    ReportStatus.RECEIVED: _("Your report has arrived and is waiting for an analyst. Next, a "
                             "trained analyst looks at every address you sent."),
    ReportStatus.BEING_ASSESSED: _("An analyst is assessing the addresses you sent. Next, a "
                                   "second analyst checks anything found to be illegal."),
    ReportStatus.ASSESSED: _("Every address you sent has been assessed, and there is nothing "
                             "more for us to do. Thank you for reporting."),
    ReportStatus.CONFIRMED: _("Illegal material was confirmed at an address you sent. Next, we "
                              "find out who can remove it and ask them to."),
    ReportStatus.ACTION_TAKEN: _("Illegal material was confirmed at an address you sent, and "
                                 "we have asked for it to be removed. Next, we check the "
                                 "address until it is gone."),
    ReportStatus.REMOVED: _("The illegal material you reported has been removed. We check for "
                            "a while in case it comes back. Thank you: your report made a "
                            "difference."),
}


class UrlState(models.TextChoices):
    """What a member sees of each URL of its report."""

    PENDING = "pending", "pending"  # not taken in yet
    NOT_A_URL = "not_a_url", "not a URL"  # taken in, but no case: not a web address
    QUEUED = "queued", "queued"
    IN_ASSESSMENT = "in_assessment", "in assessment"
    CONFIRMED = "confirmed", "confirmed"
    NOT_CONFIRMED = "not_confirmed", "not confirmed"
    REMOVED = "removed", "removed"


@dataclass(frozen=True)
class AddressProgress:
    address: ReportedAddress
    state: str


@dataclass(frozen=True)
class ReportProgress:
    status: str
    addresses: list[AddressProgress]

    @property
    def status_label(self) -> str:
        return str(ReportStatus(self.status).label)

    @property
    def status_text(self) -> str:
        return str(STATUS_TEXT[self.status])


def _removed(case: Case) -> bool:
    takedown = getattr(case, "takedown", None)
    return takedown is not None and takedown.removed_at is not None


def _confirmed(case: Case) -> bool:
    """A takedown was opened: the case is confirmed."""
    return getattr(case, "takedown", None) is not None


def _notified(case: Case) -> bool:
    """A notice or referral has really been sent (progress_of reads when)."""
    return getattr(case, "first_notice_sent_at", None) is not None


def report_status(cases: list[Case]) -> str:
    """The receipt's status, from the report's cases."""
    if not cases:
        return ReportStatus.RECEIVED
    if all(c.status == Case.Status.CLOSED for c in cases):
        confirmed = [c for c in cases if _confirmed(c)]
        if confirmed and all(_removed(c) for c in confirmed):
            return ReportStatus.REMOVED
        if any(_notified(c) for c in confirmed):
            return ReportStatus.ACTION_TAKEN
        return ReportStatus.CONFIRMED if confirmed else ReportStatus.ASSESSED
    if any(c.status != Case.Status.OPEN or c.claimed_by_id for c in cases):
        return ReportStatus.BEING_ASSESSED
    return ReportStatus.RECEIVED


def url_state(report: Report, case: Case | None) -> str:
    """One address's state, from the case it was attached to (None: no case)."""
    if case is None:
        return UrlState.PENDING if report.intake_done_at is None else UrlState.NOT_A_URL
    if case.status != Case.Status.CLOSED:
        return UrlState.QUEUED if case.status == Case.Status.OPEN and not case.claimed_by_id \
            else UrlState.IN_ASSESSMENT
    if not case.confirmed:
        return UrlState.NOT_CONFIRMED
    return UrlState.REMOVED if _removed(case) else UrlState.CONFIRMED


def progress_of(reports: Iterable[Report]) -> dict[int, ReportProgress]:
    """The progress of each report, by report id, in two queries."""
    reports = list(reports)
    ids = [r.pk for r in reports]
    addresses: dict[int, list[ReportedAddress]] = {pk: [] for pk in ids}
    for address in ReportedAddress.objects.filter(report_id__in=ids).order_by("report",
                                                                             "position"):
        addresses[address.report_id].append(address)
    links: dict[int, dict[int, Case]] = {pk: {} for pk in ids}
    for link in CaseReport.objects.filter(report_id__in=ids).select_related(
            "case__takedown").annotate(sent=Min("case__takedown__notices__sent_at")):
        link.case.first_notice_sent_at = link.sent  # type: ignore[attr-defined]
        links[link.report_id][link.address_id] = link.case
    progress = {}
    for report in reports:
        cases = links[report.pk]
        distinct = list({case.pk: case for case in cases.values()}.values())
        progress[report.pk] = ReportProgress(
            status=report_status(distinct),
            addresses=[AddressProgress(a, url_state(report, cases.get(a.pk)))
                       for a in addresses[report.pk]])
    return progress


def report_progress(report: Report) -> ReportProgress:
    return progress_of([report])[report.pk]

