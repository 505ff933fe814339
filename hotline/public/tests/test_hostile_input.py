"""Hostile and broken input: each a clear 4xx, never a 500, nothing half-stored."""

from __future__ import annotations

from django.test import Client

from hotline.intake.models import Report, ReportedAddress
from hotline.testing.base import PublicTestCase


class HostileInputTestCase(PublicTestCase):
    def assertNothingStored(self) -> None:
        self.assertEqual(Report.objects.count(), 0)
        self.assertEqual(ReportedAddress.objects.count(), 0)

    def test_malformed_and_script_addresses(self) -> None:
        for bad in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html;base64,AA==",
                    "http://", "http://exa mple.test", "file:///etc/passwd",
                    "vbscript:msgbox", "http://[::1", "<script>alert(1)</script>"]:
            r = self.submit(urls=bad)
            self.assertEqual(r.status_code, 400, bad)
            self.assertNotIn(b"<script>alert", r.content)
        self.assertNothingStored()

    def test_twenty_one_addresses(self) -> None:
        urls = "\n".join(f"example.test/{i}" for i in range(21))
        self.assertEqual(self.submit(urls=urls).status_code, 400)
        self.assertNothingStored()

    def test_a_field_of_100_kb_is_refused_before_parsing(self) -> None:
        r = self.submit(description="x" * 100_000)
        self.assertContains(r, "larger than this site accepts", status_code=413)
        self.assertNothingStored()

    def test_a_field_over_its_own_limit_is_a_field_error(self) -> None:
        r = self.submit(description="x" * 5001, where_found="kept text")
        self.assertContains(r, "at most 5000 characters", status_code=400)
        self.assertContains(r, "kept text", status_code=400)
        self.assertNothingStored()

    def test_a_5_mb_body_is_refused_with_413(self) -> None:
        body = b"urls=" + b"a" * (5 * 1024 * 1024)
        r = self.client.post("/gm/en/report/", body,
                             content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status_code, 413)
        self.assertEqual(r["Connection"], "close")
        self.assertNothingStored()

    def test_the_413_page_is_in_the_language_of_the_address(self) -> None:
        r = self.client.post("/sn/fr/report/", b"x" * 70_000,
                             content_type="application/x-www-form-urlencoded")
        self.assertContains(r, '<html lang="fr"', status_code=413)

    def test_nul_bytes(self) -> None:
        r = self.submit(description="a\x00b", urls="example.test/\x00")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Null characters are not allowed.", status_code=400)
        self.assertNothingStored()

    def test_invalid_utf8(self) -> None:
        body = b"urls=http%3A%2F%2Fexample.test%2F%FF%FE&content_kind=image&description=%C3%28"
        r = self.client.post("/gm/en/report/", body,
                             content_type="application/x-www-form-urlencoded")
        self.assertLess(r.status_code, 500)
        raw = b"urls=\xff\xfe&content_kind=image"
        r = self.client.post("/gm/en/report/", raw,
                             content_type="application/x-www-form-urlencoded")
        self.assertLess(r.status_code, 500)
        self.assertIn(r.status_code, (200, 400))

    def test_a_multipart_body_with_a_file_stores_no_file(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"0" * 100)
        data = self.report_data()
        data["file"] = upload
        r = self.client.post("/gm/en/report/", data)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(Report.objects.count(), 1)

    def test_unknown_portals_and_languages(self) -> None:
        for path in ["/xx/en/report/", "/gm/de/report/", "/gm/../etc/passwd",
                     "/gm/en/report/extra/", "/%00/en/", "/gm/%ff/"]:
            r = self.client.post(path, self.report_data())
            self.assertIn(r.status_code, (400, 404, 405), path)
        self.assertNothingStored()

    def test_wrong_methods(self) -> None:
        for method in ["put", "delete", "patch"]:
            r = getattr(self.client, method)("/gm/en/report/")
            self.assertContains(r, "This request was refused", status_code=405)
            self.assertEqual(r["Allow"], "GET, HEAD, POST")
        self.assertEqual(self.client.post("/gm/en/").status_code, 405)

    def test_other_methods_get_the_products_page_even_with_csrf_checks_on(self) -> None:
        # The test client skips CSRF checks unless asked; a real client gets them.
        client = Client(enforce_csrf_checks=True, HTTP_SEC_FETCH_SITE="same-origin")
        for method, path in [("post", "/gm/en/"), ("post", "/"), ("put", "/gm/en/privacy/"),
                             ("delete", "/gm/"), ("patch", "/gm/en/figures/")]:
            r = getattr(client, method)(path)
            self.assertContains(r, "This request was refused", status_code=405)
            self.assertNotContains(r, "CSRF", status_code=405)
            self.assertNotContains(r, "requires a CSRF cookie", status_code=405)
            self.assertIn("GET", r["Allow"])
            self.assertEqual(r.cookies, {})
        r = client.post("/sn/fr/")
        self.assertContains(r, '<html lang="fr"', status_code=405)
        self.assertContains(r, "Cette demande a été refusée", status_code=405)
        # The forms themselves still work with the checks on.
        self.assertEqual(client.post("/gm/en/report/", self.report_data()).status_code, 200)

    def test_a_bad_content_length(self) -> None:
        r = Client().generic("POST", "/gm/en/report/", b"urls=x", CONTENT_LENGTH="abc",
                             content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status_code, 400)

    def test_repeated_and_odd_fields(self) -> None:
        body = ("urls=example.test&urls=other.example.test&content_kind=bogus"
                "&content_kind=image&contact=%0Abcc%3Ax%40example.test")
        r = self.client.post("/gm/en/report/", body,
                             content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status_code, 400)
        self.assertNothingStored()

    def test_a_failure_while_storing_leaves_nothing_half_written(self) -> None:
        from unittest import mock

        with mock.patch("hotline.intake.services.ReportedAddress.objects.bulk_create",
                        side_effect=RuntimeError("disk full")), \
                self.assertRaises(RuntimeError):
            self.submit()
        self.assertNothingStored()

    def test_a_database_outage_is_a_503_page_with_nothing_stored(self) -> None:
        from unittest import mock

        from django.db import OperationalError

        with mock.patch("hotline.intake.services.ReportedAddress.objects.bulk_create",
                        side_effect=OperationalError("server closed the connection")):
            r = self.submit("/sn/fr/report/")
        self.assertContains(r, '<html lang="fr"', status_code=503)
        self.assertEqual(r["Retry-After"], "60")
        self.assertNothingStored()
