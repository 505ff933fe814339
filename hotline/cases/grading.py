"""Grading a page item by item.

An item grade is ``{"verdict": "csam" | "not_illegal", "classification": {scheme: [option]}}``
under the schemes marked ``per_item`` (what one picture shows); the other schemes (site type,
media type, commercial…) are graded once for the page. Grades are kept per assessment and, for
the decision, on the case (``item_grades``), keyed by the capture item's id as a string: the
cases app knows nothing of captures, it only keeps what the analyst said of each.

The page follows from its items: CSAM when any item is, and under each per-item scheme the
most severe option any CSAM item got (options are ordered most severe first). A page with no
graded items is graded as a whole, as before.
"""

from __future__ import annotations

from typing import Any

from .models import Scheme, Verdict

ITEM_VERDICTS = (Verdict.CSAM, Verdict.NOT_ILLEGAL)
ItemGrades = dict[str, dict[str, Any]]


def csam_items(grades: ItemGrades) -> list[str]:
    return [key for key, grade in grades.items() if grade.get("verdict") == Verdict.CSAM]


def most_severe(grades: ItemGrades, schemes: list[Scheme]) -> dict[str, list[str]]:
    """Under each per-item scheme, the most severe option of any CSAM item."""
    result: dict[str, list[str]] = {}
    for scheme in schemes:
        if not scheme.per_item:
            continue
        order = {o.code: o.position for o in scheme.options.all()}
        chosen = {code for key in csam_items(grades)
                  for code in grades[key].get("classification", {}).get(scheme.code, [])}
        if chosen:
            if scheme.multiple:
                result[scheme.code] = sorted(chosen, key=lambda c: order.get(c, 1 << 16))
            else:
                result[scheme.code] = [min(chosen, key=lambda c: order.get(c, 1 << 16))]
    return result


def page_grade(grades: ItemGrades, verdict: str, page: dict[str, list[str]],
               schemes: list[Scheme]) -> tuple[str, dict[str, list[str]]]:
    """The page's verdict and classification: from its items when any is CSAM (the page's
    own answers then count for the page-level schemes only), else as graded as a whole."""
    if not csam_items(grades):
        return verdict, page
    per_item = {s.code for s in schemes if s.per_item}
    classification = {code: chosen for code, chosen in page.items() if code not in per_item}
    classification.update(most_severe(grades, schemes))
    return Verdict.CSAM, classification


def same_grades(a: ItemGrades, b: ItemGrades) -> bool:
    """Two analysts graded every item alike (verdict and classification)."""
    keys = set(a) | set(b)
    return all((a.get(k) or {}).get("verdict") == (b.get(k) or {}).get("verdict")
               and (a.get(k) or {}).get("classification", {})
               == (b.get(k) or {}).get("classification", {}) for k in keys)


def item_disagreements(a: ItemGrades, b: ItemGrades) -> list[str]:
    """The items two analysts graded differently."""
    keys = sorted(set(a) | set(b), key=lambda k: (len(k), k))
    return [k for k in keys if not same_grades({k: a.get(k) or {}}, {k: b.get(k) or {}})]
