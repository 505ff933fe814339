from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.cases.classification import classification_from, enabled_schemes, scheme_fields
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


class AssessmentForm(forms.Form):
    """Verdict plus, for CSAM, a classification under every enabled scheme."""

    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices,
                                widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes (optional)"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    dedicated = forms.BooleanField(
        label=_("The whole site is dedicated to such material (list the domain, not only "
                "this page)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schemes = enabled_schemes()
        self.fields.update(scheme_fields(self.schemes))

    def scheme_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"scheme_{s.code}"] for s in self.schemes]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        classification, errors = classification_from(data, data.get("verdict", ""), self.schemes)
        for field, message in errors.items():
            self.add_error(field, message)
        data["classification"] = classification
        return data


class ReviewForm(AssessmentForm):
    agrees = forms.TypedChoiceField(
        label=_("Your review"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("I agree with this assessment")),
                 ("no", _("I disagree: my own assessment follows"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["verdict"].required = False

    def clean(self) -> dict[str, Any]:
        if self.cleaned_data.get("agrees"):
            self.cleaned_data["classification"] = {}
            return self.cleaned_data
        if not self.cleaned_data.get("verdict"):
            self.add_error("verdict", _("Give your own verdict when you disagree."))
        return super().clean()
