from __future__ import annotations

from django.contrib import admin

from .models import Case, Scheme, SchemeOption


class SchemeOptionInline(admin.TabularInline):
    model = SchemeOption
    extra = 1


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "multiple", "required", "enabled", "position"]
    list_editable = ["enabled", "position"]
    inlines = [SchemeOptionInline]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only overview for administrators; work on cases happens in the workbench."""

    list_display = ["id", "url", "status", "verdict", "confirmed", "report_count"]
    list_filter = ["status", "verdict", "confirmed"]
    search_fields = ["url", "host"]
    readonly_fields = [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
