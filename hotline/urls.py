"""Every address of the product, in one place: staff pages, the API, the public portals."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from hotline.api.api import api
from hotline.ops import health, metrics
from hotline.public import urls as public_urls
from hotline.stats import views as stats_views

public_pages = [
    *public_urls.urlpatterns,
    path("<str:code>/<str:lang>/figures/", stats_views.public, name="figures"),
]

urlpatterns = [
    path("staff/admin/", admin.site.urls),
    path("staff/cases/", include("hotline.workbench.urls")),
    path("staff/audit/", include("hotline.audit.urls")),
    path("staff/takedown/", include("hotline.takedown.urls")),
    path("staff/figures/", include("hotline.stats.urls")),
    # The partner's start page is the figures dashboard (also at /staff/figures/).
    path("staff/partner/", stats_views.dashboard, name="partner_home"),
    path("staff/", include("hotline.accounts.urls")),
    path("api/v1/", api.urls),
    # For machines: load balancers and Prometheus (hotline/ops/health.py, metrics.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # Public pages last: their first segment is any portal code.
    path("", include((public_pages, "public"))),
]

handler400 = "hotline.errors.bad_request"
handler403 = "hotline.errors.permission_denied"
handler404 = "hotline.errors.not_found"
handler500 = "hotline.errors.server_error"
