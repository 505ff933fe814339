"""What the periodic jobs remember between ticks."""

from __future__ import annotations

from django.db import models


class DailyRun(models.Model):
    """When a job that runs once a day (the retention run) last started. A tick claims the day
    with one conditional update, so of several ticks at once only one runs it."""

    name = models.CharField(max_length=40, primary_key=True)
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.started_at:%Y-%m-%d %H:%M}"
