"""The report form must reach people on slow, expensive connections: at most 20 KB gzipped."""

from __future__ import annotations

import gzip

from django.contrib.staticfiles import finders

from hotline.testing.base import PublicTestCase

BUDGET = 20 * 1024


class PageWeightTestCase(PublicTestCase):
    def css(self) -> bytes:
        path = finders.find("hotline/public.css")
        assert path
        with open(path, "rb") as f:
            return f.read()

    def test_the_report_form_fits_the_budget_in_every_language(self) -> None:
        css = gzip.compress(self.css(), 9)
        for path in ["/gm/en/report/", "/sn/fr/report/", "/km/ar/report/"]:
            html = self.client.get(path).content
            errors = self.submit(path, urls="\n".join(["javascript:x"] * 20)).content
            for page in (html, errors):
                total = len(gzip.compress(page, 6)) + len(css)
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
