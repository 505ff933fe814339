from __future__ import annotations

from django.urls import path

from hotline.lib import urlids  # noqa: F401 (registers the <id:…> converter used below)

from . import questions, views, views_viewer

# The namespace names the address (/staff/cases/), as analysts know it.
app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("reviews/", views.reviews, name="reviews"),
    path("next/", views.start_next, name="next"),
    path("<id:case_id>/", views.case_detail, name="detail"),
    path("<id:case_id>/claim/", views.claim, name="claim"),
    path("<id:case_id>/release/", views.release, name="release"),
    path("<id:case_id>/assess/", views.assess, name="assess"),
    path("<id:case_id>/reports/<id:report_id>/reveal/", views.reveal, name="reveal"),
    path("<id:case_id>/questions/", questions.ask, name="ask"),
    path("<id:case_id>/questions/<id:question_id>/reveal/", questions.reveal_answer,
         name="reveal_answer"),
    path("<id:case_id>/items/<id:item_id>/benign/", views.item_benign, name="item_benign"),
    path("<id:case_id>/items/<id:item_id>/thumbnail/", views_viewer.thumbnail,
         name="item_thumbnail"),
    path("<id:case_id>/items/<id:item_id>/reveal/", views_viewer.reveal, name="item_reveal"),
    path("<id:case_id>/items/<id:item_id>/revealed/", views_viewer.revealed,
         name="item_revealed"),
]
