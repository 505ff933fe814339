from __future__ import annotations

from django.urls import path

from hotline.lib import urlids  # noqa: F401 (registers the <id:…> converter used below)

from . import views

app_name = "takedown"
urlpatterns = [
    path("", views.takedown_list, name="list"),
    path("<id:case_id>/", views.takedown_detail, name="detail"),
    path("<id:case_id>/override/", views.takedown_override, name="override"),
]
