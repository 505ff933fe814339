from __future__ import annotations

from django.urls import path

from hotline.stats import views as stats_views

from . import views

app_name = "portals"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.portal_root, name="root"),
    path("<str:code>/<str:lang>/", views.landing, name="landing"),
    path("<str:code>/<str:lang>/report/", views.report, name="report"),
    path("<str:code>/<str:lang>/status/", views.status, name="status"),
    path("<str:code>/<str:lang>/privacy/", views.privacy, name="privacy"),
    path("<str:code>/<str:lang>/figures/", stats_views.public, name="figures"),
]
