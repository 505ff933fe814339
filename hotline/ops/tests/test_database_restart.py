"""The database server stops in the middle of submissions, then comes back.

A private PostgreSQL cluster (hotline/testing/postgres.py; the machine's own server is never
stopped) serves a real `hotline serve` (gunicorn, a worker and the tick loop) while a client
keeps sending reports. The cluster is stopped as if it crashed (pg_ctl stop -m immediate):
the form must answer 503 with the clear page in the language of its address, never 500; once
the cluster is started again the form works without restarting anything, the worker and the
tick loop are still alive, every report is complete and every intake finishes.

It brings its own PostgreSQL, so it runs once, in the SQLite pass of the suite (skipped in the
PostgreSQL pass, and where PostgreSQL's binaries, runuser or root are missing). About a minute.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg
from django.db import connection
from django.test import SimpleTestCase
from django.utils import translation

from hotline.testing import postgres, processes
from hotline.testing.geoip import unused_port

PAGES = [("km", "ar"), ("sn", "fr"), ("gm", "en")]


class Stream:
    """A client sending reports in a loop, recording each answer under the current phase."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.phase = "before"
        self.answers: Counter[tuple[str, str]] = Counter()
        self.unavailable_pages: list[tuple[str, httpx.Response]] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        number = 0
        with httpx.Client(base_url=self.base, timeout=20,
                          headers={"Sec-Fetch-Site": "same-origin"}) as http:
            while not self.stopped.is_set():
                code, lang = PAGES[number % len(PAGES)]
                number += 1
                data = {"urls": f"https://restart.example.test/{number}\nexample.test/{number}",
                        "content_kind": "image", "description": "restart test"}
                phase = self.phase
                try:
                    r = http.post(f"/{code}/{lang}/report/", data=data)
                except httpx.HTTPError as e:
                    self.answers[phase, type(e).__name__] += 1
                    time.sleep(0.1)
                    continue
                self.answers[phase, str(r.status_code)] += 1
                if r.status_code == 503:
                    self.unavailable_pages.append((lang, r))
                time.sleep(0.05)

    def count(self, phase: str, outcome: str) -> int:
        return self.answers[phase, outcome]

    def wait_for(self, phase: str, outcome: str, n: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.count(phase, outcome) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f} s for {n} × {outcome} while "
                                     f"{phase}: {dict(self.answers)}")
            time.sleep(0.1)


class DatabaseRestartTestCase(SimpleTestCase):
    def setUp(self) -> None:
        if connection.vendor == "postgresql":
            self.skipTest("brings its own PostgreSQL: runs in the SQLite pass only")
        reason = postgres.unavailable()
        if reason:
            self.skipTest(f"no private PostgreSQL cluster: {reason}")

    def test_the_form_answers_503_while_the_database_is_down_and_recovers(self) -> None:
        with postgres.private_cluster() as cluster, \
                tempfile.TemporaryDirectory(prefix="restart-") as logs:
            cluster.createdb("hotline")
            env = processes.worker_env(
                cluster.url("hotline"), REPORT_RATE_LIMIT="1000000", CAPTURE_NEW_CASES="0",
                TASK_RUNNING_LIMIT_SECONDS="3", INTAKE_RETRY_AFTER_SECONDS="1",
                TICK_SECONDS="2")
            for args in (["migrate", "--noinput", "-v0"],
                         ["portals", "import", "hotline/portals/demo/network.yaml"]):
                subprocess.run([sys.executable, "-m", "hotline.cli", *args], cwd=processes.ROOT,
                               env=env, check=True, timeout=120, stdout=subprocess.DEVNULL)
            port = unused_port()
            with open(Path(logs) / "serve.log", "wb") as log:
                serve = processes.hotline("serve", "--port", str(port), env=env, log=log)
                stream = Stream(f"http://127.0.0.1:{port}")
                try:
                    processes.wait_until_serving(f"{stream.base}/gm/en/report/", process=serve)
                    # gunicorn, a worker per queue (default, capture) and the tick loop
                    self.assertEqual(len(processes.children(serve.pid)), 4)
                    stream.thread.start()
                    stream.wait_for("before", "200", 10, timeout=30)

                    stream.phase = "stopping"
                    cluster.stop(mode="immediate")
                    stream.phase = "down"
                    stream.wait_for("down", "503", 15, timeout=20)

                    stream.phase = "starting"
                    cluster.start()
                    stream.phase = "after"
                    stream.wait_for("after", "200", 10, timeout=30)
                    stream.stopped.set()
                    stream.thread.join(timeout=30)

                    self.assertIsNone(serve.poll(), "hotline serve ended")
                    self.assertEqual(len(processes.children(serve.pid)), 4,
                                     "a worker or the tick loop ended")
                    # Nobody intervenes: serve's own tick loop (every 2 s here) runs the
                    # recovery sweep for work cut off by the outage.
                    unfinished = self.wait_for_intake(cluster.url("hotline"), timeout=45)
                except BaseException:
                    stream.stopped.set()
                    processes.stop([serve])
                    print("hotline serve's log ends:\n", (Path(logs) / "serve.log").read_text(
                        errors="replace")[-5000:], file=sys.stderr)
                    raise
                finally:
                    stream.stopped.set()
                    processes.stop([serve])
            serve_log = (Path(logs) / "serve.log").read_text(errors="replace")

        outcomes = {f"{phase} {outcome}": n for (phase, outcome), n in stream.answers.items()}
        self.assertFalse([o for o in outcomes if o.endswith(" 500")], outcomes)
        self.assertEqual({o for o in outcomes if o.startswith("down ")}, {"down 503"}, outcomes)
        for lang, page in stream.unavailable_pages:
            with translation.override(lang):
                title = translation.gettext("Temporarily unavailable")
            self.assertIn(f'<html lang="{lang}"', page.text)
            self.assertIn(title, page.text)
            self.assertEqual(page.headers["Retry-After"], "60")
        self.assertEqual({lang for lang, _ in stream.unavailable_pages}, {"ar", "fr", "en"})
        self.assertEqual(unfinished, (0, 0, 0), serve_log[-3000:])

    def wait_for_intake(self, url: str, timeout: float) -> tuple[int, int, int]:
        """(reports without addresses, unfinished intakes, tasks waiting or running)."""
        deadline = time.monotonic() + timeout
        while True:
            with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
                counts = db.execute("""
                    SELECT (SELECT count(*) FROM intake_report r WHERE NOT EXISTS (
                                SELECT 1 FROM intake_reportedaddress a
                                WHERE a.report_id = r.id)),
                           (SELECT count(*) FROM intake_report WHERE intake_done_at IS NULL),
                           (SELECT count(*) FROM django_tasks_database_dbtaskresult
                            WHERE status IN ('READY', 'RUNNING'))""").fetchone()
                assert counts is not None
                total = db.execute("SELECT count(*) FROM intake_report").fetchone()
            assert total is not None and total[0] > 0
            if counts == (0, 0, 0) or time.monotonic() > deadline:
                return (int(counts[0]), int(counts[1]), int(counts[2]))
            time.sleep(0.5)
