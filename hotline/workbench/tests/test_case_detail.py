from __future__ import annotations

from hotline.audit.models import AuditEntry
from hotline.cases.models import Case
from hotline.testing.base import StaffTestCase


class CaseDetailTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.reported = self.report("https://images.example.test/g/1",
                                    description="Found via a forum post",
                                    contact="reporter@example.test")
        self.case = Case.objects.get()

    def test_viewing_a_case_is_audited(self) -> None:
        r = self.as_user(self.analyst).get(f"/staff/cases/{self.case.pk}/")
        self.assertContains(r, "https://images.example.test/g/1")
        self.assertTrue(AuditEntry.objects.filter(
            action="case.view", object_id=str(self.case.pk),
            actor_label="analyst@hub.example.test").exists())

    def test_nothing_from_the_reported_address_is_loaded(self) -> None:
        html = self.as_user(self.analyst).get(f"/staff/cases/{self.case.pk}/").content.decode()
        self.assertNotIn("<img", html)
        self.assertNotIn("<iframe", html)
        self.assertNotIn('href="https://images.example.test', html)
        self.assertNotIn('src="https://images.example.test', html)

    def test_reporter_text_is_shown_only_on_demand_and_audited(self) -> None:
        client = self.as_user(self.analyst)
        page = client.get(f"/staff/cases/{self.case.pk}/")
        self.assertNotContains(page, "Found via a forum post")
        self.assertFalse(AuditEntry.objects.filter(action="report.decrypt").exists())
        r = client.post(f"/staff/cases/{self.case.pk}/reports/{self.reported.pk}/reveal/")
        self.assertContains(r, "Found via a forum post")
        self.assertContains(r, "reporter@example.test")
        entry = AuditEntry.objects.get(action="report.decrypt")
        self.assertEqual(entry.object_id, str(self.reported.pk))
        self.assertEqual(entry.details["case"], self.case.pk)

    def test_reveal_needs_a_post_and_the_right_case(self) -> None:
        client = self.as_user(self.analyst)
        self.assertEqual(client.get(
            f"/staff/cases/{self.case.pk}/reports/{self.reported.pk}/reveal/").status_code, 405)
        other = self.report("https://other.example.test/")
        other_case = Case.objects.get(url="https://other.example.test/")
        r = client.post(f"/staff/cases/{other_case.pk}/reports/{self.reported.pk}/reveal/")
        self.assertEqual(r.status_code, 404)
        del other

    def test_a_missing_case_is_a_404(self) -> None:
        self.assertEqual(self.as_user(self.analyst).get("/staff/cases/99999/").status_code, 404)

    def test_the_break_reminder(self) -> None:
        client = self.as_user(self.analyst)
        with self.settings(BREAK_REMINDER_MINUTES=1):
            client.get("/staff/cases/")
            session = client.session
            session["work_started"] -= 120
            session.save()
            self.assertContains(client.get("/staff/cases/"), "Please take a break")
        with self.settings(BREAK_REMINDER_MINUTES=0):
            self.assertNotContains(client.get("/staff/cases/"), "Please take a break")
