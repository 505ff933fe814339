from __future__ import annotations

from django.urls import path

from hotline.lib import urlids  # noqa: F401 (registers the <id:…> converter used below)

from . import appeal_views, views

app_name = "takedown"
urlpatterns = [
    path("", views.takedown_list, name="list"),
    path("<id:case_id>/", views.takedown_detail, name="detail"),
    path("<id:case_id>/override/", views.takedown_override, name="override"),
    path("<id:case_id>/correct/", appeal_views.listing_correct, name="correct"),
    path("appeals/", appeal_views.appeal_list, name="appeals"),
    path("appeals/new/", appeal_views.appeal_new, name="appeal_new"),
    path("appeals/<id:appeal_id>/", appeal_views.appeal_detail, name="appeal"),
    path("appeals/<id:appeal_id>/decide/", appeal_views.appeal_decide, name="appeal_decide"),
]
