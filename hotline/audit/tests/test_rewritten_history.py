"""The security review's attack: delete a middle entry and the last five, re-chain the rest.

Anyone who can write to the database can recompute an unkeyed SHA-256 chain; with the chain
keyed by AUDIT_KEY (held outside the database) the re-chained entries no longer match, however
they were recomputed.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError

from hotline.audit.models import AuditEntry
from hotline.audit.services import audit_verify

from .tampering import hmac_with, plain_sha256, rechain, sql
from .test_chain import make_chain, verify


def _attack() -> list[AuditEntry]:
    """20 entries; the 10th and the last five deleted; 11 to 15 are then re-chained."""
    entries = make_chain(20)
    sql("DELETE FROM audit_auditentry WHERE id = %s OR id >= %s", entries[9].pk,
        entries[15].pk)
    return entries


@pytest.mark.django_db
def test_a_chain_recomputed_with_plain_sha256_is_found() -> None:
    entries = _attack()
    rechain(after=entries[8].pk, mac=plain_sha256)
    checked, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[10].pk
    assert checked == 9
    with pytest.raises(CommandError, match=f"BROKEN at entry {entries[10].pk}"):
        verify()


@pytest.mark.django_db
def test_a_chain_recomputed_with_plain_sha256_and_marked_unkeyed_is_found() -> None:
    entries = _attack()
    rechain(after=entries[8].pk, mac=plain_sha256, set_columns=", version = 1")
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[10].pk
    assert "not keyed" in broken.problem


@pytest.mark.django_db
def test_a_whole_chain_recomputed_without_the_key_is_found() -> None:
    entries = _attack()
    rechain(after=0, mac=plain_sha256, set_columns=", version = 1")
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[0].pk


@pytest.mark.django_db
def test_a_chain_recomputed_with_another_key_is_found() -> None:
    entries = _attack()
    rechain(after=entries[8].pk, mac=hmac_with("a key the attacker made up"))
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[10].pk
    assert "AUDIT_KEY" in broken.problem
