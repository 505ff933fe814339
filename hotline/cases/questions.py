"""Questions through the receipt: an analyst asks the reporter of one report a question from
the case page; the reporter reads it on the status page after entering the receipt code and
answers there. The answer is sealed at once with the hub's public key (the public side cannot
read it back) and opened on the staff side only on an analyst's request, which is audited. A
reporter who asked for e-mail is told, without any content, that there is a question
(hotline/cases/feedback.py sends it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hotline.audit.services import audit_record
from hotline.intake.models import Report
from hotline.lib import sealing

from .models import Case, Question

# Reports whose reporter can answer: those with a receipt (a key, or an old Argon2id digest).
WITH_RECEIPT = Q(receipt_key__isnull=False) | Q(receipt_digest__isnull=False)


def question_ask(*, case: Case, report: Report, analyst: Any, text: str) -> Question:
    if not Report.objects.filter(WITH_RECEIPT, pk=report.pk, case_links__case=case).exists():
        raise ValueError("the report is not one of the case's, or has no receipt")
    with transaction.atomic():
        question = Question.objects.create(case=case, report=report, asked_by=analyst,
                                           text=text)
        audit_record(actor=analyst, action="case.question", obj=case, report=report.pk,
                     question=question.pk)
    return question


def questions_of(report: Report) -> list[Question]:
    return list(report.questions.all())


def question_answer(*, report: Report, question_id: int, text: str) -> bool:
    """Store the reporter's answer, sealed. False when there is no such open question of this
    report (answered already, by a second tab or a retry): nothing is overwritten."""
    sealed = sealing.seal(text)  # before writing anything: a missing key fails loudly
    return bool(Question.objects.filter(pk=question_id, report=report,
                                        answered_at__isnull=True).update(
        answer_sealed=sealed, answered_at=timezone.now()))


def answer_reveal(*, question: Question, user: Any) -> str:
    """Open a reporter's answer for an analyst: staff side only, audited."""
    if question.answer_sealed is None:
        return ""
    text = sealing.unseal(bytes(question.answer_sealed))
    audit_record(actor=user, action="question.decrypt", obj=question.case,
                 report=question.report_id, question=question.pk)
    return text
