from __future__ import annotations

from django.test import Client, override_settings

from hotline.cases.progress import report_progress
from hotline.intake.models import Report, ReportedAddress
from hotline.lib import sealing
from hotline.testing.base import PublicTestCase


class ReportFormTestCase(PublicTestCase):
    def test_it_shows_the_form(self) -> None:
        r = self.client.get("/gm/en/report/")
        self.assertContains(r, 'name="urls"')
        self.assertContains(r, 'name="content_kind"')
        self.assertContains(r, "Your e-mail address (optional)")
        self.assertNotContains(r, "csrfmiddlewaretoken")

    def test_it_stores_a_report_and_shows_a_receipt(self) -> None:
        r = self.submit()
        self.assertEqual(r.status_code, 200)
        code = self.receipt_from(r)
        self.assertRegex(code, r"^\d{4}( \d{4}){4}$")
        report = Report.objects.get()
        self.assertEqual(report.portal, self.gm)
        self.assertEqual(report.language, "en")
        self.assertEqual(report.content_kind, "image")
        self.assertEqual(report_progress(report).status, "received")
        self.assertNotIn(code.replace(" ", ""), report.receipt_key or "")
        self.assertIsNone(report.receipt_digest)
        addresses = list(report.addresses.values_list("submitted", flat=True))
        self.assertEqual(addresses, ["https://images.example.test/gallery/1",
                                     "hxxp://files[.]example.test/a"])

    def test_it_seals_what_the_reporter_wrote(self) -> None:
        self.submit(contact="reporter@example.test", feedback="on")
        report = Report.objects.get()
        self.assertTrue(report.wants_feedback)
        for field, text in [("where_found_sealed", "A link in a chat group"),
                            ("description_sealed", "Seen on 3 November"),
                            ("contact_sealed", "reporter@example.test")]:
            sealed = bytes(getattr(report, field))
            self.assertNotIn(text.encode(), sealed)
            self.assertEqual(sealing.unseal(sealed), text)

    def test_optional_fields_may_stay_empty(self) -> None:
        r = self.submit(where_found="", description="", contact="")
        self.assertEqual(r.status_code, 200)
        report = Report.objects.get()
        self.assertIsNone(report.description_sealed)
        self.assertFalse(report.wants_feedback)

    def test_it_keeps_what_was_typed_when_an_address_is_wrong(self) -> None:
        r = self.submit(urls="example.test/ok\njavascript:alert(1)\nnot a web address",
                        description="Keep this text", contact="reporter@example.test")
        self.assertContains(r, "Line 2, “javascript:alert(1)”, is not a web address",
                            status_code=400)
        self.assertContains(r, "Line 3, “not a web address”", status_code=400)
        self.assertContains(r, "Keep this text", status_code=400)
        self.assertContains(r, 'value="reporter@example.test"', status_code=400)
        self.assertContains(r, 'href="#id_urls"', status_code=400)  # error summary link
        self.assertContains(r, 'value="image" id="id_content_kind_0" required checked',
                            status_code=400)
        self.assertEqual(Report.objects.count(), 0)

    def test_it_needs_an_address_and_a_kind(self) -> None:
        r = self.submit(urls=" \n ", content_kind="")
        self.assertContains(r, "Enter at least one web address.", status_code=400)
        self.assertContains(r, 'href="#id_content_kind_0">Choose what it shows.', status_code=400)
        self.assertEqual(Report.objects.count(), 0)

    def test_it_accepts_twenty_addresses_but_not_twenty_one(self) -> None:
        twenty = "\n".join(f"https://example.test/{i}" for i in range(20))
        self.assertEqual(self.submit(urls=twenty).status_code, 200)
        self.assertEqual(ReportedAddress.objects.count(), 20)
        r = self.submit(urls=twenty + "\nhttps://example.test/20")
        self.assertContains(r, "Enter at most 20 web addresses. You entered 21", status_code=400)
        self.assertEqual(Report.objects.count(), 1)

    def test_the_same_address_twice_is_stored_once(self) -> None:
        self.submit(urls="example.test/a\nhttp://EXAMPLE.test/a#x")
        self.assertEqual(ReportedAddress.objects.count(), 1)

    def test_an_invalid_email_is_a_field_error(self) -> None:
        r = self.submit(contact="not-an-email")
        self.assertContains(r, "Enter a valid email address.", status_code=400)
        self.assertEqual(Report.objects.count(), 0)

    def test_errors_are_in_the_language_of_the_page(self) -> None:
        r = self.submit("/sn/fr/report/", urls="javascript:alert(1)", contact="x")
        self.assertContains(r, "Saisissez une adresse de courriel valide.", status_code=400)
        self.assertNotContains(r, "is not a web address", status_code=400)

    def test_a_honeypot_hit_looks_like_success_but_stores_nothing(self) -> None:
        r = self.submit(website="http://spam.example.test/")
        self.assertEqual(r.status_code, 200)
        self.receipt_from(r)
        self.assertEqual(Report.objects.count(), 0)

    def test_posts_from_another_site_are_refused(self) -> None:
        for headers in [{"HTTP_SEC_FETCH_SITE": "cross-site"},
                        {"HTTP_SEC_FETCH_SITE": "same-site"},
                        {"HTTP_ORIGIN": "https://evil.example.test"}]:
            client = Client()
            client.defaults.update(headers)
            r = client.post("/gm/en/report/", self.report_data())
            self.assertContains(r, "can only be sent from this site", status_code=403)
        self.assertEqual(Report.objects.count(), 0)

    def test_posts_with_a_null_or_own_origin_are_accepted(self) -> None:
        # Browsers send "Origin: null" for their own posts under Referrer-Policy no-referrer.
        for headers in [{"HTTP_ORIGIN": "null"}, {"HTTP_ORIGIN": "http://testserver"}, {}]:
            client = Client()
            client.defaults.update(headers)
            r = client.post("/gm/en/report/", self.report_data())
            self.assertEqual(r.status_code, 200, headers)
        self.assertEqual(Report.objects.count(), 3)

    @override_settings(REPORT_RATE_LIMIT=2)
    def test_it_limits_reports_per_connection_and_keeps_the_text(self) -> None:
        for _ in range(2):
            r = self.client.post("/gm/en/report/", self.report_data(), REMOTE_ADDR="192.0.2.50")
            self.assertEqual(r.status_code, 200)
        r = self.client.post("/gm/en/report/", self.report_data(description="Still here"),
                             REMOTE_ADDR="192.0.2.50")
        self.assertContains(r, "too many requests", status_code=429)
        self.assertContains(r, "Still here", status_code=429)
        self.assertEqual(Report.objects.count(), 2)
        other = self.client.post("/gm/en/report/", self.report_data(), REMOTE_ADDR="192.0.2.51")
        self.assertEqual(other.status_code, 200)

    def test_the_intake_task_is_queued_after_commit(self) -> None:
        from django_tasks_db.models import DBTaskResult

        with self.captureOnCommitCallbacks(execute=True):
            self.submit()
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "hotline.cases.tasks.report_intake")
        self.assertEqual(task.args_kwargs["args"], [Report.objects.get().pk])
