"""The analyst workbench: queue, case page, claim, assessment, review (the actions are
hotline.cases.services; this app shows them to analysts)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.audit.services import audit_record
from hotline.capture.models import CaptureItem
from hotline.cases import services
from hotline.cases.classification import describe
from hotline.cases.grading import same_grades
from hotline.cases.models import Assessment, Case
from hotline.cases.queue import queue_order
from hotline.intake.models import Report
from hotline.lib import sealing
from hotline.lib.staffaccess import ASSESSORS, REVIEWERS, staff_view
from hotline.lists.matching import case_matches
from hotline.lists.services import negative_bank_add

from .casepage import (
    assessments_context,
    case_links,
    gradable_items,
    prefill,
    viewer_grid,
)
from .forms import AssessmentForm, QueueFilterForm, ReviewForm
from .queue import queue_rows, search

NEXT_CANDIDATES = 20  # cases tried by "Start next case" when others claim at the same moment


def _get_case_for_user(request: HttpRequest, case_id: int) -> Case:
    """Cases are for assessors only (partners never reach here: staff_view checks roles)."""
    return get_object_or_404(Case.objects.select_related("previous", "claimed_by"), pk=case_id)


def _queue_order(cases: QuerySet[Case]) -> QuerySet[Case]:
    # Urgent first, then as hotline/cases/queue.py says: the cases app decides the order.
    return queue_order(cases)


@require_GET
@staff_view(*ASSESSORS)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    cases = Case.objects.select_related("previous", "claimed_by")
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or ""
    if status == "":
        cases = cases.filter(status=Case.Status.OPEN)
    elif status != "all":
        cases = cases.filter(status=status)
    if data.get("portal"):
        cases = cases.filter(links__report__portal=data["portal"]).distinct()
    if data.get("verdict"):
        cases = cases.filter(verdict=data["verdict"])
    cases = search(cases, data.get("q") or "")
    cases = cases.order_by("-closed_at") if status == Case.Status.CLOSED else _queue_order(cases)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "workbench/queue.html", {
        "form": form, "page": page, "rows": queue_rows(list(page)), "title": _("Queue")})


@require_GET
@staff_view(*REVIEWERS)
def reviews(request: HttpRequest) -> HttpResponse:
    """Cases waiting for this reviewer: who assessed them and since when, never their verdict
    (a reviewer grades blind, then sees the comparison on the case page)."""
    user: Any = request.user
    cases = (Case.objects.filter(status__in=[Case.Status.REVIEW, Case.Status.THIRD])
             .exclude(assessments__analyst=user).select_related("claimed_by"))
    page = Paginator(_queue_order(cases).distinct(), 50).get_page(request.GET.get("page"))
    waiting = list(page)
    done: dict[int, list[Assessment]] = {case.pk: [] for case in waiting}
    for assessment in (Assessment.objects.filter(case__in=waiting)
                       .select_related("analyst").order_by("id")):
        done[assessment.case_id].append(assessment)
    return render(request, "workbench/reviews.html", {
        "page": page, "title": _("Second review"),
        "rows": [(case, done[case.pk]) for case in waiting]})


def _case_page(request: HttpRequest, case: Case, *, revealed: dict[int, dict[str, str]]
               | None = None, form: Any = None, status: int = 200) -> HttpResponse:
    user: Any = request.user
    reports = (Report.objects.filter(case_links__case=case).select_related("portal")
               .distinct().order_by("received_at"))
    claimed_by_me = case.is_claimed_by(user)
    matches = case_matches(case)
    items = gradable_items(case)
    if form is None and claimed_by_me:
        form = (ReviewForm if case.status == Case.Status.REVIEW else AssessmentForm)(
            initial=prefill(case, items, matches), items=items)
    return render(request, "workbench/case.html", {
        "case": case, "reports": reports, "revealed": revealed or {},
        "final": describe(case.classification),
        "previous": describe(case.previous.classification) if case.previous else [],
        "claimed_by_me": claimed_by_me, "claim_live": case.claim_is_live(),
        "may_work": services.may_work_on(case, user), "form": form, "matches": matches,
        "captures": case.captures.prefetch_related("items__matches__bank_hash__bank")[:3],
        "viewer": viewer_grid(request, case, items, matches),
        **assessments_context(request, case), **case_links(case),
    }, status=status)


@require_GET
@staff_view(*ASSESSORS)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case_for_user(request, case_id)
    audit_record(actor=request.user, action="case.view", obj=case)
    return _case_page(request, case)


@require_POST
@staff_view(*ASSESSORS)
def reveal(request: HttpRequest, case_id: int, report_id: int) -> HttpResponse:
    """Decrypt what a reporter wrote: on demand only, and audited."""
    case = _get_case_for_user(request, case_id)
    report = get_object_or_404(Report, pk=report_id, case_links__case=case)
    texts = {}
    for field, label in [("where_found_sealed", _("Where found")),
                         ("description_sealed", _("Description")),
                         ("contact_sealed", _("Contact"))]:
        sealed = getattr(report, field)
        texts[label] = sealing.unseal(sealed) if sealed else ""
    audit_record(actor=request.user, action="report.decrypt", obj=report, case=case.pk)
    return _case_page(request, case, revealed={report.pk: texts})


@require_POST
@staff_view(*ASSESSORS)
def item_benign(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    """One action: this item is known to be benign (a logo, a placeholder, a decoy)."""
    case = _get_case_for_user(request, case_id)
    item = get_object_or_404(CaptureItem.objects.exclude(sha256=""), pk=item_id,
                             capture__case=case)
    negative_bank_add(item=item, user=request.user)
    messages.success(request, _("The item is on the allow-list: it no longer makes any case "
                                "known content."))
    return _back(case)


def _back(case: Case) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


@require_POST
@staff_view(*ASSESSORS)
def claim(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case_for_user(request, case_id)
    if not services.case_claim(case_id=case.pk, user=request.user):
        messages.error(request, _("You cannot take this case: someone else has it, or it has "
                                  "moved on."))
    return _back(case)


@require_POST
@staff_view(*ASSESSORS)
def release(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case_for_user(request, case_id)
    services.case_release(case_id=case.pk, user=request.user)
    return HttpResponseRedirect(reverse("cases:queue"))


@require_POST
@staff_view(*ASSESSORS)
def assess(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case_for_user(request, case_id)
    user: Any = request.user
    review = case.status == Case.Status.REVIEW
    third = case.status == Case.Status.THIRD
    if (review or third) and not user.can_review:
        return _case_page(request, case, status=403)
    form_class = ReviewForm if review else AssessmentForm
    form: AssessmentForm = form_class(request.POST, items=gradable_items(case))
    if not form.is_valid():
        return _case_page(request, case, form=form, status=400)
    data = form.cleaned_data
    fields = {"verdict": data["verdict"], "classification": data["classification"],
              "notes": data["notes"], "dedicated": data["dedicated"],
              "item_grades": data["item_grades"]}
    try:
        if review:
            initial = case.initial_assessment()
            agrees = bool(initial and initial.verdict == data["verdict"]
                          and initial.classification == data["classification"]
                          and same_grades(initial.item_grades, data["item_grades"]))
            services.case_review(case_id=case.pk, reviewer=user, agrees=agrees, **fields)
        elif third:
            services.case_decide(case_id=case.pk, senior=user, **fields)
        else:
            services.case_assess(case_id=case.pk, analyst=user, **fields)
    except services.CaseStateError:
        messages.error(request, _("Claim the case before assessing it."))
        return _case_page(request, case, form=form, status=409)
    messages.success(request, _("Saved."))
    if review:
        # Blind review: now that their own grades are in, the reviewer sees the comparison.
        return _back(case)
    if request.POST.get("next"):
        return claim_next(request, reviews=third)
    return HttpResponseRedirect(reverse("cases:reviews" if third else "cases:queue"))


@require_POST
@staff_view(*ASSESSORS)
def start_next(request: HttpRequest) -> HttpResponse:
    """Claim the next case in queue order (the review queue's, from there)."""
    return claim_next(request, reviews=request.POST.get("queue") == "reviews")


def _review_cases(user: Any) -> QuerySet[Case]:
    return (Case.objects.filter(status__in=[Case.Status.REVIEW, Case.Status.THIRD])
            .exclude(assessments__analyst=user))


def claim_next(request: HttpRequest, *, reviews: bool) -> HttpResponse:
    user: Any = request.user
    if reviews and user.can_review:
        candidates = _queue_order(_review_cases(user)).distinct()
    else:
        reviews = False
        candidates = _queue_order(Case.objects.filter(status=Case.Status.OPEN))
    mine = candidates.filter(claimed_by=user)
    for case in [*mine[:1], *candidates.exclude(claimed_by=user)[:NEXT_CANDIDATES]]:
        if case.is_claimed_by(user) or (not case.claim_is_live()
                                        and services.case_claim(case_id=case.pk, user=user)):
            return _back(case)
    messages.info(request, _("Nothing is waiting for you in this queue."))
    return HttpResponseRedirect(reverse("cases:reviews" if reviews else "cases:queue"))
