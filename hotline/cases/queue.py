"""The order in which analysts see open cases: the one place that decides it (the queue and the
review list of hotline/workbench use ``queue_order``).

Urgent first: a reporter, or a member over the API, said a child may be in immediate danger
or the abuse is happening now. Then cases a trusted member already classified
(``classification_hint``). Then fresh material before material known from a hash bank or an
earlier assessment (the analyst can confirm those without viewing again), most reported first,
oldest first.
"""

from __future__ import annotations

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from hotline.intake.models import Report

from .models import Case

URGENT = 2
HINTED = 1
NORMAL = 0


def report_priority(report: Report) -> int:
    """How soon the cases of this report should be looked at; a case keeps the highest of its
    reports' (hotline/cases/services.py: case_attach)."""
    if report.urgent:
        return URGENT
    return HINTED if report.classification_hint else NORMAL


def queue_order(cases: QuerySet[Case]) -> QuerySet[Case]:
    known = ExpressionWrapper(Q(previous__isnull=False) | Q(known_content=True),
                              output_field=BooleanField())
    return cases.annotate(known=known).order_by("-priority", "known", "-report_count",
                                                "first_reported", "id")


def waiting_counts() -> tuple[dict[str, int], int]:
    """The waiting cases by status, and how many of them are urgent: one pass over the index
    case_status_idx (status, priority), never the closed cases."""
    rows = (Case.objects.filter(status__in=Case.Status.waiting()).order_by().values("status")
            .annotate(n=Count("status"), urgent=Count("priority",
                                                      filter=Q(priority__gte=URGENT))))
    by_status = {row["status"]: row["n"] for row in rows}
    return by_status, sum(row["urgent"] for row in rows)
