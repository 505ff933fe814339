"""What the processes and periodic jobs record about themselves: worker heartbeats, the last
staff digest, the last daily run."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker process, updated every WORKER_HEARTBEAT_SECONDS while it runs
    (hotline/ops/heartbeat.py); /readyz and /metrics read how long ago each was seen."""

    worker_id = models.CharField(max_length=64, unique=True)
    queue = models.CharField(max_length=100)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.queue}) seen {self.seen_at:%Y-%m-%d %H:%M:%S}"


class StaffDigest(models.Model):
    """When the staff digest was last sent (hotline/ops/alerts.py), in one row: the tick that
    moves ``sent_at`` on by a conditional UPDATE sends it, so concurrent or restarted ticks send
    it at most once per interval. Only counts are kept, never content."""

    key = models.CharField(max_length=20, unique=True, default="staff")
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"staff digest last sent {self.sent_at:%Y-%m-%d %H:%M}"


class DailyRun(models.Model):
    """When a job that runs once a day (the retention run) last started. A tick claims the day
    with one conditional update, so of several ticks at once only one runs it."""

    name = models.CharField(max_length=40, primary_key=True)
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.started_at:%Y-%m-%d %H:%M}"
