from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.signin, name="login"),
    path("logout/", views.signout, name="logout"),
    path("2fa/", views.verify, name="verify"),
    path("2fa/setup/", views.totp_setup, name="totp_setup"),
    path("setup/<str:uidb64>/<str:token>/", views.setup, name="setup"),
    path("partner/", views.partner_home, name="partner_home"),
]
