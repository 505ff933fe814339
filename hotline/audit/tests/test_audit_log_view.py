from __future__ import annotations

from django.db import connection

from hotline.audit.models import AuditEntry
from hotline.audit.services import audit_record
from hotline.testing.base import StaffTestCase


class AuditLogViewTestCase(StaffTestCase):
    def test_administrators_browse_and_filter(self) -> None:
        audit_record(actor=self.analyst, action="case.view", number=1)
        audit_record(actor=self.senior, action="case.review", number=2)
        client = self.as_user(self.admin)
        r = client.get("/staff/audit/")
        self.assertContains(r, "Chain intact")
        self.assertContains(r, "senior@hub.example.test")
        r = client.get("/staff/audit/?actor=analyst@")
        entries = list(r.context["page"])
        self.assertTrue(entries)
        self.assertTrue(all(e.actor_label == "analyst@hub.example.test" for e in entries))
        r = client.get("/staff/audit/?action=case.review")
        self.assertEqual([e.action for e in r.context["page"]], ["case.review"])
        self.assertTrue(AuditEntry.objects.filter(action="audit.view").exists())

    def test_the_page_shows_a_broken_chain(self) -> None:
        first = audit_record(actor=self.analyst, action="case.view")
        audit_record(actor=self.analyst, action="case.view")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [first.pk])
        self.assertContains(self.as_user(self.admin).get("/staff/audit/"),
                            f"The chain is broken at entry {first.pk}")

    def test_only_administrators(self) -> None:
        for user in (self.analyst, self.senior, self.partner):
            self.assertEqual(self.as_user(user).get("/staff/audit/").status_code, 403)
