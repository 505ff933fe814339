from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Check, Notice, PartnerHotline, Recipient, Takedown


@admin.register(PartnerHotline)
class PartnerHotlineAdmin(admin.ModelAdmin):
    list_display = ["country", "name", "email", "language", "active", "demo"]
    list_filter = ["active", "demo"]


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "language", "position", "demo"]
    list_filter = ["demo"]


class NoticeInline(admin.TabularInline):
    model = Notice
    extra = 0
    fields = ("sequence", "kind", "recipient_email", "state", "sent_at", "error")
    readonly_fields = ("sequence", "kind", "recipient_email", "state", "sent_at", "error")
    can_delete = False


class CheckInline(admin.TabularInline):
    model = Check
    extra = 0
    fields = ("at", "outcome", "reason", "status")
    readonly_fields = ("at", "outcome", "reason", "status")
    can_delete = False


@admin.register(Takedown)
class TakedownAdmin(admin.ModelAdmin):
    """Overview; routing overrides are made on the workbench's takedown page (audited)."""

    list_display = ["case", "state", "route", "stage", "confirmed_at", "removed_at",
                    "time_to_removal"]
    list_filter = ["state", "route"]
    readonly_fields = [f.name for f in Takedown._meta.fields]
    inlines = [NoticeInline, CheckInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
