"""Questions through the receipt, the reporter's side: the status page shows an analyst's
questions to a report whose receipt code was entered, and the reporter answers there.

No cookie and no session: the answer form carries the receipt code again (hidden), and every
answer finds its report by that code, as a status check does, on the same hourly budget. The
answer is sealed at once (hotline/cases/questions.py); what was typed is kept on every refusal.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hotline.cases.progress import report_progress
from hotline.cases.questions import question_answer, questions_of
from hotline.intake import services
from hotline.intake.models import Report
from hotline.lib import receipts
from hotline.portals.models import Portal
from hotline.portals.pages import page_context, portal_page

from .forms import StatusForm
from .views import _cross_site, _spend, _via_onion


class AnswerForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=64)
    question = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    answer = forms.CharField(
        label=_("Your answer"), max_length=5000,
        help_text=_("Only our analysts can read it. Do not send pictures or videos."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your answer before sending it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the status page also has a form with a field named code.
        kwargs.setdefault("auto_id", "answer_%s")
        super().__init__(*args, **kwargs)


def answer_context(report: Report | None, code: str,
                   form: AnswerForm | None = None) -> dict[str, Any]:
    """What the status page shows of a report's questions: each question, and a form for the
    first one not yet answered."""
    if report is None:
        return {}
    questions = questions_of(report)
    open_question = next((q for q in questions if q.answered_at is None), None)
    if form is None and open_question is not None:
        form = AnswerForm(initial={"code": receipts.group(code), "question": open_question.pk})
    return {"questions": questions, "open_question": open_question, "answer_form": form}


def _page(request: HttpRequest, portal: Portal, lang: str, report: Report | None, code: str,
          *, status: int = 200, form: AnswerForm | None = None, **extra: Any) -> HttpResponse:
    return render(request, "public/status.html", page_context(
        portal, lang, "status", form=StatusForm(), checked=True, found=report,
        progress=report_progress(report) if report else None,
        **answer_context(report, code, form), **extra), status=status)


@csrf_exempt
@never_cache
@require_POST
@portal_page
def answer(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    if _cross_site(request):
        raise PermissionDenied  # hotline.errors.permission_denied explains it
    form = AnswerForm(request.POST)
    valid, onion = form.is_valid(), _via_onion(request)
    code = receipts.normalise(request.POST.get("code", "")[:64])
    if not _spend(request, "status", settings.STATUS_RATE_LIMIT, valid=valid, onion=onion):
        # No lookup once the budget is spent; the answer as typed stays in its form.
        return render(request, "public/status.html", page_context(
            portal, lang, "status", form=StatusForm(), answer_form=form,
            answer_rate_limited=True, via_onion=onion), status=429)
    report = services.report_for_receipt(code)
    if report is None:
        return _page(request, portal, lang, None, code, status=400)
    if not valid:
        return _page(request, portal, lang, report, code, status=400, form=form)
    data = form.cleaned_data
    if not question_answer(report=report, question_id=data["question"], text=data["answer"]):
        return _page(request, portal, lang, report, code, status=409, answer_refused=True)
    return _page(request, portal, lang, report, code, answer_sent=True)
