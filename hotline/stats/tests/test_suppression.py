"""No count below FIGURES_MIN_COUNT can be worked out from the public figures pages, on one
page or across pages (the hub's count minus the other portals' counts).

The check here is independent of the code under test: it reads what the four pages publish,
writes every sum that ties their counts together as a linear system (hub = sum of the portals,
year = sum of its months), and asks numpy whether a small count is determined by it (adding it
as an equation does not raise the rank).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.core.cache import cache
from django.test import SimpleTestCase, override_settings
from django.utils import translation
from django.utils.formats import date_format

from hotline.intake.models import Report
from hotline.portals.models import Portal
from hotline.stats.suppression import withheld
from hotline.stats.tables import Count
from hotline.testing.base import StaffTestCase

from .base import NOW, FiguresTestCase

KEYS = ["received", "assessed", "confirmed", "removed"]


def pages_of_the_network() -> dict[str, str]:
    """Every portal's figures page (in its first language) and the hub's: the attacker reads
    them all, and the hub's count is the sum of every portal's, those with no reports too."""
    pages = {p.code: f"/{p.code}/{p.languages[0]}/figures/"
             for p in Portal.objects.order_by("code")}
    return {**pages, "hub": "/gm/en/figures/?scope=hub"}


def window() -> list[dt.date]:
    """The months of the monthly table, oldest first."""
    months = []
    for back in range(11, -1, -1):
        index = NOW.year * 12 + NOW.month - 1 - back
        months.append(dt.date(index // 12, index % 12 + 1, 1))
    return months


def published(test: Any) -> dict[str, dict[str, dict[Any, list[Count]]]]:
    """What each page publishes: per scope, yearly rows by year and monthly rows by month."""
    pages: dict[str, dict[str, dict[Any, list[Count]]]] = {}
    for scope, path in pages_of_the_network().items():
        with test.at_now():
            yearly, monthly = test.client.get(path).context["tables"]
        # Months before a portal opened are left out of its page: read rows by their label.
        with translation.override(path.split("/")[2]):
            labels = {date_format(month, "YEAR_MONTH_FORMAT"): month for month in window()}
        pages[scope] = {"yearly": {int(row[0]): row[1:] for row in yearly.rows},
                        "monthly": {labels[row[0]]: row[1:] for row in monthly.rows}}
    return pages


def determined_small_counts(pages: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """Every count published as "fewer than N" that the published figures determine."""
    found = []
    months = window()
    years = sorted({y for page in pages.values() for y in page["yearly"]})
    portals = [scope for scope in pages if scope != "hub"]
    for k, key in enumerate(KEYS):
        unknown: dict[Any, int] = {}
        equations: list[tuple[dict[int, float], float]] = []

        def term(scope: str, kind: str, when: Any, k: int = k,
                 unknown: dict[Any, int] = unknown) -> tuple[int | None, float]:
            """(variable, 0) for a hidden count, (None, value) for a known one."""
            if kind == "rest":
                return unknown.setdefault((scope, kind, when), len(unknown)), 0.0
            row = pages[scope][kind].get(when)
            if row is None:  # a year with nothing in it is left out: a known zero
                return None, 0.0
            cell = row[k]
            if cell.value is None:
                return unknown.setdefault((scope, kind, when), len(unknown)), 0.0
            return None, float(cell.value)

        def equation(total: tuple[str, str, Any], parts: list[tuple[str, str, Any]],
                     term: Any = term, equations: list[Any] = equations) -> None:
            coefficients: dict[int, float] = {}
            constant = 0.0
            for sign, (scope, kind, when) in [(1.0, total), *((-1.0, p) for p in parts)]:
                variable, value = term(scope, kind, when)
                if variable is None:
                    constant -= sign * value
                else:
                    coefficients[variable] = coefficients.get(variable, 0.0) + sign
            equations.append((coefficients, constant))

        for year in years:
            rest = (months[0].year == year and months[0].month != 1) or year < months[0].year
            equation(("hub", "yearly", year), [(p, "yearly", year) for p in portals])
            if rest:
                equation(("hub", "rest", year), [(p, "rest", year) for p in portals])
            for scope in pages:
                parts = [(scope, "monthly", m) for m in months if m.year == year]
                equation((scope, "yearly", year), parts + ([(scope, "rest", year)] if rest
                                                           else []))
        for month in months:
            equation(("hub", "monthly", month), [(p, "monthly", month) for p in portals])

        matrix = np.zeros((len(equations), len(unknown)))
        for row, (coefficients, _constant) in enumerate(equations):
            for variable, coefficient in coefficients.items():
                matrix[row, variable] = coefficient
        rank = np.linalg.matrix_rank(matrix) if len(unknown) else 0
        for (scope, kind, when), variable in unknown.items():
            if kind == "rest":
                continue
            if pages[scope][kind][when][k].withheld:
                continue  # withheld although not small: nothing to protect
            probe = np.zeros((1, len(unknown)))
            probe[0, variable] = 1.0
            if np.linalg.matrix_rank(np.vstack([matrix, probe])) == rank:
                found.append((scope, kind, when, key))
    return found


class ReproducedNumbersTest(StaffTestCase):
    """The numbers of the review: The Gambia 15 reports, Comoros 3, Senegal 11."""

    def setUp(self) -> None:
        super().setUp()
        # The network of the review: these three portals only (the demo network has more).
        Portal.objects.exclude(code__in=["gm", "km", "sn"]).delete()
        Portal.objects.update(created=NOW - dt.timedelta(days=2 * 366))  # opened long ago
        for code, count in [("gm", 15), ("km", 3), ("sn", 11)]:
            portal = Portal.objects.get(code=code)
            for i in range(count):
                report = Report.objects.create(portal=portal, language="en",
                                               content_kind="image",
                                               receipt_digest=f"repro-{code}-{i}")
                Report.objects.filter(pk=report.pk).update(
                    received_at=NOW - dt.timedelta(hours=1 + i))

    at_now = FiguresTestCase.at_now

    def test_the_hub_total_minus_the_other_portals_no_longer_gives_comoros(self) -> None:
        pages = published(self)
        this_year, this_month = NOW.year, window()[-1]
        self.assertEqual(str(pages["km"]["yearly"][this_year][0]), "fewer than 10")
        for kind, when in [("yearly", this_year), ("monthly", this_month)]:
            hub, gm, sn = (pages[s][kind][when][0].value for s in ("hub", "gm", "sn"))
            self.assertIn(None, (hub, gm, sn), (kind, "29 - 15 - 11 = 3"))
        self.assertEqual(determined_small_counts(pages), [])

    def test_the_portals_own_pages_keep_their_numbers(self) -> None:
        # The network total is withheld rather than another country's own figure.
        pages = published(self)
        self.assertEqual(pages["gm"]["yearly"][NOW.year][0].value, 15)
        self.assertEqual(pages["sn"]["yearly"][NOW.year][0].value, 11)
        self.assertTrue(pages["hub"]["yearly"][NOW.year][0].withheld)


class SeededNetworkTest(FiguresTestCase):
    def test_no_small_count_can_be_worked_out_at_any_threshold(self) -> None:
        for low in (2, 5, 10, 15, 25):
            with override_settings(FIGURES_MIN_COUNT=low):
                cache.clear()
                pages = published(self)
                self.assertEqual(determined_small_counts(pages), [], low)
        cache.clear()

    def test_nor_when_a_portal_opened_later_and_its_first_months_are_left_out(self) -> None:
        # Comoros has no reports: opened two months ago, its page starts then, and the months
        # before read as known zeros in the sums of the network.
        Portal.objects.filter(code="km").update(created=NOW - dt.timedelta(days=62))
        for low in (5, 10, 25):
            with override_settings(FIGURES_MIN_COUNT=low):
                cache.clear()
                pages = published(self)
                self.assertLess(len(pages["km"]["monthly"]), 12)
                self.assertEqual(determined_small_counts(pages), [], low)
        cache.clear()


def months(year: int, values: list[int]) -> dict[dt.date, dict[str, int]]:
    return {dt.date(year, m + 1, 1): {"received": v} for m, v in enumerate(values)}


class WithheldTest(SimpleTestCase):
    """The choice of what to withhold, on small hand-made tables."""

    def test_one_small_month_hides_another_month_big_enough_to_keep_its_range(self) -> None:
        monthly = {**months(2025, [0] * 12), **months(2026, [30, 12, 5, 40, 11])}
        del monthly[dt.date(2025, 1, 1)]  # last year: its January is outside the table
        yearly = {dt.date(2025, 1, 1): {"received": 400}, dt.date(2026, 1, 1): {"received": 98}}
        hidden = withheld({"": yearly}, {"": monthly}, total="", low=10)
        # Not May (11): a reader knows a withheld count is at least 10, and 98 - 82 = 16
        # would then put March under 7. January (30) keeps it anywhere under 10.
        self.assertEqual(hidden[""], (set(), {(dt.date(2026, 1, 1), "received")}))

    def test_nothing_extra_when_two_are_small_or_the_total_is_small(self) -> None:
        for values, total in [([30, 3, 5, 40], 78), ([3], 3)]:
            hidden = withheld({"": {dt.date(2026, 1, 1): {"received": total}}},
                              {"": months(2026, values)}, total="", low=10)
            self.assertEqual(hidden[""], (set(), set()), values)

    def test_a_month_left_out_is_a_known_zero(self) -> None:
        # "a" had not opened: its row is left out. Then b = hub - c unless one is withheld;
        # with a's row shown as "fewer than 10", a and b would hide each other.
        day = dt.date(2026, 1, 1)
        rows = {"b": {day: {"received": 3}}, "c": {day: {"received": 20}},
                "": {day: {"received": 23}}}
        hidden = withheld({"a": {}, **rows}, {"a": {}, **rows}, total="", low=10)
        self.assertEqual(hidden[""], ({(day, "received")}, {(day, "received")}))
        shown = {"a": {day: {"received": 0}}, **rows}
        hidden = withheld(shown, shown, total="", low=10)
        self.assertEqual(hidden[""], (set(), set()))

    def test_across_scopes_the_network_total_goes_first(self) -> None:
        day = dt.date(2026, 1, 1)

        def one(n: int) -> dict[dt.date, dict[str, int]]:
            return {day: {"received": n}}

        yearly = {"gm": one(15), "km": one(3), "sn": one(11), "": one(29)}
        hidden = withheld(yearly, yearly, total="", low=10)  # January is the whole year
        self.assertEqual(hidden[""], ({(day, "received")}, {(day, "received")}))
        self.assertEqual([hidden[s] for s in ("gm", "km", "sn")], [(set(), set())] * 3)
