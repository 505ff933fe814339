from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Takedown


class OverrideForm(forms.Form):
    route = forms.ChoiceField(label=_("Send to"), choices=Takedown.Route.choices)
    email = forms.EmailField(label=_("Address"))
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Language of the notice"), choices=settings.LANGUAGES)
    reason = forms.CharField(label=_("Why (recorded in the audit log)"), max_length=500)
