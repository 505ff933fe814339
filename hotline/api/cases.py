"""Export of a confirmed case as XARF v4 JSON (content/csam: URL, hashes, classification).

Every member may export the confirmed cases its own reports point at; a member allowed to
export (``may_export``: partner hotlines that take referrals) may export any confirmed case.
Anything else, including a case that is not confirmed, is a 404. Every export is audited.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from hotline.audit.services import audit_record
from hotline.cases.models import Case
from hotline.takedown.xarf_report import xarf_for_case

from .auth import KeyRateThrottle, member_auth
from .errors import ERRORS, ApiError

router = Router(tags=["cases"], auth=member_auth("export"), throttle=KeyRateThrottle())


@router.get("/{case_id}/xarf", response={200: dict[str, Any], **ERRORS},
            summary="A confirmed case as an XARF v4 content/csam report")
def case_xarf(request: HttpRequest, case_id: int) -> Any:
    member = request.auth  # type: ignore[attr-defined]
    cases = Case.objects.filter(confirmed=True)
    if not member.may_export:
        cases = cases.filter(links__report__member=member)
    case = cases.filter(pk=case_id).select_related("takedown").first()
    if case is None:
        raise ApiError(404, "No confirmed case with this id that you may export.", "case_id")
    takedown = getattr(case, "takedown", None)
    report = xarf_for_case(case, content_removed=bool(takedown and takedown.removed_at))
    audit_record(actor=f"member:{member}", action="case.export.xarf", obj=case,
                 key=getattr(request, "api_key", None) and request.api_key.prefix)  # type: ignore[attr-defined]
    return report
