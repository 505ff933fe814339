from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Hotline staff"
admin.site.site_title = "Hotline staff"

urlpatterns = [
    path("staff/admin/", admin.site.urls),
    path("", include("hotline.portals.urls")),
]

handler400 = "hotline.portals.views.bad_request"
handler403 = "hotline.portals.views.permission_denied"
handler404 = "hotline.portals.views.not_found"
handler500 = "hotline.portals.views.server_error"
