"""Walking the audit chain: from a verified position, entry by entry, against the key and anchors.

A walk starts at a ``Position`` (the first entry, or a checkpoint) and checks each later entry:
its link to the one before, its hash (keyed with AUDIT_KEY unless it was written before the
key), that no unkeyed entry follows a keyed one, and that it matches every anchor recorded at
its position. A walk that reaches the last entry also checks the head row and anchors beyond
the end (the last entries deleted). The first problem found is the break; nothing after it is
trusted.
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .models import (
    KEYED,
    SWITCH_OVER,
    UNKEYED,
    VERSIONS,
    Anchor,
    AuditEntry,
    AuditHead,
    Break,
    Position,
    chain_hash,
    entry_content,
)

COLUMNS = ("id", "at", "actor_id", "actor_label", "action", "object_type", "object_id",
           "details", "version", "prev_hash", "hash")


@dataclass(frozen=True)
class Walk:
    reached: Position
    broken: Break | None
    complete: bool  # the last entry was reached (not stopped by the limit or a break)


def walk(start: Position, *, head: AuditHead | None = None, anchors: Sequence[Anchor] = (),
         limit: int | None = None) -> Walk:
    """Check the entries after ``start`` (``Position()``: from the first), at most ``limit`` of
    them. ``head`` is the head row read before the walk began (entries appended during the walk
    are checked too)."""
    broken = _check_before(start, anchors)
    if broken is not None:
        return Walk(start, broken, False)
    rows = AuditEntry.objects.filter(id__gt=start.last_id).order_by("id").values_list(*COLUMNS)
    if limit is not None:
        rows = rows[:limit]
    at_count: dict[int, list[Anchor]] = defaultdict(list)
    for anchor in anchors:
        if anchor.count > start.count:
            at_count[anchor.count].append(anchor)
    position, walked = start, 0
    for row in rows.iterator(chunk_size=2000):
        problem = _check(position, row, at_count, head)
        if problem is not None:
            return Walk(position, Break(row[0], problem), False)
        position = Position(position.count + 1, row[0], row[-1],
                            position.keyed or row[8] == KEYED)
        walked += 1
    if limit is not None and walked >= limit:
        return Walk(position, None, False)
    return Walk(position, _check_end(start, position, head, anchors), True)


def _check_before(start: Position, anchors: Iterable[Anchor]) -> Break | None:
    """The walk starts after entries verified earlier: the entry it starts from, and every
    anchor at or before it, must still be there unchanged (one lookup each)."""
    marks = [a for a in anchors if 0 < a.count <= start.count]
    if start.count:
        marks.append(Anchor("", start.count, start.last_id, start.head,
                            "the last verification checkpoint"))
    for mark in marks:
        if not AuditEntry.objects.filter(pk=mark.last_id, hash=mark.head).exists():
            return Break(mark.last_id, f"it is missing or changed, but {mark.source}"
                                       f"{_at(mark)} recorded it: entries were deleted or "
                                       "changed after that")
    return None


def _check(position: Position, row: tuple[Any, ...], at_count: dict[int, list[Anchor]],
           head: AuditHead | None) -> str | None:
    entry_id, version, prev_hash, entry_hash = row[0], row[8], row[9], row[10]
    if version not in VERSIONS:
        return f"its version {version} is unknown"
    if prev_hash != position.head:
        return ("its link to the previous entry does not match: an entry before it was "
                "changed or deleted")
    if version == UNKEYED and position.keyed:
        return ("it is not keyed with AUDIT_KEY although the entries before it are: it was "
                "written or re-chained without the key")
    if version == KEYED and not position.keyed and position.count:
        problem = _switch_over_problem(position, row)
        if problem is not None:
            return problem
    if not hmac.compare_digest(chain_hash(version, prev_hash, entry_content(*row[1:8])),
                               entry_hash):
        if version == KEYED:
            return ("its content does not match its keyed hash: this entry was changed, or "
                    "AUDIT_KEY is not the key it was written with")
        return "its content does not match its hash: this entry was changed"
    for anchor in at_count.get(position.count + 1, ()):
        if anchor.head != entry_hash or anchor.last_id != entry_id:
            return (f"it does not match {anchor.source}{_at(anchor)}, which recorded entry "
                    f"{anchor.last_id} here: history was rewritten after that")
    if head is not None and position.count + 1 == head.count and head.last_hash != entry_hash:
        return "the head row does not match this entry: the end of the chain was changed"
    return None


def _switch_over_problem(position: Position, row: tuple[Any, ...]) -> str | None:
    """The first keyed entry after unkeyed ones is the switch-over the migration wrote, which
    seals the unkeyed entries in: it names how many there were and the last one's hash."""
    if row[4] == SWITCH_OVER and row[7] == {"unkeyed_entries": position.count,
                                            "unkeyed_head": position.head}:
        return None
    return ("it is the first keyed entry after unkeyed ones but not the switch-over entry "
            "that seals them: the entries before it were re-chained without the key")


def _check_end(start: Position, end: Position, head: AuditHead | None,
               anchors: Iterable[Anchor]) -> Break | None:
    beyond = sorted((a for a in anchors if a.count > end.count), key=lambda a: a.count)
    if beyond:
        anchor = beyond[0]
        return Break(anchor.last_id, f"it is missing, but {anchor.source}{_at(anchor)} "
                                     f"recorded {anchor.count} entries ending with it and the "
                                     f"log has {end.count}: entries were deleted after that")
    if head is not None and end.count < head.count:
        return Break(None, "the chain ends early: the last entries were deleted")
    if end.count and not end.keyed:
        first = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
        return Break(first if start.count == 0 else end.last_id,
                     "no entry from here on is keyed with AUDIT_KEY and no switch-over entry "
                     "follows: the log was re-chained without the key")
    return None


def _at(anchor: Anchor) -> str:
    return f" (written {anchor.at})" if anchor.at else ""
