"""Staff pages for appeals and corrections (hotline/takedown/appeals.py): the queue, one appeal,
an appeal lodged on behalf of a site owner, and corrections of a listing without an appeal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.cases.models import Case
from hotline.lib.staffaccess import Role, staff_view

from . import appeals
from .forms import AppealForm, CorrectionForm
from .models import Appeal
from .views import detail_page

STAFF = (Role.ANALYST, Role.SENIOR, Role.ADMIN)
DECIDERS = (Role.SENIOR, Role.ADMIN)


@require_GET
@staff_view(*STAFF)
def appeal_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", Appeal.State.OPEN)
    rows = Appeal.objects.select_related("case", "member", "lodged_by").order_by("created")
    if state in Appeal.State.values:
        rows = rows.filter(state=state)
    else:
        state = ""
        rows = rows.order_by("-created")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "takedown/appeals.html", {
        "page": page, "state": state, "states": Appeal.State.choices,
        "open_count": Appeal.objects.filter(state=Appeal.State.OPEN).count()})


@require_http_methods(["GET", "POST"])
@staff_view(*STAFF)
def appeal_new(request: HttpRequest) -> HttpResponse:
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal, _created = appeals.appeal_lodge(
                url=data["url"], reason=data["reason"], staff=request.user,
                on_behalf_of=data["on_behalf_of"])
        except appeals.AppealError as e:
            form.add_error("url", str(e))
        else:
            return HttpResponseRedirect(reverse("takedown:appeal", args=[appeal.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "takedown/appeal_new.html", {"form": form}, status=status)


def _appeal_page(request: HttpRequest, appeal: Appeal, form: CorrectionForm | None = None,
                 status: int = 200) -> HttpResponse:
    user: Any = request.user
    case = appeal.case
    return render(request, "takedown/appeal.html", {
        "appeal": appeal, "case": case, "takedown": case.takedown,
        "listed": appeals.is_listed(case),
        "assessments": case.assessments.select_related("analyst"),
        "others": case.appeals.exclude(pk=appeal.pk).order_by("-created")[:20],
        "form": form or CorrectionForm(appeal=True),
        "may_decide": appeals.may_decide(case, user),
    }, status=status)


@require_GET
@staff_view(*STAFF)
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.select_related("case__takedown"), pk=appeal_id)
    return _appeal_page(request, appeal)


def _apply(request: HttpRequest, case: Case, form: CorrectionForm,
           appeal: Appeal | None) -> str | None:
    """Carry out a valid decision; an error message when it is refused."""
    data = form.cleaned_data
    action, reason = data["action"], data["reason"]
    try:
        if action == CorrectionForm.Action.REJECT and appeal is not None:
            appeals.appeal_reject(appeal=appeal, user=request.user, reason=reason)
        elif action == CorrectionForm.Action.DELIST:
            appeals.listing_delist(case=case, user=request.user, reason=reason, appeal=appeal)
        elif action == CorrectionForm.Action.RELIST:
            appeals.listing_relist(case=case, user=request.user, reason=reason, appeal=appeal)
        else:
            appeals.listing_reassess(case=case, user=request.user, verdict=data["verdict"],
                                     classification=data["classification"], reason=reason,
                                     appeal=appeal)
    except appeals.AppealError as e:
        return str(e)
    messages.success(request, _("Done, and recorded in the audit log."))
    return None


@require_POST
@staff_view(*DECIDERS)
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.select_related("case__takedown"), pk=appeal_id)
    form = CorrectionForm(request.POST, appeal=True)
    if form.is_valid():
        refused = _apply(request, appeal.case, form, appeal)
        if refused is None:
            return HttpResponseRedirect(reverse("takedown:appeal", args=[appeal.pk]))
        form.add_error(None, refused)
    return _appeal_page(request, appeal, form, status=400)


@require_POST
@staff_view(*DECIDERS)
def listing_correct(request: HttpRequest, case_id: int) -> HttpResponse:
    """A correction without an appeal, from the takedown page."""
    case = get_object_or_404(Case.objects.select_related("takedown"), pk=case_id)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        refused = _apply(request, case, form, None)
        if refused is None:
            return HttpResponseRedirect(reverse("takedown:detail", args=[case_id]))
        form.add_error(None, refused)
    return detail_page(request, case.takedown, correction=form, status=400)
