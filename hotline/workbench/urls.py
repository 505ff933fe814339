from __future__ import annotations

from django.urls import path

from . import views

# The namespace names the address (/staff/cases/), as analysts know it.
app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("reviews/", views.reviews, name="reviews"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/claim/", views.claim, name="claim"),
    path("<int:case_id>/release/", views.release, name="release"),
    path("<int:case_id>/assess/", views.assess, name="assess"),
    path("<int:case_id>/reports/<int:report_id>/reveal/", views.reveal, name="reveal"),
    path("<int:case_id>/items/<int:item_id>/benign/", views.item_benign, name="item_benign"),
]
