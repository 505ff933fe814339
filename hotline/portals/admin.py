from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .logos import MAX_UPLOAD_BYTES, reencode
from .models import HelpContact, Partner, Portal


class PartnerForm(forms.ModelForm):
    """A partner with an optional logo: the upload is re-encoded (logos.py), never stored as
    sent."""

    logo_upload = forms.FileField(label=_("logo (PNG)"), required=False)
    logo_remove = forms.BooleanField(label=_("remove the logo"), required=False)

    class Meta:
        model = Partner
        fields = ["name", "url", "position"]

    def clean_logo_upload(self) -> tuple[bytes, int, int] | None:
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        return reencode(upload.read(MAX_UPLOAD_BYTES + 1))

    def save(self, commit: bool = True) -> Any:
        partner = super().save(commit=False)
        logo = self.cleaned_data.get("logo_upload")
        if self.cleaned_data.get("logo_remove"):
            partner.logo, partner.logo_width, partner.logo_height = None, 0, 0
        elif logo:
            partner.logo, partner.logo_width, partner.logo_height = logo
        if commit:
            partner.save()
        return partner


class PartnerInline(admin.TabularInline):
    model = Partner
    form = PartnerForm
    extra = 0


class HelpContactInline(admin.StackedInline):
    model = HelpContact
    extra = 0


@admin.register(Portal)
class PortalAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "languages", "enabled", "is_demo"]
    list_filter = ["enabled", "is_demo"]
    search_fields = ["code", "name", "country"]
    inlines = [PartnerInline, HelpContactInline]
