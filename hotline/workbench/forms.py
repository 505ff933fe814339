from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.capture.models import CaptureItem
from hotline.cases.classification import classification_from, enabled_schemes, scheme_fields
from hotline.cases.grading import ITEM_VERDICTS, ItemGrades, csam_items, page_grade
from hotline.cases.models import Case, Verdict
from hotline.portals.models import Portal


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Address or domain"), required=False, max_length=2000,
                        widget=forms.TextInput(attrs={"type": "search"}))
    portal = forms.ModelChoiceField(Portal.objects.all(), required=False, label=_("Portal"),
                                    to_field_name="code", empty_label=_("All portals"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open (not assessed)")), *Case.Status.choices,
                                        ("all", _("All"))])
    verdict = forms.ChoiceField(label=_("Verdict"), required=False,
                                choices=[("", _("Any")), *Verdict.choices])


# Item fields sit in the grid beside the panel, outside the form element, and belong to it.
ITEM_FIELD_ATTRS = {"form": "assess-form"}


class AssessmentForm(forms.Form):
    """Verdict plus, for CSAM, a classification under every enabled scheme; with graded items
    (``items``: the capture's media items), a verdict and the per-item schemes for each item,
    from which the page's verdict and classification follow (hotline/cases/grading.py)."""

    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices,
                                widget=forms.RadioSelect, required=False)
    notes = forms.CharField(label=_("Notes (optional)"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    dedicated = forms.BooleanField(
        label=_("The whole site is dedicated to such material (list the domain, not only "
                "this page)"), required=False)

    def __init__(self, *args: Any, items: list[CaptureItem] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schemes = enabled_schemes()
        self.items = items or []
        self.item_schemes = [s for s in self.schemes if s.per_item and not s.multiple]
        self.fields.update(scheme_fields(self.schemes))
        for item in self.items:
            self.fields[f"item_{item.pk}_verdict"] = forms.ChoiceField(
                label=_("Item %(n)s: verdict") % {"n": item.position}, required=False,
                choices=[("", "—"), *[(v.value, v.label) for v in ITEM_VERDICTS]],
                widget=forms.Select(attrs=ITEM_FIELD_ATTRS | {"data-scheme": "verdict"}))
            for scheme in self.item_schemes:
                self.fields[f"item_{item.pk}_{scheme.code}"] = forms.ChoiceField(
                    label=_("Item %(n)s: %(scheme)s") % {"n": item.position,
                                                         "scheme": scheme.name},
                    required=False,
                    choices=[("", "—"), *[(o.code, o.label) for o in scheme.options.all()]],
                    widget=forms.Select(attrs=ITEM_FIELD_ATTRS | {"data-scheme": scheme.code}))

    def scheme_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"scheme_{s.code}"] for s in self.schemes]

    def page_bound_fields(self) -> list[tuple[forms.BoundField, bool, bool]]:
        """The panel's scheme groups: whether each is graded per item (when there are items),
        and whether a CSAM verdict requires it."""
        per_item = {s.code for s in self.item_schemes} if self.items else set()
        return [(self[f"scheme_{s.code}"], s.code in per_item, s.required)
                for s in self.schemes]

    def item_bound_fields(self, item_id: int) -> list[forms.BoundField]:
        if f"item_{item_id}_verdict" not in self.fields:
            return []
        return [self[f"item_{item_id}_verdict"],
                *[self[f"item_{item_id}_{s.code}"] for s in self.item_schemes]]

    def _item_grades(self, data: dict[str, Any]) -> ItemGrades:
        grades: ItemGrades = {}
        for item in self.items:
            verdict = data.get(f"item_{item.pk}_verdict") or ""
            if not verdict:
                continue
            classification: dict[str, list[str]] = {}
            if verdict == Verdict.CSAM:
                for scheme in self.item_schemes:
                    name = f"item_{item.pk}_{scheme.code}"
                    if data.get(name):
                        classification[scheme.code] = [data[name]]
                    elif scheme.required:
                        self.add_error(name, _("Required for an item graded CSAM."))
            grades[str(item.pk)] = {"verdict": verdict, "classification": classification}
        return grades

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        grades = self._item_grades(data)
        data["item_grades"] = grades
        verdict: str
        if csam_items(grades):
            verdict = Verdict.CSAM
            if data.get("verdict") not in ("", None, Verdict.CSAM):
                self.add_error("verdict", _("An item is graded CSAM, so the page is too."))
            per_item = {s.code for s in self.item_schemes}
            page_schemes = [s for s in self.schemes if s.code not in per_item]
        else:
            verdict = data.get("verdict") or ""
            page_schemes = self.schemes
            if not verdict:
                self.add_error("verdict", _("Choose a verdict, or grade the items."))
        page, errors = classification_from(data, verdict, page_schemes)
        for field, message in errors.items():
            self.add_error(field, message)
        data["verdict"], data["classification"] = page_grade(grades, verdict, page,
                                                             self.schemes)
        return data


class ReviewForm(AssessmentForm):
    """A blind second review: the reviewer grades as the first analyst did, without seeing
    their grades; the two are compared when it is saved (workbench/views.py)."""
