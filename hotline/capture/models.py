"""What a capture of a reported address found: the page as the robot received it, and each
media item the page shows, with its hashes. Never the content itself: bytes are hashed in
memory and dropped (DESIGN.md promise 3)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Capture(models.Model):
    """One capture of a case's address: the answer to the page itself and how many items it
    showed. The page body is never hashed as media; its SHA-256 is kept as evidence only."""

    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="captures")
    url = models.TextField()
    final_url = models.TextField(blank=True, help_text=_("After redirects."))
    fetched_at = models.DateTimeField(default=timezone.now)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    sniffed = models.CharField(max_length=100, blank=True,
                               help_text=_("The type its bytes show, whatever the header says."))
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    items_found = models.PositiveIntegerField(default=0)
    items_truncated = models.BooleanField(
        default=False, help_text=_("The page showed more items than one capture fetches."))
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "lists_capture"  # moved from the lists app with its table
        ordering = ["-fetched_at"]

    def __str__(self) -> str:
        return f"capture of case {self.case_id} at {self.fetched_at:%Y-%m-%d %H:%M}"


class CaptureItem(models.Model):
    """One image or video a captured page showed (or the address itself, when it is one)."""

    class Media(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        NONE = "", _("Not media")

    capture = models.ForeignKey(Capture, models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    url = models.TextField()
    # Where the page named it: img, srcset, picture, video, poster, audio, link, og:image, page.
    source = models.CharField(max_length=20)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    sniffed = models.CharField(max_length=100, blank=True)
    media = models.CharField(max_length=5, choices=Media.choices, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    # Hashes only of a 2xx answer whose bytes are an image or a video.
    md5 = models.CharField(max_length=32, blank=True)
    sha1 = models.CharField(max_length=40, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["capture", "position"]
        constraints = [models.UniqueConstraint(fields=["capture", "position"],
                                               name="one_item_per_position")]

    def __str__(self) -> str:
        return f"item {self.position} of capture {self.capture_id}"

    @property
    def hashed(self) -> bool:
        return bool(self.sha256)
