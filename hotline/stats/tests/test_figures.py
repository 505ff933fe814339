"""Each figure against the same figure computed in plain Python over the seeded rows."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F

from hotline.portals.models import Portal
from hotline.stats import figures
from hotline.stats.figures import Period

from .base import NOW, FiguresTestCase

PERIOD = Period(NOW - dt.timedelta(days=90), NOW)


def within(value: dt.datetime | None, period: Period) -> bool:
    return value is not None and period.start <= value < period.end


class FiguresTest(FiguresTestCase):
    def mine(self, codes: tuple[str, ...] = ("gm",)) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["portal"] in codes]

    def portals(self, *codes: str) -> list[Portal]:
        return list(Portal.objects.filter(code__in=codes))

    def expected_summary(self, rows: list[dict[str, Any]], period: Period) -> dict[str, Any]:
        done = [r for r in rows if within(r["closed_at"], period)]
        removed = [r for r in rows if within(r["removed_at"], period)]
        in_remit = [r for r in done if r["verdict"] != "not_in_remit"]
        return {
            "received": sum(within(r["received"], period) for r in rows),
            "assessed": len(done),
            "in_remit": len(in_remit),
            "share_in_remit": len(in_remit) / len(done) if done else None,
            "confirmed": sum(r["confirmed"] for r in done),
            "removed": len(removed),
            "median_assessment": statistics.median(
                [r["closed_at"] - r["received"] for r in done]) if done else None,
            "median_removal": statistics.median(
                [r["time_to_removal"] for r in removed]) if removed else None,
        }

    def test_the_seed_covers_every_kind_of_row(self) -> None:
        gm = self.mine()
        self.assertGreater(sum(within(r["closed_at"], PERIOD) for r in gm), 5)
        self.assertGreater(sum(within(r["removed_at"], PERIOD) for r in gm), 1)
        self.assertGreater(sum(r["closed_at"] is None for r in self.rows), 5)

    def test_the_summary_matches(self) -> None:
        for codes in [("gm",), ("sn",), ("gm", "sn")]:
            for period in (PERIOD, PERIOD.previous, Period(NOW - dt.timedelta(days=365), NOW)):
                got = figures.summary(self.portals(*codes), period)
                self.assertEqual(got, self.expected_summary(self.mine(codes), period),
                                 (codes, period))

    def test_all_portals_is_the_same_as_every_portal(self) -> None:
        self.assertEqual(figures.summary(None, PERIOD),
                         self.expected_summary(self.rows, PERIOD))

    def test_the_comparison_uses_the_previous_period_of_equal_length(self) -> None:
        got = figures.compare([self.gm], PERIOD)
        before = Period(NOW - dt.timedelta(days=180), NOW - dt.timedelta(days=90))
        self.assertEqual(got["previous"], self.expected_summary(self.mine(), before))
        self.assertEqual(got["current"], self.expected_summary(self.mine(), PERIOD))

    def test_reports_per_week_and_month(self) -> None:
        year = Period(NOW - dt.timedelta(days=365), NOW)
        days = [r["received"].date() for r in self.mine() if within(r["received"], year)]
        weeks = Counter(d - dt.timedelta(days=d.weekday()) for d in days)
        months = Counter(d.replace(day=1) for d in days)
        self.assertEqual(figures.received_by("week", [self.gm], year), sorted(weeks.items()))
        self.assertEqual(figures.received_by("month", [self.gm], year), sorted(months.items()))

    def test_outcomes_per_year(self) -> None:
        period = Period(NOW - dt.timedelta(days=800), NOW)
        expected: dict[dt.date, Counter[str]] = {}
        for r in self.mine():
            for key, when in [("received", r["received"]), ("assessed", r["closed_at"]),
                              ("confirmed", r["closed_at"] if r["confirmed"] else None),
                              ("removed", r["removed_at"])]:
                if within(when, period):
                    assert when is not None
                    expected.setdefault(dt.date(when.year, 1, 1), Counter())[key] += 1
        got = figures.outcomes_by("year", [self.gm], period)
        self.assertEqual(list(got), sorted(expected))
        for year, row in got.items():
            self.assertEqual(row, {k: expected[year][k] for k in row}, year)

    def test_hosting_countries_use_the_latest_trace(self) -> None:
        confirmed = [r for r in self.mine() if r["confirmed"] and within(r["closed_at"], PERIOD)]
        expected = Counter(r["country"] for r in confirmed)
        self.assertEqual(dict(figures.hosting_countries([self.gm], PERIOD)), dict(expected))

    def test_languages(self) -> None:
        expected = Counter(r["lang"] for r in self.rows if within(r["received"], PERIOD))
        self.assertEqual(dict(figures.languages(None, PERIOD)), dict(expected))
        self.assertEqual([lang for lang, _n in figures.languages([self.gm], PERIOD)], ["en"])

    def test_the_queue(self) -> None:
        waiting = [r for r in self.rows if r["closed_at"] is None]
        got = figures.queue(NOW)
        self.assertEqual(got["open"], len(waiting))
        self.assertEqual(got["oldest"], min(r["received"] for r in waiting))

    def test_the_takedown_pipeline(self) -> None:
        expected: dict[str, Counter[str]] = {}
        for r in self.rows:
            if r["open_takedown"]:
                days = (NOW - r["closed_at"]).total_seconds() / 86400
                key = ("under_1d" if days < 1 else "1_3d" if days < 3 else "3_7d"
                       if days < 7 else "over_7d")
                expected.setdefault(r["country"], Counter())[key] += 1
        got = dict(figures.takedown_pipeline(NOW))
        self.assertEqual(set(got), set(expected))
        for country, ages in got.items():
            self.assertEqual({k: v for k, v in ages.items() if v}, dict(expected[country]))

    def test_removal_by_hosting_country_and_network(self) -> None:
        from hotline.hosting.models import Trace
        from hotline.takedown.models import Takedown

        removed = [r for r in self.rows if within(r["removed_at"], PERIOD)]
        expected: dict[str, list[dt.timedelta]] = {}
        for r in removed:
            expected.setdefault(r["country"], []).append(r["time_to_removal"])
        # One network per country, so that both groupings must agree.
        networks = {"NL": 64501, "US": 64502, "DE": 64503, "FR": 64504}
        for country, asn in networks.items():
            Trace.objects.filter(country=country).update(asn=asn, organisation=f"Net {country}")
        # Three removed URLs came back in the period, one long before it.
        back = list(Takedown.objects.filter(state="removed").order_by("pk"))
        for takedown in back[:3]:
            takedown.reappeared_at, takedown.reappearances = NOW - dt.timedelta(days=2), 1
            takedown.save()
        back[3].reappeared_at = NOW - dt.timedelta(days=200)
        back[3].save()
        by_case = {r["case"]: r for r in self.rows}
        came_back = Counter(by_case[t.case_id]["country"] for t in back[:3])
        for by, key in (("country", lambda c: c), ("asn", lambda c: str(networks.get(c, "")))):
            got = {row.key: row for row in figures.removal_by_host(by, PERIOD)}
            self.assertEqual(set(got), {key(c) for c in set(expected) | set(came_back)}, by)
            for country, times in expected.items():
                row = got[key(country)]
                self.assertEqual((row.removed, row.median),
                                 (len(times), statistics.median(times)),  # type: ignore[type-var]
                                 (by, country))
            for country, n in came_back.items():
                self.assertEqual(got[key(country)].came_back, n)
            if by == "asn":
                self.assertEqual(got["64501"].label if "64501" in got else "Net NL", "Net NL")

    def test_medians_of_even_and_odd_counts(self) -> None:
        from hotline.cases.models import Case

        closed = Case.objects.filter(status="closed").order_by("pk")
        qs = closed.annotate(took=ExpressionWrapper(F("closed_at") - F("first_reported"),
                                                    output_field=DurationField()))
        values: list[Any] = sorted(c.closed_at - c.first_reported for c in closed)  # type: ignore[operator]
        self.assertEqual(figures.median_duration(qs, "took"), statistics.median(values))
        odd = qs.filter(pk__in=[c.pk for c in closed][: len(values) // 2 * 2 - 1])
        odd_values: list[Any] = [c.closed_at - c.first_reported for c in odd]  # type: ignore[operator]
        self.assertEqual(figures.median_duration(odd, "took"), statistics.median(odd_values))
        self.assertIsNone(figures.median_duration(qs.none(), "took"))


class OutcomesByPortalTest(FiguresTestCase):
    def test_every_portal_at_once_matches_each_portal_alone(self) -> None:
        from hotline.intake.models import Report, ReportedAddress

        km = Portal.objects.get(code="km")
        # A case reported through two portals counts for both, once each.
        case = figures.Case.objects.filter(confirmed=True, takedown__isnull=False).first()
        assert case is not None
        for i in range(2):
            other = Report.objects.create(portal=km, language="fr", content_kind="image",
                                          receipt_digest=f"twice-{i}")
            address = ReportedAddress.objects.create(report=other, position=0,
                                                     submitted=case.url)
            figures.CaseReport.objects.create(case=case, report=other, portal=km,
                                              address=address, closed_at=case.closed_at)
        for unit, period in [("year", Period(NOW - dt.timedelta(days=4 * 365), NOW)),
                             ("month", Period(NOW - dt.timedelta(days=365), NOW))]:
            every = figures.outcomes_by_portal(unit, period)
            for portal in Portal.objects.all():
                self.assertEqual(every.get(portal.pk, {}),
                                 figures.outcomes_by(unit, [portal], period), (unit, portal))
