"""The URL list and hash banks that members use, and the captures and matches behind them."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.cases.models import Case


class UrlListEntry(models.Model):
    """A confirmed URL (or, for a dedicated site, its whole domain) that members block."""

    case = models.OneToOneField(Case, models.PROTECT, related_name="list_entry")
    url = models.TextField()
    domain = models.CharField(max_length=255)
    whole_domain = models.BooleanField(default=False)
    active = models.BooleanField(default=True, db_index=True)
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("URL list entry")
        verbose_name_plural = _("URL list")

    def __str__(self) -> str:
        return self.domain if self.whole_domain else self.url

    @property
    def value(self) -> str:
        return self.domain if self.whole_domain else self.url


class UrlListChange(models.Model):
    """Append-only history: its id is the list version a member asks for changes since."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        REMOVE = "remove", _("Removed")

    entry = models.ForeignKey(UrlListEntry, models.PROTECT, related_name="changes")
    action = models.CharField(max_length=6, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.action} {self.entry}"


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
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


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


class HashBank(models.Model):
    class Kind(models.TextChoices):
        OWN = "own", _("Confirmed by this hub")
        PARTNER = "partner", _("Imported from a partner")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.PARTNER)
    source = models.CharField(_("source"), max_length=300, blank=True)
    licence = models.TextField(_("licence note"), blank=True)
    enabled = models.BooleanField(_("used for matching"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class BankHash(models.Model):
    bank = models.ForeignKey(HashBank, models.CASCADE, related_name="hashes")
    md5 = models.CharField(max_length=32, blank=True, db_index=True)
    sha1 = models.CharField(max_length=40, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    classification = models.JSONField(default=dict, blank=True)
    case = models.ForeignKey(Case, models.SET_NULL, null=True, blank=True, related_name="+")
    added = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256 or self.md5 or self.pdq


class Capture(models.Model):
    """What a bounded fetch of a case's URL found: hashes only, never the content."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="captures")
    url = models.TextField()
    fetched_at = models.DateTimeField(default=timezone.now)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    md5 = models.CharField(max_length=32, blank=True)
    sha1 = models.CharField(max_length=40, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-fetched_at"]

    def __str__(self) -> str:
        return f"capture of case {self.case_id} at {self.fetched_at:%Y-%m-%d %H:%M}"


class Match(models.Model):
    """A capture that matches a hash in an enabled bank: known content."""

    class Kind(models.TextChoices):
        MD5 = "md5", "MD5"
        SHA1 = "sha1", "SHA-1"
        SHA256 = "sha256", "SHA-256"
        PDQ = "pdq", "PDQ"

    capture = models.ForeignKey(Capture, models.CASCADE, related_name="matches")
    bank_hash = models.ForeignKey(BankHash, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    distance = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} match (distance {self.distance})"
