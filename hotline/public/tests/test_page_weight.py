"""The report form must reach people on slow, expensive connections: at most 14 KB gzipped
(HTML and CSS; the size of TCP's first flight, so it arrives in one round trip), in every
shipped language."""

from __future__ import annotations

import gzip

from django.contrib.staticfiles import finders

from hotline.portals.models import Portal
from hotline.testing.base import PublicTestCase
from hotline.testing.browser import SHIPPED

BUDGET = 14 * 1024


class PageWeightTestCase(PublicTestCase):
    def css(self) -> bytes:
        path = finders.find("hotline/public.css")
        assert path
        with open(path, "rb") as f:
            return f.read()

    def test_the_report_form_fits_the_budget_in_every_language(self) -> None:
        css = gzip.compress(self.css(), 9)
        Portal.objects.create(code="all", name="All languages", country="GB",
                              languages=SHIPPED, is_demo=True)
        for lang in SHIPPED:
            path = f"/all/{lang}/report/"
            html = self.client.get(path)
            self.assertEqual(html["Content-Language"], lang)
            errors = self.submit(path, urls="\n".join(["javascript:x"] * 20))
            self.assertEqual(errors.status_code, 400)
            for page in (html.content, errors.content):
                total = len(gzip.compress(page, 6)) + len(css)
                with self.subTest(lang=lang):
                    self.assertLessEqual(total, BUDGET, path)

    def test_no_web_fonts_or_images_in_the_stylesheet(self) -> None:
        css = self.css().decode()
        self.assertNotIn("@font-face", css)
        self.assertNotIn("url(", css)
        self.assertNotIn("@import", css)

    def test_the_stylesheet_is_the_only_subresource(self) -> None:
        html = self.client.get("/km/ar/report/").content.decode()
        self.assertEqual(html.count('rel="stylesheet"'), 1)
        self.assertNotIn("<img", html)
        self.assertNotIn("<link rel=\"icon\"", html)
