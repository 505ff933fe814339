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
from django.urls import URLPattern, URLResolver, path, reverse

from hotline.audit.services import audit_record
from hotline.lib.urlids import DATABASE_ID


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


class BoundedIdsMixin:
    """Third-party admin views with ``<int:…>`` in their address (django-otp's device
    configuration) take database ids only: a number past the 64-bit range is a 404, not an
    overflow in the database driver."""

    def get_urls(self) -> list[URLPattern]:
        return [_bounded(entry) for entry in super().get_urls()]  # type: ignore[misc]


def _bounded(entry: URLPattern) -> URLPattern:
    route = str(entry.pattern)
    if "<int:" not in route or entry.name is None:
        return entry
    return path(route.replace("<int:", f"<{DATABASE_ID}:"), entry.callback, entry.default_args,
                entry.name)


class StaffAdminSite(admin.AdminSite):
    site_header = "Hotline administration"
    site_title = "Hotline administration"

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # By now every app has registered its ModelAdmins (including third-party ones such
        # as django-otp's): give each the audit hooks and bounded ids.
        for model_admin in self._registry.values():
            cls = model_admin.__class__
            if not issubclass(cls, AuditedAdminMixin):
                model_admin.__class__ = type(f"Audited{cls.__name__}",
                                             (AuditedAdminMixin, BoundedIdsMixin, cls), {})
        return super().get_urls()

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_authenticated and user.is_verified()
                    and user.is_admin)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
