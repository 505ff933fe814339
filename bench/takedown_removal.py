"""Part B of bench/takedown_latency.py: from a true removal to "Removed", on a simulated clock.

One variant runs in its own process on a Django test database (SQLite in memory). Every
``django.utils.timezone.now()`` (the takedown services, the models' timestamps and the task
queue's idea of what is due) reads a simulated clock that this script moves on from one event
to the next; everything else is real: the reports, captures and confirmations go through the
product's services, the task queue is django-tasks-db's, run by its own worker code in batch
mode whenever something is due, the takedown job of the tick (``takedown_tick``) runs every
TICK_SECONDS of simulated time, notices go to a loopback SMTP server, and each check fetches the
page from a loopback HTTP server. Page N answers with its body until its true removal time T
(confirmation + a draw uniform over 0..HOURS), and 404 from then on. The fetcher's TLS context
is built once instead of at every fetch (speed only: the pages are plain HTTP).

Ticks that would find nothing due are skipped (the clock jumps to the next tick that has work):
a tick with nothing due changes nothing, so the outcome is the same as ticking every minute.
Confirmations are spread PACE seconds of simulated time apart (not a multiple of the tick), so
they fall at every phase of the tick.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest import mock

from bench.common import ROOT, hotline_env

PACE = dt.timedelta(seconds=37)
# A page graded as a whole (no media items): each check is one fetch of it, present while its
# body is the one captured at confirmation, gone on 404 (the same rule as for a page whose
# images are checked by hash, at a third of the cost per check on this machine).
PAGE = ('<!doctype html><html><head><title>Page {i}</title></head><body>'
        '<h1>Page {i}</h1><p>Benign synthetic text {i}.</p></body></html>')
AFTER_ALL = dt.timedelta(days=40)  # give up this long after the last true removal


class SimClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def run_variant(*, draws: int, hours: float, seed: int, fixed_interval: bool,
                out: Path) -> None:
    rng = random.Random(seed)  # noqa: S311 (draws, not secrets)
    offsets = [dt.timedelta(seconds=rng.uniform(0, hours * 3600)) for _ in range(draws)]
    with tempfile.TemporaryDirectory(prefix="hotline-bench-removal-") as tmpdir, \
            ExitStack() as stack:
        tmp = Path(tmpdir)
        from hotline.testing.smtp import smtp_server

        box = stack.enter_context(smtp_server())
        env = hotline_env(
            DATABASE_URL=f"sqlite:///{tmp / 'unused.sqlite3'}", HOTLINE_VAR_DIR=str(tmp),
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(box.port), EMAIL_TIMEOUT="10",
            DNS_RESOLVERS="127.0.0.1:9", DNS_TIMEOUT="1",  # no name is looked up: IP hosts
            FETCH_ALLOW_NETWORKS="127.0.0.1/32", CAPTURE_NEW_CASES="0",
            RECEIPT_ARGON2_MEMORY_KIB="8192", RECEIPT_ARGON2_TIME_COST="2",
            LOG_LEVEL="WARNING")
        if fixed_interval:  # the baseline: every re-check 15 minutes after the last
            env["RECHECK_MAX_SECONDS"] = env.get("RECHECK_FIRST_SECONDS", "900")
        os.environ.clear()
        os.environ.update(env, DJANGO_SETTINGS_MODULE="hotline.settings")
        import django

        django.setup()
        for name in ("django_tasks", "django_tasks_db", "mail.log", "hotline"):
            logging.getLogger(name).setLevel(logging.ERROR)
        from django.db import connection

        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        clock = SimClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
        stack.enter_context(mock.patch("django.utils.timezone.now", clock))
        # Every fetch builds a TLS context from certifi's bundle (about 0.1 s of CPU on this
        # machine), unused for the loopback pages (plain HTTP): build it once, so that
        # thousands of simulated checks fit in minutes. Nothing a check sees changes.
        from hotline.lib import fetcher

        tls = fetcher._tls_context()
        stack.enter_context(mock.patch.object(fetcher, "_tls_context", lambda: tls))
        began = time.perf_counter()
        result = _simulate(clock, offsets, stack)
        result["seconds"] = time.perf_counter() - began
        result.update(draws=draws, hours=hours, seed=seed, fixed_interval=fixed_interval,
                      messages=len(box.messages))
    out.write_text(json.dumps(result, indent=1, default=str))


def _site(clock: SimClock, removal: dict[int, dt.datetime], stack: ExitStack) -> Any:
    from hotline.testing.httpserver import Route, serve

    site = stack.enter_context(serve())

    def answer(i: int, route: Route) -> Callable[[Any], Route]:
        gone = Route(status=404, body=b"Not found")
        return lambda _headers: gone if clock.now >= removal[i] else route

    for i in removal:
        site.routes[f"/page/{i}"] = Route(
            choose=answer(i, Route(body=PAGE.format(i=i).encode())))
    return site


def _simulate(clock: SimClock, offsets: list[dt.timedelta], stack: ExitStack
              ) -> dict[str, Any]:
    from django.conf import settings
    from django_tasks_db.management.commands.db_worker import Worker

    from bench.takedown_notices import DIRECTORY
    from hotline.accounts.models import User
    from hotline.takedown.directory import directory_import, load_file
    from hotline.takedown.models import Takedown
    from hotline.takedown.services import takedown_tick
    from hotline.testing.base import load_demo_network

    load_demo_network()
    directory_import(data=load_file(ROOT / DIRECTORY))
    analyst = User.objects.create_user("analyst@hub.example.test", None, role=User.Role.ANALYST)
    senior = User.objects.create_user("senior@hub.example.test", None, role=User.Role.SENIOR)
    t0 = clock.now
    confirm_at = [t0 + PACE * i for i in range(len(offsets))]
    removal = {i: confirm_at[i] + offsets[i] for i in range(len(offsets))}
    site = _site(clock, removal, stack)
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="bench-simulated",
                    excluded_queue_names=[])
    tick = dt.timedelta(seconds=settings.TICK_SECONDS)
    first_tick = t0 + dt.timedelta(seconds=17)  # any phase: confirmations come at all of them
    case_of: dict[int, int] = {}  # draw -> case
    removed_seen: dict[int, dt.datetime] = {}  # case -> simulated time it became REMOVED
    end = max(removal.values()) + AFTER_ALL
    events = ticks = 0
    i = 0
    while clock.now < end:
        t_conf = confirm_at[i] if i < len(confirm_at) else None
        t_task = _next_task(clock.now)
        t_work = _next_tick_work(settings)
        t_tick = None
        if t_work is not None:
            k = max(0, -(-(max(t_work, clock.now) - first_tick) // tick))
            t_tick = first_tick + tick * k
        times = [t for t in (t_conf, t_task, t_tick) if t is not None]
        if not times:
            break
        clock.now = max(clock.now, min(times))
        events += 1
        if t_conf is not None and clock.now >= t_conf:
            case_of[i] = _confirm(i, site, analyst, senior)
            i += 1
        worker.run()
        if t_tick is not None and clock.now >= t_tick:
            takedown_tick(clock.now)
            ticks += 1
            worker.run()
        # What the receipt reads: "Removed" once the takedown has a removal time.
        for case_id in Takedown.objects.filter(removed_at__isnull=False).exclude(
                case_id__in=removed_seen).values_list("case_id", flat=True):
            removed_seen[case_id] = clock.now
        if i == len(confirm_at) and len(removed_seen) == len(confirm_at):
            break
    return _outcome(case_of, removal, removed_seen, events=events, ticks=ticks,
                    simulated=clock.now - t0)


def _next_task(now: dt.datetime) -> dt.datetime | None:
    """When the next queued task becomes due (one due already: now)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.filter(status="READY")
    if ready.filter(run_after=get_date_max()).exists():
        return now
    first = ready.order_by("run_after").values_list("run_after", flat=True).first()
    return max(now, first) if first is not None else None


def _next_tick_work(settings: Any) -> dt.datetime | None:
    """The earliest time at which the takedown tick finds something to do."""
    from django.db.models import Min

    from hotline.takedown.models import Notice, Takedown
    from hotline.takedown.services import LEASE

    live = Takedown.objects.filter(state__in=[Takedown.State.ACTIVE, Takedown.State.REMOVED])
    check = live.aggregate(at=Min("next_check_at"))["at"]
    notified = Takedown.objects.filter(state=Takedown.State.ACTIVE).aggregate(
        at=Min("last_notice_at"))["at"]
    resend = notified + dt.timedelta(hours=settings.RESEND_AFTER_HOURS) if notified else None
    stuck = Notice.objects.filter(state=Notice.State.PENDING).aggregate(at=Min("queued_at"))["at"]
    stuck = stuck + LEASE if stuck else None
    times = [t for t in (check, resend, stuck) if t is not None]
    return min(times) if times else None


def _confirm(i: int, site: Any, analyst: Any, senior: Any) -> int:
    """A report of page i, taken in, captured and confirmed, as in production."""
    from hotline.capture.services import case_capture
    from hotline.cases import services as cases
    from hotline.cases.models import Case
    from hotline.intake.services import report_submit
    from hotline.portals.models import Portal
    from hotline.testing.base import confirm_case

    portal = Portal.objects.get(code="gm")
    report = report_submit(portal=portal, language="en", urls=[site.url(f"/page/{i}")],
                           content_kind="image").report
    cases.report_intake(report_id=report.pk)
    case = Case.objects.get(links__report=report)
    case_capture(case_id=case.pk)
    confirm_case(case, analyst=analyst, senior=senior)
    return int(case.pk)


def _outcome(case_of: dict[int, int], removal: dict[int, dt.datetime],
             removed_seen: dict[int, dt.datetime], **run: Any) -> dict[str, Any]:
    from django.db.models import Count, Q

    from hotline.cases.progress import ReportStatus, report_progress
    from hotline.intake.models import Report
    from hotline.takedown.models import Notice, Takedown

    takedowns = {t.case_id: t for t in Takedown.objects.annotate(
        n_checks=Count("checks", filter=Q(checks__follow_up=False)),
        n_presend=Count("checks", filter=Q(checks__before_notice=True)))}
    notices = dict(Notice.objects.values_list("state").annotate(n=Count("id")))
    kinds = dict(Notice.objects.values_list("kind").annotate(n=Count("id")))
    rows = []
    for i, case_id in case_of.items():
        t = takedowns[case_id]
        report = Report.objects.get(case_links__case_id=case_id)
        rows.append({
            "draw": i, "case": case_id, "confirmed_at": t.confirmed_at.timestamp(),
            "true_removal": removal[i].timestamp(), "state": t.state,
            "removed_seen": removed_seen[case_id].timestamp() if case_id in removed_seen
            else None,
            "gone_since": t.removed_at.timestamp() if t.removed_at else None,
            "time_to_removal": t.time_to_removal.total_seconds() if t.time_to_removal
            else None,
            "receipt_removed": report_progress(report).status == ReportStatus.REMOVED,
            "checks": t.n_checks, "presend_looks": t.n_presend})
    return {"rows": rows, "notices": notices, "notice_kinds": kinds,
            "events": run["events"], "ticks": run["ticks"],
            "simulated_days": run["simulated"].total_seconds() / 86400}
