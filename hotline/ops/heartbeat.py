"""Worker heartbeats: each ``hotline worker`` says every WORKER_HEARTBEAT_SECONDS that it is
alive, in one row of its own (``WorkerHeartbeat``), from a thread beside the task loop, so a
worker busy with a long capture still counts as alive; a worker stuck for good shows instead
as a task running too long (the recovery sweep) and as queued tasks growing old (/readyz).

One UPDATE per beat (an INSERT the first time); rows of workers not seen for a day are
deleted by the next beat of any worker, and a worker that stops cleanly deletes its own.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import WorkerHeartbeat

log = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=1)


def beat(worker_id: str, queue: str, *, started_at: datetime,
         now: datetime | None = None) -> None:
    """Record that this worker is alive now."""
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"queue": queue[:100], "hostname": socket.gethostname()[:255],
                      "pid": os.getpid(), "started_at": started_at, "seen_at": now})
        WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class Heartbeat:
    """Beats once at once, then every WORKER_HEARTBEAT_SECONDS in a daemon thread until
    stopped. A database outage is logged and the next beat tried as usual."""

    def __init__(self, worker_id: str, queue: str) -> None:
        self.worker_id = worker_id
        self.queue = queue
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def beat_once(self) -> None:
        self._beat()

    def start(self) -> None:
        self._beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            forget(self.worker_id)
        except DatabaseError as e:
            log.warning("worker heartbeat not removed: %s", type(e).__name__)

    def _beat(self) -> None:
        try:
            beat(self.worker_id, self.queue, started_at=self.started_at)
        except DatabaseError as e:
            log.warning("worker heartbeat not recorded: %s", type(e).__name__)

    def _run(self) -> None:
        try:
            while not self._stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                self._beat()
        finally:
            connection.close()  # this thread's own connection
