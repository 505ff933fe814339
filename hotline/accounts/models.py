"""Staff accounts: e-mail sign-in, one role each, partners tied to their portals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.lib.staffaccess import ASSESSORS, REVIEWERS, Role
from hotline.portals.models import Portal


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", User.Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    Role = Role

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices,
                            default=Role.ANALYST)
    portals = models.ManyToManyField(Portal, blank=True, related_name="partner_users",
                                     help_text=_("For partners: the portals whose figures "
                                                 "they may see."))
    # No choices here: languages are data (hotline/locale), and a new one needs no migration.
    # Empty: the hub's language (settings.LANGUAGE_CODE). Staff pages only (hotline/language.py).
    language = models.CharField(_("interface language"), max_length=16, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only administrators reach the Django admin; the role is the single source of truth.
        self.is_staff = self.is_superuser = self.role == self.Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def can_assess(self) -> bool:
        return self.role in ASSESSORS

    @property
    def can_review(self) -> bool:
        return self.role in REVIEWERS

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN
from .models_totp import AuthenticatorApp  # noqa: E402,F401  (one models module per concern)
from .models_webauthn import WebAuthnCredential  # noqa: E402,F401
