from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from hotline.accounts.admin_site import StaffAdminSite
from hotline.api.api import api

# Every registered ModelAdmin stays; only the site's access check changes.
admin.site.__class__ = StaffAdminSite

urlpatterns = [
    path("staff/admin/", admin.site.urls),
    path("staff/cases/", include("hotline.cases.urls")),
    path("staff/audit/", include("hotline.audit.urls")),
    path("staff/takedown/", include("hotline.takedown.urls")),
    path("staff/figures/", include("hotline.stats.urls")),
    path("staff/", include("hotline.accounts.urls")),
    path("api/v1/", api.urls),
    path("", include("hotline.portals.urls")),
]

handler400 = "hotline.portals.views.bad_request"
handler403 = "hotline.portals.views.permission_denied"
handler404 = "hotline.portals.views.not_found"
handler500 = "hotline.portals.views.server_error"
