"""Raw SQL on the audit table as someone who owns the database would write it.

On PostgreSQL the append-only trigger refuses UPDATE and DELETE; the owner of the table can
switch it off, so the tests that rewrite history do that first (inside the test's transaction,
which rolls it back). What they show is what the key and the anchors catch even then.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from hotline.audit.models import AuditEntry

TRIGGER = "audit_auditentry_append_only"


@contextmanager
def trigger_off() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    _alter(f"DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        _alter(f"ENABLE TRIGGER {TRIGGER}")


def _alter(change: str) -> None:
    # ALTER TABLE waits for no deferred foreign-key check of the test's transaction: run them.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE audit_auditentry {change}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def sql(statement: str, *params: Any) -> None:
    with trigger_off(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _payload(entry: AuditEntry) -> str:
    return json.dumps(entry.content(), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)


def plain_sha256(prev: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev + _payload(entry)).encode()).hexdigest()


def hmac_with(key: str) -> Callable[[str, AuditEntry], str]:
    def mac(prev: str, entry: AuditEntry) -> str:
        return hmac.new(key.encode(), (prev + _payload(entry)).encode(),
                        hashlib.sha256).hexdigest()
    return mac


def rechain(*, after: int, mac: Callable[[str, AuditEntry], str],
            set_columns: str = "") -> None:
    """Recompute the link and hash of every entry after id ``after`` and the head row, as the
    reviewer did once rows were deleted. ``set_columns`` (``", version = 1"``) changes more."""
    rows = list(AuditEntry.objects.order_by("id"))
    prev = next((e.hash for e in reversed(rows) if e.pk <= after), "0" * 64)
    for entry in (e for e in rows if e.pk > after):
        new = mac(prev, entry)
        sql(f"UPDATE audit_auditentry SET prev_hash = %s, hash = %s{set_columns} "
            "WHERE id = %s", prev, new, entry.pk)
        prev = new
    sql("UPDATE audit_audithead SET last_hash = %s, count = %s WHERE id = 1",
        prev, AuditEntry.objects.count())
