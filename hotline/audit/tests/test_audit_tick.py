"""The tick's audit job: new entries verified against the checkpoint, the whole chain walked again
once a day in batches, the verified head anchored once a day; cheap when nothing is due."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from hotline.audit.models import AuditCheckpoint
from hotline.audit.services import audit_state, audit_tick
from hotline.ops import tick as tick_module
from hotline.ops.tick import tick

from .tampering import sql
from .test_chain import make_chain, verify

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _without_retention() -> Iterator[None]:
    """These tests count the entries of the audit job; the tick's daily retention run writes an
    entry of its own (hotline/ops/retention.py), so it is left out of their ticks."""
    jobs = [(name, job) for name, job in tick_module.JOBS if name != "retention"]
    with mock.patch.object(tick_module, "JOBS", jobs):
        yield


def anchors() -> list[str]:
    path = settings.AUDIT_ANCHOR_FILE
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.django_db
def test_the_tick_verifies_walks_in_full_and_anchors() -> None:
    entries = make_chain(5)
    now = timezone.now()
    counts = tick(now)
    assert (counts["audit_verified_in_full"], counts["audit_anchored"]) == (1, 1)
    cp = AuditCheckpoint.objects.get()
    assert (cp.count, cp.last_id, cp.head, cp.full_count) == (5, entries[4].pk, entries[4].hash,
                                                              5)
    assert cp.full_at == now and cp.signature_holds()
    assert len(anchors()) == 1


@pytest.mark.django_db
def test_the_tick_anchors_once_per_period() -> None:
    make_chain(3)
    now = timezone.now()
    tick(now)
    make_chain(2)
    assert audit_tick(now + timedelta(hours=23))["audit_anchored"] == 0
    assert AuditCheckpoint.objects.get().count == 5  # new entries verified all the same
    assert audit_tick(now + DAY)["audit_anchored"] == 1
    assert [line.count('"count": ') for line in anchors()] == [1, 1]
    assert '"count": 5' in anchors()[1]


@pytest.mark.django_db
def test_the_tick_is_cheap_when_nothing_is_due(
        django_assert_max_num_queries: pytest.FixtureRequest) -> None:
    make_chain(30)
    now = timezone.now()
    audit_tick(now)
    before = AuditCheckpoint.objects.get().signed_fields()
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        assert audit_tick(now + timedelta(minutes=1)) == {
            "audit_breaks_found": 0, "audit_verified_in_full": 0, "audit_anchored": 0}
    assert AuditCheckpoint.objects.get().signed_fields() == before


@pytest.mark.django_db
@override_settings(AUDIT_VERIFY_BATCH=4)
def test_the_daily_walk_goes_in_batches_and_finds_an_old_change() -> None:
    entries = make_chain(10)
    now = timezone.now()
    # 4 + 4 + 2 new entries checkpointed; then the walk from the first entry: 4 + 4 + 2.
    walked = [tick(now + timedelta(minutes=m))["audit_verified_in_full"] for m in range(5)]
    assert walked == [0, 0, 0, 0, 1]
    cp = AuditCheckpoint.objects.get()
    assert (cp.count, cp.full_count, cp.full_at) == (10, 10, now + timedelta(minutes=2))
    sql("UPDATE audit_auditentry SET details = '{}' WHERE id = %s", entries[2].pk)
    # Entries verified already are not hashed again by every tick or page view...
    assert audit_state().broken is None
    # ...but by the next daily walk.
    later = now + DAY
    counts = {}
    for minute in range(5):
        counts = tick(later + timedelta(minutes=minute))
        if counts["audit_breaks_found"]:
            break
    assert counts["audit_breaks_found"] == 1
    state = audit_state()
    assert state.broken is not None and state.broken.entry_id == entries[2].pk
    # A broken chain is not anchored again, and the break stays until a full verification.
    written = len(anchors())
    assert audit_tick(later + 2 * DAY)["audit_anchored"] == 0
    assert len(anchors()) == written
    assert audit_state().broken == state.broken


@pytest.mark.django_db
def test_a_break_in_new_entries_is_found_by_the_tick() -> None:
    make_chain(3)
    now = timezone.now()
    tick(now)
    newer = make_chain(2)
    sql("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", newer[0].pk)
    assert audit_tick(now + timedelta(minutes=1))["audit_breaks_found"] == 1
    assert AuditCheckpoint.objects.get().problem_entry_id == newer[0].pk


@pytest.mark.django_db
def test_a_checkpoint_changed_in_the_database_is_refused() -> None:
    make_chain(4)
    tick(timezone.now())
    newer = make_chain(2)
    # Someone moves the checkpoint over two entries it never verified.
    sql("UPDATE audit_auditcheckpoint SET count = 6, last_id = %s, head = %s",
        newer[1].pk, newer[1].hash)
    broken = audit_state().broken
    assert broken is not None and "not signed with AUDIT_KEY" in broken.problem
    # A full verification finds the chain itself intact and writes a new checkpoint.
    assert "Audit log intact: 6 entries verified." in verify()
    assert audit_state().broken is None
    assert AuditCheckpoint.objects.get().signature_holds()


@pytest.mark.django_db
def test_a_verification_that_passes_clears_an_earlier_break() -> None:
    entries = make_chain(3)
    tick(timezone.now())
    original = entries[1].action
    sql("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", entries[1].pk)
    with pytest.raises(Exception, match="BROKEN"):
        verify()
    assert audit_state().broken is not None
    sql("UPDATE audit_auditentry SET action = %s WHERE id = %s", original, entries[1].pk)
    verify()
    assert audit_state().broken is None
