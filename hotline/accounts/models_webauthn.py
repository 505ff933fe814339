"""Security keys (WebAuthn) as an alternative second factor.

A registered key is a django_otp device, so that ``django_otp.login(request, key)`` marks the
session verified exactly as an authenticator app does, and ``user.is_verified()`` (which
``staff_view`` checks) knows both factors. A key has no typed token: ``verify_token`` stays
django_otp's default (always False) and the WebAuthn ceremony in ``views_webauthn`` is the
only way to use one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, DeviceManager


# django_otp has no type information: naming models.Model and models.Manager as well keeps this
# a model, with a known manager, for the type checker. At run time nothing changes.
class WebAuthnCredentialManager(DeviceManager, models.Manager["WebAuthnCredential"]):
    pass


class WebAuthnCredential(Device, models.Model):
    # Device's own fields, kept as they were before keys became devices (name, related_name).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                             related_name="webauthn_credentials")
    name = models.CharField(_("name"), max_length=100, default="Security key")
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    objects = WebAuthnCredentialManager()

    class Meta:
        verbose_name = _("security key")
        verbose_name_plural = _("security keys")

    def __str__(self) -> str:
        return self.name
