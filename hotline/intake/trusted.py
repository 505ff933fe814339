"""Trusted intake: partner hotlines and companies submit reports over the API.

A member's batch is checked whole before anything is written, then stored in one transaction:
either every report of the batch exists afterwards or none does. A member's own reference names
one report, so a retried batch (the answer was lost) finds the reports it already made instead
of making them twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from .addresses import address_batch
from .models import Report
from .services import report_store, seal_optional


@dataclass(frozen=True)
class Item:
    """One report of a batch, as the member sent it."""

    urls: list[str]
    reference: str = ""
    classification_hint: str = ""
    content_kind: str = Report.ContentKind.OTHER
    description: str = ""
    where_found: str = ""
    portal: Any = None
    urgent: bool = False


@dataclass
class Problem(Exception):
    """What is wrong with a batch: (field, message) pairs, the field as a dotted path."""

    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    report: Report
    created: bool


def check(items: list[Item]) -> list[list[str]]:
    """The unique URLs of each item, in order; raises Problem naming every bad field."""
    errors: list[tuple[str, str]] = []
    references: dict[str, int] = {}
    kept: list[list[str]] = []
    for i, item in enumerate(items):
        if item.reference:
            if item.reference in references:
                errors.append((f"reports.{i}.reference",
                               f"The same reference as reports.{references[item.reference]}."))
            references.setdefault(item.reference, i)
        batch = address_batch(item.urls)
        errors += [(f"reports.{i}.urls.{bad.position}", f"Not a web address: {bad.reason}")
                   for bad in batch.invalid]
        kept.append(batch.kept)
    if errors:
        raise Problem(errors)
    return kept


def submit(member: Any, items: list[Item]) -> list[Outcome]:
    """Store a member's batch (all or nothing) and queue the intake of each new report."""
    urls = check(items)
    sealed = [{"where_found_sealed": seal_optional(item.where_found),
               "description_sealed": seal_optional(item.description)} for item in items]
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return [_store(member, item, item_urls, seal)
                        for item, item_urls, seal in zip(items, urls, sealed, strict=True)]
        except IntegrityError:
            # The same reference sent twice at once by two requests: the loser retries and
            # then finds the winner's report.
            continue
    raise Problem([("reports", "Conflicting concurrent submissions; send the batch again.")])


def _store(member: Any, item: Item, urls: list[str], sealed: dict[str, Any]) -> Outcome:
    if item.reference:
        existing = Report.objects.filter(member=member, reference=item.reference).first()
        if existing is not None:
            return Outcome(existing, created=False)
    report = report_store(urls, member=member, portal=item.portal or member.portal,
                          language="", reference=item.reference,
                          classification_hint=item.classification_hint, urgent=item.urgent,
                          content_kind=item.content_kind, **sealed)
    return Outcome(report, created=True)
