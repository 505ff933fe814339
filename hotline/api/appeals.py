"""Appeals: a member asks the hub to look again at a listed address (hotline/takedown/appeals.py).

A member sees its own appeals only; another member's appeal id is a 404, never data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hotline.takedown.appeals import AppealError, appeal_lodge
from hotline.takedown.models import Appeal

from .auth import KeyRateThrottle, member_auth
from .errors import ERRORS, ApiError

router = Router(tags=["appeals"], auth=member_auth("lists"), throttle=KeyRateThrottle())


class AppealIn(Schema):
    url: str = Field(..., min_length=1, max_length=4000,
                     description="The listed web address you ask us to look at again.")
    reason: str = Field(..., min_length=1, max_length=5000,
                        description="Why: for example, the site owner says the material is "
                                    "gone or was never there.")


class AppealOut(Schema):
    id: int
    url: str
    state: str = Field(description="open (waiting for a senior analyst), upheld (the listing "
                                   "stands) or corrected (re-assessed, delisted or relisted)")
    created: bool = Field(description="False when your open appeal on this address was "
                                      "returned instead of a new one.")
    lodged_at: dt.datetime
    decided_at: dt.datetime | None


def _out(appeal: Appeal, created: bool = False) -> dict[str, Any]:
    return {"id": appeal.pk, "url": appeal.case.url, "state": appeal.state, "created": created,
            "lodged_at": appeal.created, "decided_at": appeal.decided_at}


@router.post("/", response={201: AppealOut, 200: AppealOut, **ERRORS},
             summary="Appeal a listed address: a senior who took no part in it looks again")
def lodge(request: HttpRequest, payload: AppealIn) -> Any:
    try:
        appeal, created = appeal_lodge(url=payload.url, reason=payload.reason.strip(),
                                       member=request.auth)  # type: ignore[attr-defined]
    except AppealError as e:
        raise ApiError(404 if e.missing else 422, str(e), "url") from None
    return Status(201 if created else 200, _out(appeal, created))


@router.get("/{appeal_id}", response={200: AppealOut, **ERRORS},
            summary="The state of one of your appeals")
def appeal_state(request: HttpRequest, appeal_id: int) -> Any:
    appeal = Appeal.objects.select_related("case").filter(
        pk=appeal_id, member=request.auth).first()  # type: ignore[attr-defined]
    if appeal is None:
        raise ApiError(404, "No such appeal among yours.", "appeal_id")
    return _out(appeal)
