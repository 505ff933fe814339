"""Authenticator apps (TOTP) as django_otp devices whose seeds are sealed at rest.

``AuthenticatorApp`` is a proxy of django_otp's ``TOTPDevice``: same table, same codes, same
throttling, but the ``key`` column holds the seed sealed with TOTP_SEED_KEY
(``hotline.lib.totpseeds``) instead of in clear. Every part of hotline uses this class; a
seed that does not open (another key, another account) verifies no code.
"""

from __future__ import annotations

import logging
from binascii import unhexlify
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.lib.totpseeds import SeedError, is_sealed, open_seed, seal_seed

log = logging.getLogger(__name__)


class AuthenticatorApp(TOTPDevice):
    key: str  # django_otp's CharField (untyped there): hex in clear, here the sealed seed

    class Meta:
        proxy = True
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self) -> bytes:
        return open_seed(self.key, user_id=self.user_id)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # django_otp makes a new seed in clear (its default); it is sealed before it is written.
        if not is_sealed(self.key):
            self.key = seal_seed(unhexlify(self.key), user_id=self.user_id)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "key"}
        super().save(*args, **kwargs)

    def seed_opens(self) -> bool:
        try:
            self.bin_key  # noqa: B018  (opens the seed, or says why not)
        except SeedError:
            log.warning("authenticator app %s: the seed does not open", self.pk)
            return False
        return True

    def verify_token(self, token: Any) -> bool:
        return self.seed_opens() and bool(super().verify_token(token))
