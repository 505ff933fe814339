"""Reports as they arrive from the public portals, and from trusted members over the API.

Nothing here identifies the reporter: no address, user agent or referrer is ever stored, the
reporter's own words are sealed with the hub's public key, and the receipt exists only as a
keyed hash. How far a report has got is derived from its cases when asked
(hotline/cases/progress.py), never stored here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hotline.portals.models import Portal


class Report(models.Model):
    class ContentKind(models.TextChoices):
        IMAGE = "image", _("Images")
        VIDEO = "video", _("Videos")
        WEBSITE = "website", _("A website or page")
        OTHER = "other", _("Something else")

    class Hint(models.TextChoices):
        """A trusted submitter's classification hint (XARF / industry classes)."""

        BASELINE = "baseline", _("Baseline (illegal in every country)")
        A1 = "A1", _("A1: prepubescent, sex act")
        A2 = "A2", _("A2: prepubescent, lascivious exhibition")
        B1 = "B1", _("B1: pubescent, sex act")
        B2 = "B2", _("B2: pubescent, lascivious exhibition")

    # The portal it came through; for a member's report, the portal whose figures count it.
    portal = models.ForeignKey(Portal, models.PROTECT, related_name="reports", null=True,
                               blank=True)
    # Trusted intake (API): the submitting member, its own reference and its hint.
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="reports",
                               null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    classification_hint = models.CharField(max_length=8, choices=Hint.choices, blank=True)
    language = models.CharField(max_length=8)
    content_kind = models.CharField(max_length=10, choices=ContentKind.choices)
    where_found_sealed = models.BinaryField(null=True, editable=False)
    description_sealed = models.BinaryField(null=True, editable=False)
    contact_sealed = models.BinaryField(null=True, editable=False)
    wants_feedback = models.BooleanField(default=False)
    # The last feedback message sent to the reporter (hotline/cases/feedback.py): a milestone
    # is claimed here before its message goes out, so that no retry sends it twice.
    feedback_stage = models.PositiveSmallIntegerField(default=0, editable=False)
    # The reporter (or a member) said a child may be in immediate danger, or the abuse is
    # happening now: its cases go to the top of the queue (hotline/cases/queue.py).
    urgent = models.BooleanField(default=False)
    # Only public reports have a receipt; members follow theirs by id or reference. The key is
    # a keyed fast hash of the code (hotline/lib/receipts.py); receipts issued before it exist
    # only as the old Argon2id digest, which is never written any more.
    receipt_key = models.CharField(max_length=64, unique=True, null=True, editable=False)
    receipt_digest = models.CharField(max_length=64, unique=True, null=True, editable=False)
    received_at = models.DateTimeField(auto_now_add=True)
    intake_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        # Figures count reports by date, language and portal, from the indexes alone.
        indexes = [
            models.Index(fields=["received_at", "language"], name="report_received_idx"),
            models.Index(fields=["portal", "received_at", "language"],
                         name="report_portal_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(portal__isnull=False) | Q(member__isnull=False),
                                   name="report_has_a_source"),
            # A member's reference names one report: a retried submission finds it again.
            models.UniqueConstraint(fields=["member", "reference"], condition=~Q(reference=""),
                                    name="one_report_per_member_reference"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"Report {self.pk} via {self.source}"

    @property
    def source(self) -> str:
        """Where it came from: the portal code, or the member's name."""
        if self.member_id is not None:
            return str(self.member)
        return self.portal.code if self.portal else ""


class ReportedAddress(models.Model):
    """One web address of a report: as typed, and its canonical form once taken in."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="addresses")
    position = models.PositiveSmallIntegerField()
    submitted = models.TextField()
    canonical_url = models.TextField(blank=True)
    host = models.CharField(max_length=255, blank=True)
    registrable_domain = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="one_address_per_slot")
        ]

    def __str__(self) -> str:
        return self.canonical_url or self.submitted
