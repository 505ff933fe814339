from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from hotline.intake import services
from hotline.intake.models import Report
from hotline.lib import receipts
from hotline.testing.base import PublicTestCase


class ReportSubmitTestCase(PublicTestCase):
    def submit_service(self, **kw: Any) -> services.Submission:
        return services.report_submit(portal=self.gm, language="en",
                                      urls=["http://example.test/"], content_kind="video", **kw)

    def test_the_receipt_finds_its_report(self) -> None:
        submission = self.submit_service(description="d")
        self.assertTrue(receipts.is_well_formed(submission.receipt_code))
        found = services.report_for_receipt(receipts.group(submission.receipt_code))
        self.assertEqual(found, submission.report)
        self.assertIsNone(services.report_for_receipt(receipts.new_code()))
        self.assertIsNone(services.report_for_receipt("not a code"))

    def test_a_new_receipt_is_stored_as_a_keyed_hash(self) -> None:
        submission = self.submit_service()
        report = Report.objects.get()
        self.assertEqual(report.receipt_key, receipts.key(submission.receipt_code))
        self.assertIsNone(report.receipt_digest)

    def test_a_wrong_code_pays_no_argon2_once_no_old_receipts_remain(self) -> None:
        from unittest import mock

        self.submit_service()
        with mock.patch("hotline.lib.receipts.legacy_digest") as legacy:
            self.assertIsNone(services.report_for_receipt(receipts.new_code()))
        legacy.assert_not_called()

    def test_a_receipt_issued_before_the_keyed_hash_still_works(self) -> None:
        code = receipts.new_code()
        old = Report.objects.create(portal=self.gm, language="en", content_kind="image",
                                    receipt_digest=receipts.legacy_digest(code))
        new = self.submit_service()
        self.assertEqual(services.report_for_receipt(receipts.group(code)), old)
        self.assertEqual(services.report_for_receipt(new.receipt_code), new.report)
        self.assertIsNone(services.report_for_receipt(receipts.new_code()))

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
