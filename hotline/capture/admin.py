from __future__ import annotations

from django.contrib import admin

from hotline.lib.readonly_admin import ReadOnlyAdmin

from .models import Capture, CaptureItem


class CaptureItemInline(admin.TabularInline):
    model = CaptureItem
    extra = 0
    can_delete = False
    fields = ("position", "source", "url", "status", "sniffed", "media", "size", "sha256",
              "pdq_quality", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Capture)
class CaptureAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "fetched_at", "status", "sniffed", "items_found", "error"]
    list_filter = ["status"]
    inlines = [CaptureItemInline]
