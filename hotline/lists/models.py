"""The URL list and hash banks that members use, and the matches of captured items against
the banks."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.capture.models import CaptureItem
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

    class Why(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed by review")
        REMOVED = "removed", _("The material is gone")
        REAPPEARED = "reappeared", _("The material came back")
        DELISTED = "delisted", _("Delisted while an appeal or correction is looked at")
        RELISTED = "relisted", _("Listed again after a correction")
        REASSESSED = "reassessed", _("Re-assessed: not confirmed")

    entry = models.ForeignKey(UrlListEntry, models.PROTECT, related_name="changes")
    action = models.CharField(max_length=6, choices=Action.choices)
    # Why, for members reading the deltas (hotline/api/lists.py).
    why = models.CharField(max_length=12, choices=Why.choices, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.action} {self.entry}"


class HashBank(models.Model):
    class Kind(models.TextChoices):
        OWN = "own", _("Confirmed by this hub")
        PARTNER = "partner", _("Imported from a partner")
        NEGATIVE = "negative", _("Known to be benign (allow-list)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.PARTNER)
    source = models.CharField(_("source"), max_length=300, blank=True)
    licence = models.TextField(_("licence note"), blank=True)
    enabled = models.BooleanField(_("used for matching"), default=True)
    pdq_max_distance = models.PositiveSmallIntegerField(
        _("PDQ distance"), null=True, blank=True,
        help_text=_("Largest Hamming distance that matches (empty: PDQ_MAX_DISTANCE)."))
    pdq_min_quality = models.PositiveSmallIntegerField(
        _("PDQ minimum quality"), null=True, blank=True,
        help_text=_("Hashes of lower quality are not matched (empty: PDQ_MIN_QUALITY)."))
    # Every change of the bank's hashes or settings moves this on; a worker's PDQ index of an
    # older version is replaced (hotline/lists/banks.py).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Retroactive matching against the items of open cases (after an import or enabling).
    rematch_total = models.PositiveIntegerField(default=0, editable=False)
    rematch_done = models.PositiveIntegerField(default=0, editable=False)
    rematch_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    rematch_finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def distance(self) -> int:
        if self.pdq_max_distance is not None:
            return self.pdq_max_distance
        return int(settings.PDQ_MAX_DISTANCE)

    @property
    def min_quality(self) -> int:
        if self.pdq_min_quality is not None:
            return self.pdq_min_quality
        return int(settings.PDQ_MIN_QUALITY)


class BankHash(models.Model):
    bank = models.ForeignKey(HashBank, models.CASCADE, related_name="hashes")
    md5 = models.CharField(max_length=32, blank=True, db_index=True)
    sha1 = models.CharField(max_length=40, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    classification = models.JSONField(default=dict, blank=True)
    # For the own bank: the confirmed case it came from.
    case = models.ForeignKey(Case, models.SET_NULL, null=True, blank=True, related_name="+")
    # Analysts' verdicts that contradicted a match on this hash (not illegal, not in remit).
    disagreements = models.PositiveIntegerField(default=0, editable=False)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank hash")
        verbose_name_plural = _("bank hashes")

    def __str__(self) -> str:
        return self.sha256 or self.md5 or self.pdq

    def clean(self) -> None:
        # The admin edits classifications as JSON text: the same check as a bank import.
        try:
            classification_check(self.classification,
                                 list(Scheme.objects.prefetch_related("options")))
        except ClassificationError as e:
            raise ValidationError({"classification": str(e)}) from None


class Match(models.Model):
    """A captured item that matches a hash in an enabled bank: known content, or, for a
    negative bank, known to be benign."""

    class Kind(models.TextChoices):
        MD5 = "md5", "MD5"
        SHA1 = "sha1", "SHA-1"
        SHA256 = "sha256", "SHA-256"
        PDQ = "pdq", "PDQ"

    item = models.ForeignKey(CaptureItem, models.CASCADE, related_name="matches")
    bank_hash = models.ForeignKey(BankHash, models.CASCADE, related_name="matches")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    distance = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "bank_hash", "kind"],
                                               name="one_match_per_item_hash_kind")]

    def __str__(self) -> str:
        return f"{self.kind} match (distance {self.distance})"
