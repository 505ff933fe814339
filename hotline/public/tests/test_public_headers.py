from __future__ import annotations

from hotline.lib import receipts
from hotline.testing.base import PublicTestCase

PAGES = ["/", "/gm/", "/gm/en/", "/gm/en/report/", "/gm/en/status/", "/gm/en/privacy/",
         "/km/ar/", "/zz/en/", "/static/hotline/public.css"]


class PublicHeadersTestCase(PublicTestCase):
    def every_response(self):  # type: ignore[no-untyped-def]
        for path in PAGES:
            yield path, self.client.get(path)
        yield "report POST", self.submit()
        yield "bad report POST", self.submit(urls="javascript:x")
        yield "status POST", self.client.post("/gm/en/status/", {"code": receipts.new_code()})
        yield "bad status POST", self.client.post("/gm/en/status/", {"code": "1"})

    def test_no_public_response_sets_a_cookie(self) -> None:
        for name, r in self.every_response():
            self.assertFalse(r.has_header("Set-Cookie"), name)
            self.assertEqual(r.cookies, {}, name)

    def test_a_cookie_set_by_mistake_is_dropped(self) -> None:
        # Even if a view sets one by mistake, the public middleware drops it.
        from django.http import HttpResponse

        from hotline.middleware import PublicSideMiddleware

        def leaky(request):  # type: ignore[no-untyped-def]
            response = HttpResponse("x")
            response.set_cookie("tracker", "1")
            return response

        from django.test import RequestFactory

        with self.assertLogs("hotline.middleware", "ERROR"):
            r = PublicSideMiddleware(leaky)(RequestFactory().get("/gm/en/"))
        self.assertEqual(r.cookies, {})

    def test_every_public_response_carries_the_security_headers(self) -> None:
        for name, r in self.every_response():
            csp = r["Content-Security-Policy"]
            for directive in ["default-src 'none'", "frame-ancestors 'none'",
                              "form-action 'self'", "base-uri 'none'"]:
                self.assertIn(directive, csp, name)
            self.assertNotIn("script-src", csp)
            self.assertNotIn("unsafe-inline", csp)
            self.assertEqual(r["Referrer-Policy"], "no-referrer", name)
            self.assertEqual(r["X-Content-Type-Options"], "nosniff", name)
            self.assertIn("camera=()", r["Permissions-Policy"], name)
            self.assertIn("geolocation=()", r["Permissions-Policy"], name)

    def test_form_receipt_and_status_pages_are_not_stored(self) -> None:
        for name, r in self.every_response():
            if "report" in name or "status" in name:
                self.assertIn("no-store", r["Cache-Control"], name)
        for path in ["/gm/en/report/", "/gm/en/status/"]:
            self.assertIn("no-store", self.client.get(path)["Cache-Control"], path)

    def test_pages_load_nothing_from_elsewhere_and_need_no_javascript(self) -> None:
        for name, r in self.every_response():
            if r["Content-Type"].startswith("text/html"):
                html = r.content.decode()
                self.assertNotIn("<script", html, name)
                self.assertNotIn("<iframe", html, name)
                self.assertNotRegex(html, r'(src|href)="(https?:)?//(?!www\.wikipedia\.org/"'
                                          r'|[a-z.]*example\.test/")', name)
                self.assertNotIn('rel="stylesheet" href="http', html, name)

    def test_the_staff_side_is_not_public(self) -> None:
        r = self.client.get("/staff/login/")
        self.assertEqual(r.status_code, 200)
        self.assertIn("frame-ancestors 'none'", r["Content-Security-Policy"])
