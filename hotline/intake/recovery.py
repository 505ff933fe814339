"""Recovery after killed processes: intakes that never finished, tasks whose worker died.

django-tasks-db marks a task RUNNING when a worker claims it, and only that worker ever moves
it on. A worker killed with SIGKILL (or lost with its machine, or cut off from the database
while recording the result) leaves the row RUNNING for ever and nothing runs the task again;
the report's intake transaction was rolled back, so the report never reaches a case. A web
process killed between storing a report and queuing its intake leaves a report with no task at
all. The sweep repairs both, without anyone having to notice:

1. a task RUNNING for longer than ``TASK_RUNNING_LIMIT_SECONDS`` is marked FAILED: its worker
   is presumed dead (a worker that was merely slow still records its own result afterwards);
2. a report whose intake has not finished ``INTAKE_RETRY_AFTER_SECONDS`` after it arrived and
   that has no intake task waiting or running gets a new one, until ``INTAKE_MAX_ATTEMPTS``
   intake tasks of it have failed; then it is logged for staff instead of retried for ever.

Intake is idempotent (``report_intake`` locks the report and marks it done in the same
transaction; cases and links are unique), so a report queued twice is taken in once.

It runs in every ``hotline takedown tick``, which ``hotline serve`` repeats every minute and
production runs somewhere anyway: a sweep only at worker start would miss the reports whose
worker is not restarted, and those a web process left without a task. Several sweeps may run at
once: the update of step 1 is conditional, and step 2 re-checks under the report's lock (which
a running intake also holds) before queuing.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Report
from .tasks import intake_report

log = logging.getLogger(__name__)

WORKER_LOST = "hotline.intake.recovery.WorkerLost"
CHUNK = 500


def recovery_sweep(now: datetime | None = None) -> dict[str, int]:
    """Fail tasks whose worker died, then queue again the intakes that never finished."""
    now = now or timezone.now()
    counts = {"tasks_failed": tasks_fail_stale(now=now)}
    counts.update(intake_requeue(now=now))
    return counts


def tasks_fail_stale(*, now: datetime) -> int:
    """Mark tasks RUNNING for longer than the limit as failed. Returns how many."""
    limit = settings.TASK_RUNNING_LIMIT_SECONDS
    failed = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=limit)
    ).update(
        status=TaskResultStatus.FAILED, finished_at=now, exception_class_path=WORKER_LOST,
        traceback=f"Marked failed by the recovery sweep: still running after {limit} s, so its "
                  f"worker is presumed dead (killed, or cut off from the database).\n",
    )
    if failed:
        log.warning("recovery: %d task(s) running for over %d s marked failed", failed, limit)
    return failed


def _intake_tasks(report_ids: list[int]) -> Counter[tuple[int, str]]:
    """(report id, status) → number of intake tasks, for the given reports."""
    rows = DBTaskResult.objects.filter(
        task_path=intake_report.module_path, args_kwargs__args__0__in=report_ids
    ).values_list("args_kwargs", "status")
    return Counter((int(args["args"][0]), status) for args, status in rows)


def _has_pending_intake(report_id: int) -> bool:
    return DBTaskResult.objects.filter(
        task_path=intake_report.module_path, args_kwargs__args__0=report_id,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()


def intake_requeue(*, now: datetime) -> dict[str, int]:
    """Queue intake again for reports left behind. Returns counts queued and given up."""
    cutoff = now - timedelta(seconds=settings.INTAKE_RETRY_AFTER_SECONDS)
    unfinished = Report.objects.filter(intake_done_at__isnull=True, received_at__lte=cutoff)
    counts = {"intake_requeued": 0, "intake_given_up": 0}
    after = 0
    while True:
        chunk = list(unfinished.filter(pk__gt=after).order_by("pk")
                     .values_list("pk", flat=True)[:CHUNK])
        if not chunk:
            return counts
        after = chunk[-1]
        tasks = _intake_tasks(chunk)
        for report_id in chunk:
            if tasks[report_id, TaskResultStatus.READY] or \
                    tasks[report_id, TaskResultStatus.RUNNING]:
                continue  # waiting for a worker, or being taken in (or a stale row, see 1.)
            failures = tasks[report_id, TaskResultStatus.FAILED]
            if failures >= settings.INTAKE_MAX_ATTEMPTS:
                log.error("recovery: intake of report %s failed %d times; not retried",
                          report_id, failures)
                counts["intake_given_up"] += 1
                continue
            if _requeue_one(report_id):
                counts["intake_requeued"] += 1
    return counts


def _requeue_one(report_id: int) -> bool:
    """Queue one intake, unless another sweep or a worker got there first."""
    locked = Report.objects.filter(pk=report_id, intake_done_at__isnull=True)
    if connection.features.has_select_for_update_skip_locked:
        locked = locked.select_for_update(skip_locked=True)  # a locked one is being taken in
    with transaction.atomic():
        if not list(locked.values_list("pk", flat=True)) or _has_pending_intake(report_id):
            return False
        # The task row is written in this transaction: it exists exactly when it commits.
        intake_report.enqueue(report_id)
    log.warning("recovery: intake of report %s queued again", report_id)
    return True
