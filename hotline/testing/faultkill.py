"""Fault test: public reports sent while web and background workers are SIGKILLed at random.

Used by ``bench/fault_kill.py`` (10,000 reports, a throwaway PostgreSQL database) and by the
smaller PostgreSQL test in ``hotline/intake/tests/test_fault_kill.py``. The caller has Django
set up on the same database as the processes it starts, and the same receipt pepper and
Argon2 cost, so that acknowledged receipts can be found again through their hash.

- :class:`Fleet` runs gunicorn (the project's gunicorn_conf.py), N ``hotline worker`` and the
  ``hotline takedown tick`` loop, which runs the recovery sweep;
- :func:`send_reports` posts reports from several client threads and keeps every receipt code
  a response acknowledged, with the addresses sent;
- :func:`chaos` SIGKILLs a random gunicorn worker (the master starts a new one) or a random
  ``hotline worker`` (started again at once) until told to stop;
- :func:`wait_drained` waits until every report is taken in and no task waits or runs;
- :func:`verify` counts what must be zero: acknowledged reports missing, stored twice or with
  other addresses, reports without addresses, unfinished intakes, unlinked addresses, tasks
  left waiting or running.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from hotline.testing import processes

PAGES = [("gm", "en"), ("sn", "fr"), ("km", "fr"), ("km", "ar")]
RECEIPT = re.compile(r'class="code" dir="ltr">([\d ]+)<')
KINDS = ["image", "video", "website", "other"]
# Problems: each must be zero after the run.
PROBLEMS = ("acknowledged_missing", "acknowledged_duplicated", "acknowledged_other_addresses",
            "reports_without_addresses", "intake_unfinished", "addresses_unlinked",
            "links_to_another_url", "open_cases_duplicated", "tasks_waiting_or_running")


@dataclass
class Sent:
    code: str
    urls: list[str]


@dataclass
class Load:
    acknowledged: list[Sent] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)  # "200", "503", "ReadError", ...
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(self.outcomes.values())


class Fleet:
    """The product's processes on 127.0.0.1:port; logs go to log_dir."""

    def __init__(self, env: Mapping[str, str], port: int, *, task_workers: int = 2,
                 tick_seconds: int = 5, log_dir: Path) -> None:
        self.env, self.port, self.tick_seconds = dict(env), port, tick_seconds
        self.log_dir = log_dir
        self.logs: list[IO[Any]] = []
        self.web: subprocess.Popen[bytes] | None = None
        self.tick: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes] | None] = [None] * task_workers
        self.kills: Counter[str] = Counter()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _log(self, name: str) -> IO[Any]:
        log = (self.log_dir / f"{name}.log").open("ab")
        self.logs.append(log)
        return log

    def _start_worker(self, slot: int) -> None:
        self.workers[slot] = processes.hotline(
            "worker", "--no-startup-delay", "--interval", "0.2", env=self.env,
            log=self._log(f"worker-{slot}"))

    def start(self) -> None:
        self.web = processes.gunicorn(self.port, env=self.env, log=self._log("gunicorn"))
        for slot in range(len(self.workers)):
            self._start_worker(slot)
        self.tick = processes.hotline("takedown", "tick", "--loop", str(self.tick_seconds),
                                      env=self.env, log=self._log("tick"))
        processes.wait_until_serving(f"{self.base}/gm/en/report/", process=self.web)

    def kill_web_worker(self, rng: random.Random) -> bool:
        assert self.web is not None
        pids = processes.children(self.web.pid)
        if not pids:
            return False
        try:
            os.kill(rng.choice(pids), signal.SIGKILL)
        except ProcessLookupError:
            return False
        self.kills["web"] += 1
        return True

    def kill_task_worker(self, rng: random.Random) -> None:
        slot = rng.randrange(len(self.workers))
        worker = self.workers[slot]
        assert worker is not None
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        self.kills["worker"] += 1
        self._start_worker(slot)

    def check_alive(self) -> None:
        for p in [self.web, self.tick, *self.workers]:
            if p is None or p.poll() is not None:
                raise RuntimeError(f"a process of the fleet ended: {p and p.args!r}; logs in "
                                   f"{self.log_dir}")

    def stop(self) -> None:
        processes.stop([p for p in [self.web, self.tick, *self.workers] if p is not None])
        for log in self.logs:
            log.close()


def report_urls(rng: random.Random, sites: int = 200) -> list[str]:
    """One to three addresses from a small pool, so that reports share cases."""
    urls = {f"https://site{rng.randrange(sites)}.example.test/item/{rng.randrange(10)}"
            for _ in range(rng.randint(1, 3))}
    return sorted(urls)


def send_reports(base: str, n: int, *, clients: int = 8, seed: int = 1,
                 progress: Callable[[int], None] | None = None) -> Load:
    """Post n reports from `clients` threads; keep the receipt of every acknowledged one."""
    load = Load()
    numbers = itertools.count()
    lock = threading.Lock()

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)  # noqa: S311 (test data, not secrets)
        headers = {"Sec-Fetch-Site": "same-origin"}
        with httpx.Client(base_url=base, timeout=60, headers=headers) as http:
            while (number := next(numbers)) < n:
                code, lang = rng.choice(PAGES)
                urls = report_urls(rng)
                data = {"urls": "\n".join(urls), "content_kind": rng.choice(KINDS),
                        "description": f"fault test {number}" if rng.random() < 0.3 else "",
                        "where_found": "", "contact": "", "website": ""}
                try:
                    r = http.post(f"/{code}/{lang}/report/", data=data)
                    outcome = str(r.status_code)
                    match = RECEIPT.search(r.text) if r.status_code == 200 else None
                except httpx.HTTPError as e:
                    outcome, match = type(e).__name__, None
                with lock:
                    load.outcomes[outcome] += 1
                    if match:
                        load.acknowledged.append(Sent(match.group(1).replace(" ", ""), urls))
                if progress is not None and number % 500 == 0:
                    progress(number)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = time.monotonic() - started
    return load


def chaos(fleet: Fleet, stop: threading.Event, *, seed: int = 1,
          every: tuple[float, float] = (1.0, 3.0), web_share: float = 0.5) -> None:
    """Kill a random web or background worker every `every` seconds until stop is set."""
    rng = random.Random(seed)  # noqa: S311 (test schedule, not secrets)
    while not stop.wait(rng.uniform(*every)):
        if rng.random() < web_share:
            fleet.kill_web_worker(rng)
        else:
            fleet.kill_task_worker(rng)


def _pending() -> tuple[int, int]:
    from django_tasks_db.models import DBTaskResult

    from hotline.intake.models import Report

    return (Report.objects.filter(intake_done_at__isnull=True).count(),
            DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count())


def wait_drained(timeout: float) -> float:
    """Seconds until every intake finished and no task waits or runs (TimeoutError after)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _pending() == (0, 0):
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"not drained after {timeout:.0f} s: (unfinished intakes, tasks "
                       f"waiting or running) = {_pending()}")


def verify(load: Load) -> dict[str, int]:
    """Figures of the database against what the clients were acknowledged."""
    from django.db.models import Count, F, Q
    from django_tasks_db.models import DBTaskResult

    from hotline.cases.models import Case, CaseReport
    from hotline.intake.models import Report, ReportedAddress
    from hotline.lib import receipts
    from hotline.ops.recovery import WORKER_LOST

    digests = [receipts.key(s.code) for s in load.acknowledged]
    stored = {digest: sorted(a.submitted for a in report.addresses.all())
              for digest, report in ((r.receipt_key, r) for r in
                                     Report.objects.prefetch_related("addresses"))}
    missing = sum(1 for d in digests if d not in stored)
    other = sum(1 for d, s in zip(digests, load.acknowledged, strict=True)
                if d in stored and stored[d] != sorted(s.urls))
    linked = CaseReport.objects.values("address")
    tasks = DBTaskResult.objects
    return {
        "reports_sent": load.sent,
        "acknowledged": len(load.acknowledged),
        "reports_stored": len(stored),
        "stored_unacknowledged": len(stored) - len(set(digests) & set(stored)),
        "addresses": ReportedAddress.objects.count(),
        "cases": Case.objects.count(),
        "case_links": CaseReport.objects.count(),
        "tasks_successful": tasks.filter(status="SUCCESSFUL").count(),
        "tasks_failed_worker_lost": tasks.filter(status="FAILED",
                                                 exception_class_path=WORKER_LOST).count(),
        "tasks_failed_other": tasks.filter(status="FAILED").exclude(
            exception_class_path=WORKER_LOST).count(),
        "acknowledged_missing": missing,
        "acknowledged_duplicated": len(digests) - len(set(digests)),
        "acknowledged_other_addresses": other,
        "reports_without_addresses": Report.objects.filter(addresses__isnull=True).count(),
        "intake_unfinished": Report.objects.filter(intake_done_at__isnull=True).count(),
        "addresses_unlinked": ReportedAddress.objects.exclude(pk__in=linked).count(),
        "links_to_another_url": CaseReport.objects.exclude(
            case__url=F("address__canonical_url")).count(),
        "open_cases_duplicated": Case.objects.exclude(status="closed").values("url_sha256")
        .annotate(n=Count("id")).filter(n__gt=1).count(),
        "tasks_waiting_or_running": tasks.filter(Q(status="READY") | Q(status="RUNNING"))
        .count(),
    }
