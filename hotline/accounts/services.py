"""Staff account actions: invitations with one-time set-up links, TOTP enrolment."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hotline.audit.services import audit_record

from .models import AuthenticatorApp, User


def setup_link(user: User) -> str:
    """A one-time link: it stops working once the password is set (the token covers it)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("accounts:setup", args=[uid, token])


def user_invite(*, email: str, role: str, invited_by: User | None = None) -> tuple[User, str]:
    with transaction.atomic():
        user = User.objects.create_user(email, role=role)
        audit_record(actor=invited_by or "command line", action="staff.invite", obj=user,
                     role=role)
    return user, setup_link(user)


def totp_device_for_setup(user: User) -> AuthenticatorApp:
    """The user's unconfirmed authenticator, made on first need, and made again when its
    seed no longer opens (sealed under another TOTP_SEED_KEY, or altered in the database)."""
    device = AuthenticatorApp.objects.filter(user=user, confirmed=False).first()
    if device is not None and not device.seed_opens():
        device.delete()
        device = None
    if device is None:
        device = AuthenticatorApp.objects.create(user=user, name="Authenticator app",
                                                 confirmed=False)
    return device


def has_second_factor(user: User) -> bool:
    from .models_webauthn import WebAuthnCredential

    return (AuthenticatorApp.objects.filter(user=user, confirmed=True).exists()
            or WebAuthnCredential.objects.filter(user=user).exists())
