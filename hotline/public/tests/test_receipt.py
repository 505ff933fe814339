"""The receipt page: the code, how many addresses arrived, what happens next, how to keep the
code without a screenshot, and how to clear the browser's history."""

from __future__ import annotations

from django.test import Client

from hotline.intake.models import Report
from hotline.lib import receipts
from hotline.testing.base import PublicTestCase


class ReceiptTestCase(PublicTestCase):
    def test_it_says_how_many_addresses_were_received(self) -> None:
        self.assertContains(self.submit(), "We received 2 web addresses.")
        self.assertContains(self.submit(urls="https://example.test/a"),
                            "We received 1 web address.")

    def test_it_says_what_happens_next_and_how_long_it_takes(self) -> None:
        r = self.submit()
        self.assertContains(r, "What happens next")
        self.assertContains(r, "within 2 working days")
        with self.settings(REPORT_USUAL_DAYS=1):
            self.assertContains(self.submit(), "within 1 working day.")

    def test_it_advises_clearing_the_history(self) -> None:
        self.assertContains(self.submit(), "Clear your browsing history")

    def test_the_code_can_be_downloaded_as_text(self) -> None:
        r = self.submit()
        code = self.receipt_from(r).replace(" ", "")
        self.assertContains(r, f'<input type="hidden" name="code" value="{code}">')
        self.assertContains(r, 'action="/gm/en/receipt.txt"')

        r = self.client.post("/gm/en/receipt.txt", {"code": code})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(r["Content-Disposition"], 'attachment; filename="receipt.txt"')
        self.assertIn("no-store", r["Cache-Control"])
        text = r.content.decode()
        self.assertIn(receipts.group(code), text)
        self.assertIn("http://testserver/gm/en/status/", text)
        self.assertIn("The Gambia", text)
        self.assertEqual(r.cookies, {})

    def test_the_download_speaks_the_language_of_the_page(self) -> None:
        code = receipts.new_code()
        r = self.client.post("/km/ar/receipt.txt", {"code": code})
        self.assertIn("جزر القمر", r.content.decode())

    def test_the_download_stores_and_looks_up_nothing(self) -> None:
        with self.assertNumQueries(1):  # the portal, nothing else
            self.client.post("/gm/en/receipt.txt", {"code": receipts.new_code()})
        self.assertEqual(Report.objects.count(), 0)

    def test_the_download_refuses_what_is_not_a_code(self) -> None:
        code = receipts.new_code()
        wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
        for bad in ["", "12345", wrong, "x" * 10_000]:
            r = self.client.post("/gm/en/receipt.txt", {"code": bad})
            self.assertContains(r, "This is not a receipt code", status_code=400)
            self.assertNotIn("Content-Disposition", r)

    def test_the_download_is_only_a_post_from_this_site(self) -> None:
        self.assertEqual(self.client.get("/gm/en/receipt.txt").status_code, 405)
        other = Client(HTTP_SEC_FETCH_SITE="cross-site")
        r = other.post("/gm/en/receipt.txt", {"code": receipts.new_code()})
        self.assertEqual(r.status_code, 403)

    def test_a_spam_post_gets_a_receipt_page_like_any_other(self) -> None:
        r = self.submit(website="http://spam.example.test/")
        self.assertContains(r, "We received 2 web addresses.")
        self.assertEqual(Report.objects.count(), 0)
