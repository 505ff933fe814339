from __future__ import annotations

from typing import Any

from django import template

from hotline.cases.models import Case, Question
from hotline.cases.questions import WITH_RECEIPT
from hotline.intake.models import Report

register = template.Library()


@register.simple_tag(takes_context=True)
def case_questions(context: dict[str, Any], case: Case) -> list[dict[str, Any]]:
    """The question thread of each report of the case that has a receipt (only a reporter
    with a receipt can answer), with any answer opened for this response."""
    request = context.get("request")
    revealed = getattr(request, "revealed_answers", {})
    questions: dict[int, list[Question]] = {}
    for q in Question.objects.filter(case=case).select_related("asked_by"):
        questions.setdefault(q.report_id, []).append(q)
    reports = (Report.objects.filter(WITH_RECEIPT, case_links__case=case)
               .distinct().order_by("received_at"))
    return [{"report": r, "thread": [{"q": q, "answer": revealed.get(q.pk)}
                                     for q in questions.get(r.pk, [])]} for r in reports]
