"""What waits for staff, counted for the metrics and the staff digest: the waiting cases by
status and the urgent ones among them, read from the (status, priority) index alone, so a
scrape costs the same with a thousand or a million closed cases."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import TestCase
from django.utils import timezone

from hotline.cases import queue
from hotline.cases.models import Case, url_digest


def add(status: str, priority: int = 0, n: int = 1) -> None:
    now = timezone.now()
    for _ in range(n):
        url = f"https://c{Case.objects.count()}.example.test/"
        Case.objects.create(url=url, url_sha256=url_digest(url), host="example.test",
                            registrable_domain="example.test", status=status,
                            priority=priority, first_reported=now, last_reported=now,
                            closed_at=now if status == Case.Status.CLOSED else None)


class WaitingCountsTestCase(TestCase):
    def test_counts_each_waiting_status_and_the_urgent_ones(self) -> None:
        add(Case.Status.OPEN, n=3)
        add(Case.Status.OPEN, priority=queue.URGENT)
        add(Case.Status.OPEN, priority=queue.URGENT + 1)  # urgent and member-classified
        add(Case.Status.OPEN, priority=queue.URGENT - 1)  # member-classified only
        add(Case.Status.REVIEW, n=2)
        add(Case.Status.THIRD, priority=queue.URGENT)
        add(Case.Status.CLOSED, priority=queue.URGENT, n=4)  # assessed: not waiting
        by_status, urgent = queue.waiting_counts()
        self.assertEqual(by_status, {"open": 6, "review": 2, "third": 1})
        self.assertEqual(urgent, 3)

    def test_nothing_waits(self) -> None:
        add(Case.Status.CLOSED, n=2)
        self.assertEqual(queue.waiting_counts(), ({}, 0))

    def test_the_count_reads_the_index_alone(self) -> None:
        add(Case.Status.OPEN, n=2)
        add(Case.Status.CLOSED, n=2)
        ran: list[tuple[str, Any]] = []  # the SQL and its parameters, as Django sends them

        def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            ran.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            queue.waiting_counts()
        ((sql, params),) = ran
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # the planner would scan a tiny table
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(explain + sql, params)
            plan = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
        self.assertIn("case_status_idx", plan)
        self.assertIn("COVERING INDEX" if connection.vendor == "sqlite" else "Index Only Scan",
                      plan)
