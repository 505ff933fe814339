from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import BankHash, HashBank, UrlListEntry


@admin.register(HashBank)
class HashBankAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "source", "enabled", "created"]
    list_filter = ["kind", "enabled"]


@admin.register(BankHash)
class BankHashAdmin(admin.ModelAdmin):
    list_display = ["id", "bank", "sha256", "pdq_quality", "added"]
    list_filter = ["bank"]
    search_fields = ["md5", "sha1", "sha256", "pdq"]


@admin.register(UrlListEntry)
class UrlListEntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "whole_domain", "active", "added_at", "removed_at"]
    list_filter = ["active", "whole_domain"]
    search_fields = ["url", "domain"]
    readonly_fields = [f.name for f in UrlListEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
