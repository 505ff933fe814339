"""Trusted intake over the API: members submit reports and follow the state of each.

A member sees its own reports only; another member's report id is a 404, never data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from hotline.cases.progress import ReportProgress, progress_of
from hotline.intake import trusted
from hotline.intake.models import Report
from hotline.portals.models import Portal

from .auth import KeyRateThrottle, member_auth
from .errors import ERRORS, ApiError

router = Router(tags=["reports"], auth=member_auth("submit"), throttle=KeyRateThrottle())

Hint = Literal["", "baseline", "A1", "A2", "B1", "B2"]
Kind = Literal["image", "video", "website", "other"]
UrlState = Literal["pending", "not_a_url", "queued", "in_assessment", "confirmed",
                   "not_confirmed", "removed"]


class ReportIn(Schema):
    urls: list[str] = Field(..., min_length=1, max_length=settings.API_MAX_URLS,
                            description="Web addresses (duplicates after normalisation are "
                                        "kept once).")
    reference: str = Field("", max_length=100, description="Your own reference: sending the "
                           "same reference again returns the report already made.")
    classification_hint: Hint = Field("", description="Your classification, if any: a "
                                      "classified report goes before unclassified ones in the "
                                      "analysts' queue.")
    urgent: bool = Field(False, description="A child may be in immediate danger, or the abuse "
                         "is happening now: the report's cases go to the top of the analysts' "
                         "queue, before classified ones.")
    content_kind: Kind = "other"
    description: str = Field("", max_length=5000, description="Sealed at once; only "
                             "analysts can read it.")
    where_found: str = Field("", max_length=2000)
    portal: str = Field("", max_length=20, description="Code of the portal whose figures "
                        "count the report (default: the member's portal). Only the member's "
                        "own portal, or those an administrator allowed.")


class BatchIn(Schema):
    reports: list[ReportIn] = Field(..., min_length=1, max_length=settings.API_MAX_BATCH)


class UrlOut(Schema):
    url: str
    canonical_url: str
    state: UrlState


class ReportOut(Schema):
    id: int
    reference: str
    created: bool = Field(description="False when the reference named an existing report.")
    received_at: dt.datetime
    status: str = Field(description="received, being_assessed, assessed, confirmed (a "
                        "reviewed verdict, no notice sent yet), action_taken (a notice or "
                        "referral has been sent) or removed")
    status_text: str = Field(description="What the status means and what usually happens "
                             "next, in one or two sentences (the reporter's status page "
                             "shows the same).")
    classification_hint: str
    urgent: bool
    urls: list[UrlOut]


class BatchOut(Schema):
    reports: list[ReportOut]


class ReportPage(Schema):
    reports: list[ReportOut]
    next_after: int | None = Field(description="Pass as `after` for the next page.")


@router.post("/", response={201: BatchOut, **ERRORS},
             summary="Submit reports: one or many URLs each, all stored or none")
def submit(request: HttpRequest, payload: BatchIn) -> Any:
    member = request.auth  # type: ignore[attr-defined]
    portals = _reporting_portals(member, payload.reports)
    items = [trusted.Item(urls=r.urls, reference=r.reference.strip(),
                          classification_hint=r.classification_hint,
                          content_kind=r.content_kind, description=r.description,
                          urgent=r.urgent,
                          where_found=r.where_found, portal=portals.get(r.portal))
             for r in payload.reports]
    try:
        outcomes = trusted.submit(member, items)
    except trusted.Problem as e:
        raise ApiError(422, e.errors[0][1], e.errors[0][0], list(e.errors)) from None
    reports = [o.report for o in outcomes]
    progress = progress_of(reports)
    return Status(201, {"reports": [_out(o.report, progress[o.report.pk], o.created)
                                    for o in outcomes]})


def _reporting_portals(member: Any, reports: list[ReportIn]) -> dict[str, Portal]:
    """The portals the batch names, by code; a 422 naming every unknown portal and every one
    the member may not report for (its own, and those an administrator allowed)."""
    portals = {p.code: p for p in Portal.objects.filter(
        code__in={r.portal for r in reports if r.portal})}
    allowed = member.reporting_portal_ids()
    errors = []
    for i, r in enumerate(reports):
        if r.portal and r.portal not in portals:
            errors.append((f"reports.{i}.portal", f"No portal with the code {r.portal!r}."))
        elif r.portal and portals[r.portal].pk not in allowed:
            errors.append((f"reports.{i}.portal", f"You may not report for the portal "
                           f"{r.portal!r}: only for your own, or those an administrator "
                           f"allowed."))
    if errors:
        raise ApiError(422, errors[0][1], errors[0][0], list(errors))  # type: ignore[arg-type]
    return portals


@router.get("/", response={200: ReportPage, **ERRORS},
            summary="Your reports, newest first, or the one with a reference")
def list_reports(request: HttpRequest, reference: str = "", after: int | None = None,
                 limit: int = Query(50, ge=1, le=200)) -> Any:
    qs = Report.objects.filter(member=request.auth).order_by("-id")  # type: ignore[attr-defined]
    if reference:
        qs = qs.filter(reference=reference)
    if after is not None:
        qs = qs.filter(id__lt=after)
    page = list(qs[:limit + 1])
    more = len(page) > limit
    page = page[:limit]
    progress = progress_of(page)
    return {"reports": [_out(r, progress[r.pk]) for r in page],
            "next_after": page[-1].pk if more else None}


@router.get("/{report_id}", response={200: ReportOut, **ERRORS},
            summary="The state of one of your reports and of each of its URLs")
def report_state(request: HttpRequest, report_id: int) -> Any:
    report = Report.objects.filter(member=request.auth,  # type: ignore[attr-defined]
                                   pk=report_id).first()
    if report is None:
        raise ApiError(404, "No such report among yours.", "report_id")
    return _out(report, progress_of([report])[report.pk])


def _out(report: Report, progress: ReportProgress, created: bool = False) -> dict[str, Any]:
    return {
        "id": report.pk, "reference": report.reference, "created": created,
        "received_at": report.received_at, "status": progress.status,
        "status_text": progress.status_text,
        "classification_hint": report.classification_hint, "urgent": report.urgent,
        "urls": [{"url": a.address.submitted, "canonical_url": a.address.canonical_url,
                  "state": a.state} for a in progress.addresses],
    }
