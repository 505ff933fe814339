"""The partner and hub dashboards: partners see their own portals only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from unittest import mock

from django.utils import timezone

from hotline.accounts.models import User
from hotline.portals.models import Portal
from hotline.portals.statuschecks import status_check_count
from hotline.stats import figures
from hotline.stats.figures import Period
from hotline.testing.base import make_user

from .base import NOW, FiguresTestCase, seed_case
from .test_figures import PERIOD


class DashboardTest(FiguresTestCase):
    def get(self, user: User, path: str) -> Any:
        with self.at_now():
            return self.as_user(user).get(path)

    def test_it_shows_the_partner_their_portal(self) -> None:
        r = self.get(self.partner, "/staff/figures/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "The Gambia")
        self.assertNotContains(r, "Senegal")
        self.assertNotContains(r, ">fr<")  # sn's language
        summary = r.context["tables"][0]
        received = summary.rows[0]
        self.assertEqual(received[1], figures.summary([self.gm], PERIOD)["received"])

    def test_the_partner_page_is_the_dashboard(self) -> None:
        r = self.get(self.partner, "/staff/partner/")
        self.assertContains(r, "Reports received per week")

    def test_it_refuses_other_portals_in_the_url(self) -> None:
        for query in ("?portal=sn", "?portal=km", "?portal=nowhere", "?portal=sn&format=csv"
                      "&table=summary"):
            r = self.get(self.partner, f"/staff/figures/{query}")
            self.assertEqual(r.status_code, 404, query)
            self.assertNotIn(b"Reports received", r.content)

    def test_a_partner_without_portals_sees_nothing(self) -> None:
        nobody = make_user("nobody@ministry.example.test", User.Role.PARTNER)
        r = self.get(nobody, "/staff/figures/?format=csv&table=languages")
        self.assertEqual(r.content.decode().splitlines(), ["Language,Reports"])

    def test_a_partner_of_two_portals_sees_both_and_can_pick_one(self) -> None:
        sn = Portal.objects.get(code="sn")
        both = make_user("both@ministry.example.test", User.Role.PARTNER, [self.gm, sn])
        r = self.get(both, "/staff/figures/?format=csv&table=languages")
        rows: dict[str, str] = dict(list(csv.reader(io.StringIO(r.content.decode())))[1:])
        self.assertEqual({k: int(v) for k, v in rows.items()},
                         dict(figures.languages([self.gm, sn], PERIOD)))
        r = self.get(both, "/staff/figures/?portal=sn&format=csv&table=languages")
        self.assertEqual(list(csv.reader(io.StringIO(r.content.decode())))[1:],
                         [[lang, str(n)] for lang, n in figures.languages([sn], PERIOD)])

    def test_the_admin_sees_all_portals_and_can_filter(self) -> None:
        r = self.get(self.admin, "/staff/figures/?days=365")
        self.assertContains(r, "Senegal")
        year = Period(NOW - dt.timedelta(days=365), NOW)
        self.assertEqual(r.context["tables"][0].rows[0][1],
                         figures.summary(None, year)["received"])
        r = self.get(self.admin, "/staff/figures/?portal=sn")
        self.assertEqual(r.context["tables"][0].rows[0][1],
                         figures.summary([Portal.objects.get(code="sn")], PERIOD)["received"])

    def test_the_csv_export_has_exact_staff_figures(self) -> None:
        r = self.get(self.partner, "/staff/figures/?format=csv&table=weekly")
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(r.content.decode())))
        self.assertEqual(rows[0], ["Week of", "Reports"])
        self.assertEqual(rows[1:], [[d.isoformat(), str(n)] for d, n in
                                    figures.received_by("week", [self.gm], PERIOD)])

    def test_the_csv_export_never_carries_a_formula(self) -> None:
        # A country comes from the GeoIP files, data from outside the hub.
        seed_case(self.gm, "en", NOW - dt.timedelta(hours=5), closed_after=1, verdict="csam",
                  confirmed=True, countries=("=1",), number=5000)
        r = self.get(self.admin, "/staff/figures/?format=csv&table=countries&days=30")
        rows = list(csv.reader(io.StringIO(r.content.decode())))
        self.assertIn(["'=1", "1"], rows)
        # Numbers keep their sign: a fall in the summary is still a negative number.
        summary = self.get(self.admin, "/staff/figures/?format=csv&table=summary").content
        for row in list(csv.reader(io.StringIO(summary.decode())))[1:]:
            for cell in row[1:]:
                if cell:
                    float(cell)

    def test_an_unknown_table_is_a_404(self) -> None:
        r = self.get(self.partner, "/staff/figures/?format=csv&table=nope")
        self.assertEqual(r.status_code, 404)

    def test_the_charts_are_accessible_svg_next_to_tables(self) -> None:
        r = self.get(self.partner, "/staff/figures/")
        html = r.content.decode()
        self.assertIn('<svg class="chart" role="img" aria-labelledby="chart-weekly-t '
                      'chart-weekly-d"', html)
        self.assertIn('<title id="chart-weekly-t">Reports received per week</title>', html)
        self.assertIn('<desc id="chart-weekly-d">', html)
        self.assertIn('<caption id="c-weekly">Reports received per week</caption>', html)
        self.assertIn("?format=csv&amp;table=weekly", html)

    def test_the_hub_page_is_for_administrators(self) -> None:
        self.assertEqual(self.get(self.partner, "/staff/figures/hub/").status_code, 403)
        self.assertEqual(self.get(self.analyst, "/staff/figures/").status_code, 403)
        r = self.get(self.admin, "/staff/figures/hub/")
        waiting = figures.queue(NOW)
        self.assertContains(r, f"{waiting['open']} cases are waiting")
        r = self.get(self.admin, "/staff/figures/hub/?format=csv&table=takedowns")
        rows = list(csv.reader(io.StringIO(r.content.decode())))[1:]
        self.assertEqual(sum(int(row[1]) for row in rows),
                         sum(sum(a.values()) for _c, a in figures.takedown_pipeline(NOW)))
        r = self.get(self.admin, "/staff/figures/hub/?format=csv&table=removal_countries")
        rows = list(csv.reader(io.StringIO(r.content.decode())))
        self.assertEqual(rows[0][:2], ["Country", "URLs removed"])
        period = figures.Period(NOW - dt.timedelta(days=90), NOW)
        self.assertEqual(sum(int(row[1]) for row in rows[1:]),
                         figures.removed(None, period).count())


class ComingBackTest(FiguresTestCase):
    def test_the_partner_sees_how_many_reporters_came_back(self) -> None:
        sn = Portal.objects.get(code="sn")
        today = NOW.date()
        for day, portal in [(today, self.gm), (today, self.gm), (today, sn),
                            (today - dt.timedelta(days=100), self.gm)]:  # the previous 90 days
            status_check_count(portal=portal, day=day)
        with mock.patch("hotline.stats.views.timezone", wraps=timezone) as clock:
            clock.now.return_value = NOW
            r = self.as_user(self.partner).get("/staff/figures/?format=csv&table=summary")
        rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(r.content.decode()))}
        self.assertEqual(rows["Status checks: reporters who came back"], ["2", "1", "1"])
