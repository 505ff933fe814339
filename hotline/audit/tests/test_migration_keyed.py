"""A database whose audit chain was written before the key (unkeyed SHA-256 entries) migrates
forward: its entries stay verifiable, the switch-over to the key is itself an entry of the
chain, and re-chaining the whole log without the key afterwards is found."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hotline.audit.models import SWITCH_OVER, AuditEntry, AuditHead, Version
from hotline.audit.services import audit_record, audit_verify
from hotline.testing.migrations import MigrationTestCase

from .tampering import plain_sha256, rechain, sql

BEFORE = [("audit", "0001_initial")]


def old_hash(prev: str, content: dict[str, Any]) -> str:
    """The chain's hash before the key, as the code then computed it."""
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                         default=str)
    return hashlib.sha256((prev + payload).encode()).hexdigest()


class KeyedChainMigrationTestCase(MigrationTestCase):
    def seed_old_chain(self, n: int) -> list[int]:
        old = self.migrate(BEFORE).loader.project_state(BEFORE).apps
        entry_model = old.get_model("audit", "AuditEntry")
        prev, ids = "0" * 64, []
        start = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
        for i in range(n):
            content = {"at": (start + dt.timedelta(minutes=i)).isoformat(), "actor": None,
                       "actor_label": "analyst@hub.example.test", "action": "case.view",
                       "object_type": "", "object_id": "", "details": {"number": i}}
            entry = entry_model.objects.create(
                at=start + dt.timedelta(minutes=i), actor=None,
                actor_label="analyst@hub.example.test", action="case.view",
                details={"number": i}, prev_hash=prev, hash=old_hash(prev, content))
            prev = entry.hash
            ids.append(entry.pk)
        old.get_model("audit", "AuditHead").objects.create(pk=1, last_hash=prev, count=n)
        return ids

    def migrate_forward(self) -> None:
        self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    def test_unkeyed_entries_stay_verifiable_and_the_switch_over_is_recorded(self) -> None:
        old_ids = self.seed_old_chain(4)
        self.migrate_forward()
        self.assertEqual(list(AuditEntry.objects.filter(pk__in=old_ids).values_list(
            "version", flat=True)), [Version.UNKEYED] * 4)
        switch = AuditEntry.objects.get(action=SWITCH_OVER)
        last_old = AuditEntry.objects.get(pk=old_ids[-1])
        self.assertEqual((switch.version, switch.prev_hash, switch.details),
                         (Version.KEYED, last_old.hash,
                          {"unkeyed_entries": 4, "unkeyed_head": last_old.hash}))
        self.assertEqual(AuditHead.objects.get().count, 5)
        self.assertEqual(audit_verify(), (5, None))
        newer = audit_record(actor="test", action="thing.done")
        self.assertEqual((newer.version, newer.prev_hash), (Version.KEYED, switch.hash))
        self.assertEqual(audit_verify(), (6, None))

    def test_a_fresh_log_needs_no_switch_over(self) -> None:
        self.migrate(BEFORE)
        self.migrate_forward()
        self.assertFalse(AuditEntry.objects.exists())
        audit_record(actor="test", action="thing.done")
        self.assertEqual(audit_verify(), (1, None))

    def test_the_whole_log_rechained_without_the_key_is_found(self) -> None:
        old_ids = self.seed_old_chain(3)
        self.migrate_forward()
        audit_record(actor="test", action="thing.done")
        switch = AuditEntry.objects.get(action=SWITCH_OVER)
        sql("DELETE FROM audit_auditentry WHERE id = %s", switch.pk)
        rechain(after=old_ids[-1], mac=plain_sha256, set_columns=", version = 1")
        _, broken = audit_verify()
        self.assertIsNotNone(broken)
        assert broken is not None
        self.assertEqual(broken.entry_id, old_ids[0])
        self.assertIn("re-chained without the key", broken.problem)

    def test_a_switch_over_forged_without_the_key_is_found(self) -> None:
        self.seed_old_chain(3)
        self.migrate_forward()
        switch = AuditEntry.objects.get(action=SWITCH_OVER)
        rechain(after=switch.pk - 1, mac=plain_sha256)
        _, broken = audit_verify()
        self.assertEqual(broken and broken.entry_id, switch.pk)

    def test_an_old_chain_missing_its_last_entries_stays_broken(self) -> None:
        old_ids = self.seed_old_chain(5)
        with connection.cursor() as cursor:  # before the migration: no trigger yet
            cursor.execute("DELETE FROM audit_auditentry WHERE id >= %s", [old_ids[3]])
        self.migrate_forward()
        checked, broken = audit_verify()
        switch = AuditEntry.objects.get(action=SWITCH_OVER)
        self.assertEqual((checked, broken and broken.entry_id), (3, switch.pk))
