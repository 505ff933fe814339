from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.cases.classification import classification_from, enabled_schemes, scheme_fields
from hotline.cases.models import Verdict

from .models import Takedown


class OverrideForm(forms.Form):
    route = forms.ChoiceField(label=_("Send to"), choices=Takedown.Route.choices)
    email = forms.EmailField(label=_("Address"))
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Language of the notice"), choices=settings.LANGUAGES)
    reason = forms.CharField(label=_("Why (recorded in the audit log)"), max_length=500)


class AppealForm(forms.Form):
    """Staff lodge an appeal on behalf of a site owner (members use the API)."""

    url = forms.CharField(label=_("Listed web address"), max_length=4000)
    on_behalf_of = forms.CharField(label=_("On behalf of (site owner, contact)"),
                                   max_length=200)
    reason = forms.CharField(label=_("What they say"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class CorrectionForm(forms.Form):
    """What a senior who took no part in the case decides; for a re-assessment, the verdict and
    the classification under every enabled scheme, as in the workbench."""

    class Action(models.TextChoices):
        REJECT = "reject", _("The listing stands (appeal rejected)")
        DELIST = "delist", _("Take it off the list while it is looked at")
        RELIST = "relist", _("Put it back on the list")
        REASSESS = "reassess", _("Re-assess the case")

    action = forms.ChoiceField(label=_("Decision"), choices=Action.choices,
                               widget=forms.RadioSelect)
    verdict = forms.ChoiceField(label=_("New verdict (for a re-assessment)"), required=False,
                                choices=[("", "—"), *Verdict.choices])
    reason = forms.CharField(label=_("Why (recorded in the audit log)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, appeal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not appeal:
            action = self.fields["action"]
            assert isinstance(action, forms.ChoiceField)
            action.choices = [c for c in self.Action.choices if c[0] != self.Action.REJECT]
        self.schemes = enabled_schemes()
        self.fields.update(scheme_fields(self.schemes))

    def scheme_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"scheme_{s.code}"] for s in self.schemes]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["classification"] = {}
        if data.get("action") != self.Action.REASSESS:
            return data
        if not data.get("verdict"):
            self.add_error("verdict", _("Give the new verdict."))
            return data
        classification, errors = classification_from(data, data["verdict"], self.schemes)
        for field, message in errors.items():
            self.add_error(field, message)
        data["classification"] = classification
        return data
