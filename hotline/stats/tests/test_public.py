"""The public figures page: small counts never appear, in HTML, SVG or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from typing import Any

from django.core.cache import cache
from django.test import override_settings
from django.utils import translation
from django.utils.formats import date_format

from hotline.portals.models import Portal

from .base import NOW, FiguresTestCase, seed_case


def expected_years(rows: list[dict[str, Any]], codes: set[str]) -> dict[str, Counter[str]]:
    first = dt.datetime(NOW.year - 4, 1, 1, tzinfo=dt.UTC)
    table: dict[str, Counter[str]] = {}
    for r in rows:
        if r["portal"] not in codes:
            continue
        for key, when in [("received", r["received"]), ("assessed", r["closed_at"]),
                          ("confirmed", r["closed_at"] if r["confirmed"] else None),
                          ("removed", r["removed_at"])]:
            if when is not None and first <= when < NOW:
                table.setdefault(str(when.year), Counter())[key] += 1
    return table


def shown(n: int) -> str:
    return str(n) if n >= 10 else "<10"


class PublicFiguresTest(FiguresTestCase):
    def get(self, path: str) -> Any:
        with self.at_now():
            return self.client.get(path)

    def test_it_works_without_cookies(self) -> None:
        r = self.get("/gm/en/figures/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.cookies, {})
        self.assertContains(r, "<h1>Figures for The Gambia")
        self.assertNotContains(r, "<script")
        self.assertNotContains(r, "style=")

    def test_the_footer_links_to_the_figures(self) -> None:
        self.assertContains(self.client.get("/gm/en/"), 'href="/gm/en/figures/"')

    def test_the_yearly_csv_matches_and_suppresses(self) -> None:
        for path, codes in [("/gm/en/figures/", {"gm"}),
                            ("/gm/en/figures/?scope=hub", {"gm", "sn"})]:
            r = self.get(path + ("&" if "?" in path else "?") + "format=csv&table=yearly")
            rows = list(csv.reader(io.StringIO(r.content.decode())))
            self.assertEqual(rows[0], ["Year", "Reports received", "Assessed", "Confirmed",
                                       "Removed"])
            expected = expected_years(self.rows, codes)
            self.assertEqual([row[0] for row in rows[1:]], sorted(expected), path)
            for row, (year, c) in zip(rows[1:], sorted(expected.items()), strict=True):
                for cell, key in zip(row[1:], ("received", "assessed", "confirmed", "removed"),
                                     strict=True):
                    # A count of 10 or more may be withheld so that no small count elsewhere
                    # follows from it (test_suppression.py).
                    allowed = {shown(c[key])} | ({"withheld"} if c[key] >= 10 else set())
                    self.assertIn(cell, allowed, (path, year, key))
            self.assertIn("<10", r.content.decode())  # the seed has small and large counts

    def test_small_counts_never_appear_in_html_or_svg(self) -> None:
        tiny = Portal.objects.create(code="tiny", name="Tiny", country="GB", languages=["en"])
        Portal.objects.filter(pk=tiny.pk).update(created=NOW - dt.timedelta(days=800))
        for i in range(7):
            seed_case(tiny, "en", NOW - dt.timedelta(hours=3 + i), closed_after=1,
                      verdict="csam", confirmed=True, removal_hours=.5, number=1000 + i)
        for i in range(15):  # a month with enough reports to publish
            seed_case(tiny, "en", NOW - dt.timedelta(days=40, hours=i), closed_after=None,
                      number=1100 + i)
        r = self.get("/tiny/en/figures/")
        html = r.content.decode()
        self.assertIn("fewer than 10", html)
        for n in range(1, 10):
            self.assertNotRegex(html, rf">\s*{n}\s*<", n)
        svg = re.findall(r"<svg.*?</svg>", html, re.S)
        # A table whose counts are all withheld or small is a sentence instead.
        self.assertGreaterEqual(len(svg), 1)
        self.assertEqual(len(svg) + html.count("There are too few reports"), 2)
        self.assertIn(">fewer than 10<", "".join(svg))
        for chart in svg:
            self.assertRegex(chart, r'<title id="[^"]+">.+</title><desc id="[^"]+">.+</desc>')
            for bar, shown in re.findall(r'<rect [^>]*width="(\d+)"[^>]*/><text [^>]*>([^<]+)<',
                                         chart):
                if not shown.isdigit():  # no bar gives a small count away
                    self.assertEqual(bar, "0")
        self.assertEqual(html.count("<table>"), len(svg))
        data = self.get("/tiny/en/figures/?format=csv&table=monthly").content.decode()
        self.assertEqual(data.splitlines()[1:][-1].split(",")[1:], ["<10"] * 4)

    def test_a_table_of_only_small_counts_is_one_plain_sentence(self) -> None:
        tiny = Portal.objects.create(code="tiny", name="Tiny", country="GB", languages=["en"])
        for i in range(7):
            seed_case(tiny, "en", NOW - dt.timedelta(hours=3 + i), closed_after=1,
                      verdict="csam", confirmed=True, removal_hours=.5, number=1000 + i)
        html = self.get("/tiny/en/figures/").content.decode()
        # Both tables: one sentence for the page, and no explanation of "fewer than 10".
        self.assertEqual(html.count("There are too few reports for these figures yet"), 1)
        self.assertNotIn("fewer than 10", html)
        self.assertIn('href="/tiny/en/figures/?scope=hub"', html)
        self.assertNotIn("<table>", html)
        self.assertNotIn("<svg", html)
        for n in range(1, 10):
            self.assertNotRegex(html, rf">\s*{n}\s*<", n)

    def test_no_months_before_the_portal_opened(self) -> None:
        # Comoros has no reports in the seed; it opened about 70 days ago.
        Portal.objects.filter(code="km").update(created=NOW - dt.timedelta(days=70))
        opened = (NOW - dt.timedelta(days=70)).date().replace(day=1)
        cache.clear()
        r = self.get("/km/fr/figures/?format=csv&table=monthly")
        months = [row[0] for row in csv.reader(io.StringIO(r.content.decode()))][1:]
        with translation.override("fr"):
            self.assertEqual(months[0], date_format(opened, "YEAR_MONTH_FORMAT"))
        self.assertEqual(len(months), (NOW.year - opened.year) * 12 + NOW.month - opened.month + 1)
        r = self.get("/km/fr/figures/?format=csv&table=yearly")
        years = [row[0] for row in csv.reader(io.StringIO(r.content.decode()))][1:]
        self.assertEqual(years, [str(y) for y in range(opened.year, NOW.year + 1)])
        # The network's page starts when its first portal opened, long before.
        r = self.get("/gm/en/figures/?scope=hub&format=csv&table=monthly")
        self.assertEqual(len(r.content.decode().splitlines()), 13)

    @override_settings(FIGURES_MIN_COUNT=1)
    def test_the_threshold_is_a_setting(self) -> None:
        r = self.get("/gm/en/figures/?format=csv&table=monthly")
        self.assertNotIn("<10", r.content.decode())
        self.assertRegex(r.content.decode(), r",[1-9],")

    def test_it_is_translated(self) -> None:
        r = self.get("/sn/fr/figures/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Language"], "fr")
        self.assertContains(r, '<html lang="fr"')

    def test_an_unknown_table_is_a_404(self) -> None:
        self.assertEqual(self.get("/gm/en/figures/?format=csv&table=x").status_code, 404)


class PublicFiguresCacheTest(FiguresTestCase):
    """Anyone can load the public page, so its aggregate queries must not run per request."""

    def yearly_received(self) -> str:
        with self.at_now():
            r = self.client.get("/gm/en/figures/?format=csv&table=yearly")
        rows = list(csv.reader(io.StringIO(r.content.decode())))
        return rows[-1][1]

    def test_figures_are_computed_once_per_window(self) -> None:
        from django.core.cache import cache

        before = self.yearly_received()
        gm = Portal.objects.get(code="gm")
        for i in range(12):
            seed_case(gm, "en", NOW - dt.timedelta(hours=2 + i), closed_after=None, number=900 + i)
        # Within the window the page shows what it computed before.
        self.assertEqual(self.yearly_received(), before)
        # The portal, with its partners and help contacts for the frame of the page.
        with self.at_now(), self.assertNumQueries(3):
            self.client.get("/gm/en/figures/")
        with override_settings(FIGURES_CACHE_SECONDS=0):
            cache.clear()
            after = self.yearly_received()
        self.assertNotEqual(after, before)

    def test_language_links_keep_the_hub_scope(self) -> None:
        Portal.objects.filter(code="sn").update(languages=["fr", "en"])
        with self.at_now():
            r = self.client.get("/sn/fr/figures/?scope=hub")
        self.assertContains(r, 'href="/sn/en/figures/?scope=hub"')
        with self.at_now():
            r = self.client.get("/sn/fr/figures/")
        self.assertContains(r, 'href="/sn/en/figures/"')


class ComplementarySuppressionTest(FiguresTestCase):
    """A single small month must not be recoverable as the year's total minus the others."""

    def test_the_page_withholds_in_csv_and_html(self) -> None:
        from django.core.cache import cache

        year = str(NOW.year)
        triggered = 0
        for low in range(2, 30):  # thresholds around the seeded monthly counts
            with override_settings(FIGURES_MIN_COUNT=low), self.at_now():
                rows = list(csv.reader(io.StringIO(self.client.get(
                    "/gm/en/figures/?format=csv&table=monthly").content.decode())))
                html = self.client.get("/gm/en/figures/").content.decode()
            this_year = [r for r in rows[1:] if r[0].endswith(year)]
            for column in range(1, 5):
                cells = [r[column] for r in this_year]
                if "withheld" in cells:
                    triggered += 1
                    self.assertIn("not shown", html)
                # Never exactly one small cell left alone in a column of the current year.
                self.assertFalse(cells.count(f"<{low}") == 1 and "withheld" not in cells,
                                 (low, column, cells))
            cache.clear()
        self.assertGreater(triggered, 0)
