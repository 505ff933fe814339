"""The URL list and hash banks that members use, and the captures and matches behind them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.cases.classification import ClassificationError, classification_check
from hotline.cases.models import Case, Scheme


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

    def clean(self) -> None:
        # The admin edits classifications as JSON text: the same check as a bank import.
        try:
            classification_check(self.classification,
                                 list(Scheme.objects.prefetch_related("options")))
        except ClassificationError as e:
            raise ValidationError({"classification": str(e)}) from None


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
