"""``/healthz`` and ``/readyz`` for load balancers and orchestrators.

``/healthz`` says only that the process answers. ``/readyz`` says whether it can do its work:
the database answers, every migration is applied, the cache keeps a value, a worker of every
queue was seen within READY_HEARTBEAT_MAX_AGE_SECONDS, and no task has waited longer than
READY_QUEUE_MAX_AGE_SECONDS. Both answer JSON with no cookie, nothing about reports or cases
and no error text (a database error can name hosts and users): a failing check is named, with
what to look at. Neither is rate limited nor written to the access log (hotline/sides.py,
hotline/gunicorn_conf.py).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .status import queues

log = logging.getLogger(__name__)

_migrated = False  # once every migration is applied, a process need not look again


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return ""


def _migrations() -> str:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "migrations are not applied: run `hotline migrate`"
        _migrated = True
    return ""


def _cache() -> str:
    key, value = "readyz:probe", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    return "" if cache.get(key) == value else "the cache does not keep values"


def _workers() -> str:
    limit = settings.READY_HEARTBEAT_MAX_AGE_SECONDS
    missing = [q.name for q in queues(timezone.now())
               if q.worker_age is None or q.worker_age > limit]
    if missing:
        return f"no worker of queue {', '.join(missing)} seen for {limit} s: start `hotline worker`"
    return ""


def _queue() -> str:
    limit = settings.READY_QUEUE_MAX_AGE_SECONDS
    late = [q.name for q in queues(timezone.now())
            if q.oldest_age is not None and q.oldest_age > limit]
    if late:
        return f"a task of queue {', '.join(late)} has waited over {limit} s"
    return ""


CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("database", _database),
    ("migrations", _migrations),
    ("cache", _cache),
    ("workers", _workers),
    ("queue", _queue),
]


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, str | bool]] = {}
    for name, check in CHECKS:
        if name != "cache" and not checks.get("database", {"ok": True})["ok"]:
            checks[name] = {"ok": False, "detail": "needs the database"}
            continue
        try:
            problem = check()
        except Exception as e:  # a check that breaks is a failed check
            log.warning("readyz: %s check failed: %s", name, type(e).__name__)
            problem = ("the database does not answer" if name == "database" else
                       f"the {name} check failed ({type(e).__name__})")
        checks[name] = {"ok": not problem, **({"detail": problem} if problem else {})}
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status=200 if ready else 503)
