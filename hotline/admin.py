"""The staff admin site: Django's admin behind the same sign-in and second factor as every staff
page, with every change written to the audit log. Installed as the default admin site by
``hotline.apps.StaffAdminConfig`` (settings.INSTALLED_APPS), so every app's ``admin.register``
lands here."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse

from hotline.audit.services import audit_record


class AuditedAdminMixin:
    """Every change made in the admin also goes into the hash-chained audit log."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit_record(actor=request.user, action="admin.add", obj=obj, message=str(message))
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit_record(actor=request.user, action="admin.change", obj=obj, message=str(message))
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            audit_record(actor=request.user, action="admin.delete", obj=obj, repr=str(obj))
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class StaffAdminSite(admin.AdminSite):
    site_header = "Hotline administration"
    site_title = "Hotline administration"

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # By now every app has registered its ModelAdmins (including third-party ones such
        # as django-otp's): give each the audit hooks.
        for model_admin in self._registry.values():
            cls = model_admin.__class__
            if not issubclass(cls, AuditedAdminMixin):
                model_admin.__class__ = type(f"Audited{cls.__name__}", (AuditedAdminMixin, cls),
                                             {})
        return super().get_urls()

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_authenticated and user.is_verified()
                    and user.is_admin)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
