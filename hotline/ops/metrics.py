"""``/metrics``: the state of the hotline in the Prometheus text format.

Computed at scrape time by one collector from aggregate SQL queries (a dozen; no row is read
into Python; COUNT(*), which an index alone answers, as notices and tasks have UUID keys), so
every web process answers the same and nothing is counted in memory. At a
million cases a scrape must stay under 100 ms (bench/metrics_scrape.py), so every query reads
a small range of an index: what is still waiting (cases not assessed, takedowns not removed,
notices not sent, tasks ready), and what happened recently (reports of the last
METRICS_RECENT_HOURS, the last METRICS_CAPTURE_SAMPLE captures, verdicts and removals of the
last METRICS_WINDOW_DAYS as histograms), never all of history. Only
clients at METRICS_ALLOWED_ADDRESSES, or with the bearer token METRICS_TOKEN, get an answer;
anyone else gets the site's plain 404, as for an address that does not exist. What to alert
on: README, "Monitoring", and docs/prometheus/alerts.yml.

Counts only, with labels from fixed sets (statuses, states, portal codes, queue names, the
fetcher's failure reasons): never an address, a host or any text of a report.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from ipaddress import ip_address, ip_network
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
from prometheus_client.core import (
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from hotline.capture.models import Capture
from hotline.cases.models import Case
from hotline.cases.queue import waiting_counts
from hotline.intake.models import Report
from hotline.lib import fetcher
from hotline.portals.models import Portal
from hotline.takedown.models import Notice, Takedown

from .status import queues

HOUR = 3600
DAY = 24 * HOUR
ASSESSMENT_BUCKETS = [HOUR, 4 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY,
                      30 * DAY]
REMOVAL_BUCKETS = [HOUR, 6 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
                   90 * DAY]
OLDEST_AMONG = 100
# The fetcher's failure reasons (stable strings stored with captures); anything else, "other".
FETCH_REASONS = {fetcher.BAD_URL, fetcher.DNS, fetcher.PRIVATE, fetcher.CONNECT,
                 fetcher.TIMEOUT, fetcher.TOO_LARGE, fetcher.REDIRECTS, fetcher.PROTOCOL,
                 fetcher.BAD_REDIRECT, fetcher.ONION_NEEDS_PROXY, fetcher.PROXY}


def _histogram(name: str, documentation: str, rows: dict[str, Any],
               buckets: list[int]) -> GaugeHistogramMetricFamily:
    """A gauge histogram from one aggregate row: ``le_N`` counts, ``count`` and ``total``."""
    pairs = [(f"{b:.1f}", float(rows[f"le_{b}"] or 0)) for b in buckets]
    pairs.append(("+Inf", float(rows["count"] or 0)))
    total = rows["total"]
    seconds = total.total_seconds() if isinstance(total, timedelta) else float(total or 0)
    return GaugeHistogramMetricFamily(name, documentation, buckets=pairs, gsum_value=seconds)


def _distribution(field: str, buckets: list[int]) -> dict[str, Any]:
    # Count the field itself, not the primary key: the covering indexes hold the field, so
    # PostgreSQL answers from the index alone (counting "pk" read every row from the table).
    counts: dict[str, Any] = {f"le_{b}": Count(field, filter=Q(**{f"{field}__lte":
                                                                   timedelta(seconds=b)}))
                                 for b in buckets}
    return {**counts, "count": Count("*"), "total": Sum(field)}


class HotlineCollector(Collector):
    """Every metric of the product, from the database, at each scrape."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield from self._reports(now)
        yield from self._cases(now)
        yield from self._takedowns(now)
        yield from self._captures()
        yield from self._tasks(now)

    def _reports(self, now: datetime) -> Iterator[Metric]:
        codes = dict(Portal.objects.values_list("pk", "code"))
        hours = settings.METRICS_RECENT_HOURS
        received = GaugeMetricFamily(
            "hotline_reports_received_recent", f"Reports received in the last {hours} hours, "
            f"by portal (\"api\": members' trusted intake).", labels=["portal"])
        counts = dict.fromkeys(codes.values(), 0)
        for portal_id, n in (Report.objects.filter(received_at__gte=now - timedelta(hours=hours))
                             .order_by().values("portal_id").annotate(n=Count("*"))
                             .values_list("portal_id", "n")):
            label = codes.get(portal_id, "") if portal_id else "api"
            counts[label] = counts.get(label, 0) + n
        for label, n in sorted(counts.items()):
            received.add_metric([label], n)
        yield received

    def _cases(self, now: datetime) -> Iterator[Metric]:
        # Only the cases still waiting (few, through the status index): the assessed ones,
        # nearly all of a million, are counted by the histogram's window instead.
        # One pass over the index case_status_idx (status, priority), past the closed cases.
        waiting = Case.Status.waiting()
        by_status, urgent = waiting_counts()
        cases = GaugeMetricFamily("hotline_cases_waiting", "Cases waiting, by status (open: "
                                  "for assessment).", labels=["status"])
        for status in waiting:
            cases.add_metric([status], by_status.get(status, 0))
        yield cases
        yield GaugeMetricFamily(
            "hotline_cases_urgent_waiting", "Waiting cases that a reporter or member said may "
            "involve a child in immediate danger (assessment, review or third opinion).",
            value=urgent)
        yield GaugeMetricFamily(
            "hotline_review_backlog", "Cases waiting for a second review or a third opinion.",
            value=by_status.get(Case.Status.REVIEW, 0) + by_status.get(Case.Status.THIRD, 0))
        # The oldest of the first open cases by id: cases are opened in the order of their
        # first report (give or take an intake retried minutes later), and reading the first
        # few through the status index costs the same with ten or fifty thousand waiting.
        first_open = Case.objects.filter(status=Case.Status.OPEN).order_by("pk")
        oldest = Case.objects.filter(pk__in=first_open.values("pk")[:OLDEST_AMONG]).aggregate(
            first=Min("first_reported"))["first"]
        yield GaugeMetricFamily(
            "hotline_oldest_unassessed_case_age_seconds",
            "How long the oldest case waiting for assessment has waited since first reported "
            "(0 when none waits).", value=(now - oldest).total_seconds() if oldest else 0)
        window = now - timedelta(days=settings.METRICS_WINDOW_DAYS)
        rows = Case.objects.filter(status=Case.Status.CLOSED, closed_at__gte=window).aggregate(
            **_distribution("time_to_assessment", ASSESSMENT_BUCKETS))
        yield _histogram(
            "hotline_time_to_assessment_seconds",
            f"From first report to final verdict, cases closed in the last "
            f"{settings.METRICS_WINDOW_DAYS} days.", rows, ASSESSMENT_BUCKETS)

    def _takedowns(self, now: datetime) -> Iterator[Metric]:
        # Takedowns not yet removed and notices not sent: few, through the state indexes.
        open_states = [s for s in Takedown.State.values if s != Takedown.State.REMOVED]
        by_state = dict(Takedown.objects.filter(state__in=open_states).order_by()
                        .values("state").annotate(n=Count("*")).values_list("state", "n"))
        takedowns = GaugeMetricFamily("hotline_takedowns_open", "Takedowns not yet removed, by "
                                      "state (no_contact: needs staff).", labels=["state"])
        for state in open_states:
            takedowns.add_metric([state], by_state.get(state, 0))
        yield takedowns
        unsent = [s for s in Notice.State.values if s != Notice.State.SENT]
        by_notice = dict(Notice.objects.filter(state__in=unsent).order_by().values("state")
                         .annotate(n=Count("*")).values_list("state", "n"))
        notices = GaugeMetricFamily("hotline_notices_unsent", "Notices not sent, by state "
                                    "(failed: sending failed).", labels=["state"])
        for state in unsent:
            notices.add_metric([state], by_notice.get(state, 0))
        yield notices
        window = now - timedelta(days=settings.METRICS_WINDOW_DAYS)
        rows = Takedown.objects.filter(state=Takedown.State.REMOVED,
                                       removed_at__gte=window).aggregate(
            **_distribution("time_to_removal", REMOVAL_BUCKETS))
        yield _histogram(
            "hotline_time_to_removal_seconds",
            f"From confirmation to removal, takedowns removed in the last "
            f"{settings.METRICS_WINDOW_DAYS} days.", rows, REMOVAL_BUCKETS)

    def _captures(self) -> Iterator[Metric]:
        # The last captures by id (a capture is written when its fetch ends): how the fetcher
        # is doing now, from the primary key alone, however many captures there are.
        sample = settings.METRICS_CAPTURE_SAMPLE
        latest = Capture.objects.order_by("-pk").values("pk")[:sample]
        outcomes = GaugeMetricFamily(
            "hotline_recent_captures", f"The last {sample} captures, by outcome (ok, or the "
            f"reason the fetch failed).", labels=["outcome"])
        counts: dict[str, int] = {}
        for reason, n in (Capture.objects.filter(pk__in=latest).order_by().values("error")
                          .annotate(n=Count("*")).values_list("error", "n")):
            label = "ok" if not reason else reason if reason in FETCH_REASONS else "other"
            counts[label] = counts.get(label, 0) + n
        for label in sorted(FETCH_REASONS | {"other", "ok"}):
            outcomes.add_metric([label], counts.get(label, 0))
        yield outcomes

    def _tasks(self, now: datetime) -> Iterator[Metric]:
        depth = GaugeMetricFamily("hotline_task_queue_depth", "Tasks ready to run, by queue.",
                                  labels=["queue"])
        oldest = GaugeMetricFamily("hotline_task_queue_oldest_age_seconds",
                                   "How long the oldest ready task has waited (0: none).",
                                   labels=["queue"])
        heartbeat = GaugeMetricFamily(
            "hotline_worker_heartbeat_age_seconds",
            "Seconds since a worker of the queue last recorded a heartbeat (+Inf: never).",
            labels=["queue"])
        for queue in queues(now):
            depth.add_metric([queue.name], queue.depth)
            oldest.add_metric([queue.name], queue.oldest_age or 0)
            heartbeat.add_metric([queue.name], float("inf") if queue.worker_age is None
                                 else queue.worker_age)
        yield depth
        yield oldest
        yield heartbeat
        failed = GaugeMetricFamily(
            "hotline_tasks_failed", "Failed tasks, by queue (their rows are kept until "
            "finished tasks are pruned).", labels=["queue"])
        for queue_name, n in (DBTaskResult.objects.filter(status="FAILED").order_by()
                              .values("queue_name").annotate(n=Count("*"))
                              .values_list("queue_name", "n")):
            failed.add_metric([queue_name], n)
        yield failed


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HotlineCollector())
    return registry


def address_allowed(address: str, forwarded: bool) -> bool:
    """Whether a client at this address may read the metrics. A request that came through a
    proxy the settings do not know of (a forwarding header with TRUSTED_PROXY_COUNT 0) is
    never allowed by its address: the address would be the proxy's."""
    if forwarded and settings.TRUSTED_PROXY_COUNT == 0:
        return False
    try:
        client = ip_address(address)
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_ADDRESSES:
        try:
            if client in ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def token_allowed(authorization: str) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = authorization.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and \
        secrets.compare_digest(given.strip().encode(), token.encode())


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    # The middleware looked at the address before removing it (hotline/middleware.py).
    if not (getattr(request, "metrics_address_allowed", False)
            or token_allowed(request.headers.get("Authorization", ""))):
        raise Http404  # the site's plain 404: nothing says that anything is here
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_PLAIN_0_0_4)
