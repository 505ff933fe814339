"""The case page's question thread (hotline/cases/questions.py): an analyst asks the reporter
of one of the case's reports a question, and reads the sealed answers on request (audited).

The thread is one include on the case page (workbench/_questions.html, filled by the
``case_questions`` tag); an answer opened here is shown in that thread for this one response
only, as the reporter's own text is (views.reveal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.cases.models import Question
from hotline.cases.questions import WITH_RECEIPT, answer_reveal, question_ask
from hotline.intake.models import Report
from hotline.lib.staffaccess import ASSESSORS, staff_view

from .views import _case_page, _get_case_for_user


class QuestionForm(forms.Form):
    report = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    text = forms.CharField(max_length=1000)

@require_POST
@staff_view(*ASSESSORS)
def ask(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case_for_user(request, case_id)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a question (at most 1000 characters)."))
        return _case_page(request, case, status=400)
    report = get_object_or_404(Report.objects.filter(WITH_RECEIPT), pk=form.cleaned_data["report"],
                               case_links__case=case)
    question_ask(case=case, report=report, analyst=request.user,
                 text=form.cleaned_data["text"])
    messages.success(request, _("The question is on the reporter's status page."))
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]) + "#questions")


@require_POST
@staff_view(*ASSESSORS)
def reveal_answer(request: HttpRequest, case_id: int, question_id: int) -> HttpResponse:
    """Open a reporter's answer: on demand only, and audited."""
    case = _get_case_for_user(request, case_id)
    question = get_object_or_404(Question, pk=question_id, case=case)
    revealed: Any = request
    revealed.revealed_answers = {question.pk: answer_reveal(question=question,
                                                            user=request.user)}
    return _case_page(request, case)
