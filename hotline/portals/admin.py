from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.lib.languages import SOURCE_LANGUAGE, completeness, languages

from .adminforms import HelpContactForm, PortalForm
from .logos import MAX_UPLOAD_BYTES, reencode
from .models import HelpContact, Partner, Portal


class PartnerForm(forms.ModelForm):
    """A partner with an optional logo: the upload is re-encoded (logos.py), never stored as
    sent."""

    logo_upload = forms.FileField(label=gettext_lazy("logo (PNG)"), required=False)
    logo_remove = forms.BooleanField(label=gettext_lazy("remove the logo"), required=False)

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


class PartnerInline(admin.StackedInline):  # Tabular fails axe: inputs without labels
    model = Partner
    form = PartnerForm
    extra = 0


class HelpContactInline(admin.StackedInline):
    model = HelpContact
    form = HelpContactForm
    extra = 0


@admin.register(Portal)
class PortalAdmin(admin.ModelAdmin):
    form = PortalForm
    list_display = ["code", "name", "country", "languages", "enabled", "is_demo"]
    list_filter = ["enabled", "is_demo"]
    search_fields = ["code", "name", "country"]
    inlines = [PartnerInline, HelpContactInline]

    def get_urls(self) -> list[URLPattern]:
        own = [path("languages/", self.admin_site.admin_view(self.languages_view),
                    name="portals_portal_languages")]
        return own + super().get_urls()

    def languages_view(self, request: HttpRequest) -> HttpResponse:
        """Each offered language: its review status and how much of its catalog is done."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        portals = list(Portal.objects.order_by("code"))
        rows: list[dict[str, Any]] = []
        for code, language in languages().items():
            rows.append({"language": language, "source": code == SOURCE_LANGUAGE,
                         "done": completeness(language),
                         "portals": [p.code for p in portals if code in p.languages]})
        context = {**self.admin_site.each_context(request), "title": _("Languages"),
                   "opts": self.model._meta, "rows": rows}
        return TemplateResponse(request, "admin/portals/languages.html", context)
