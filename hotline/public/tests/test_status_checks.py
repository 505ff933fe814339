"""How many reporters come back: a status check that finds its report adds one to a counter of
the portal and day, and nothing else is kept."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.lib import receipts
from hotline.portals.models import StatusCheckDay
from hotline.portals.statuschecks import status_check_count, status_checks
from hotline.testing.base import PublicTestCase


class StatusChecksTestCase(PublicTestCase):
    def check(self, code: str, path: str = "/gm/en/status/") -> None:
        self.assertEqual(self.client.post(path, {"code": code}).status_code, 200)

    def test_checks_that_find_a_report_are_counted_per_portal_and_day(self) -> None:
        code = self.receipt_from(self.submit())
        self.check(code)
        self.check(code)
        self.check(code, "/km/ar/status/")  # counted where the check was made
        today = timezone.localdate()
        self.assertEqual(
            sorted(StatusCheckDay.objects.values_list("portal__code", "day", "checks")),
            [("gm", today, 2), ("km", today, 1)])

    def test_codes_that_find_nothing_are_not_counted(self) -> None:
        self.check(receipts.new_code())
        self.client.post("/gm/en/status/", {"code": "12345"})
        self.assertFalse(StatusCheckDay.objects.exists())

    def test_the_counter_row_holds_no_code_report_or_time(self) -> None:
        code = self.receipt_from(self.submit())
        with CaptureQueriesContext(connection) as queries:
            self.check(code)
        writes = [q["sql"] for q in queries if "statuscheckday" in q["sql"].lower()]
        self.assertTrue(writes)
        for sql in writes:
            self.assertNotIn(code.replace(" ", ""), sql)
        fields = {f.name for f in StatusCheckDay._meta.get_fields()}
        self.assertEqual(fields, {"id", "portal", "day", "checks"})

    def test_periods_share_no_day(self) -> None:
        day = dt.date(2026, 11, 1)
        for offset in range(4):
            status_check_count(portal=self.gm, day=day + dt.timedelta(days=offset))
        self.assertEqual(status_checks([self.gm], day - dt.timedelta(days=1), day), 1)
        self.assertEqual(status_checks([self.gm], day, day + dt.timedelta(days=3)), 3)
        self.assertEqual(status_checks([self.km], day, day + dt.timedelta(days=3)), 0)
        self.assertEqual(status_checks(None, day - dt.timedelta(days=1), day), 1)
