"""Questions through the receipt: an analyst asks from the case page, the reporter reads the
question on the status page after entering the receipt and answers there; the answer is
sealed, and staff read it only on request, audited."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from hotline.audit.models import AuditEntry
from hotline.cases import services as cases
from hotline.cases.models import Question
from hotline.intake.models import Report
from hotline.lib import receipts
from hotline.testing.base import StaffTestCase, case_url

URL = "https://images.example.test/g/1"
QUESTION = "The link asks for a password: do you know it?"
ANSWER = "It was written under the link: hunter2"


class QuestionsTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.code = self.receipt_from(self.submit(urls=URL))
        self.report_row = Report.objects.get()
        cases.report_intake(report_id=self.report_row.pk)
        self.case = self.case_for(case_url(URL))
        self.staff = self.as_user(self.analyst)

    def ask(self, text: str = QUESTION) -> Any:
        return self.staff.post(f"/staff/cases/{self.case.pk}/questions/",
                               {"report": self.report_row.pk, "text": text})

    def status(self, path: str = "/gm/en/status/") -> str:
        return self.client.post(path, {"code": self.code}).content.decode()

    def answer(self, text: str = ANSWER, path: str = "/gm/en/status/answer/", **extra: Any
               ) -> Any:
        question = Question.objects.order_by("-id").first()
        return self.client.post(path, {"code": self.code, "question": question.pk if question
                                       else 1, "answer": text}, **extra)

    def test_an_analyst_asks_from_the_case_page(self) -> None:
        page = self.staff.get(f"/staff/cases/{self.case.pk}/").content.decode()
        self.assertIn("Questions to reporters", page)
        r = self.ask()
        self.assertRedirects(r, f"/staff/cases/{self.case.pk}/#questions",
                             fetch_redirect_response=False)
        self.assertEqual(Question.objects.get().text, QUESTION)
        self.assertTrue(AuditEntry.objects.filter(action="case.question").exists())
        self.assertIn(QUESTION, self.staff.get(f"/staff/cases/{self.case.pk}/").content.decode())

    def test_the_reporter_sees_the_question_and_answers_it(self) -> None:
        self.assertNotIn("Questions from our analysts", self.status())
        self.ask()
        page = self.status()
        self.assertIn(QUESTION, page)
        self.assertIn('name="answer"', page)
        r = self.answer()
        self.assertContains(r, "Thank you: your answer was sent")
        self.assertNotContains(r, "hunter2")  # the public side cannot read it back
        question = Question.objects.get()
        self.assertIsNotNone(question.answered_at)
        self.assertNotIn(b"hunter2", bytes(question.answer_sealed or b""))
        self.assertNotIn('name="answer"', self.status())  # nothing left to answer

    def test_staff_read_the_answer_only_on_request_audited(self) -> None:
        self.ask()
        self.answer()
        page = self.staff.get(f"/staff/cases/{self.case.pk}/").content.decode()
        self.assertNotIn("hunter2", page)
        self.assertIn("Show the answer", page)
        question = Question.objects.get()
        r = self.staff.post(f"/staff/cases/{self.case.pk}/questions/{question.pk}/reveal/")
        self.assertContains(r, ANSWER)
        self.assertContains(r, QUESTION)
        entry = AuditEntry.objects.get(action="question.decrypt")
        self.assertEqual(entry.actor, self.analyst)
        self.assertNotIn("hunter2", str(entry.details))

    def test_an_empty_answer_is_refused_in_the_reporters_language(self) -> None:
        self.ask()
        r = self.answer("", path="/sn/fr/status/answer/")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Écrivez votre réponse", status_code=400)
        self.assertContains(r, QUESTION, status_code=400)  # the question is still there
        self.assertIsNone(Question.objects.get().answered_at)

    def test_a_too_long_answer_keeps_what_was_typed(self) -> None:
        self.ask()
        r = self.answer("x" * 5001)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "x" * 5001, status_code=400)

    def test_a_second_answer_does_not_overwrite_the_first(self) -> None:
        self.ask()
        self.answer()
        r = self.answer("another answer")
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "already been answered", status_code=409)
        self.assertEqual(AuditEntry.objects.filter(action="question.decrypt").count(), 0)

    def test_a_wrong_code_answers_nothing(self) -> None:
        self.ask()
        question = Question.objects.get()
        r = self.client.post("/gm/en/status/answer/", {"code": receipts.new_code(),
                                                       "question": question.pk,
                                                       "answer": ANSWER})
        self.assertContains(r, "No report found", status_code=400)
        self.assertNotContains(r, QUESTION, status_code=400)
        question.refresh_from_db()
        self.assertIsNone(question.answered_at)

    def test_another_reports_question_cannot_be_answered(self) -> None:
        other_code = self.receipt_from(self.submit(urls="https://other.example.test/"))
        self.ask()
        question = Question.objects.get()
        r = self.client.post("/gm/en/status/answer/", {"code": other_code,
                                                       "question": question.pk,
                                                       "answer": ANSWER})
        self.assertEqual(r.status_code, 409)
        question.refresh_from_db()
        self.assertIsNone(question.answered_at)

    def test_a_post_from_another_site_is_refused(self) -> None:
        self.ask()
        r = self.answer(HTTP_SEC_FETCH_SITE="cross-site")
        self.assertEqual(r.status_code, 403)
        self.assertIsNone(Question.objects.get().answered_at)

    @override_settings(STATUS_RATE_LIMIT=2)
    def test_answers_share_the_status_pages_budget(self) -> None:
        self.ask()
        for _ in range(2):
            self.client.post("/gm/en/status/", {"code": self.code}, REMOTE_ADDR="192.0.2.70")
        r = self.answer(REMOTE_ADDR="192.0.2.70")
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, "too many requests", status_code=429)
        self.assertContains(r, ANSWER, status_code=429)  # what was typed is kept
        self.assertIsNone(Question.objects.get().answered_at)

    def test_members_reports_have_no_one_to_ask(self) -> None:
        Report.objects.filter(pk=self.report_row.pk).update(receipt_key=None)
        self.assertEqual(self.ask().status_code, 404)
        page = self.staff.get(f"/staff/cases/{self.case.pk}/").content.decode()
        self.assertIn("there is nobody to ask", page)

    def test_a_reporter_with_a_receipt_from_before_the_keyed_hash_can_be_asked(self) -> None:
        Report.objects.filter(pk=self.report_row.pk).update(
            receipt_key=None, receipt_digest=receipts.legacy_digest(self.code.replace(" ", "")))
        self.ask()
        self.assertIn(QUESTION, self.status())
        self.assertContains(self.answer(), "Thank you: your answer was sent")

    def test_a_question_needs_text(self) -> None:
        self.assertEqual(self.ask("").status_code, 400)
        self.assertEqual(Question.objects.count(), 0)
