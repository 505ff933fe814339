"""A slow site being captured never holds up intake: captures run on their own queue and
worker (`hotline worker --queue capture`), as `hotline serve` runs them.

Needs a database a second process can open: it runs on PostgreSQL (make test's second pass)
and is skipped on the in-memory SQLite of the first.
"""

from __future__ import annotations

import time
from functools import partial

from django.db import connection, transaction
from django.test import TransactionTestCase
from django_tasks_db.models import DBTaskResult

from hotline.capture.tasks import case_capture
from hotline.cases.models import Case
from hotline.intake.models import Report
from hotline.intake.services import report_store
from hotline.portals.models import Portal
from hotline.testing.httpserver import Route, serve
from hotline.testing.processes import hotline, stop, worker_env


def wait_for(condition: partial[bool] | object, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


class CaptureQueueTestCase(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("needs a database shared with worker processes (PostgreSQL)")
        self.portal = Portal.objects.create(code="gm", name="The Gambia", country="GM",
                                            languages=["en"])

    def store(self, url: str) -> Report:
        with transaction.atomic():
            return report_store([url], portal=self.portal, language="en",
                                content_kind="image", receipt_digest=url[-40:])

    def test_intake_goes_on_while_a_tarpit_is_captured(self) -> None:
        env = worker_env(CAPTURE_NEW_CASES="1", FETCH_ALLOW_NETWORKS="127.0.0.1/32",
                         FETCH_READ_TIMEOUT="120", FETCH_TOTAL_TIMEOUT="240")
        with serve() as site:
            site.routes["/tarpit"] = Route(body=b"<html></html>", delay=90)  # no headers
            site.routes["/fine"] = Route(body=b"<html></html>")
            workers = [hotline("worker", "--no-startup-delay", "--interval", "0.2", env=env),
                       hotline("worker", "--queue", "capture", "--no-startup-delay",
                               "--interval", "0.2", env=env)]
            try:
                first = self.store(site.url("/tarpit"))
                self.assertTrue(wait_for(lambda: any(p == "/tarpit" for p, _ in site.requests)),
                                "the capture never reached the tarpit")
                second = self.store(site.url("/fine"))
                self.assertTrue(wait_for(lambda: Report.objects.filter(
                    pk=second.pk, intake_done_at__isnull=False).exists()),
                    "the second report was not taken in while the tarpit held a capture")
                tarpit_case = Case.objects.get(links__report=first)
                # ...and at that moment the tarpit's capture was still running.
                self.assertTrue(DBTaskResult.objects.filter(
                    task_path=case_capture.module_path, status="RUNNING",
                    args_kwargs__args__0=tarpit_case.pk).exists())
                self.assertFalse(tarpit_case.captures.exists())
            finally:
                stop(workers, timeout=5)
