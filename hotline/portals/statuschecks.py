"""How many reporters come back: status checks that found a report, counted per portal and day.

A counter row per portal and day, nothing more: no receipt, report, time of day or visitor is
recorded, so the count cannot be tied to anyone (DESIGN.md, promise 1).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import Portal, StatusCheckDay


def status_check_count(*, portal: Portal, day: dt.date | None = None) -> None:
    """Add one to the portal's count of the day (safe when two checks arrive together)."""
    day = day or timezone.localdate()
    rows = StatusCheckDay.objects.filter(portal=portal, day=day)
    if rows.update(checks=F("checks") + 1):
        return
    try:
        with transaction.atomic():
            StatusCheckDay.objects.create(portal=portal, day=day, checks=1)
    except IntegrityError:  # another check created the row first
        rows.update(checks=F("checks") + 1)


def status_checks(portals: list[Portal] | None, after: dt.date, through: dt.date) -> int:
    """Status checks of these portals (None: all) on the days after ``after`` up to and
    including ``through``: consecutive periods share no day."""
    rows = StatusCheckDay.objects.filter(day__gt=after, day__lte=through)
    if portals is not None:
        rows = rows.filter(portal__in=portals)
    return rows.aggregate(total=Sum("checks"))["total"] or 0
