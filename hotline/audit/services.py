from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import GENESIS, AuditEntry, AuditHead


def audit_record(*, actor: Any, action: str, obj: models.Model | None = None,
                 **details: Any) -> AuditEntry:
    """Append one entry to the chain (inside the caller's transaction, if any)."""
    with transaction.atomic():
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
        actor_obj = actor if getattr(actor, "is_authenticated", False) else None
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor_obj,
            actor_label=getattr(actor_obj, "email", "") if actor_obj else str(actor or ""),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            details=details,
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_hash = entry.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return entry


@dataclass(frozen=True)
class Break:
    entry_id: int | None
    problem: str


def audit_verify() -> tuple[int, Break | None]:
    """Walk the chain; return how many entries are intact and the first break, if any."""
    prev = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return checked, Break(entry.id, "its link to the previous entry does not match: "
                                            "an entry before it was changed or deleted")
        if entry.compute_hash() != entry.hash:
            return checked, Break(entry.id, "its content does not match its hash: "
                                            "this entry was changed")
        prev = entry.hash
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_hash, head_count = (head.last_hash, head.count) if head else (GENESIS, 0)
    if head_hash != prev or head_count != checked:
        return checked, Break(None, "the chain ends early: the last entries were deleted")
    return checked, None
