"""The reporter's status says "Action taken" only once a notice or referral has really been
sent, and every status says what it means and what usually happens next."""

from __future__ import annotations

from django.test import Client

from hotline.cases import services as cases
from hotline.cases.progress import STATUS_TEXT, ReportStatus, report_progress
from hotline.intake.models import Report
from hotline.members.models import ApiKey, Member
from hotline.takedown import services
from hotline.takedown.models import Notice, Takedown
from hotline.testing.base import case_url
from hotline.testing.smtp import smtp_server, smtp_settings

from .base import HOST, POLICE, TakedownTestCase


class StatusTruthTestCase(TakedownTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.code = self.receipt_from(self.submit(urls="https://images.example.test/g/1"))
        self.report_row = Report.objects.get()
        cases.report_intake(report_id=self.report_row.pk)
        self.case = self.confirm_case(self.case_for(case_url("https://images.example.test/g/1")))

    def status_page(self) -> str:
        return self.client.post("/gm/en/status/", {"code": self.code}).content.decode()

    def test_a_confirmed_case_is_not_called_action_taken_before_a_notice_is_sent(self) -> None:
        self.assertEqual(report_progress(self.report_row).status, ReportStatus.CONFIRMED)
        page = self.status_page()
        self.assertIn("<strong>Confirmed</strong>", page)
        self.assertNotIn("asked for it to be removed", page)
        takedown = self.active_takedown(self.case, [HOST, POLICE])
        services.notice_create(takedown, Notice.Kind.FIRST)  # queued, not yet sent
        self.assertEqual(report_progress(self.report_row).status, ReportStatus.CONFIRMED)

    def test_action_taken_once_the_notice_has_gone_out(self) -> None:
        takedown = self.active_takedown(self.case, [HOST, POLICE])
        notice = services.notice_create(takedown, Notice.Kind.FIRST)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            services.notice_send(notice_id=str(notice.pk))
        self.assertEqual(len(box.messages), 1)
        self.assertEqual(report_progress(self.report_row).status, ReportStatus.ACTION_TAKEN)
        page = self.status_page()
        self.assertIn("<strong>Action taken</strong>", page)
        self.assertIn(str(STATUS_TEXT[ReportStatus.ACTION_TAKEN]), page)

    def test_a_failed_send_is_not_action_taken(self) -> None:
        takedown = self.active_takedown(self.case, [HOST, POLICE])
        notice = services.notice_create(takedown, Notice.Kind.FIRST)
        with smtp_server() as box:
            closed = smtp_settings(box)
        with self.settings(**closed), self.assertRaises(OSError):
            services.notice_send(notice_id=str(notice.pk))
        self.assertEqual(report_progress(self.report_row).status, ReportStatus.CONFIRMED)

    def test_no_contact_found_stays_confirmed(self) -> None:
        Takedown.objects.filter(case=self.case).update(state=Takedown.State.NO_CONTACT)
        self.assertEqual(report_progress(self.report_row).status, ReportStatus.CONFIRMED)

    def test_every_status_says_what_happens_next(self) -> None:
        self.assertEqual(set(STATUS_TEXT), set(ReportStatus))
        for text in STATUS_TEXT.values():
            self.assertIn("Next" if "Thank you" not in str(text) else "Thank you", str(text))

    def test_the_api_gives_the_same_sentence(self) -> None:
        member = Member.objects.create(name="Partner hotline (test)", may_submit=True)
        _key, secret = ApiKey.issue(member)
        Report.objects.filter(pk=self.report_row.pk).update(member=member)
        body = Client(HTTP_X_API_KEY=secret).get(
            f"/api/v1/reports/{self.report_row.pk}").json()
        self.assertEqual(body["status"], "confirmed")
        self.assertEqual(body["status_text"], str(STATUS_TEXT[ReportStatus.CONFIRMED]))
