"""What the case page shows besides the case itself: the viewer's grid of items, the
assessments (hidden from a blind reviewer), the pre-filled grades, the analyst's quick grades,
other cases on the same domain, the case's history, and its links."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from hotline.audit.models import AuditEntry
from hotline.capture.models import CaptureItem
from hotline.cases.classification import (
    ClassificationError,
    classification_check,
    describe,
    enabled_schemes,
)
from hotline.cases.grading import item_disagreements
from hotline.cases.models import Assessment, Case, Verdict
from hotline.lists.matching import known_classification

from . import viewer
from .views_viewer import reveal_counts, revealed_ids

QUICK_GRADES = 9  # keys 1 to 9
QUICK_GRADE_DAYS = 30
OTHER_CASES = 20
HISTORY = 200


def latest_items(case: Case) -> list[CaptureItem]:
    capture = case.captures.order_by("-fetched_at").first()
    if capture is None:
        return []
    return list(capture.items.prefetch_related("matches__bank_hash__bank"))


def gradable_items(case: Case) -> list[CaptureItem]:
    """The items an analyst grades one by one: the latest capture's media (with hashes)."""
    return [item for item in latest_items(case) if item.sha256]


def _known_grade(item: CaptureItem) -> dict[str, Any] | None:
    for match in item.matches.all():
        bank_hash = match.bank_hash
        if bank_hash.bank.kind == "negative":
            return {"verdict": Verdict.NOT_ILLEGAL, "classification": {}}
        try:
            classification = classification_check(bank_hash.classification or {})
        except ClassificationError:
            return None  # a row stored before imports were checked: no pre-grade
        return {"verdict": Verdict.CSAM, "classification": classification}
    return None


def prefill(case: Case, items: list[CaptureItem], matches: list[Any]) -> dict[str, Any]:
    """Known content or an earlier assessment of the same URL: the analyst can confirm the
    earlier grades without viewing the material again. Known items are pre-graded; media type
    follows from the items; site type from the latest confirmed case on the same domain."""
    initial: dict[str, Any] = {}
    classification = known_classification(case)
    if not classification and case.previous is not None:
        if case.previous.verdict != Verdict.CSAM:
            return {"verdict": case.previous.verdict}
        classification = dict(case.previous.classification)
    schemes = {s.code: s for s in enabled_schemes()}
    kinds = {item.media for item in items}
    if kinds and "media_type" not in classification and "media_type" in schemes:
        classification["media_type"] = ["both" if len(kinds) > 1 else kinds.pop()]
    if "site_type" not in classification and "site_type" in schemes:
        earlier = (Case.objects.filter(registrable_domain=case.registrable_domain,
                                       verdict=Verdict.CSAM).exclude(pk=case.pk)
                   .filter(classification__has_key="site_type").order_by("-closed_at")
                   .first())
        if earlier is not None:
            classification["site_type"] = earlier.classification["site_type"]
    if known_classification(case) or case.previous is not None:
        initial["verdict"] = Verdict.CSAM
    for code, chosen in classification.items():
        scheme = schemes.get(code)
        if scheme is not None:
            initial[f"scheme_{code}"] = chosen if scheme.multiple else chosen[0]
    for item in items:
        grade = _known_grade(item)
        if grade is None:
            continue
        initial[f"item_{item.pk}_verdict"] = grade["verdict"]
        for code, chosen in grade["classification"].items():
            if chosen:
                initial[f"item_{item.pk}_{code}"] = chosen[0]
    return initial


def quick_grades(user: Any) -> list[dict[str, Any]]:
    """The item grades this analyst gave most in the last days, most used first: one key
    each (1 to 9) grades the selected items alike."""
    since = timezone.now() - timedelta(days=QUICK_GRADE_DAYS)
    counts: Counter[str] = Counter()
    for grades in (Assessment.objects.filter(analyst=user, created__gte=since)
                   .exclude(item_grades={}).order_by("-id")
                   .values_list("item_grades", flat=True)[:200]):
        for grade in grades.values():
            if grade.get("verdict") == Verdict.CSAM and grade.get("classification"):
                counts[json.dumps(grade["classification"], sort_keys=True)] += 1
    return [{"key": str(n), "classification": json.loads(text), "json": text,
             "label": "; ".join(f"{name}: {labels}"
                                for name, labels in describe(json.loads(text)))}
            for n, (text, _count) in enumerate(counts.most_common(QUICK_GRADES), start=1)]


def viewer_grid(request: HttpRequest, case: Case, items: list[CaptureItem],
                matches: list[Any]) -> dict[str, Any]:
    """Every item of the latest capture with its state now (image items fetched again,
    bytes dropped; known items and videos not fetched)."""
    shown = latest_items(case)
    known = {m.item_id for m in matches}
    states = viewer.check_items(shown, known) if shown else {}
    opened = revealed_ids(request)
    session, today = reveal_counts(request)
    grades = {str(item.pk): _known_grade(item) for item in shown}
    rows = [{"item": item, "state": states.get(item.pk, viewer.NOT_MEDIA),
             "revealed": item.pk in opened, "known": grades[str(item.pk)]}
            for item in shown]
    user: Any = request.user
    return {"rows": rows, "session": session, "today": today,
            "parallel": settings.VIEWER_BROWSER_PARALLEL,
            "quick": quick_grades(user) if case.is_claimed_by(user) else []}


def assessments_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Earlier assessments, hidden from a reviewer until their own is saved (blind review);
    after it, the two compared item by item."""
    user: Any = request.user
    assessments = list(case.assessments.select_related("analyst"))
    blind = (case.status == Case.Status.REVIEW
             and not any(a.analyst_id == user.pk for a in assessments))
    comparison: list[str] = []
    initial = next((a for a in assessments if a.kind == Assessment.Kind.INITIAL), None)
    review = next((a for a in assessments if a.kind == Assessment.Kind.REVIEW), None)
    if initial and review:
        comparison = item_disagreements(initial.item_grades, review.item_grades)
    return {"blind": blind and bool(assessments),
            "assessments": [] if blind else [(a, describe(a.classification),
                                              _item_rows(a)) for a in assessments],
            "item_disagreements": comparison, "compared": bool(initial and review)}


def _item_rows(assessment: Assessment) -> list[tuple[str, str, str]]:
    return [(key, grade.get("verdict", ""),
             "; ".join(f"{name}: {labels}"
                       for name, labels in describe(grade.get("classification") or {})))
            for key, grade in sorted(assessment.item_grades.items(),
                                     key=lambda pair: int(pair[0]))]


def case_links(case: Case) -> dict[str, Any]:
    """Other cases on the same domain, the case's history, and its takedown."""
    others = (Case.objects.filter(registrable_domain=case.registrable_domain)
              .exclude(pk=case.pk).order_by("-id")[:OTHER_CASES])
    history = (AuditEntry.objects.filter(
        Q(object_type="cases.case", object_id=str(case.pk)) | Q(details__case=case.pk))
        .order_by("at", "id")[:HISTORY])
    return {"same_domain": list(others), "history": list(history),
            "takedown": getattr(case, "takedown", None)}
