from __future__ import annotations

from django.urls import path

from . import answers, views

# The public figures page of a portal (/<code>/<lang>/figures/) is in the same namespace; the
# project's urls.py adds it, so that this app and the figures know nothing of each other.
app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("<str:code>/", views.portal_root, name="root"),
    path("<str:code>/<str:lang>/", views.landing, name="landing"),
    path("<str:code>/<str:lang>/report/", views.report, name="report"),
    path("<str:code>/<str:lang>/status/", views.status, name="status"),
    path("<str:code>/<str:lang>/status/answer/", answers.answer, name="answer"),
    path("<str:code>/<str:lang>/privacy/", views.privacy, name="privacy"),
    path("<str:code>/<str:lang>/safety/", views.safety, name="safety"),
    path("<str:code>/<str:lang>/receipt.txt", views.receipt_text, name="receipt_text"),
    path("<str:code>/partners/<id:pk>/logo.png", views.partner_logo, name="partner_logo"),
]
