from __future__ import annotations

from hotline.cases import services as cases
from hotline.cases.models import Case, CaseReport
from hotline.cases.progress import ReportStatus, report_progress
from hotline.intake.models import Report
from hotline.testing.base import StaffTestCase


class IntakeCasesTestCase(StaffTestCase):
    def test_one_case_per_canonical_url(self) -> None:
        self.report("https://images.example.test/g/1", "files.example.test/a")
        self.assertEqual(Case.objects.count(), 2)
        case = self.case_for("http://files.example.test/a")
        self.assertEqual(case.host, "files.example.test")
        self.assertEqual(case.registrable_domain, "example.test")
        self.assertEqual(case.report_count, 1)
        self.assertEqual(case.status, Case.Status.OPEN)

    def test_reports_across_portals_and_languages_share_a_case(self) -> None:
        first = self.report("https://images.example.test/g/1")
        self.report("HTTPS://IMAGES.example.test:443/g/./1#top", portal="sn", lang="fr")
        self.report("hxxps://images[.]example[.]test/g/1", portal="km", lang="ar")
        case = Case.objects.get()
        self.assertEqual(case.report_count, 3)
        portals = set(CaseReport.objects.filter(case=case)
                      .values_list("report__portal__code", "report__language"))
        self.assertEqual(portals, {("gm", "en"), ("sn", "fr"), ("km", "ar")})
        self.assertEqual(case.first_reported, first.received_at)
        self.assertGreaterEqual(case.last_reported, case.first_reported)

    def test_intake_twice_changes_nothing(self) -> None:
        report = self.report("https://images.example.test/g/1")
        cases.report_intake(report_id=report.pk)
        self.assertEqual(CaseReport.objects.count(), 1)
        self.assertEqual(Case.objects.get().report_count, 1)

    def test_an_assessed_url_opens_a_new_case_marked_previously_assessed(self) -> None:
        self.report("https://images.example.test/g/1")
        old = Case.objects.get()
        Case.objects.filter(pk=old.pk).update(status=Case.Status.CLOSED, verdict="not_illegal")
        self.report("https://images.example.test/g/1")
        new = self.case_for("https://images.example.test/g/1")
        self.assertNotEqual(new.pk, old.pk)
        self.assertEqual(new.previous_id, old.pk)
        self.assertTrue(new.previously_assessed)
        page = self.as_user(self.analyst).get(f"/staff/cases/{new.pk}/")
        self.assertContains(page, 'id="previously-assessed"')
        self.assertContains(page, "Not illegal")

    def test_the_receipt_says_received_after_intake(self) -> None:
        report = self.report("https://images.example.test/g/1")
        self.assertEqual(report_progress(Report.objects.get(pk=report.pk)).status,
                         ReportStatus.RECEIVED)


class CaptureQueuedTestCase(StaffTestCase):
    def test_a_new_case_queues_its_capture(self) -> None:
        from django_tasks_db.models import DBTaskResult

        with self.settings(CAPTURE_NEW_CASES=True), self.captureOnCommitCallbacks(execute=True):
            self.report("https://images.example.test/g/1")
        case = Case.objects.get()
        paths = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
        self.assertIn(("hotline.capture.tasks.case_capture", {"args": [case.pk], "kwargs": {}}),
                      paths)
