"""A worker killed with SIGKILL in the middle of a re-check loses nothing: the check runs again.

Needs a database a second process can open: it runs on PostgreSQL (make test's second pass)
and is skipped on the in-memory SQLite of the first.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from datetime import timedelta

from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from hotline.cases.models import Case
from hotline.takedown import services
from hotline.takedown.models import Check, Takedown
from hotline.testing.httpserver import Route, serve
from hotline.testing.processes import ROOT, worker_env


def _worker_env() -> dict[str, str]:
    return worker_env(FETCH_ALLOW_NETWORKS="127.0.0.1/32", FETCH_READ_TIMEOUT="60",
                      FETCH_TOTAL_TIMEOUT="120")


class WorkerKilledTestCase(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("needs a database shared with a worker process (PostgreSQL)")

    def test_a_killed_check_is_run_again(self) -> None:
        with serve() as site:
            site.routes["/item"] = Route(body=b"<html>stand-in</html>", delay=30)
            now = timezone.now()
            case = Case.objects.create(url=site.url("/item"), url_sha256="x" * 64,
                                       host="127.0.0.1", registrable_domain="127.0.0.1",
                                       status=Case.Status.CLOSED, verdict="csam",
                                       confirmed=True, first_reported=now, last_reported=now)
            # The confirmed page's hash: what tells "still there" for a page without items.
            takedown = Takedown.objects.create(case=case, state=Takedown.State.ACTIVE,
                                               confirmed_at=now, next_check_at=now,
                                               route="police", recorded_sha256=hashlib.sha256(
                                                   b"<html>stand-in</html>").hexdigest())
            services.takedown_tick(now=now)  # queues the check
            worker = subprocess.Popen(
                [sys.executable, "-m", "hotline.cli", "worker", "--no-startup-delay",
                 "--interval", "0.2"], cwd=ROOT, env=_worker_env(),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 60
                while not site.requests and time.monotonic() < deadline:
                    time.sleep(0.1)
                self.assertTrue(site.requests, "the worker never started the check")
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)
            # Killed mid-fetch: nothing recorded, the check still due after its lease.
            self.assertFalse(Check.objects.exists())
            takedown.refresh_from_db()
            self.assertEqual(takedown.state, Takedown.State.ACTIVE)
            assert takedown.next_check_at is not None
            self.assertLessEqual(takedown.next_check_at, now + services.LEASE)

            site.routes["/item"] = Route(body=b"<html>stand-in</html>")
            counts = services.takedown_tick(now=now + services.LEASE + timedelta(seconds=1))
            self.assertEqual(counts["checks"], 1)
            subprocess.run([sys.executable, "-m", "hotline.cli", "worker", "--batch",
                            "--no-startup-delay"], cwd=ROOT, env=_worker_env(), check=True,
                           timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        checks = list(Check.objects.filter(takedown=takedown))
        self.assertEqual([c.outcome for c in checks], [Check.Outcome.PRESENT])
