"""How the background work is doing, in a few aggregate queries: read by /readyz, /metrics and
the staff digest alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import WorkerHeartbeat


def queue_names() -> list[str]:
    """Every queue a worker should serve (settings.TASKS)."""
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


@dataclass(frozen=True)
class Queue:
    name: str
    depth: int  # tasks ready to run now
    oldest_age: float | None  # seconds the oldest of them has waited
    worker_age: float | None  # seconds since a worker of this queue was last seen


def queues(now: datetime) -> list[Queue]:
    """Every configured queue (and any other holding ready tasks), with its depth, the wait of
    its oldest ready task and the age of its freshest worker heartbeat. Two queries."""
    never = get_date_max()
    ready = (DBTaskResult.objects.filter(status=TaskResultStatus.READY)
             .filter(Q(run_after=never) | Q(run_after__lte=now))
             .values("queue_name")
             .annotate(depth=Count("*"),
                       # A task waits from its enqueueing, or from its run_after if it had one.
                       enqueued=Min("enqueued_at", filter=Q(run_after=never)),
                       scheduled=Min("run_after", filter=~Q(run_after=never))))
    waiting = {row["queue_name"]: row for row in ready}
    seen: dict[str, datetime] = {}
    # A worker may serve several queues ("default,capture") or all of them ("*").
    for served, last in (WorkerHeartbeat.objects.values("queue").annotate(last=Max("seen_at"))
                         .values_list("queue", "last")):
        names = queue_names() if served.strip() == "*" else served.split(",")
        for name in (n.strip() for n in names):
            if name not in seen or seen[name] < last:
                seen[name] = last
    result = []
    for name in sorted(set(queue_names()) | set(waiting)):
        row = waiting.get(name)
        oldest = None
        if row:
            starts = [t for t in (row["enqueued"], row["scheduled"]) if t is not None]
            oldest = max(0.0, (now - min(starts)).total_seconds()) if starts else None
        last = seen.get(name)
        result.append(Queue(name=name, depth=row["depth"] if row else 0, oldest_age=oldest,
                            worker_age=(now - last).total_seconds() if last else None))
    return result


def queues_without_workers(now: datetime) -> list[str]:
    """Configured queues whose workers have not been seen within READY_HEARTBEAT_MAX_AGE."""
    limit = settings.READY_HEARTBEAT_MAX_AGE_SECONDS
    return [q.name for q in queues(now) if q.name in queue_names()
            and (q.worker_age is None or q.worker_age > limit)]
