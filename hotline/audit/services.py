"""Writing the audit chain, verifying it, checkpointing it and anchoring it.

``audit_record`` appends. ``audit_verify`` walks the whole chain (``hotline audit verify``).
The tick (``audit_tick``) keeps a signed checkpoint up to date: each new entry is verified
against the checkpoint before it, the whole chain is walked again from its first entry every
``AUDIT_VERIFY_FULL_SECONDS`` in bounded batches, and the verified head is anchored outside the
database every ``AUDIT_ANCHOR_SECONDS``. The audit page shows the checkpoint and verifies only
what came after it (``audit_state``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from . import anchors as anchor_file
from .chain import Walk, walk
from .models import Anchor, AuditCheckpoint, AuditEntry, AuditHead, Break, Position, Version

log = logging.getLogger(__name__)

# The audit page verifies at most this many entries past the checkpoint (the tick keeps the
# checkpoint within a minute of the head, so a page view normally has a few to check).
PAGE_LIMIT = 2000

BAD_CHECKPOINT = Break(None, "the verification checkpoint is not signed with AUDIT_KEY: it was "
                             "changed in the database, or AUDIT_KEY is not the key it was "
                             "written with")


class ChainBroken(Exception):
    def __init__(self, broken: Break) -> None:
        super().__init__(broken.problem)
        self.broken = broken


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
            version=Version.KEYED,
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_hash = entry.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return entry


# --- the checkpoint -------------------------------------------------------------------------

def _checkpoint(*, lock: bool = False) -> AuditCheckpoint:
    """The checkpoint (a new one at the first entry when there is none yet). One whose
    signature fails is replaced by a new one that records why."""
    rows = AuditCheckpoint.objects.filter(pk=1)
    found = (rows.select_for_update() if lock else rows).first()
    if found is not None and found.signature_holds():
        return found
    fresh = AuditCheckpoint(pk=1)
    if found is not None:
        fresh.record(BAD_CHECKPOINT)
    return fresh


def _update(seen: AuditCheckpoint, change: Callable[[AuditCheckpoint], None]) -> bool:
    """Apply change to the checkpoint under its lock, unless another process moved it since
    it was read. Walks run outside the lock: on SQLite a transaction holds up every writer."""
    with transaction.atomic():
        current = _checkpoint(lock=True)
        if current.signed_fields() != seen.signed_fields():
            return False
        change(current)
        current.sign()
        current.save()
    return True


def _head() -> AuditHead | None:
    return AuditHead.objects.filter(pk=1).first()


# --- verification ---------------------------------------------------------------------------

def audit_verify() -> tuple[int, Break | None]:
    """Walk the whole chain from its first entry against the key, the head row, every anchor
    in AUDIT_ANCHOR_FILE and the checkpoint; return how many entries are intact and the first
    break, if any. The outcome goes into the checkpoint: a walk that passes clears a break
    recorded earlier, one that fails shows its break on the audit page."""
    started = timezone.now()
    seen = _checkpoint()
    try:
        marks = anchor_file.read_anchors() + seen.as_anchors()
    except anchor_file.AnchorFileError as e:
        result = Walk(Position(), Break(None, str(e)), False)
    else:
        result = walk(Position(), head=_head(), anchors=marks)
    with transaction.atomic():
        current = _checkpoint(lock=True)
        if result.broken is None and result.reached.count >= current.count:
            current.move_to(result.reached, started)
        if result.broken is None:
            current.full_at, current.full_count = started, result.reached.count
            current.sweep_to(Position(), None)
        current.record(result.broken)
        current.sign()
        current.save()
    return result.reached.count, result.broken


def audit_checkpoint(*, now: datetime, limit: int | None = None) -> tuple[int, Break | None]:
    """Verify the entries after the checkpoint (at most limit) and move it past them. Returns
    how many were verified and the break this found, if any (recorded in the checkpoint)."""
    cp = _checkpoint()
    if cp.broken is not None:
        return 0, None  # known and shown already; `hotline audit verify` clears it
    result = walk(cp.position, head=_head(), limit=limit)
    if result.broken is None and result.reached == cp.position:
        return 0, None

    def move(current: AuditCheckpoint) -> None:
        if result.broken is not None:
            current.record(result.broken)
        else:
            current.move_to(result.reached, now)

    if not _update(cp, move):
        return 0, None
    return result.reached.count - cp.count, result.broken


def audit_sweep(*, now: datetime, limit: int) -> tuple[bool, Break | None]:
    """Walk the chain again from its first entry, at most limit entries per call, when the last
    full walk is older than AUDIT_VERIFY_FULL_SECONDS: a change to an entry verified long ago
    is found within a day without any one tick taking long. Returns whether this call finished
    a full walk, and the break it found, if any. A walk starts once the checkpoint has caught
    up with the head, and ends when it reaches the checkpoint."""
    cp = _checkpoint()
    due = cp.sweep_started is not None or cp.full_at is None or (
        now - cp.full_at >= timedelta(seconds=settings.AUDIT_VERIFY_FULL_SECONDS))
    if cp.broken is not None or not cp.count or not due:
        return False, None
    head = _head()
    if cp.sweep_started is None and head is not None and cp.count < head.count:
        return False, None  # the checkpoint is catching up first: then the walk covers it all
    start, started = (cp.sweep, cp.sweep_started) if cp.sweep_started else (Position(), now)
    marks = [a for a in anchor_file.read_anchors() if a.count <= cp.count] + cp.as_anchors()
    result = walk(start, anchors=marks, limit=min(limit, cp.count - start.count))
    done = result.broken is None and result.reached.count == cp.count

    def move(current: AuditCheckpoint) -> None:
        if result.broken is not None:
            current.record(result.broken)
        elif done:
            current.full_at, current.full_count = started, current.count
            current.sweep_to(Position(), None)
        else:
            current.sweep_to(result.reached, started)

    return _update(cp, move) and done, result.broken


# --- anchors --------------------------------------------------------------------------------

def _anchor_due(now: datetime) -> bool:
    last = anchor_file.last_anchor()
    if last is None:
        return True
    try:
        at = datetime.fromisoformat(last.at)
    except ValueError:
        raise anchor_file.AnchorFileError(f"{last.source} has no valid time") from None
    return now - at >= timedelta(seconds=settings.AUDIT_ANCHOR_SECONDS)


def audit_anchor(*, now: datetime, force: bool = False) -> str | None:
    """Append the verified head (the checkpoint: count, last entry, hash, time) to
    AUDIT_ANCHOR_FILE when the last anchor is older than AUDIT_ANCHOR_SECONDS, or always with
    force. Returns the line written, or None. A broken chain is never anchored (ChainBroken)."""
    if not force and not _anchor_due(now):
        return None
    cp = _checkpoint()
    if cp.broken is not None:
        raise ChainBroken(cp.broken)
    if not cp.count:
        return None
    line = anchor_file.anchor_line(cp.position, now)
    with anchor_file.locked_for_append() as fd:
        if not force and not _anchor_due(now):
            return None  # another tick on this machine wrote it meanwhile
        anchor_file.append(fd, line)
    return line


def audit_anchor_mail(line: str, *, now: datetime) -> int:
    """Send the anchor line to AUDIT_ANCHOR_EMAILS: how many messages went (0 without any)."""
    return anchor_file.mail_anchor(line, now)


def audit_tick(now: datetime) -> dict[str, int]:
    """The tick's audit job: verify what is new, go on with the daily full walk, anchor once a
    day. Cheap when nothing is due: a few queries and the end of the anchor file."""
    _verified, broken = audit_checkpoint(now=now, limit=settings.AUDIT_VERIFY_BATCH)
    full, sweep_broken = audit_sweep(now=now, limit=settings.AUDIT_VERIFY_BATCH)
    for found in (broken, sweep_broken):
        if found is not None:
            log.error("Audit log BROKEN at entry %s: %s", found.entry_id or "(end)",
                      found.problem)
    counts = {"audit_breaks_found": int(bool(broken or sweep_broken)),
              "audit_verified_in_full": int(full), "audit_anchored": 0}
    try:
        line = audit_anchor(now=now)
    except ChainBroken:
        return counts
    except (OSError, anchor_file.AnchorFileError) as e:
        log.error("Audit anchor not written to %s: %s", settings.AUDIT_ANCHOR_FILE, e)
        return {**counts, "audit_anchor_failed": 1}
    if line is None:
        return counts
    counts["audit_anchored"] = 1
    try:
        audit_anchor_mail(line, now=now)
    except OSError as e:
        log.error("Audit anchor written but not mailed: %s", e)
        counts["audit_anchor_mail_failed"] = 1
    return counts


# --- the audit page -------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditState:
    checked: int  # entries verified: the checkpoint's and those after it checked just now
    broken: Break | None
    full_at: datetime | None  # when the whole chain was last walked from its first entry
    full_count: int
    pending: int  # entries past the page's limit, left to the tick
    anchor: Anchor | None  # the newest anchor of this machine's anchor file
    total: int  # entries in the chain, as the head row counts them

    @property
    def anchor_at(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.anchor.at) if self.anchor else None
        except ValueError:
            return None


def audit_state() -> AuditState:
    """What the audit page shows: the checkpoint, and the entries after it verified now (at
    most PAGE_LIMIT of them), against the newest anchor too. Never a walk of the whole chain."""
    cp = _checkpoint()
    head = _head()
    problem = cp.broken
    try:
        anchor = anchor_file.last_anchor()
    except anchor_file.AnchorFileError as e:
        anchor, problem = None, Break(None, str(e))
    total = head.count if head is not None else 0
    if problem is not None:
        return AuditState(cp.count, problem, cp.full_at, cp.full_count, 0, anchor, total)
    result = walk(cp.position, head=head, anchors=[anchor] if anchor else [], limit=PAGE_LIMIT)
    pending = 0
    if result.broken is None and not result.complete:
        pending = max(0, total - result.reached.count)
    return AuditState(result.reached.count, result.broken, cp.full_at, cp.full_count, pending,
                      anchor, total)
