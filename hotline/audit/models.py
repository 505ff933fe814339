"""An append-only, keyed hash chain of every staff action.

Each entry's hash is an HMAC-SHA-256, keyed with ``AUDIT_KEY`` (held outside the database),
over its own content and the previous entry's hash: editing or deleting any row breaks the
chain from that row on, and someone who can write to the database but lacks the key cannot
compute a new chain that passes. Entries written before the key existed (version 1) stay
verifiable with plain SHA-256; the migration that introduced the key appended one keyed entry,
``audit.keyed``, that seals them in and marks the switch-over, and no unkeyed entry may follow a
keyed one. ``hotline audit verify`` finds the first break. A single head row, locked while
appending, keeps concurrent writers from forking the chain; anchors written outside the
database (``hotline audit anchor``) catch the deletion of the last entries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64
SWITCH_OVER = "audit.keyed"


class AppendOnlyError(Exception):
    pass


class Version(models.IntegerChoices):
    UNKEYED = 1, _("SHA-256, written before the audit key")
    KEYED = 2, _("HMAC-SHA-256 with the audit key")


# Plain ints for the walk over a million entries: an enum member's lookup costs more than the
# comparison it serves.
UNKEYED, KEYED = int(Version.UNKEYED), int(Version.KEYED)
VERSIONS = frozenset((UNKEYED, KEYED))


class AuditEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    version = models.PositiveSmallIntegerField(choices=Version.choices, default=Version.KEYED)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit entries cannot be deleted")

    def compute_hash(self) -> str:
        return chain_hash(self.version, self.prev_hash, self.content())

    def content(self) -> dict[str, Any]:
        return entry_content(self.at, self.actor_id, self.actor_label, self.action,
                             self.object_type, self.object_id, self.details)


class AuditHead(models.Model):
    """The end of the chain: one row, locked while an entry is appended."""

    last_hash = models.CharField(max_length=64, default=GENESIS)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} entries, last {self.last_hash[:12]}"


@dataclass(frozen=True)
class Position:
    """The first ``count`` entries of the chain, the last of which is ``last_id`` with hash
    ``head``; ``keyed``: whether any of them is keyed."""

    count: int = 0
    last_id: int = 0
    head: str = GENESIS
    keyed: bool = False


@dataclass(frozen=True)
class Break:
    """The first problem found in the chain: at which entry (None: at its end), and what."""

    entry_id: int | None
    problem: str


@dataclass(frozen=True)
class Anchor:
    """A position recorded outside the chain: a line of the anchor file, or the checkpoint."""

    at: str
    count: int
    last_id: int
    head: str
    source: str


class AuditCheckpoint(models.Model):
    """How far the chain has been verified, so that the audit page need not re-hash it all.

    One row (pk 1), written by ``hotline audit verify`` and by the tick, and signed with the
    audit key, so that someone who can write to the database cannot move it over a rewritten
    chain. The first ``count`` entries, up to ``last_id`` whose hash is ``head``, are verified,
    each new one against the checkpoint before it; ``full_at`` is when the whole chain was last
    walked from its first entry (``full_count`` entries); ``sweep_*`` is the tick's walk from
    the first entry in progress. A break found by any of them stays in ``problem`` until
    ``hotline audit verify`` finds the chain intact.
    """

    count = models.PositiveBigIntegerField(default=0)
    last_id = models.PositiveBigIntegerField(default=0)
    head = models.CharField(max_length=64, default=GENESIS)
    keyed = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True)
    full_at = models.DateTimeField(null=True)
    full_count = models.PositiveBigIntegerField(default=0)
    sweep_count = models.PositiveBigIntegerField(default=0)
    sweep_last_id = models.PositiveBigIntegerField(default=0)
    sweep_head = models.CharField(max_length=64, default=GENESIS)
    sweep_keyed = models.BooleanField(default=False)
    sweep_started = models.DateTimeField(null=True)
    problem_entry_id = models.PositiveBigIntegerField(null=True)
    problem = models.TextField(blank=True)
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.count} entries verified, up to entry {self.last_id}"

    @property
    def position(self) -> Position:
        return Position(self.count, self.last_id, self.head, self.keyed)

    @property
    def sweep(self) -> Position:
        return Position(self.sweep_count, self.sweep_last_id, self.sweep_head, self.sweep_keyed)

    @property
    def broken(self) -> Break | None:
        return Break(self.problem_entry_id, self.problem) if self.problem else None

    def move_to(self, position: Position, at: datetime) -> None:
        self.count, self.last_id, self.head, self.keyed = astuple(position)
        self.verified_at = at

    def sweep_to(self, position: Position, started: datetime | None) -> None:
        self.sweep_count, self.sweep_last_id, self.sweep_head, self.sweep_keyed = astuple(
            position)
        self.sweep_started = started

    def record(self, broken: Break | None) -> None:
        self.problem_entry_id = broken.entry_id if broken else None
        self.problem = broken.problem if broken else ""

    def as_anchors(self) -> list[Anchor]:
        """The checkpoint as an anchor inside the database: a rewriter without the key cannot
        move it, so entries deleted after it are found even when the head row was fixed."""
        if not self.count or self.verified_at is None:
            return []
        return [Anchor(self.verified_at.isoformat(timespec="seconds"), self.count, self.last_id,
                       self.head, "the last verification checkpoint")]

    def signed_fields(self) -> dict[str, Any]:
        return {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
                if f.attname not in ("id", "mac")}

    def compute_mac(self) -> str:
        payload = json.dumps(self.signed_fields(), sort_keys=True, default=str)
        return _hmac("hotline-audit-checkpoint:" + payload)

    def signature_holds(self) -> bool:
        return hmac.compare_digest(self.mac, self.compute_mac())

    def sign(self) -> None:
        self.mac = self.compute_mac()


def entry_content(at: Any, actor_id: int | None, actor_label: str, action: str,
                  object_type: str, object_id: str, details: Any) -> dict[str, Any]:
    return {"at": at.isoformat(), "actor": actor_id, "actor_label": actor_label,
            "action": action, "object_type": object_type, "object_id": object_id,
            "details": details}


def chain_hash(version: int, prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of an entry: unkeyed SHA-256 (version 1), HMAC-SHA-256 with AUDIT_KEY (2)."""
    payload = prev_hash + json.dumps(content, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False, default=str)
    if version == KEYED:
        return _hmac(payload)
    return hashlib.sha256(payload.encode()).hexdigest()


def _hmac(payload: str) -> str:
    return hmac.digest(settings.AUDIT_KEY.encode(), payload.encode(), "sha256").hex()
