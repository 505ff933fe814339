from __future__ import annotations

from typing import Any
from unittest import mock

from django.test import override_settings

from hotline.cases import services as cases
from hotline.intake.models import Report
from hotline.lib import receipts
from hotline.testing.base import StaffTestCase


class StatusTestCase(StaffTestCase):
    def check(self, code: str, path: str = "/gm/en/status/", **extra: Any):  # type: ignore[no-untyped-def]
        return self.client.post(path, {"code": code}, **extra)

    def test_it_shows_the_form(self) -> None:
        self.assertContains(self.client.get("/gm/en/status/"), 'name="code"')

    def test_a_receipt_shows_its_report_status(self) -> None:
        code = self.receipt_from(self.submit())
        r = self.check(code)
        self.assertContains(r, "Report found")
        self.assertContains(r, "<strong>Received</strong>")
        report = Report.objects.get()
        cases.report_intake(report_id=report.pk)
        self.assertContains(self.check(code), "<strong>Received</strong>")
        for case in report.case_links.values_list("case", flat=True):
            cases.case_claim(case_id=case, user=self.analyst)
        self.assertContains(self.check(code), "<strong>Being assessed</strong>")
        for case in report.case_links.values_list("case", flat=True):
            cases.case_assess(case_id=case, analyst=self.analyst, verdict="not_illegal",
                              classification={})
        self.assertContains(self.check(code), "<strong>Assessed</strong>")

    def test_it_accepts_the_code_as_people_type_it(self) -> None:
        code = self.receipt_from(self.submit()).replace(" ", "")
        typed = "-".join(code[i:i + 5] for i in range(0, 20, 5))
        self.assertContains(self.check(typed), "Report found")
        arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        self.assertContains(self.check(arabic, "/km/ar/status/"), "<strong>")
        # Devanagari, Bengali and full-width digits
        for digits in ["०१२३४५६७८९", "০১২৩৪৫৬৭৮৯", "０１２３４５６７８９"]:
            typed = code.translate(str.maketrans("0123456789", digits))
            self.assertContains(self.check(typed), "Report found")

    def test_a_receipt_works_on_any_portal(self) -> None:
        code = self.receipt_from(self.submit())
        self.assertContains(self.check(code, "/sn/fr/status/"), 'class="result"')
        self.assertNotContains(self.check(code, "/sn/fr/status/"), "No report found")

    def test_a_wrong_code_gets_the_generic_answer(self) -> None:
        self.submit()
        r = self.check(receipts.new_code())
        self.assertContains(r, "No report found")
        self.assertEqual(r.status_code, 200)

    def test_right_and_wrong_codes_pay_no_argon2_once_old_receipts_are_gone(self) -> None:
        right = self.receipt_from(self.submit())
        for code, answer in [(right, "Report found"), (receipts.new_code(), "No report found")]:
            with mock.patch("hotline.lib.receipts.hash_secret_raw",
                            wraps=receipts.hash_secret_raw) as argon2:
                self.assertContains(self.check(code), answer)
            self.assertEqual(argon2.call_count, 0, code)

    def test_a_receipt_issued_before_the_keyed_hash_shows_its_status(self) -> None:
        code = receipts.new_code()
        Report.objects.create(portal=self.gm, language="en", content_kind="image",
                              receipt_digest=receipts.legacy_digest(code))
        self.assertContains(self.check(receipts.group(code)), "<strong>Received</strong>")

    def test_a_typing_mistake_is_caught_by_the_check_digit(self) -> None:
        right = self.receipt_from(self.submit()).replace(" ", "")
        typo = right[:-2] + right[-1] + right[-2] if right[-1] != right[-2] else \
            right[:-1] + str((int(right[-1]) + 1) % 10)  # swapped or changed: fails the check
        with mock.patch("hotline.lib.receipts.hash_secret_raw",
                        wraps=receipts.hash_secret_raw) as argon2:
            r = self.check(typo)
        self.assertContains(r, "typing mistake", status_code=400)
        self.assertContains(r, f'value="{typo}"', status_code=400)
        self.assertNotContains(r, "Report found", status_code=400)
        self.assertEqual(argon2.call_count, 0)  # the check digit alone tells

    def test_a_malformed_code_is_a_field_error(self) -> None:
        r = self.check("12345")
        self.assertContains(r, "A receipt code has 20 digits", status_code=400)
        self.assertContains(r, 'value="12345"', status_code=400)

    @override_settings(STATUS_RATE_LIMIT=3)
    def test_status_checks_are_rate_limited(self) -> None:
        code = self.receipt_from(self.submit())
        for _ in range(3):
            self.check(receipts.new_code(), REMOTE_ADDR="192.0.2.60")
        r = self.check(code, REMOTE_ADDR="192.0.2.60")
        self.assertEqual(r.status_code, 429)
        self.assertNotContains(r, "Report found", status_code=429)
        self.assertContains(self.check(code, REMOTE_ADDR="192.0.2.61"), "Report found")

    def test_the_code_is_never_in_the_address(self) -> None:
        r = self.client.get("/gm/en/status/", {"code": receipts.new_code()})
        self.assertNotContains(r, 'class="result"')
