from __future__ import annotations

from django.contrib import admin

from .models import HelpContact, Partner, Portal


class PartnerInline(admin.TabularInline):
    model = Partner
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
