"""Staff sign-in: password, then a second factor (authenticator app or security key)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from hotline.audit.services import audit_record
from hotline.lib.staffaccess import staff_view

from . import throttle
from .forms import SetPasswordForm, SignInForm, TokenForm
from .models import AuthenticatorApp, User
from .services import has_second_factor, totp_device_for_setup
from .steps import client, next_url, second_factor_step


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    lock = None
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        lock = throttle.lock_for(email, client(request))
        if lock is not None:
            throttle.record_refusal(email, actor=email, step="password", lock=lock)
            form.add_error(None, lock.message)
            status = 429
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_failure(email, client(request))
                audit_record(actor=email, action="signin.failed", step="password")
                # Locked by this failure: said now, not only after the next attempt.
                lock = throttle.lock_for(email, client(request))
                form.add_error(None, _("E-mail address or password is wrong.") if lock is None
                               else lock.message)
                status = 400
            else:
                login(request, user)
                return HttpResponseRedirect(
                    f"{reverse('accounts:verify')}?next={next_url(request)}")
    elif request.method == "POST":
        status = 400
    return _with_retry_after(render(request, "accounts/signin.html", {
        "form": form, "next": next_url(request)}, status=status), lock)


def _with_retry_after(response: HttpResponse, lock: throttle.Lock | None) -> HttpResponse:
    if lock is not None:
        response["Retry-After"] = str(lock.retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@second_factor_step()
def verify(request: HttpRequest, user: User) -> HttpResponse:
    if not has_second_factor(user):
        return HttpResponseRedirect(f"{reverse('accounts:totp_setup')}?next={next_url(request)}")
    form = TokenForm(request.POST or None)
    status = 200
    lock = throttle.lock_for(user.email, client(request))
    if request.method == "GET" and lock is not None:
        # A locked account says so before anyone types another code.
        return _with_retry_after(render(request, "accounts/verify.html", {
            "form": None, "lock": lock, "next": next_url(request)}, status=429), lock)
    if request.method == "POST":
        status = 400
        if lock is not None:
            throttle.record_refusal(user.email, actor=user, step="totp", lock=lock)
            form.add_error(None, lock.message)
            status = 429
        elif form.is_valid():
            token = form.cleaned_data["token"].strip()
            for device in AuthenticatorApp.objects.filter(user=user, confirmed=True):
                if device.verify_token(token):
                    otp_login(request, device)
                    throttle.clear(user.email, client(request))
                    audit_record(actor=user, action="signin", factor="totp")
                    return HttpResponseRedirect(next_url(request))
            throttle.record_failure(user.email, client(request))
            audit_record(actor=user, action="signin.failed", step="totp")
            lock = throttle.lock_for(user.email, client(request))
            if lock is None:
                form.add_error("token", _("This code is not right, or has expired."))
            else:
                form.add_error(None, lock.message)
    has_keys = user.webauthn_credentials.exists()
    has_totp = AuthenticatorApp.objects.filter(user=user, confirmed=True).exists()
    return _with_retry_after(render(request, "accounts/verify.html", {
        "form": form, "next": next_url(request), "has_keys": has_keys, "has_totp": has_totp,
    }, status=status), lock)


@never_cache
@require_http_methods(["GET", "POST"])
@second_factor_step(enrolling=True)
def totp_setup(request: HttpRequest, user: User) -> HttpResponse:
    """Enrol an authenticator app. Only before any second factor exists, or once verified."""
    device = totp_device_for_setup(user)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(actor=user, action="2fa.enrol", factor="totp")
            audit_record(actor=user, action="signin", factor="totp")
            return HttpResponseRedirect(next_url(request))
        if form.is_valid():
            form.add_error("token", _("This code is not right, or has expired."))
    # A viewBox and no fixed size: the stylesheet scales the whole code, quiet zone included.
    qr = segno.make(device.config_url, error="m")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/totp_setup.html", {
        "form": form, "next": next_url(request), "device": device,
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
        "qr_svg": qr.svg_inline(scale=1, omitsize=True, dark="#000", light="#fff"),
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time link from `hotline createadmin` / `hotline invite`: choose a password."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, User.DoesNotExist):
        raise Http404 from None
    if not default_token_generator.check_token(user, token):
        return render(request, "accounts/setup_expired.html", status=410)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user.set_password(form.cleaned_data["password"])
        user.save()
        audit_record(actor=user, action="staff.password_set", obj=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(reverse("accounts:totp_setup"))
    return render(request, "accounts/setup.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.is_authenticated:
        audit_record(actor=user, action="signout")
    logout(request)
    return HttpResponseRedirect(reverse("accounts:login"))


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role == User.Role.PARTNER:
        return HttpResponseRedirect(reverse("partner_home"))
    return HttpResponseRedirect(reverse("cases:queue"))

