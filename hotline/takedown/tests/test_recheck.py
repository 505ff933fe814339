"""Re-checks against a real hosting server on loopback until the material is gone."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from hotline.cases.services import report_intake
from hotline.intake.models import Report
from hotline.lists.models import UrlListEntry
from hotline.takedown import services
from hotline.takedown.models import Check, Takedown
from hotline.testing.httpserver import Route, serve

from .base import HOST, POLICE, TakedownTestCase

BODY = b"<html>synthetic stand-in page</html>"


@override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"], RECHECK_FIRST_SECONDS=3600,
                   RECHECK_MAX_SECONDS=86400, REMOVAL_CONFIRMATIONS=2,
                   REMOVAL_CONFIRM_SECONDS=0, REMOVAL_FOLLOW_UP_DAYS=[1, 7, 30])
class RecheckTestCase(TakedownTestCase):
    def start(self, site, path: str = "/item/1") -> Takedown:  # type: ignore[no-untyped-def]
        site.routes[path] = Route(body=BODY)
        r = self.client.post("/gm/en/report/", self.report_data(urls=site.url(path)))
        self.code = self.receipt_from(r)
        report_intake(report_id=Report.objects.order_by("-id").first().pk)  # type: ignore[union-attr]
        case = self.confirm_case(self.case_for(site.url(path)))
        return self.active_takedown(case, [HOST, POLICE],
                                    sha256=hashlib.sha256(BODY).hexdigest())

    def status(self) -> str:
        page = self.client.post("/gm/en/status/", {"code": self.code}).content.decode()
        return page.split("<strong>")[1].split("</strong>")[0]

    def test_removal_is_noticed_and_timed(self) -> None:
        with serve() as site:
            takedown = self.start(site)
            self.assertEqual(self.status(), "Confirmed")  # no notice sent yet
            self.assertTrue(UrlListEntry.objects.get().active)
            check = services.takedown_check(takedown_id=takedown.pk)
            assert check is not None
            self.assertEqual(check.outcome, Check.Outcome.PRESENT)
            takedown.refresh_from_db()
            self.assertEqual(takedown.check_interval, 7200)  # backing off
            assert takedown.next_check_at is not None
            self.assertGreater(takedown.next_check_at, timezone.now() + timedelta(hours=1))
            del site.routes["/item/1"]  # the host removes the material: 404
            check = services.takedown_check(takedown_id=takedown.pk)
            assert check is not None
            self.assertEqual((check.outcome, check.reason), (Check.Outcome.GONE, "http_404"))
            takedown.refresh_from_db()
            # One observation decides nothing: still active, the list unchanged.
            self.assertEqual(takedown.state, Takedown.State.ACTIVE)
            self.assertTrue(UrlListEntry.objects.get().active)
            first_gone = check.at
            check = services.takedown_check(takedown_id=takedown.pk)
        assert check is not None
        self.assertEqual((check.outcome, check.reason), (Check.Outcome.GONE, "http_404"))
        takedown.refresh_from_db()
        self.assertEqual(takedown.state, Takedown.State.REMOVED)
        self.assertIsNotNone(takedown.time_to_removal)
        assert takedown.removed_at is not None
        self.assertEqual(takedown.time_to_removal, takedown.removed_at - takedown.confirmed_at)
        self.assertEqual(takedown.gone_since, takedown.removed_at)  # timed to the first
        self.assertLessEqual(abs((takedown.removed_at - first_gone).total_seconds()), 1)
        self.assertFalse(UrlListEntry.objects.get().active)
        self.assertEqual(self.status(), "Removed")
        # Follow-ups go on after removal: the first a day after it.
        assert takedown.next_check_at is not None
        self.assertGreater(takedown.next_check_at, takedown.removed_at + timedelta(hours=23))

    def test_a_410_is_gone_and_changed_content_is_unknown(self) -> None:
        with serve() as site:
            takedown = self.start(site)
            site.routes["/item/1"] = Route(body=b"<html>this page now shows something else</html>")
            check = services.takedown_check(takedown_id=takedown.pk)
            assert check is not None
            # A changed body (a timestamp, an advert) is not evidence of removal.
            self.assertEqual((check.outcome, check.reason),
                             (Check.Outcome.UNKNOWN, "page_changed"))
        with serve() as site:
            takedown = self.start(site, "/item/2")
            site.routes["/item/2"] = Route(status=410)
            check = services.takedown_check(takedown_id=takedown.pk)
            assert check is not None
            self.assertEqual((check.outcome, check.reason), (Check.Outcome.GONE, "http_410"))

    def test_an_unreachable_host_is_not_removal(self) -> None:
        with serve() as site:
            takedown = self.start(site)
        check = services.takedown_check(takedown_id=takedown.pk)  # server gone: refused
        assert check is not None
        self.assertEqual((check.outcome, check.reason), (Check.Outcome.UNKNOWN, "connect"))
        takedown.refresh_from_db()
        self.assertEqual(takedown.state, Takedown.State.ACTIVE)

    def test_the_backoff_stops_at_a_day(self) -> None:
        with serve() as site:
            takedown = self.start(site)
            for _ in range(8):
                services.takedown_check(takedown_id=takedown.pk)
        takedown.refresh_from_db()
        self.assertEqual(takedown.check_interval, 86400)

    def test_the_tick_queues_each_due_check_once(self) -> None:
        from django_tasks_db.models import DBTaskResult

        with serve() as site:
            takedown = self.start(site)
        now = timezone.now()
        Takedown.objects.filter(pk=takedown.pk).update(next_check_at=now - timedelta(minutes=1))
        with self.captureOnCommitCallbacks(execute=True):
            first = services.takedown_tick(now=now)
            second = services.takedown_tick(now=now)
        self.assertEqual((first["checks"], second["checks"]), (1, 0))
        queued = DBTaskResult.objects.filter(task_path="hotline.takedown.tasks.takedown_check")
        self.assertEqual(queued.count(), 1)
        # A worker that died with the task: after the lease the check is queued again.
        with self.captureOnCommitCallbacks(execute=True):
            later = services.takedown_tick(now=now + timedelta(minutes=11))
        self.assertEqual(later["checks"], 1)
