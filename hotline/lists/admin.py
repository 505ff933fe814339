from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .banks import bank_changed
from .models import BankHash, HashBank, UrlListEntry
from .services import bank_rematch_start


@admin.register(HashBank)
class HashBankAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "pdq_max_distance", "pdq_min_quality",
                    "version", "rematch_progress", "created"]
    list_filter = ["kind", "enabled"]
    fields = ["name", "kind", "source", "licence", "enabled", "pdq_max_distance",
              "pdq_min_quality", "version", "rematch_progress"]
    readonly_fields = ["version", "rematch_progress"]

    @admin.display(description=_("matching against open cases"))
    def rematch_progress(self, bank: HashBank) -> str:
        if bank.rematch_started_at is None:
            return str(_("not started"))
        if bank.rematch_finished_at is None:
            return str(_("%(done)d of %(total)d items") % {"done": bank.rematch_done,
                                                           "total": bank.rematch_total})
        return str(_("done: %(total)d items") % {"total": bank.rematch_total})

    def save_model(self, request: HttpRequest, obj: HashBank, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change or {"pdq_max_distance", "pdq_min_quality", "kind"} & set(
                form.changed_data):
            bank_changed(obj)
        # Enabled (again): match it against what open cases showed while it was off.
        if obj.enabled and (not change or "enabled" in form.changed_data):
            bank_rematch_start(obj)


@admin.register(BankHash)
class BankHashAdmin(admin.ModelAdmin):
    list_display = ["id", "bank", "sha256", "pdq_quality", "disagreements", "added"]
    readonly_fields = ["disagreements"]
    list_filter = ["bank"]
    search_fields = ["md5", "sha1", "sha256", "pdq"]

    def save_model(self, request: HttpRequest, obj: BankHash, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        bank_changed(obj.bank)

    def delete_model(self, request: HttpRequest, obj: BankHash) -> None:
        bank = obj.bank
        super().delete_model(request, obj)
        bank_changed(bank)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        banks = set(queryset.values_list("bank", flat=True))
        super().delete_queryset(request, queryset)
        for bank in HashBank.objects.filter(pk__in=banks):
            bank_changed(bank)


@admin.register(UrlListEntry)
class UrlListEntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "whole_domain", "active", "added_at", "removed_at"]
    list_filter = ["active", "whole_domain"]
    search_fields = ["url", "domain"]
    readonly_fields = [f.name for f in UrlListEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
