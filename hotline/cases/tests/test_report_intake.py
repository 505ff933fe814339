from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client, TransactionTestCase
from django_tasks_db.models import DBTaskResult

from hotline.cases import services
from hotline.intake.models import Report, ReportedAddress
from hotline.testing.base import PublicTestCase, load_demo_network


class WorkerTestCase(TransactionTestCase):
    """The real worker command against committed data (it manages its own connections)."""

    def setUp(self) -> None:
        load_demo_network()

    def test_the_worker_canonicalises_the_addresses(self) -> None:
        client = Client(HTTP_SEC_FETCH_SITE="same-origin")
        r = client.post("/gm/en/report/", {
            "urls": "hxxps://WWW.Example[.]Test:443/a/../gallery#x\nBücher.example.test",
            "content_kind": "image"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(DBTaskResult.objects.get().status, "READY")
        call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO(),
                     stderr=StringIO())
        report = Report.objects.get()
        self.assertIsNotNone(report.intake_done_at)
        rows = list(ReportedAddress.objects.values_list(
            "submitted", "canonical_url", "host", "registrable_domain"))
        self.assertEqual(rows, [
            ("hxxps://WWW.Example[.]Test:443/a/../gallery#x", "https://www.example.test/gallery",
             "www.example.test", "example.test"),
            ("Bücher.example.test", "http://xn--bcher-kva.example.test/",
             "xn--bcher-kva.example.test", "example.test"),
        ])
        self.assertEqual(DBTaskResult.objects.get().status, "SUCCESSFUL")


class IntakeTestCase(PublicTestCase):
    def test_intake_is_idempotent(self) -> None:
        self.submit()
        report = Report.objects.get()
        services.report_intake(report_id=report.pk)
        first = Report.objects.get().intake_done_at
        ReportedAddress.objects.update(canonical_url="changed by hand")
        services.report_intake(report_id=report.pk)  # a retried task does nothing twice
        self.assertEqual(Report.objects.get().intake_done_at, first)
        self.assertEqual(ReportedAddress.objects.filter(canonical_url="changed by hand").count(),
                         2)

    def test_a_missing_report_is_ignored(self) -> None:
        services.report_intake(report_id=999999)
