from __future__ import annotations

import threading
from datetime import timedelta

from django.db import connection
from django.test import Client, TransactionTestCase, override_settings
from django.utils import timezone

from hotline.accounts.models import User
from hotline.audit.models import AuditEntry
from hotline.cases import services
from hotline.cases.models import Case
from hotline.cases.progress import ReportStatus, report_progress
from hotline.cases.services import report_intake
from hotline.intake.models import Report
from hotline.testing.base import StaffTestCase, load_demo_network, make_user


class ClaimTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.report_obj = self.report("https://images.example.test/g/1")
        self.case = Case.objects.get()

    def test_it_claims_and_the_receipt_says_being_assessed(self) -> None:
        r = self.as_user(self.analyst).post(f"/staff/cases/{self.case.pk}/claim/")
        self.assertRedirects(r, f"/staff/cases/{self.case.pk}/", fetch_redirect_response=False)
        self.case.refresh_from_db()
        self.assertEqual(self.case.claimed_by, self.analyst)
        self.assertEqual(report_progress(Report.objects.get()).status, ReportStatus.BEING_ASSESSED)
        self.assertTrue(AuditEntry.objects.filter(action="case.claim",
                                                  object_id=str(self.case.pk)).exists())

    def test_two_sessions_claiming_one_wins(self) -> None:
        first, second = self.as_user(self.analyst), self.as_user(self.analyst2)
        first.post(f"/staff/cases/{self.case.pk}/claim/")
        r = second.post(f"/staff/cases/{self.case.pk}/claim/", follow=True)
        self.assertContains(r, "someone else has it")
        self.case.refresh_from_db()
        self.assertEqual(self.case.claimed_by, self.analyst)
        page = second.get(f"/staff/cases/{self.case.pk}/")
        self.assertContains(page, "analyst@hub.example.test is working on this case")
        self.assertNotContains(page, 'id="assess-form"')

    @override_settings(CASE_CLAIM_MINUTES=30)
    def test_a_claim_lapses(self) -> None:
        services.case_claim(case_id=self.case.pk, user=self.analyst)
        Case.objects.filter(pk=self.case.pk).update(
            claimed_at=timezone.now() - timedelta(minutes=31))
        self.assertTrue(services.case_claim(case_id=self.case.pk, user=self.analyst2))
        self.case.refresh_from_db()
        self.assertEqual(self.case.claimed_by, self.analyst2)

    def test_release(self) -> None:
        client = self.as_user(self.analyst)
        client.post(f"/staff/cases/{self.case.pk}/claim/")
        client.post(f"/staff/cases/{self.case.pk}/release/")
        self.case.refresh_from_db()
        self.assertIsNone(self.case.claimed_by)
        self.assertEqual(report_progress(Report.objects.get()).status, ReportStatus.RECEIVED)

    def test_assessing_without_a_claim_is_refused(self) -> None:
        r = self.as_user(self.analyst).post(f"/staff/cases/{self.case.pk}/assess/",
                                            self.csam_post())
        self.assertEqual(r.status_code, 409)
        self.assertFalse(self.case.assessments.exists())


def _in_memory_sqlite() -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and (name in ("", ":memory:") or "mode=memory" in name)


class ConcurrentClaimTestCase(TransactionTestCase):
    """Real concurrent transactions: two threads, two connections, one winner."""

    def setUp(self) -> None:
        if _in_memory_sqlite():
            self.skipTest("in-memory SQLite has one shared cache and no row locks: the race "
                          "is exercised on PostgreSQL (make test runs both)")

    def test_exactly_one_of_two_concurrent_claims_wins(self) -> None:
        load_demo_network()
        client = Client(HTTP_SEC_FETCH_SITE="same-origin")
        client.post("/gm/en/report/", {"urls": "example.test/race", "content_kind": "image"})
        report_intake(report_id=Report.objects.get().pk)
        case = Case.objects.get()
        users = [make_user(f"a{i}@hub.example.test", User.Role.ANALYST) for i in range(2)]
        barrier = threading.Barrier(2)
        results: dict[int, bool] = {}

        def claim(user: User) -> None:
            try:
                barrier.wait()
                results[user.pk] = services.case_claim(case_id=case.pk, user=user)
            finally:
                connection.close()

        threads = [threading.Thread(target=claim, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(sorted(results.values()), [False, True])
        case.refresh_from_db()
        winner = next(pk for pk, won in results.items() if won)
        self.assertEqual(case.claimed_by_id, winner)
