from __future__ import annotations

from django.contrib import admin

from .adminforms import HelpContactForm, PortalForm
from .models import HelpContact, Partner, Portal


class PartnerInline(admin.StackedInline):  # Tabular fails axe: inputs without labels
    model = Partner
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
