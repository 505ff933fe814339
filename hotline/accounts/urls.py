from __future__ import annotations

from django.urls import path

from hotline.lib import urlids  # noqa: F401 (registers the <id:…> converter used below)

from . import views, views_language, views_webauthn

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.signin, name="login"),
    path("logout/", views.signout, name="logout"),
    path("2fa/", views.verify, name="verify"),
    path("2fa/setup/", views.totp_setup, name="totp_setup"),
    path("2fa/keys/", views_webauthn.signin, name="webauthn_signin"),
    path("2fa/keys/options/", views_webauthn.signin_options, name="webauthn_signin_options"),
    path("2fa/keys/verify/", views_webauthn.signin_verify, name="webauthn_signin_verify"),
    path("2fa/keys/register/", views_webauthn.register, name="webauthn_register"),
    path("2fa/keys/register/options/", views_webauthn.register_options,
         name="webauthn_register_options"),
    path("2fa/keys/register/verify/", views_webauthn.register_verify,
         name="webauthn_register_verify"),
    path("2fa/keys/<id:key_id>/remove/", views_webauthn.remove, name="webauthn_remove"),
    path("setup/<str:uidb64>/<str:token>/", views.setup, name="setup"),
    path("language/", views_language.language, name="language"),
]
