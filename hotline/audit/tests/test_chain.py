from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hotline.audit.models import AppendOnlyError, AuditEntry
from hotline.audit.services import audit_record, audit_verify

from .tampering import sql


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def make_chain(n: int = 5) -> list[AuditEntry]:
    return [audit_record(actor="test", action="thing.done", number=i) for i in range(n)]


@pytest.mark.django_db
def test_an_intact_chain_verifies() -> None:
    make_chain()
    assert "Audit log intact: 5 entries verified." in verify()


@pytest.mark.django_db
def test_entries_are_linked() -> None:
    entries = make_chain(3)
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[0].prev_hash == "0" * 64


@pytest.mark.django_db
def test_the_model_refuses_changes_and_deletion() -> None:
    entry = make_chain(1)[0]
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def _sql(statement: str, *params: str | int) -> None:
    # As the database's owner, who can switch the PostgreSQL trigger off (tampering.py).
    sql(statement, *params)


@pytest.mark.django_db
def test_an_edited_row_is_found() -> None:
    entries = make_chain()
    _sql("UPDATE audit_auditentry SET details = %s WHERE id = %s",
         '{"number": 99}', entries[2].pk)
    checked, broken = audit_verify()
    assert checked == 2
    assert broken is not None and broken.entry_id == entries[2].pk
    with pytest.raises(CommandError, match=f"BROKEN at entry {entries[2].pk}"):
        verify()


@pytest.mark.django_db
def test_an_edited_row_with_a_recomputed_hash_is_found_at_the_next_row() -> None:
    entries = make_chain()
    victim = AuditEntry.objects.get(pk=entries[1].pk)
    victim.details = {"number": 42}
    _sql("UPDATE audit_auditentry SET details = %s, hash = %s WHERE id = %s",
         '{"number": 42}', victim.compute_hash(), victim.pk)
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[2].pk


@pytest.mark.django_db
def test_a_deleted_row_is_found() -> None:
    entries = make_chain()
    _sql("DELETE FROM audit_auditentry WHERE id = %s", entries[3].pk)
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[4].pk


@pytest.mark.django_db
def test_deleting_the_last_rows_is_found() -> None:
    entries = make_chain()
    _sql("DELETE FROM audit_auditentry WHERE id >= %s", entries[3].pk)
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id is None
    with pytest.raises(CommandError, match="the last entries were deleted"):
        verify()
