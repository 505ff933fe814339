from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from hotline.intake import services
from hotline.intake.models import Report
from hotline.lib import receipts
from hotline.testing.base import PublicTestCase


class ReportSubmitTestCase(PublicTestCase):
    def submit_service(self, **kw: str) -> services.Submission:
        return services.report_submit(portal=self.gm, language="en",
                                      urls=["http://example.test/"], content_kind="video", **kw)

    def test_the_receipt_finds_its_report(self) -> None:
        submission = self.submit_service(description="d")
        self.assertTrue(receipts.is_well_formed(submission.receipt_code))
        found = services.report_for_receipt(receipts.group(submission.receipt_code))
        self.assertEqual(found, submission.report)
        self.assertIsNone(services.report_for_receipt(receipts.new_code()))
        self.assertIsNone(services.report_for_receipt("not a code"))

    def test_without_the_public_key_nothing_is_written(self) -> None:
        with override_settings(SEALING_PUBLIC_KEY_FILE=Path("/nonexistent/key.pub")), \
                self.assertRaises(ImproperlyConfigured):
            self.submit_service(description="secret")
        self.assertEqual(Report.objects.count(), 0)

    def test_a_duplicate_receipt_is_never_reused(self) -> None:
        from unittest import mock

        first = self.submit_service()
        codes = iter([first.receipt_code, receipts.new_code()])
        with mock.patch("hotline.lib.receipts.new_code", side_effect=lambda: next(codes)):
            second = self.submit_service()
        self.assertNotEqual(second.receipt_code, first.receipt_code)
        self.assertEqual(Report.objects.count(), 2)
