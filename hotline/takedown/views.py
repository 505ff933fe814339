"""Staff see the state and history of every actioned URL, and may override the routing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from hotline.lib.staffaccess import Role, staff_view

from . import services
from .appeals import is_listed, may_decide
from .forms import CorrectionForm, OverrideForm
from .models import Takedown

STAFF = (Role.ANALYST, Role.SENIOR, Role.ADMIN)
DECIDERS = (Role.SENIOR, Role.ADMIN)


def _get_takedown_for_user(request: HttpRequest, case_id: int) -> Takedown:
    return get_object_or_404(Takedown.objects.select_related("case"), case_id=case_id)


@require_GET
@staff_view(*STAFF)
def takedown_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    rows = Takedown.objects.select_related("case").order_by("-confirmed_at")
    if state in Takedown.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "takedown/list.html", {"page": page, "state": state,
                                                  "states": Takedown.State.choices})


def detail_page(request: HttpRequest, takedown: Takedown, form: OverrideForm | None = None,
                correction: CorrectionForm | None = None, status: int = 200) -> HttpResponse:
    user: Any = request.user
    case = takedown.case
    return render(request, "takedown/detail.html", {
        "takedown": takedown, "case": takedown.case,
        "traces": takedown.case.traces.order_by("-at")[:10],
        "notices": takedown.notices.all(), "checks": takedown.checks.all()[:50],
        "form": form or OverrideForm(initial={"route": takedown.route}),
        "may_override": user.role in DECIDERS,
        "may_correct": may_decide(case, user) and case.confirmed,
        "correction": correction or CorrectionForm(),
        "listed": is_listed(case),
        "appeals": case.appeals.order_by("-created")[:20],
        "removal_confirmations": settings.REMOVAL_CONFIRMATIONS,
    }, status=status)


@require_GET
@staff_view(*STAFF)
def takedown_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return detail_page(request, _get_takedown_for_user(request, case_id))


@require_POST
@staff_view(*DECIDERS)
def takedown_override(request: HttpRequest, case_id: int) -> HttpResponse:
    takedown = _get_takedown_for_user(request, case_id)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return detail_page(request, takedown, form=form, status=400)
    data = form.cleaned_data
    services.takedown_override(takedown_id=takedown.pk, user=request.user, route=data["route"],
                               email=data["email"], name=data["name"],
                               language=data["language"], reason=data["reason"])
    return HttpResponseRedirect(reverse("takedown:detail", args=[case_id]))
