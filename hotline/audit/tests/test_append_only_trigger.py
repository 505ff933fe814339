"""On PostgreSQL the database refuses UPDATE and DELETE on audit entries, whoever asks.

SQLite has no such trigger (README, "Running at scale"): these tests are skipped there.
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase, TransactionTestCase

from hotline.audit.models import AuditEntry
from hotline.audit.services import audit_record, audit_verify

NO_TRIGGER = "the append-only trigger exists on PostgreSQL only; SQLite has none"


class AppendOnlyTriggerTestCase(TestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest(NO_TRIGGER)
        self.entry = audit_record(actor="test", action="thing.done", number=1)

    def refused(self, statement: str) -> None:
        with self.assertRaisesMessage(IntegrityError, "append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement, [self.entry.pk])

    def test_raw_sql_update_and_delete_fail(self) -> None:
        self.refused("UPDATE audit_auditentry SET action = 'changed' WHERE id = %s")
        self.refused("DELETE FROM audit_auditentry WHERE id = %s")
        self.refused("UPDATE audit_auditentry SET id = id WHERE id <> %s")  # even no rows
        self.assertEqual(AuditEntry.objects.get(pk=self.entry.pk).action, "thing.done")

    def test_queryset_update_and_delete_fail(self) -> None:
        # QuerySet.update() and .delete() never call the model's save() and delete().
        with self.assertRaisesMessage(IntegrityError, "append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=self.entry.pk).update(action="changed")
        with self.assertRaisesMessage(IntegrityError, "append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=self.entry.pk).delete()
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())

    def test_appending_still_works(self) -> None:
        audit_record(actor="test", action="thing.done", number=2)
        self.assertEqual(audit_verify(), (2, None))


class FlushStillWorksTestCase(TransactionTestCase):
    """The test suite empties tables between TransactionTestCases with TRUNCATE, which is
    neither UPDATE nor DELETE: the trigger lets it through."""

    def test_flush_empties_the_audit_table(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest(NO_TRIGGER)
        audit_record(actor="test", action="thing.done")
        call_command("flush", interactive=False, verbosity=0)
        self.assertFalse(AuditEntry.objects.exists())
