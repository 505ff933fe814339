"""Security keys (WebAuthn): enrol a key, and use one as the second factor at sign-in.

Each ceremony is a page, a JSON endpoint that hands out options (and keeps the challenge in the
session) and a JSON endpoint that checks the browser's answer. The pages work with the static
script ``staff/webauthn.js`` (the staff CSP allows no inline script); without JavaScript they
say so and point to the authenticator app instead.

A key is a django_otp device (see ``models_webauthn``), so a verified key is handed to
``django_otp.login`` exactly like an authenticator app and every staff page accepts it.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json_dict
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from hotline.audit.services import audit_record
from hotline.lib.staffaccess import staff_view

from . import throttle
from .models import AuthenticatorApp, User
from .models_webauthn import WebAuthnCredential
from .services import has_second_factor
from .steps import client, next_url, safe_next, second_factor_step, with_next

log = logging.getLogger(__name__)

REGISTER = "webauthn-register"
SIGNIN = "webauthn-signin"
CHALLENGE_SECONDS = 5 * 60  # a challenge is used once, and only this soon after it was made
TIMEOUT_MS = 2 * 60 * 1000  # how long the browser waits for the key


# --- Helpers ------------------------------------------------------------------------------------


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _user_handle(user: User) -> bytes:
    """A stable WebAuthn user id that reveals neither the e-mail address nor the row id."""
    return salted_hmac("hotline.accounts.webauthn.user", str(user.pk),
                       algorithm="sha256").digest()


def _keys(user: User) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"))


def _descriptors(keys: list[WebAuthnCredential]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=bytes(key.credential_id)) for key in keys]


def _remember_challenge(request: HttpRequest, purpose: str, challenge: bytes) -> None:
    request.session[purpose] = {"challenge": bytes_to_base64url(challenge),
                                "user": request.user.pk, "at": int(time.time())}


def _take_challenge(request: HttpRequest, purpose: str) -> bytes | None:
    """The challenge handed out for this purpose, once: a second answer finds none."""
    saved = request.session.pop(purpose, None)
    if (not isinstance(saved, dict) or saved.get("user") != request.user.pk
            or time.time() - saved.get("at", 0) > CHALLENGE_SECONDS):
        return None
    return base64url_to_bytes(saved["challenge"])


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _expected_origins() -> list[str]:
    return list(settings.WEBAUTHN_ORIGINS)


def _refused(request: HttpRequest, user: User) -> JsonResponse | None:
    """429 while this connection may not try this account (audited, see throttle)."""
    lock = throttle.lock_for(user.email, client(request))
    if lock is None:
        return None
    throttle.record_refusal(user.email, actor=user, step="webauthn", lock=lock)
    response = _error(lock.message, 429)
    response["Retry-After"] = str(lock.retry_after)
    return response


# --- Enrolment -----------------------------------------------------------------------------------


@never_cache
@require_GET
@second_factor_step(enrolling=True)
def register(request: HttpRequest, user: User) -> HttpResponse:
    return render(request, "accounts/webauthn_register.html", {
        "next": next_url(request), "first": not has_second_factor(user),
        "keys": _keys(user),
    })


@never_cache
@require_POST
@staff_view()
def remove(request: HttpRequest, key_id: int) -> HttpResponse:
    """A staff member removes one of their own keys (a lost one is removed by an administrator,
    which resets the account). Never the last second factor: it would leave the account to
    whoever next knows the password."""
    user: Any = request.user
    key = get_object_or_404(WebAuthnCredential, pk=key_id, user=user)
    others = (WebAuthnCredential.objects.filter(user=user).exclude(pk=key.pk).exists()
              or AuthenticatorApp.objects.filter(user=user, confirmed=True).exists())
    if not others:
        messages.error(request, _("This is your only second factor. Add another one (a "
                                  "security key or an authenticator app) before removing it."))
    else:
        with transaction.atomic():
            audit_record(actor=user, action="2fa.remove", obj=user, factor="webauthn",
                         name=key.name, own=True)
            key.delete()
        messages.success(request, _("The security key “%(name)s” was removed.")
                         % {"name": key.name})
    return HttpResponseRedirect(reverse("accounts:webauthn_register"))


@never_cache
@require_POST
@second_factor_step(enrolling=True, json=True)
def register_options(request: HttpRequest, user: User) -> HttpResponse:
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_name=user.email,
        user_id=_user_handle(user),
        timeout=TIMEOUT_MS,
        exclude_credentials=_descriptors(_keys(user)),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    _remember_challenge(request, REGISTER, options.challenge)
    return JsonResponse(options_to_json_dict(options))


@never_cache
@require_POST
@second_factor_step(enrolling=True, json=True)
def register_verify(request: HttpRequest, user: User) -> HttpResponse:
    body = _json_body(request)
    challenge = _take_challenge(request, REGISTER)
    if body is None or challenge is None:
        return _error(_("This request has expired. Reload the page and try again."))
    try:
        verified = verify_registration_response(
            credential=body.get("credential"),  # type: ignore[arg-type]
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=_expected_origins(),
        )
    except Exception as e:  # untrusted input: any failure to verify is a refusal
        log.info("security key registration refused: %s", type(e).__name__)
        return _error(_("The security key could not be registered. Try again."))

    was_verified = bool(user.is_verified())  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            key = WebAuthnCredential.objects.create(
                user=user, credential_id=verified.credential_id,
                public_key=verified.credential_public_key, sign_count=verified.sign_count,
                confirmed=True,
            )
            audit_record(actor=user, action="2fa.enrol", obj=key, factor="webauthn")
            if not was_verified:
                audit_record(actor=user, action="signin", factor="webauthn")
    except IntegrityError:
        return _error(_("This security key is registered already."))
    if not was_verified:
        otp_login(request, key)
    return JsonResponse({"redirect": safe_next(request, body.get("next"))})


# --- Sign-in -------------------------------------------------------------------------------------


@never_cache
@require_GET
@second_factor_step()
def signin(request: HttpRequest, user: User) -> HttpResponse:
    if not _keys(user):
        return HttpResponseRedirect(with_next(reverse("accounts:verify"), request))
    return render(request, "accounts/webauthn_verify.html", {
        "next": next_url(request),
        "has_totp": AuthenticatorApp.objects.filter(user=user, confirmed=True).exists(),
    })


@never_cache
@require_POST
@second_factor_step(json=True)
def signin_options(request: HttpRequest, user: User) -> HttpResponse:
    keys = _keys(user)
    if not keys:
        return _error(_("No security key is registered for this account."), 403)
    refused = _refused(request, user)
    if refused is not None:
        return refused
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _remember_challenge(request, SIGNIN, options.challenge)
    return JsonResponse(options_to_json_dict(options))


def _check_assertion(request: HttpRequest, user: User,
                     body: dict[str, Any] | None) -> tuple[WebAuthnCredential | None, str]:
    """The key that signed this answer (its counter moved on), or None and why not."""
    challenge = _take_challenge(request, SIGNIN)
    if body is None:
        return None, "malformed"
    if challenge is None:
        return None, "no-challenge"
    credential = body.get("credential")
    try:
        raw_id = base64url_to_bytes(credential["rawId"])  # type: ignore[index]
    except Exception:  # untrusted input
        return None, "malformed"
    with transaction.atomic():
        # Locked, so that two answers for one key cannot both pass the counter check.
        key = (WebAuthnCredential.objects.select_for_update()
               .filter(user=user, confirmed=True, credential_id=raw_id).first())
        if key is None:
            return None, "unknown-key"
        try:
            verified = verify_authentication_response(
                credential=credential,  # type: ignore[arg-type]
                expected_challenge=challenge,
                expected_rp_id=settings.WEBAUTHN_RP_ID,
                expected_origin=_expected_origins(),
                credential_public_key=bytes(key.public_key),
                credential_current_sign_count=key.sign_count,
            )
        except Exception as e:  # untrusted input: any failure to verify is a refusal
            log.info("security key sign-in refused: %s", type(e).__name__)
            return None, "invalid"
        # A counter that does not move forward means a cloned key or a replayed answer. Keys
        # without a counter always send 0 and are accepted (py_webauthn checks this too).
        if ((verified.new_sign_count or key.sign_count)
                and verified.new_sign_count <= key.sign_count):
            return None, "sign-count"
        key.sign_count = verified.new_sign_count
        key.last_used = timezone.now()
        key.save(update_fields=["sign_count", "last_used"])
    return key, ""


@never_cache
@require_POST
@second_factor_step(json=True)
def signin_verify(request: HttpRequest, user: User) -> HttpResponse:
    refused = _refused(request, user)
    if refused is not None:
        return refused
    body = _json_body(request)
    key, reason = _check_assertion(request, user, body)
    if key is None:
        throttle.record_failure(user.email, client(request))
        audit_record(actor=user, action="signin.failed", step="webauthn", reason=reason)
        if reason == "no-challenge":
            return _error(_("This request has expired. Reload the page and try again."))
        return _error(_("The security key could not be verified. Try again, or use "
                        "another second factor."))
    otp_login(request, key)
    throttle.clear(user.email, client(request))
    audit_record(actor=user, action="signin", factor="webauthn")
    return JsonResponse({"redirect": safe_next(request, (body or {}).get("next"))})
