from __future__ import annotations

from django.contrib import admin

from hotline.lib.readonly_admin import ReadOnlyAdmin

from .models import Trace


@admin.register(Trace)
class TraceAdmin(ReadOnlyAdmin):
    """Traces are records of what was found: viewable, never edited by hand."""

    list_display = ["case", "at", "ok", "failed_step", "country", "asn", "organisation",
                    "abuse_email", "cdn"]
    list_filter = ["ok", "failed_step", "cdn", "country"]
    search_fields = ["case__url", "organisation", "abuse_email", "address"]
    list_select_related = ["case"]
    readonly_fields = ["case", "at", "ok", "failed_step", "error", "address", "country", "asn",
                       "organisation", "abuse_email", "cdn", "result"]
