"""Appeals and corrections: looking again at a listed address.

A member lodges an appeal through the API (``POST /api/v1/appeals/``), or staff lodge one on
behalf of a site owner; appeals wait in their own queue. A senior or administrator who took no
part in the case then, each with a reason and audited:

* **delists** the address for now (off the URL list while it is looked at; the takedown goes on),
* **relists** it (back on the list, when the material has not been removed),
* **re-assesses** the case: a CSAM verdict keeps it listed (with the new classification); any
  other verdict takes it off the list for good, takes its hashes out of the own bank and
  withdraws the takedown (no more checks or notices), or
* **rejects** the appeal: the listing stands (listed again if it had been delisted).

Members see each change in the URL list's deltas, with why (``lists.UrlListChange.why``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.audit.services import audit_record
from hotline.cases.models import Case, Verdict, url_digest
from hotline.cases.services import case_reassess
from hotline.lib.staffaccess import Role
from hotline.lib.urlcanon import InvalidURL, canonicalise
from hotline.lists.models import UrlListChange, UrlListEntry
from hotline.lists.services import own_bank_remove, url_list_add, url_list_remove

from .models import Appeal, Notice, Takedown


class AppealError(ValueError):
    """Refused, with a message for the person who asked; ``missing`` when there is no listed
    address to appeal (a 404 over the API)."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def listed_case(url: str) -> Case:
    """The confirmed case of an address, by its canonical form."""
    try:
        canonical = canonicalise(url)
    except InvalidURL:
        raise AppealError(_("This is not a web address.")) from None
    case = (Case.objects.filter(url_sha256=url_digest(canonical.url), confirmed=True)
            .order_by("-closed_at").first())
    if case is None or not hasattr(case, "takedown"):
        raise AppealError(_("This address is not on the list."), missing=True)
    return case


def appeal_lodge(*, url: str, reason: str, member: Any = None, staff: Any = None,
                 on_behalf_of: str = "") -> tuple[Appeal, bool]:
    """An appeal in the queue; the same member's open appeal on the same case is kept once."""
    case = listed_case(url)
    with transaction.atomic():
        if member is not None:
            open_one = Appeal.objects.filter(case=case, member=member,
                                             state=Appeal.State.OPEN).first()
            if open_one is not None:
                return open_one, False
        appeal = Appeal.objects.create(case=case, url=url, reason=reason, member=member,
                                       lodged_by=staff, on_behalf_of=on_behalf_of)
        actor = staff if staff is not None else f"member:{member}"
        audit_record(actor=actor, action="appeal.lodge", obj=appeal, case=case.pk,
                     on_behalf_of=on_behalf_of)
    return appeal, True


def is_listed(case: Case) -> bool:
    """Whether the case's address is on the URL list now."""
    return UrlListEntry.objects.filter(case=case, active=True).exists()


def may_decide(case: Case, user: Any) -> bool:
    """A senior or administrator who did not assess or review the case."""
    return getattr(user, "role", "") in (Role.SENIOR, Role.ADMIN) and not \
        case.assessments.filter(analyst=user).exists()


def _require(case: Case, user: Any) -> None:
    if not may_decide(case, user):
        raise AppealError(_("Only a senior who took no part in this case may change its "
                            "listing."))


def _close(appeal: Appeal | None, user: Any, state: str, reason: str) -> None:
    if appeal is None or appeal.state != Appeal.State.OPEN:
        return
    appeal.state, appeal.decided_by, appeal.decided_at = state, user, timezone.now()
    appeal.decision = reason
    appeal.save(update_fields=["state", "decided_by", "decided_at", "decision"])
    audit_record(actor=user, action="appeal.decide", obj=appeal, state=state, reason=reason)


def _listable(case: Case) -> bool:
    takedown = Takedown.objects.get(case=case)
    return case.confirmed and takedown.state not in (Takedown.State.REMOVED,
                                                     Takedown.State.WITHDRAWN)


def listing_delist(*, case: Case, user: Any, reason: str, appeal: Appeal | None = None) -> None:
    _require(case, user)
    with transaction.atomic():
        url_list_remove(case, reason=reason, why=UrlListChange.Why.DELISTED)
        audit_record(actor=user, action="listing.delist", obj=case, reason=reason,
                     appeal=appeal.pk if appeal else None)


def listing_relist(*, case: Case, user: Any, reason: str, appeal: Appeal | None = None) -> None:
    _require(case, user)
    if not _listable(case):
        raise AppealError(_("The material is gone or the case was withdrawn: there is nothing "
                            "to list."))
    with transaction.atomic():
        url_list_add(case, why=UrlListChange.Why.RELISTED)
        audit_record(actor=user, action="listing.relist", obj=case, reason=reason,
                     appeal=appeal.pk if appeal else None)
        _close(appeal, user, Appeal.State.UPHELD, reason)


def appeal_reject(*, appeal: Appeal, user: Any, reason: str) -> None:
    """The listing stands: listed again if it had been delisted while looked at."""
    case = appeal.case
    _require(case, user)
    with transaction.atomic():
        if not is_listed(case) and _listable(case):
            url_list_add(case, why=UrlListChange.Why.RELISTED)
        _close(appeal, user, Appeal.State.UPHELD, reason)


def listing_reassess(*, case: Case, user: Any, verdict: str,
                     classification: dict[str, list[str]], reason: str,
                     appeal: Appeal | None = None) -> None:
    _require(case, user)
    with transaction.atomic():
        before = (case.verdict, case.classification)
        case_reassess(case_id=case.pk, senior=user, verdict=verdict,
                      classification=classification, notes=reason)
        case.refresh_from_db()
        if verdict == Verdict.CSAM:
            if _listable(case):
                url_list_add(case, why=UrlListChange.Why.RELISTED)
            changed = before != (case.verdict, case.classification)
            _close(appeal, user, Appeal.State.CORRECTED if changed else Appeal.State.UPHELD,
                   reason)
            return
        url_list_remove(case, reason=reason, why=UrlListChange.Why.REASSESSED)
        own_bank_remove(case)
        takedown = Takedown.objects.select_for_update().get(case=case)
        takedown.state, takedown.next_check_at = Takedown.State.WITHDRAWN, None
        takedown.save(update_fields=["state", "next_check_at"])
        takedown.notices.filter(state=Notice.State.PENDING).update(
            state=Notice.State.SKIPPED, error="withdrawn")
        audit_record(actor=user, action="takedown.withdrawn", obj=takedown, reason=reason)
        _close(appeal, user, Appeal.State.CORRECTED, reason)
