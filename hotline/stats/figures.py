"""Figures for partners, the hub and the public, computed in the database.

Every function takes the portals whose reports are counted (``None``: every portal) and a
half-open period ``[start, end)``. A case counts for a set of portals when at least one of its
reports came in through one of them, so a URL reported through two portals counts for both.

Definitions (the same on every page):

- *received*: reports whose ``received_at`` falls in the period.
- *assessed*: cases closed (``status = closed``) with ``closed_at`` in the period.
- *in remit*: assessed cases whose verdict is not ``not_in_remit``; the *share in remit* is
  in remit / assessed (``None`` when nothing was assessed).
- *confirmed*: assessed cases with a reviewed CSAM verdict (``confirmed``), by ``closed_at``.
- *removed*: takedowns in state ``removed`` with ``removed_at`` in the period.
- *time to assessment*: ``Case.time_to_assessment`` (``closed_at - first_reported``, stored at
  closing) of the assessed cases.
- *time to removal*: ``Takedown.time_to_removal`` of the removed takedowns.
- *hosting country*: the country of the latest trace (by ``at``, then id) of each confirmed
  case; empty when the case was never traced or the trace found no country.

Medians use ORDER BY with OFFSET on the duration, which works the same on SQLite and
PostgreSQL; with an even number of values the median is the mean of the two middle ones.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from hotline.cases.models import Case, CaseReport, Verdict
from hotline.hosting.models import Trace
from hotline.intake.models import Report
from hotline.portals.models import Portal
from hotline.portals.statuschecks import status_checks
from hotline.takedown.models import Takedown

Portals = list[Portal] | None
Outcomes = dict[dt.date, dict[str, int]]
Spans = list[tuple[dt.date, dt.datetime, dt.datetime]]  # (first day, start, end) of buckets
OPEN_TAKEDOWN = [Takedown.State.TRACING, Takedown.State.ACTIVE, Takedown.State.NO_CONTACT]
# Age buckets of open takedowns, in days since confirmation: (label key, lower bound).
AGE_BUCKETS = [("under_1d", 0), ("1_3d", 1), ("3_7d", 3), ("over_7d", 7)]


def month_start(day: dt.datetime, back: int = 0) -> dt.datetime:
    """The first moment of the month ``back`` months before ``day``'s."""
    month = day.year * 12 + day.month - 1 - back
    return day.replace(year=month // 12, month=month % 12 + 1, day=1, hour=0, minute=0,
                       second=0, microsecond=0)


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime

    @property
    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)


def reports(portals: Portals) -> QuerySet[Report]:
    qs = Report.objects.all()
    return qs if portals is None else qs.filter(portal__in=portals)


def cases(portals: Portals, closed: Period | None = None) -> QuerySet[Case]:
    """The cases reported through the portals (closed in the period, if one is given).

    The portal filter reads the links' own (portal, closed_at, case) index: the report's
    portal and the case's closing time are copied onto each link for this.
    """
    qs = Case.objects.all()
    links = CaseReport.objects.all()
    if closed is not None:
        qs = qs.filter(status=Case.Status.CLOSED, closed_at__gte=closed.start,
                       closed_at__lt=closed.end)
        links = links.filter(closed_at__gte=closed.start, closed_at__lt=closed.end)
    if portals is None:
        return qs
    return qs.filter(pk__in=Subquery(links.filter(portal__in=portals).values("case_id")))


def assessed(portals: Portals, period: Period) -> QuerySet[Case]:
    return cases(portals, closed=period)


def removed(portals: Portals, period: Period) -> QuerySet[Takedown]:
    qs = Takedown.objects.filter(state=Takedown.State.REMOVED, removed_at__gte=period.start,
                                 removed_at__lt=period.end)
    if portals is None:
        return qs
    linked = CaseReport.objects.filter(portal__in=portals).values("case_id")
    return qs.filter(case_id__in=Subquery(linked))


def median_duration(qs: QuerySet[Any], field: str, n: int | None = None) -> dt.timedelta | None:
    """The median of a duration column or annotation, without fetching the rows.

    ``n``, when the caller already counted them, is the number of non-null values.
    """
    values = qs.exclude(**{f"{field}__isnull": True}).order_by(field).values_list(field,
                                                                               flat=True)
    n = values.count() if n is None else n
    if n == 0:
        return None
    middle = list(values[(n - 1) // 2:n // 2 + 1])
    return sum(middle, dt.timedelta()) / len(middle)


def buckets(unit: str, period: Period) -> Spans:
    """The weeks (from Monday), months or years that overlap the period, in the current time
    zone, each as (first day, start, end) clipped to the period."""
    tz = timezone.get_current_timezone()
    local = timezone.localtime(period.start, tz)
    day = local.date()
    day = {"week": day - dt.timedelta(days=day.weekday()), "month": day.replace(day=1),
           "year": day.replace(month=1, day=1)}[unit]
    result: Spans = []
    while True:
        start = dt.datetime.combine(day, dt.time(), tz)
        if start >= period.end:
            return result
        day = _next(unit, day)
        end = dt.datetime.combine(day, dt.time(), tz)
        result.append((start.date(), max(start, period.start), min(end, period.end)))


def _next(unit: str, day: dt.date) -> dt.date:
    if unit == "week":
        return day + dt.timedelta(days=7)
    if unit == "month":
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day.replace(year=day.year + 1)


def count_by(qs: QuerySet[Any], field: str, unit: str, period: Period, *,
             one_query: bool) -> dict[dt.date, int]:
    """Rows of ``qs`` per bucket of ``field``; buckets with none are left out.

    Two plans, the same answer: one ranged COUNT per bucket, each read from an index (fast when
    nothing else narrows the rows), or one query with a filtered COUNT per bucket (better when
    ``qs`` carries a costly filter, such as the portal subquery, that would run per bucket).
    """
    spans = buckets(unit, period)
    if one_query:
        counts = qs.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end}
                           ).aggregate(**{f"b{i}": Count("pk", filter=Q(**{
                               f"{field}__gte": start, f"{field}__lt": end}))
                               for i, (_day, start, end) in enumerate(spans)})
        found = {day: counts[f"b{i}"] for i, (day, _start, _end) in enumerate(spans)}
    else:
        found = {day: qs.filter(**{f"{field}__gte": start, f"{field}__lt": end}).count()
                 for day, start, end in spans}
    return {day: n for day, n in found.items() if n}


def received_by(unit: str, portals: Portals, period: Period) -> list[tuple[dt.date, int]]:
    """Reports received per week, month or year (buckets with no reports are left out)."""
    # The (portal, received_at) index serves every bucket, filtered or not.
    return list(count_by(reports(portals), "received_at", unit, period, one_query=False).items())


def outcomes_by(unit: str, portals: Portals, period: Period) -> Outcomes:
    """Received, assessed, confirmed and removed per month or year."""
    filtered = portals is not None
    done = assessed(portals, period)
    columns = {
        "received": dict(received_by(unit, portals, period)),
        "assessed": count_by(done, "closed_at", unit, period, one_query=filtered),
        "confirmed": count_by(done.filter(confirmed=True), "closed_at", unit, period,
                              one_query=filtered),
        "removed": count_by(removed(portals, period), "removed_at", unit, period,
                            one_query=filtered),
    }
    table: dict[dt.date, dict[str, int]] = {}
    for key, column in columns.items():
        for day, n in column.items():
            table.setdefault(day, dict.fromkeys(columns, 0))[key] = n
    return dict(sorted(table.items()))


def outcomes_by_portal(unit: str, period: Period) -> dict[int | None, Outcomes]:
    """``outcomes_by`` of every portal at once (key: portal id; None: no portal), with one
    query per column and bucket grouped by portal, so that the public figures of the whole
    network cost about what the hub's own do, whatever the number of portals.

    Each query reads only its bucket's rows through an index: the case links' copies of the
    closing time (set only when a case closes), and the confirmed cases or removed takedowns
    of the bucket as a subquery of case ids; a case linked twice through one portal counts
    once.
    """
    def confirmed(start: dt.datetime, end: dt.datetime) -> QuerySet[Any]:
        ids = Case.objects.filter(status=Case.Status.CLOSED, confirmed=True, closed_at__gte=start,
                                  closed_at__lt=end).values("pk")
        return CaseReport.objects.filter(closed_at__gte=start, closed_at__lt=end,
                                         case_id__in=Subquery(ids))

    def removed(start: dt.datetime, end: dt.datetime) -> QuerySet[Any]:
        ids = Takedown.objects.filter(state=Takedown.State.REMOVED, removed_at__gte=start,
                                      removed_at__lt=end).values("case_id")
        return CaseReport.objects.filter(case_id__in=Subquery(ids))

    columns: dict[str, Callable[[dt.datetime, dt.datetime], QuerySet[Any]]] = {
        "received": lambda start, end: Report.objects.filter(received_at__gte=start,
                                                             received_at__lt=end),
        "assessed": lambda start, end: CaseReport.objects.filter(closed_at__gte=start,
                                                                 closed_at__lt=end),
        "confirmed": confirmed,
        "removed": removed,
    }
    result: dict[int | None, Outcomes] = {}
    for key, rows in columns.items():
        counted = Count("pk") if key == "received" else Count("case", distinct=True)
        for day, start, end in buckets(unit, period):
            for portal, n in rows(start, end).order_by().values("portal").annotate(
                    n=counted).values_list("portal", "n"):
                table = result.setdefault(portal, {})
                table.setdefault(day, dict.fromkeys(columns, 0))[key] = n
    return {portal: dict(sorted(table.items())) for portal, table in result.items()}


def summary(portals: Portals, period: Period) -> dict[str, Any]:
    """The headline figures of one period."""
    report_count = reports(portals).filter(received_at__gte=period.start,
                                           received_at__lt=period.end).count()
    done = assessed(portals, period)
    counts = done.aggregate(
        assessed=Count("id"),
        in_remit=Count("id", filter=~Q(verdict=Verdict.NOT_IN_REMIT)),
        confirmed=Count("id", filter=Q(confirmed=True)),
        timed=Count("time_to_assessment"),
    )
    takedowns = removed(portals, period)
    gone = takedowns.aggregate(removed=Count("id"), timed=Count("time_to_removal"))
    return {
        "received": report_count,
        "assessed": counts["assessed"],
        "in_remit": counts["in_remit"],
        "confirmed": counts["confirmed"],
        "share_in_remit": counts["in_remit"] / counts["assessed"] if counts["assessed"] else None,
        "removed": gone["removed"],
        "median_assessment": median_duration(done, "time_to_assessment", counts["timed"]),
        "median_removal": median_duration(takedowns, "time_to_removal", gone["timed"]),
    }


def came_back(portals: Portals, period: Period) -> int:
    """How many reporters came back: status checks that found a report, counted per portal and
    day and linked to no report (portals/statuschecks.py); whole days, so that a period and
    the one before it share none."""
    return status_checks(portals, timezone.localdate(period.start),
                         timezone.localdate(period.end))


def compare(portals: Portals, period: Period) -> dict[str, dict[str, Any]]:
    """The summary of the period and of the previous period of equal length."""
    return {"current": summary(portals, period), "previous": summary(portals, period.previous)}


def hosting_countries(portals: Portals, period: Period) -> list[tuple[str, int]]:
    """Confirmed cases per country of their latest trace, most first."""
    latest = Trace.objects.filter(case=OuterRef("pk")).order_by("-at", "-id").values("country")
    rows = (assessed(portals, period).filter(confirmed=True)
            .annotate(country=Subquery(latest[:1])).order_by().values("country")
            .annotate(n=Count("id")).order_by("-n", "country").values_list("country", "n"))
    return [(country or "", n) for country, n in rows]


def languages(portals: Portals, period: Period) -> list[tuple[str, int]]:
    """Reports received per language of the portal page they were sent from, most first."""
    rows = (reports(portals).filter(received_at__gte=period.start, received_at__lt=period.end)
            .order_by().values("language").annotate(n=Count("id"))
            .order_by("-n", "language").values_list("language", "n"))
    return list(rows)


def queue(now: dt.datetime) -> dict[str, Any]:
    """Hub only: cases waiting for a decision, per status, and the oldest one's age."""
    waiting = Case.objects.exclude(status=Case.Status.CLOSED)
    by_status = dict(waiting.order_by().values("status").annotate(n=Count("id"))
                     .values_list("status", "n"))
    oldest = waiting.aggregate(oldest=Min("first_reported"))["oldest"]
    return {"open": sum(by_status.values()), "by_status": by_status, "oldest": oldest,
            "oldest_age": now - oldest if oldest else None}


def takedown_pipeline(now: dt.datetime) -> list[tuple[str, dict[str, int]]]:
    """Hub only: open takedowns per hosting country (latest trace) and age bucket."""
    latest = Trace.objects.filter(case=OuterRef("case_id")).order_by("-at", "-id")
    bucket = CaseWhen(
        *[When(confirmed_at__gt=now - dt.timedelta(days=low), then=Value(i))
          for i, (_key, low) in enumerate(AGE_BUCKETS[1:])],
        default=Value(len(AGE_BUCKETS) - 1), output_field=IntegerField(),
    )
    rows = (Takedown.objects.filter(state__in=OPEN_TAKEDOWN)
            .annotate(country=Subquery(latest.values("country")[:1]), bucket=bucket)
            .order_by().values("country", "bucket").annotate(n=Count("id"))
            .values_list("country", "bucket", "n"))
    table: dict[str, dict[str, int]] = {}
    for country, index, n in rows:
        entry = table.setdefault(country or "", {key: 0 for key, _low in AGE_BUCKETS})
        entry[AGE_BUCKETS[index][0]] += n
    return sorted(table.items(), key=lambda item: (-sum(item[1].values()), item[0]))


@dataclass(frozen=True)
class HostRemoval:
    """Removal where the material was hosted: a country or a network (ASN)."""

    key: str  # the country code or the ASN as text; "" when unknown
    label: str  # the network's organisation, for an ASN
    removed: int
    median: dt.timedelta | None
    came_back: int


def removal_by_host(by: str, period: Period) -> list[HostRemoval]:
    """Hub only: URLs removed in the period and their median time to removal, and URLs that
    came back after removal in the period, per hosting country (``by="country"``) or network
    (``by="asn"``) of the latest trace; most removed first."""
    assert by in ("country", "asn")
    latest = Trace.objects.filter(case=OuterRef("case_id")).order_by("-at", "-id")
    host, org_ = Subquery(latest.values(by)[:1]), Subquery(latest.values("organisation")[:1])
    times: dict[str, list[dt.timedelta]] = {}
    labels: dict[str, str] = {}
    done = (Takedown.objects.filter(state=Takedown.State.REMOVED, removed_at__gte=period.start,
                                    removed_at__lt=period.end)
            .annotate(host=host, org=org_).values_list("host", "org", "time_to_removal"))
    for where, org, took in done:
        key = "" if where is None else str(where)
        times.setdefault(key, [])
        if took is not None:
            times[key].append(took)
        labels.setdefault(key, org or "")
    back: dict[str, int] = {}
    returned = (Takedown.objects.filter(reappeared_at__gte=period.start,
                                        reappeared_at__lt=period.end)
                .annotate(host=host, org=org_).values_list("host", "org"))
    for where, org in returned:
        key = "" if where is None else str(where)
        back[key] = back.get(key, 0) + 1
        labels.setdefault(key, org or "")
    rows = [HostRemoval(key, labels.get(key, "") if by == "asn" else "",
                        len(times.get(key, [])), _median(times.get(key, [])), back.get(key, 0))
            for key in set(times) | set(back)]
    return sorted(rows, key=lambda r: (-r.removed, -r.came_back, r.key))


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    """The median (the mean of the two middle ones for an even count, as median_duration)."""
    return statistics.median(values) if values else None  # type: ignore[type-var]
