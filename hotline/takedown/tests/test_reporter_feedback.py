"""Feedback e-mails to reporters who asked for them, received by a real SMTP server on
loopback: in the report's language, content-free (no URL, nothing about the material), once
per milestone, and the sealed address deleted after the last."""

from __future__ import annotations

from email.message import Message

from django.utils import timezone, translation

from hotline.audit.models import AuditEntry
from hotline.cases import services as cases
from hotline.cases.feedback import feedback_tick
from hotline.cases.progress import STATUS_TEXT, ReportStatus
from hotline.cases.questions import question_ask
from hotline.intake.models import Report
from hotline.takedown import services
from hotline.takedown.models import Notice, Takedown
from hotline.testing.base import case_url
from hotline.testing.smtp import smtp_server, smtp_settings

from .base import HOST, POLICE, TakedownTestCase, payload

URL = "https://images.example.test/g/1"
ADDRESS = "reporter@mail.example.test"


class ReporterFeedbackTestCase(TakedownTestCase):
    def send_report(self, *, feedback: bool = True, path: str = "/sn/fr/report/") -> Report:
        self.client.post(path, self.report_data(urls=URL, contact=ADDRESS,
                                                feedback="on" if feedback else ""))
        report = Report.objects.get()
        cases.report_intake(report_id=report.pk)
        return report

    def tick(self) -> list[Message]:
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            feedback_tick()
        return box.messages

    def assert_content_free(self, message: Message) -> str:
        body = payload(message)
        for forbidden in ("://", "www.", "example.test/", "images.example", "g/1"):
            self.assertNotIn(forbidden, body)
        self.assertNotIn("images.example", message["Subject"])
        self.assertEqual(message["To"], ADDRESS)
        return body

    def french(self, status: str) -> str:
        with translation.override("fr"):
            return str(STATUS_TEXT[status])

    def test_milestones_in_the_reports_language_then_the_address_is_deleted(self) -> None:
        report = self.send_report()
        self.assertEqual(self.tick(), [])  # received: nothing to tell yet
        case = self.confirm_case(self.case_for(case_url(URL)))
        [confirmed] = self.tick()
        body = self.assert_content_free(confirmed)
        self.assertIn(self.french(ReportStatus.CONFIRMED), body)
        self.assertIn("Nouvelles de votre signalement", confirmed["Subject"])
        self.assertEqual(self.tick(), [])  # a retried tick sends nothing twice
        takedown = self.active_takedown(case, [HOST, POLICE])
        notice = services.notice_create(takedown, Notice.Kind.FIRST)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            services.notice_send(notice_id=str(notice.pk))
        [actioned] = self.tick()
        self.assertIn(self.french(ReportStatus.ACTION_TAKEN), self.assert_content_free(actioned))
        report.refresh_from_db()
        self.assertIsNotNone(report.contact_sealed)
        Takedown.objects.filter(pk=takedown.pk).update(state=Takedown.State.REMOVED,
                                                       removed_at=timezone.now())
        [removed] = self.tick()
        self.assertIn(self.french(ReportStatus.REMOVED), self.assert_content_free(removed))
        report.refresh_from_db()
        self.assertIsNone(report.contact_sealed)  # deleted after the last message
        self.assertEqual(self.tick(), [])
        entries = AuditEntry.objects.filter(action="report.feedback")
        self.assertEqual(entries.count(), 3)
        self.assertNotIn(ADDRESS, str(list(entries.values_list("details", flat=True))))

    def test_nothing_is_sent_to_a_reporter_who_did_not_ask(self) -> None:
        self.send_report(feedback=False)
        self.confirm_case(self.case_for(case_url(URL)))
        self.assertEqual(self.tick(), [])
        self.assertIsNotNone(Report.objects.get().contact_sealed)

    def test_an_assessment_with_nothing_to_do_is_the_last_message(self) -> None:
        report = self.send_report(path="/gm/en/report/")
        case = self.case_for(case_url(URL))
        cases.case_claim(case_id=case.pk, user=self.analyst)
        cases.case_assess(case_id=case.pk, analyst=self.analyst, verdict="not_illegal",
                          classification={})
        [message] = self.tick()
        body = self.assert_content_free(message)
        self.assertIn(str(STATUS_TEXT[ReportStatus.ASSESSED]), body)
        self.assertIn("This is the last message", body)
        report.refresh_from_db()
        self.assertIsNone(report.contact_sealed)

    def test_an_address_that_cannot_be_opened_stops_nothing_else(self) -> None:
        for _ in range(2):
            self.client.post("/sn/fr/report/", self.report_data(urls=URL, contact=ADDRESS,
                                                                feedback="on"))
        broken, report = Report.objects.order_by("pk")
        # The first's sealed address is damaged (or was sealed under an older key).
        Report.objects.filter(pk=broken.pk).update(contact_sealed=b"not a sealed box")
        for r in (broken, report):
            cases.report_intake(report_id=r.pk)
        self.confirm_case(self.case_for(case_url(URL)))
        [message] = self.tick()  # the readable one is told; the tick does not fail
        self.assert_content_free(message)
        broken.refresh_from_db()
        self.assertEqual(broken.feedback_stage, 0)

    def test_a_mail_server_that_is_down_loses_no_milestone(self) -> None:
        report = self.send_report()
        self.confirm_case(self.case_for(case_url(URL)))
        with smtp_server() as box:
            closed = smtp_settings(box)
        with self.settings(**closed):
            self.assertEqual(feedback_tick()["feedback_sent"], 0)
        report.refresh_from_db()
        self.assertEqual(report.feedback_stage, 0)
        self.assertEqual(len(self.tick()), 1)

    def test_an_address_the_mail_server_refuses_for_good_is_deleted_not_retried(self) -> None:
        report = self.send_report()
        self.confirm_case(self.case_for(case_url(URL)))
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            box.refuse[ADDRESS] = "550 5.1.1 No such user here"
            self.assertEqual(feedback_tick()["feedback_sent"], 0)
            report.refresh_from_db()
            self.assertIsNone(report.contact_sealed)  # nobody can be told: nothing kept
            entry = AuditEntry.objects.get(action="report.feedback.refused")
            self.assertEqual(entry.details, {"address_deleted": True, "code": 550})
            # Later ticks do not try the refused address again (it is gone), whatever changes.
            box.refuse.clear()
            self.assertEqual(feedback_tick()["feedback_sent"], 0)
        self.assertEqual(box.messages, [])

    def test_an_address_refused_for_now_is_tried_again(self) -> None:
        report = self.send_report()
        self.confirm_case(self.case_for(case_url(URL)))
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            box.refuse[ADDRESS] = "451 4.2.1 Mailbox busy, try later"
            self.assertEqual(feedback_tick()["feedback_sent"], 0)
            report.refresh_from_db()
            self.assertIsNotNone(report.contact_sealed)
            self.assertEqual(report.feedback_stage, 0)
            box.refuse.clear()
            self.assertEqual(feedback_tick()["feedback_sent"], 1)
        self.assertEqual(len(box.messages), 1)

    def test_a_tick_without_the_private_key_leaves_it_to_the_staff_side(self) -> None:
        from pathlib import Path

        report = self.send_report()
        self.confirm_case(self.case_for(case_url(URL)))
        with self.settings(SEALING_PRIVATE_KEY_FILE=Path("/nonexistent/sealing.key")):
            self.assertEqual(feedback_tick(), {"feedback_sent": 0, "question_notices": 0})
        report.refresh_from_db()
        self.assertEqual(report.feedback_stage, 0)  # nothing claimed, nothing lost
        self.assertEqual(len(self.tick()), 1)

    def test_a_question_is_announced_without_its_content_once(self) -> None:
        report = self.send_report()
        case = self.case_for(case_url(URL))
        question_ask(case=case, report=report, analyst=self.analyst,
                     text="The link asks for a password: do you know it?")
        [message] = self.tick()
        body = self.assert_content_free(message)
        self.assertNotIn("password", body)
        self.assertIn("Une question sur votre signalement", message["Subject"])
        self.assertEqual(self.tick(), [])
