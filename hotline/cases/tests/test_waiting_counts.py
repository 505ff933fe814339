"""What waits for staff, counted for the metrics and the staff digest: the waiting cases by
status and the urgent ones among them, read from the partial index of waiting cases only, so
a scrape costs the same with a thousand or a million closed cases."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
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

    def test_the_waiting_statuses_are_those_of_the_partial_index(self) -> None:
        index = next(i for i in Case._meta.indexes if i.name == "case_waiting_idx")
        self.assertEqual(dict(index.condition.children)["status__in"],  # type: ignore[union-attr]
                         [str(s) for s in Case.Status.waiting()])

    def test_the_count_reads_the_partial_index_only(self) -> None:
        add(Case.Status.OPEN, n=2)
        add(Case.Status.CLOSED, n=2)
        with CaptureQueriesContext(connection) as ran:
            queue.waiting_counts()
        (sql,) = [q["sql"] for q in ran.captured_queries]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # the planner would scan a tiny table
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(explain + sql)
            plan = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
        self.assertIn("case_waiting_idx", plan)
        self.assertIn("COVERING INDEX" if connection.vendor == "sqlite" else "Index Only Scan",
                      plan)
