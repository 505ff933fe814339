"""Questions an analyst asks a reporter through the receipt (hotline/cases/questions.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.intake.models import Report


class Question(models.Model):
    """One question to the reporter of one report, and the answer, sealed like all reporter
    text: the public side stores it with the public key, staff read it on request (audited)."""

    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="questions")
    report = models.ForeignKey(Report, models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    text = models.TextField()
    asked_at = models.DateTimeField(auto_now_add=True)
    answer_sealed = models.BinaryField(null=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    # When the content-free "there is a question for you" e-mail was claimed (feedback.py);
    # set only for reporters who asked for e-mail.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("question to the reporter")

    def __str__(self) -> str:
        return f"Question {self.pk} of case {self.case_id} to report {self.report_id}"
