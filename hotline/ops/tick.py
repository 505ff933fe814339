"""Every periodic job, run by one tick: what runs when is this file.

``hotline tick --loop N`` (and ``hotline serve``, every TICK_SECONDS) calls ``tick()``. Each job
reads the database for what is due and claims it atomically, so any number of ticks may run at
once, on one machine or several; each is cheap when nothing is due.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from hotline.audit.services import audit_tick
from hotline.cases.feedback import feedback_tick
from hotline.takedown.services import takedown_tick

from .alerts import staff_digest
from .recovery import recovery_sweep
from .retention import retention_tick

# (name, job): each takes the time of this tick and returns counts of what it did.
JOBS: list[tuple[str, Callable[[datetime], dict[str, int]]]] = [
    # Re-checks due, notices to re-send or escalate, notices a dead worker left behind.
    ("takedown", takedown_tick),
    # Tasks orphaned by killed workers failed; lost intakes and captures queued again.
    ("recovery", recovery_sweep),
    # New audit entries verified against the checkpoint; the whole chain walked again daily,
    # in batches; the verified head anchored outside the database daily (hotline/audit).
    ("audit", audit_tick),
    # Feedback e-mails to reporters who asked for them: milestones of their reports and
    # questions for them, content-free; the address deleted after the last (cases/feedback.py).
    ("feedback", feedback_tick),
    # A digest of counts to the staff on duty when work waits, at most once an interval.
    ("alerts", staff_digest),
    # Once a day: what is past its retention period deleted or anonymised (ops/retention.py).
    ("retention", retention_tick),
]


def tick(now: datetime | None = None) -> dict[str, int]:
    """Run every job once; the counts of all of them."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for _name, job in JOBS:
        counts.update(job(now))
    return counts
