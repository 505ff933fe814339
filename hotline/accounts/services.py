"""Staff account actions: invitations and resets with one-time set-up links, TOTP enrolment,
removal of a lost second factor, an administrator's reset of every factor and unlock."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hotline.audit.services import audit_record
from hotline.portals.models import Portal

from . import throttle
from .models import AuthenticatorApp, User, WebAuthnCredential


def setup_link(user: User) -> str:
    """A one-time link: it stops working once the password is set (the token covers it)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("accounts:setup", args=[uid, token])


def user_invite(*, email: str, role: str, invited_by: User | None = None,
                portals: list[Portal] | None = None) -> tuple[User, str]:
    with transaction.atomic():
        user = User.objects.create_user(email, role=role)
        if portals:
            user.portals.set(portals)
        audit_record(actor=invited_by or "command line", action="staff.invite", obj=user,
                     role=role, portals=sorted(p.code for p in portals or []))
    return user, setup_link(user)


def staff_invited(*, user: User, by: User) -> None:
    """An administrator added the account (no password, ever): audited, and its owner is
    mailed a one-time set-up link. An OSError means the mail did not go out; the caller's
    transaction then undoes the account, so that nobody is left without a way in."""
    audit_record(actor=by, action="staff.invite", obj=user, role=user.role,
                 portals=sorted(user.portals.values_list("code", flat=True)))
    _setup_link_mail(user).send()


def second_factors_reset(*, user: User, by: User) -> int:
    """Every second factor of the account is removed, its password stops working and its
    owner is sent a fresh set-up link: someone who merely knows the old password cannot enrol
    a factor of their own. Returns how many factors were removed."""
    with transaction.atomic():
        apps = AuthenticatorApp.objects.filter(user=user)
        keys = WebAuthnCredential.objects.filter(user=user)
        removed = apps.count() + keys.count()
        audit_record(actor=by, action="2fa.reset", obj=user, removed=removed)
        apps.delete()
        keys.delete()
        staff_reset(user=user, by=by, reason="2fa.reset")
    return removed


def account_unlock(*, user: User, by: User) -> None:
    """Forget the account's failed sign-ins (hotline.accounts.throttle), audited."""
    audit_record(actor=by, action="staff.unlock", obj=user)
    throttle.unlock(user.email)


def _setup_link_mail(user: User) -> EmailMessage:
    context = {"link": setup_link(user), "site": settings.SITE_NAME}
    return EmailMessage(
        subject=render_to_string("accounts/email/setup_link_subject.txt", context).strip(),
        body=render_to_string("accounts/email/setup_link.txt", context),
        to=[user.email], headers={"Auto-Submitted": "auto-generated"})


def staff_reset(*, user: User, by: User | str, reason: str) -> None:
    """The account starts again from a one-time set-up link e-mailed to its owner. The password
    stops working, and with it every session of the account (Django ties sessions to it). The
    mail is sent last, inside the transaction: when it cannot go out (an OSError from the mail
    server), nothing has changed and the caller says so."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit_record(actor=by, action="staff.reset", obj=user, reason=reason)
        _setup_link_mail(user).send()


def second_factor_remove(*, device: AuthenticatorApp | WebAuthnCredential, by: User) -> None:
    """Remove a lost second factor. Whoever knows the password could otherwise enrol one of
    their own in its place (trust on first use), so the account starts again from a set-up
    link sent to its owner's address."""
    factor = "totp" if isinstance(device, AuthenticatorApp) else "webauthn"
    with transaction.atomic():
        audit_record(actor=by, action="2fa.remove", obj=device.user, factor=factor,
                     name=device.name)
        device.delete()
        staff_reset(user=device.user, by=by, reason="2fa.remove")


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
    return (AuthenticatorApp.objects.filter(user=user, confirmed=True).exists()
            or WebAuthnCredential.objects.filter(user=user).exists())
