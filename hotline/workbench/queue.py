"""What the queue shows of each case on a page, read in a few queries for the whole page: who
reported it through which portal and in which language, what they said it shows, the latest
capture (its result and item count) and its known matches, the latest hosting country."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from hotline.capture.models import Capture
from hotline.cases.models import Case, CaseReport
from hotline.hosting.models import Trace
from hotline.intake.models import Report
from hotline.lists.models import HashBank, Match


@dataclass
class QueueRow:
    case: Case
    portals: list[tuple[str, str]] = field(default_factory=list)  # (portal code, language)
    kinds: list[str] = field(default_factory=list)  # what the reporters said it shows
    capture: Capture | None = None
    known_matches: int = 0
    country: str = ""
    traced: bool = False

    @property
    def age(self) -> datetime:
        return self.case.first_reported

    @property
    def capture_ok(self) -> bool:
        c = self.capture
        return c is not None and not c.error and c.status is not None and c.status < 400


def search(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose address contains the text, or whose host or registrable domain it is (so
    that "example.test" finds every page on every host of that domain)."""
    text = text.strip()
    if not text:
        return cases
    name = text.lower().removeprefix("www.") if "/" not in text else ""
    condition = Q(url__icontains=text)
    if name:
        condition |= Q(registrable_domain=name) | Q(host=name) | Q(host=f"www.{name}")
    return cases.filter(condition)


def queue_rows(cases: list[Case]) -> list[QueueRow]:
    rows = {case.pk: QueueRow(case=case) for case in cases}
    if not rows:
        return []
    ids = list(rows)
    kind_labels = dict(Report.ContentKind.choices)
    seen: dict[int, set[Any]] = defaultdict(set)
    links = (CaseReport.objects.filter(case_id__in=ids)
             .values_list("case_id", "report__portal__code", "report__language",
                          "report__content_kind").order_by("case_id", "report_id"))
    for case_id, portal, language, kind in links:
        row = rows[case_id]
        where = (portal or "", language)
        if ("p", where) not in seen[case_id]:
            seen[case_id].add(("p", where))
            row.portals.append(where)
        if kind and ("k", kind) not in seen[case_id]:
            seen[case_id].add(("k", kind))
            row.kinds.append(str(kind_labels.get(kind, kind)))
    latest: dict[int, Any] = {}  # the latest capture of each case, with its item_count
    for capture in (Capture.objects.filter(case_id__in=ids)
                    .annotate(item_count=Count("items")).order_by("case_id", "-fetched_at",
                                                                  "-id")):
        latest.setdefault(capture.case_id, capture)
    for case_id, found in latest.items():
        rows[case_id].capture = found
    known = (Match.objects.filter(item__capture__in=list(latest.values()))
             .exclude(bank_hash__bank__kind=HashBank.Kind.NEGATIVE)
             .values("item__capture__case_id").annotate(n=Count("item", distinct=True)))
    for entry in known:
        rows[entry["item__capture__case_id"]].known_matches = entry["n"]
    for case_id, country in (Trace.objects.filter(case_id__in=ids)
                             .order_by("case_id", "-at", "-id")
                             .values_list("case_id", "country")):
        row = rows[case_id]
        if not row.traced:
            row.traced, row.country = True, country
    return [rows[case.pk] for case in cases]
