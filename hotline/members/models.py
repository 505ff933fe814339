"""Member organisations (search engines, hosts, network operators, partner hotlines) and their
API keys. The tables were created by the lists app and kept when the models moved here."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class Member(models.Model):
    """An organisation (search engine, host, network operator) that downloads the lists."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact = models.EmailField(_("contact"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    # What its API keys may do (api.auth checks these on every request).
    may_download_lists = models.BooleanField(_("may download the lists"), default=True)
    may_submit = models.BooleanField(
        _("may submit reports"), default=False,
        help_text=_("Trusted intake: partner hotlines and companies submitting URLs."))
    may_export = models.BooleanField(
        _("may export confirmed cases"), default=False,
        help_text=_("XARF export of any confirmed case (without it: only cases of the "
                    "member's own reports)."))
    portal = models.ForeignKey(
        "portals.Portal", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("portal"),
        help_text=_("The portal whose figures count this member's reports."))
    # A member's report counts in a portal's published figures, so a member names only the
    # portals an administrator has allowed: its own, and these.
    extra_portals = models.ManyToManyField(
        "portals.Portal", blank=True, related_name="+", verbose_name=_("may also report for"),
        help_text=_("Other portals whose figures may count this member's reports (the member "
                    "names one per report). Its own portal is always allowed."))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "lists_member"  # moved from the lists app with its table

    def __str__(self) -> str:
        return self.name

    def reporting_portal_ids(self) -> set[int]:
        """The portals this member may attribute its reports to."""
        allowed = set(self.extra_portals.values_list("pk", flat=True))
        return allowed | {self.portal_id} if self.portal_id is not None else allowed


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    """A member's API key. Only a SHA-256 of the secret part is kept (the secret is 256 random
    bits, so a fast hash is enough); the prefix identifies the key in logs and the admin."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "lists_apikey"  # moved from the lists app with its table
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.member})"

    @classmethod
    def issue(cls, member: Member) -> tuple[ApiKey, str]:
        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        key = cls.objects.create(member=member, prefix=prefix, digest=_digest(secret))
        return key, f"hk_{prefix}_{secret}"

    @classmethod
    def find(cls, presented: str) -> ApiKey | None:
        parts = presented.split("_", 2)
        if len(parts) != 3 or parts[0] != "hk":
            return None
        key = cls.objects.select_related("member").filter(
            prefix=parts[1], revoked_at__isnull=True, member__active=True).first()
        if key is None or not secrets.compare_digest(key.digest, _digest(parts[2])):
            return None
        return key
