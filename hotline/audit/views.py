from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from hotline.lib.staffaccess import Role, staff_view

from .models import AuditEntry
from .services import audit_record, audit_state


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Staff e-mail"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))


class _Counted(Paginator):
    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@require_GET
@staff_view(Role.ADMIN)
def log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.order_by("-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor_label__icontains=data["actor"])
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"])
        if data["object_id"]:
            entries = entries.filter(object_id=data["object_id"])
        if data["since"]:
            entries = entries.filter(at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(at__date__lte=data["until"])
    # The last checkpoint and what came after it, never a walk of the whole chain.
    state = audit_state()
    paginator = Paginator(entries, 100)
    if not entries.query.has_filters():
        # The whole log: the head row counts it, where COUNT(*) would read every row.
        paginator = _Counted(entries, 100, count=state.total)
    page = paginator.get_page(request.GET.get("page"))
    audit_record(actor=request.user, action="audit.view", filters=request.GET.dict())
    return render(request, "audit/log.html", {"form": form, "page": page, "state": state,
                                              "checked": state.checked, "broken": state.broken})
