"""Members and their API keys: issued, rotated and revoked by administrators, every time audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from hotline.audit.services import audit_record

from .models import ApiKey, Member


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ("prefix", "created", "last_used", "revoked_at")
    readonly_fields = ("prefix", "created", "last_used", "revoked_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "active", "may_download_lists", "may_submit",
                    "may_export", "created"]
    inlines = [ApiKeyInline]
    actions = ["issue_key", "rotate_keys", "revoke_keys"]

    def _show(self, request: HttpRequest, issued: list[tuple[Member, str]]) -> TemplateResponse:
        """The new secrets on a page of their own, never in a message: messages wait in the
        session (or, with Django's default storage, in a cookie sent to every path) until the
        next admin page, and a cached copy would outlive the moment of copying."""
        response = TemplateResponse(request, "members/keys_issued.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": _("New API keys"), "issued": issued,
        })
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Issue a new API key"))
    def issue_key(self, request: HttpRequest, queryset: QuerySet[Member]) -> TemplateResponse:
        issued = []
        for member in queryset:
            key, secret = ApiKey.issue(member)
            audit_record(actor=request.user, action="apikey.issue", obj=key)
            issued.append((member, secret))
        return self._show(request, issued)

    @admin.action(description=_("Rotate: issue a new key and revoke the old ones"))
    def rotate_keys(self, request: HttpRequest, queryset: QuerySet[Member]) -> TemplateResponse:
        issued = []
        for member in queryset:
            old = list(member.keys.filter(revoked_at__isnull=True))
            key, secret = ApiKey.issue(member)
            ApiKey.objects.filter(pk__in=[k.pk for k in old]).update(revoked_at=timezone.now())
            audit_record(actor=request.user, action="apikey.rotate", obj=key,
                         revoked=[k.prefix for k in old])
            issued.append((member, secret))
        return self._show(request, issued)

    @admin.action(description=_("Revoke all keys"))
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        for member in queryset:
            keys = member.keys.filter(revoked_at__isnull=True)
            prefixes = list(keys.values_list("prefix", flat=True))
            keys.update(revoked_at=timezone.now())
            audit_record(actor=request.user, action="apikey.revoke", obj=member,
                         revoked=prefixes)
