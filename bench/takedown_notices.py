"""Part A of bench/takedown_latency.py: from a confirmation to the notice accepted by SMTP.

One phase (one NOTICE_GROUP_SECONDS) runs in its own process, on its own SQLite file:
``hotline serve`` (gunicorn, the two task workers, the tick every TICK_SECONDS) with a loopback
SMTP server (aiosmtpd, run here) as EMAIL_HOST, a loopback DNS server (dnslib) that maps
``site-N.example.test`` to 127.0.0.1 as DNS_RESOLVERS, and a loopback HTTP server serving each
page (a benign page showing one synthetic image). This process, with Django set up against the
same file, stores the reports, takes them in, waits for the serve's capture worker to capture
every page, then confirms the cases at a fixed rate with the services analysts use (claim,
assess CSAM, claim, agree in second review) and notes when each confirming transaction
returned (committed). The SMTP handler notes when each message was accepted and which cases
its XARF reports name (their ``case:N`` tag). Results go to a JSON file for the parent.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import ROOT, free_port, hotline, hotline_env, stop, wait_http

DIRECTORY = "hotline/takedown/demo/directory.yaml"
PAGE = ('<!doctype html><html><head><title>Gallery {i}</title></head><body>'
        '<h1>Gallery {i}</h1><img src="/img/{i}.png" alt=""></body></html>')


@dataclass
class Accepted:
    """One message the SMTP server accepted."""

    at: float
    to: list[str]
    cases: list[int]


@dataclass
class Recorder:
    """aiosmtpd handler: accept every message and note when, to whom and for which cases."""

    messages: list[Accepted] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = time.time()
        message = email.message_from_bytes(envelope.content)
        cases = []
        for part in message.walk():
            if part.get_content_type() != "application/json":
                continue
            payload = part.get_payload(decode=True)
            report = json.loads(payload if isinstance(payload, bytes) else b"{}")
            cases += [int(tag.split(":", 1)[1]) for tag in report.get("tags", [])
                      if tag.startswith("case:")]
        with self.lock:
            self.messages.append(Accepted(at, list(envelope.rcpt_tos), cases))
        return "250 Message accepted for delivery"

    def cases_seen(self) -> set[int]:
        with self.lock:
            return {case for m in self.messages for case in m.cases}


def _epoch(value: dt.datetime | None) -> float:
    return value.timestamp() if value is not None else float("nan")


def run_phase(*, n: int, rate: float, group_seconds: int, timeout: float,
              out: Path) -> None:
    from aiosmtpd.controller import Controller

    from hotline.testing.dns import dns_server
    from hotline.testing.httpserver import Route, serve
    from hotline.testing.images import synthetic_image

    with tempfile.TemporaryDirectory(prefix="hotline-bench-takedown-") as tmpdir, \
            ExitStack() as stack:
        tmp = Path(tmpdir)
        db = tmp / "hotline.sqlite3"
        site = stack.enter_context(serve())
        for i in range(n):
            site.routes[f"/gallery/{i}"] = Route(body=PAGE.format(i=i).encode())
            site.routes[f"/img/{i}.png"] = Route(body=synthetic_image(seed=i),
                                                 content_type="image/png")
        zone = {f"site-{i}.example.test": [("A", "127.0.0.1")] for i in range(n)}
        dns_port = stack.enter_context(dns_server(zone))
        recorder = Recorder()
        smtp_port = free_port()
        controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        stack.callback(controller.stop)
        env = hotline_env(
            DATABASE_URL=f"sqlite:///{db}", HOTLINE_VAR_DIR=str(tmp),
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port), EMAIL_TIMEOUT="10",
            DNS_RESOLVERS=f"127.0.0.1:{dns_port}", DNS_TIMEOUT="2",
            FETCH_ALLOW_NETWORKS="127.0.0.1/32", CAPTURE_NEW_CASES="1",
            NOTICE_GROUP_SECONDS=str(group_seconds),
            # The receipt's Argon2id cost is paid while storing reports, before anything is
            # timed: the test suite's cheaper parameters keep the set-up short.
            RECEIPT_ARGON2_MEMORY_KIB="8192", RECEIPT_ARGON2_TIME_COST="2")
        hotline(["migrate", "--noinput", "-v0"], env)
        hotline(["portals", "import", "hotline/portals/demo/network.yaml"], env)
        hotline(["keys", "generate", "--if-missing"], env)
        hotline(["takedown", "directory", "import", DIRECTORY], env)
        os.environ.clear()
        os.environ.update(env, DJANGO_SETTINGS_MODULE="hotline.settings")
        import django

        django.setup()
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's every command
        from django.conf import settings

        web = free_port()
        log = (tmp / "serve.log").open("ab")
        stack.callback(log.close)
        proc = subprocess.Popen([sys.executable, "-m", "hotline.cli", "serve", "--host",
                                 "127.0.0.1", "--port", str(web)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        stack.callback(stop, proc)
        wait_http(f"http://127.0.0.1:{web}/", 90, proc)
        result = _drive(n=n, rate=rate, site_port=site.port, recorder=recorder,
                        timeout=timeout, proc=proc)
        stop(proc)
        result.update(_from_database(result["confirmed"]))
        result.update(group_seconds=settings.NOTICE_GROUP_SECONDS,
                      tick_seconds=settings.TICK_SECONDS,
                      worker_interval=settings.WORKER_INTERVAL,
                      messages=[m.__dict__ for m in recorder.messages])
        if recorder.messages and not any(m.cases for m in recorder.messages):
            result["problem"] = "messages without XARF case tags"
        tail = (tmp / "serve.log").read_text(errors="replace").splitlines()[-15:]
        result["serve_log_tail"] = tail
    out.write_text(json.dumps(result, indent=1, default=str))


def _drive(*, n: int, rate: float, site_port: int, recorder: Recorder, timeout: float,
           proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Store and take in n reports, wait for their captures, confirm them at rate."""
    from hotline.accounts.models import User
    from hotline.capture.models import Capture
    from hotline.cases import services as cases
    from hotline.cases.models import Case
    from hotline.intake.services import report_submit
    from hotline.portals.models import Portal
    from hotline.testing.base import confirm_case

    analyst = User.objects.create_user("analyst@hub.example.test", None, role=User.Role.ANALYST)
    senior = User.objects.create_user("senior@hub.example.test", None, role=User.Role.SENIOR)
    portal = Portal.objects.filter(enabled=True).order_by("id").first()
    assert portal is not None
    case_ids: list[int] = []
    began = time.time()
    for i in range(n):
        url = f"http://site-{i}.example.test:{site_port}/gallery/{i}"
        report = report_submit(portal=portal, language=portal.languages[0], urls=[url],
                               content_kind="image", where_found="a forum").report
        cases.report_intake(report_id=report.pk)  # the worker's copy of the task finds it done
        case_ids.append(Case.objects.get(links__report=report).pk)
    deadline = time.time() + max(120.0, n * 2.0)
    while time.time() < deadline:
        captured = Capture.objects.filter(case_id__in=case_ids).values("case_id").distinct()
        if captured.count() >= n:
            break
        if proc.poll() is not None:
            raise RuntimeError("hotline serve stopped")
        time.sleep(0.5)
    captures_ok = Capture.objects.filter(case_id__in=case_ids, status=200).count()
    setup_seconds = time.time() - began
    time.sleep(2.0)
    confirmed: dict[int, float] = {}
    start = time.perf_counter()
    for i, case_id in enumerate(case_ids):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        confirm_case(Case.objects.get(pk=case_id), analyst=analyst, senior=senior)
        confirmed[case_id] = time.time()  # confirm_case returns after the commit
    confirming = time.perf_counter() - start
    deadline = time.time() + timeout
    while time.time() < deadline and not set(confirmed) <= recorder.cases_seen():
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    return {"n": n, "rate": rate, "setup_seconds": setup_seconds,
            "captures": len(case_ids), "captures_ok": captures_ok,
            "confirming_seconds": confirming,
            "confirmed": {str(k): v for k, v in confirmed.items()},
            "timed_out": sorted(set(confirmed) - recorder.cases_seen())}


def _from_database(confirmed: dict[str, float]) -> dict[str, Any]:
    """Each case's takedown and notice times, and the task queue's, from the database."""
    from django_tasks_db.models import DBTaskResult

    from hotline.hosting.models import Trace
    from hotline.takedown.models import Notice, Takedown

    ids = [int(k) for k in confirmed]
    takedowns = {t.case_id: t for t in Takedown.objects.filter(case_id__in=ids)}
    notices = {}
    for notice in Notice.objects.filter(takedown__case_id__in=ids).select_related("takedown"):
        notices[notice.takedown.case_id] = {
            "queued_at": _epoch(notice.queued_at), "send_after": _epoch(notice.send_after),
            "sent_at": _epoch(notice.sent_at), "state": notice.state, "kind": notice.kind,
            "batch": str(notice.batch), "recipient": notice.recipient_email}
    traces = {t.case_id: t.result.get("seconds", float("nan"))
              for t in Trace.objects.filter(case_id__in=ids)}
    tasks: dict[str, list[list[float]]] = {}
    for row in DBTaskResult.objects.filter(task_path__startswith="hotline.takedown."):
        tasks.setdefault(row.task_path.rsplit(".", 1)[-1], []).append(
            [_epoch(row.enqueued_at), _epoch(row.run_after if row.run_after.year < 9999
                                             else None),
             _epoch(row.started_at), _epoch(row.finished_at)])
    return {"takedowns": {str(k): {"state": t.state, "route": t.route,
                                   "confirmed_at": _epoch(t.confirmed_at)}
                          for k, t in takedowns.items()},
            "notices": {str(k): v for k, v in notices.items()},
            "traces": {str(k): v for k, v in traces.items()},
            "tasks": tasks}
