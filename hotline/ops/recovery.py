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
   intake tasks of it have failed; then it is logged for staff instead of retried for ever;
3. the same for the capture of an open case (when ``CAPTURE_NEW_CASES`` is on): a capture
   always records a Capture row, failed fetches included, so an open case older than the
   grace period with none, and no capture task waiting or running, lost its capture to a
   killed worker;
4. and for the hosting trace of an open case (when ``TRACE_NEW_CASES`` is on), which always
   records a Trace row, failed steps included.

Intake is idempotent (``report_intake`` locks the report and marks it done in the same
transaction; cases and links are unique), so a report queued twice is taken in once.

It runs in every ``hotline tick`` (hotline/ops/tick.py), which ``hotline serve`` repeats every
minute and production runs somewhere anyway: a sweep only at worker start would miss the
reports whose worker is not restarted, and those a web process left without a task. Several
sweeps may run at once: the update of step 1 is conditional, and step 2 re-checks under the
report's lock (which a running intake also holds) before queuing.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.capture.tasks import case_capture
from hotline.cases.models import Case
from hotline.cases.tasks import report_intake
from hotline.hosting.tasks import case_trace
from hotline.intake.models import Report

log = logging.getLogger(__name__)

WORKER_LOST = "hotline.ops.recovery.WorkerLost"
CHUNK = 500


def recovery_sweep(now: datetime | None = None) -> dict[str, int]:
    """Fail tasks whose worker died, then queue again the intakes and captures they lost."""
    now = now or timezone.now()
    counts = {"tasks_failed": tasks_fail_stale(now=now)}
    counts.update(intake_requeue(now=now))
    counts.update(capture_requeue(now=now))
    counts.update(trace_requeue(now=now))
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


def _task_counts(task: Any, ids: list[int]) -> Counter[tuple[int, str]]:
    """(first argument, status) → number of rows of this task, for the given arguments."""
    rows = DBTaskResult.objects.filter(
        task_path=task.module_path, args_kwargs__args__0__in=ids
    ).values_list("args_kwargs", "status")
    return Counter((int(args["args"][0]), status) for args, status in rows)


def _has_pending(task: Any, object_id: int) -> bool:
    return DBTaskResult.objects.filter(
        task_path=task.module_path, args_kwargs__args__0=object_id,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()


def intake_requeue(*, now: datetime) -> dict[str, int]:
    """Queue intake again for reports left behind. Returns counts queued and given up."""
    cutoff = now - timedelta(seconds=settings.INTAKE_RETRY_AFTER_SECONDS)
    unfinished = Report.objects.filter(intake_done_at__isnull=True, received_at__lte=cutoff)
    return _requeue(unfinished, report_intake, "intake")


def capture_requeue(*, now: datetime) -> dict[str, int]:
    """Queue the capture again of open cases that lost theirs to a killed worker."""
    return _case_requeue(now, settings.CAPTURE_NEW_CASES, "captures", case_capture, "capture")


def trace_requeue(*, now: datetime) -> dict[str, int]:
    """Queue the hosting trace again of open cases that lost theirs to a killed worker."""
    return _case_requeue(now, settings.TRACE_NEW_CASES, "traces", case_trace, "trace")


def _case_requeue(now: datetime, enabled: bool, records: str, task: Any,
                  name: str) -> dict[str, int]:
    """Queue task again for the open cases past the grace period with no row of ``records``:
    the task records one even when it fails, so none means its worker died."""
    if not enabled:
        return {f"{name}_requeued": 0, f"{name}_given_up": 0}
    cutoff = now - timedelta(seconds=settings.INTAKE_RETRY_AFTER_SECONDS)
    left = (Case.objects.exclude(status=Case.Status.CLOSED)
            .filter(created__lte=cutoff, **{f"{records}__isnull": True}))
    return _requeue(left, task, name)


def _requeue(left: QuerySet[Any], task: Any, name: str) -> dict[str, int]:
    """Queue task(pk) for every row of ``left`` with no such task waiting or running, in
    chunks, unless it has failed INTAKE_MAX_ATTEMPTS times."""
    counts = {f"{name}_requeued": 0, f"{name}_given_up": 0}
    after = 0
    while True:
        chunk = list(left.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not chunk:
            return counts
        after = chunk[-1]
        tasks = _task_counts(task, chunk)
        for object_id in chunk:
            if tasks[object_id, TaskResultStatus.READY] or \
                    tasks[object_id, TaskResultStatus.RUNNING]:
                continue  # waiting for a worker, or running (or a stale row, see 1.)
            failures = tasks[object_id, TaskResultStatus.FAILED]
            if failures >= settings.INTAKE_MAX_ATTEMPTS:
                log.error("recovery: %s of %s %s failed %d times; not retried", name,
                          left.model._meta.model_name, object_id, failures)
                counts[f"{name}_given_up"] += 1
                continue
            if _requeue_one(left, task, object_id):
                log.warning("recovery: %s of %s %s queued again", name,
                            left.model._meta.model_name, object_id)
                counts[f"{name}_requeued"] += 1


def _requeue_one(left: QuerySet[Any], task: Any, object_id: int) -> bool:
    """Queue one task, unless another sweep or a worker got there first."""
    locked = left.filter(pk=object_id)
    if connection.features.has_select_for_update_skip_locked:
        locked = locked.select_for_update(skip_locked=True, of=("self",))  # locked: being done
    with transaction.atomic():
        if not list(locked.values_list("pk", flat=True)) or _has_pending(task, object_id):
            return False
        # The task row is written in this transaction: it exists exactly when it commits.
        task.enqueue(object_id)
    return True
