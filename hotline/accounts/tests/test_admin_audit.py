from __future__ import annotations

from hotline.audit.models import AuditEntry
from hotline.cases.models import Scheme
from hotline.testing.base import StaffTestCase


class AdminAuditTestCase(StaffTestCase):
    def test_changes_in_the_admin_are_audited(self) -> None:
        client = self.as_user(self.admin)
        scheme = Scheme.objects.get(code="commercial")
        r = client.post(f"/staff/admin/cases/scheme/{scheme.pk}/change/", {
            "code": "commercial", "name": "Commercial (paid access)", "help_text": "",
            "multiple": "", "required": "", "enabled": "on", "position": "7",
            "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0",
            "options-MIN_NUM_FORMS": "0", "options-MAX_NUM_FORMS": "1000",
        })
        self.assertEqual(r.status_code, 302, r.content[:2000])
        entry = AuditEntry.objects.get(action="admin.change")
        self.assertEqual(entry.actor, self.admin)
        self.assertEqual(entry.object_type, "cases.scheme")
        self.assertIn("Name", entry.details["message"])

    def test_deletions_in_the_admin_are_audited(self) -> None:
        client = self.as_user(self.admin)
        scheme = Scheme.objects.create(code="tmp", name="Temporary")
        r = client.post(f"/staff/admin/cases/scheme/{scheme.pk}/delete/", {"post": "yes"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(AuditEntry.objects.filter(action="admin.delete",
                                                  object_id=str(scheme.pk)).exists())
