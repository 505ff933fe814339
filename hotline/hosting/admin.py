from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Trace


@admin.register(Trace)
class TraceAdmin(admin.ModelAdmin):
    """Traces are records of what was found: viewable, never edited by hand."""

    list_display = ["case", "at", "ok", "failed_step", "country", "asn", "organisation",
                    "abuse_email", "cdn"]
    list_filter = ["ok", "failed_step", "cdn", "country"]
    search_fields = ["case__url", "organisation", "abuse_email", "address"]
    list_select_related = ["case"]
    readonly_fields = ["case", "at", "ok", "failed_step", "error", "address", "country", "asn",
                       "organisation", "abuse_email", "cdn", "result"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
