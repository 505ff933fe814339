from __future__ import annotations

from django.urls import path

from . import views

app_name = "takedown"
urlpatterns = [
    path("", views.takedown_list, name="list"),
    path("<int:case_id>/", views.takedown_detail, name="detail"),
    path("<int:case_id>/override/", views.takedown_override, name="override"),
]
