"""Cases: one per canonical URL under assessment, with assessments, reviews and schemes."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.intake.models import Report, ReportedAddress


class Verdict(models.TextChoices):
    CSAM = "csam", _("Child sexual abuse material")
    NOT_IN_REMIT = "not_in_remit", _("Not in remit")
    NOT_ILLEGAL = "not_illegal", _("Not illegal")
    UNAVAILABLE = "unavailable", _("Content unavailable")
    DUPLICATE = "duplicate", _("Duplicate")


def url_digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for assessment")
        REVIEW = "review", _("Waiting for second review")
        THIRD = "third", _("Waiting for a third opinion")
        CLOSED = "closed", _("Assessed")

        @classmethod
        def waiting(cls) -> list[Case.Status]:
            """Statuses of a case that waits for staff (assessment, review, third opinion)."""
            return [cls.OPEN, cls.REVIEW, cls.THIRD]

    url = models.TextField()
    url_sha256 = models.CharField(max_length=64, db_index=True)
    host = models.CharField(max_length=255)
    registrable_domain = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    classification = models.JSONField(default=dict, blank=True)
    confirmed = models.BooleanField(default=False, help_text=_("A reviewed CSAM verdict."))
    dedicated_site = models.BooleanField(
        default=False, help_text=_("The whole site is dedicated to such material: the URL list "
                                   "carries its domain, not just the page."))
    known_content = models.BooleanField(
        default=False, help_text=_("A capture matched a hash bank: no need to view it again."))
    report_count = models.PositiveIntegerField(default=0)
    # How soon analysts should look (hotline/cases/queue.py): the highest of its reports'.
    priority = models.PositiveSmallIntegerField(default=0, editable=False)
    first_reported = models.DateTimeField()
    last_reported = models.DateTimeField()
    previous = models.ForeignKey("self", models.SET_NULL, null=True, blank=True,
                                 related_name="+",
                                 help_text=_("The earlier assessed case of the same URL."))
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # closed_at - first_reported, stored at closing so figures need no date arithmetic per row.
    time_to_assessment = models.DurationField(null=True, blank=True, editable=False)
    # The final grade of each captured item (capture item id → verdict and classification,
    # see hotline/cases/grading.py), from the assessment that decided; {} when the page was
    # graded as a whole.
    item_grades = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # At most one open case per URL; assessed cases of the same URL stay as history.
            models.UniqueConstraint(fields=["url_sha256"], condition=~Q(status="closed"),
                                    name="one_open_case_per_url"),
        ]
        # Figures count assessed and confirmed cases by closing date (stats.figures).
        # Covering: counts and medians read the index only.
        indexes = [models.Index(fields=["status", "closed_at", "confirmed", "verdict",
                                        "time_to_assessment"], name="case_closed_idx"),
                   # Cases by status, then priority: the metrics and the staff digest count
                   # the waiting ones and the urgent among them from this index alone, seeking
                   # past the closed ones. Not a partial index: SQLite cannot use one for a
                   # query whose statuses are bound parameters, as Django's are.
                   models.Index(fields=["status", "priority"], name="case_status_idx")]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.url}"

    @property
    def previously_assessed(self) -> bool:
        return self.previous_id is not None

    def claim_is_live(self) -> bool:
        if self.claimed_by_id is None or self.claimed_at is None:
            return False
        return self.claimed_at > timezone.now() - timedelta(minutes=settings.CASE_CLAIM_MINUTES)

    def is_claimed_by(self, user: Any) -> bool:
        return self.claimed_by_id == user.pk and self.claim_is_live()

    def initial_assessment(self) -> Assessment | None:
        return self.assessments.filter(kind=Assessment.Kind.INITIAL).order_by("-id").first()


class CaseReport(models.Model):
    """A report (and the address in it) that points at this case."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="links")
    report = models.ForeignKey(Report, models.CASCADE, related_name="case_links")
    address = models.ForeignKey(ReportedAddress, models.CASCADE, related_name="+")
    # Copies for the figures of one portal (stats.figures), which then read one index range
    # instead of joining every report: the report's portal, and the case's closing time (set
    # when the case closes; a closed case gets no new links).
    portal = models.ForeignKey("portals.Portal", models.SET_NULL, null=True, blank=True,
                               related_name="+", editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["portal", "closed_at", "case"],
                                name="casereport_portal_idx")]
        constraints = [models.UniqueConstraint(fields=["case", "address"],
                                               name="one_link_per_address")]

    def __str__(self) -> str:
        return f"report {self.report_id} → case {self.case_id}"


class Scheme(models.Model):
    """A classification scheme (UK categories, INHOPE, industry…): data, not code."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    help_text = models.CharField(max_length=300, blank=True)
    multiple = models.BooleanField(default=False, help_text=_("Several options may be chosen."))
    required = models.BooleanField(default=True, help_text=_("Required for a CSAM verdict."))
    enabled = models.BooleanField(default=True)
    per_item = models.BooleanField(
        default=False, help_text=_("Graded item by item (what one picture shows); the others "
                                   "are graded once for the page."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SchemeOption(models.Model):
    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="options")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"],
                                               name="option_code_per_scheme")]

    def __str__(self) -> str:
        return f"{self.scheme.code}: {self.label}"


class Assessment(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("Assessment")
        REVIEW = "review", _("Second review")
        THIRD = "third", _("Third opinion")
        REASSESS = "reassess", _("Re-assessment (correction or appeal)")

    case = models.ForeignKey(Case, models.CASCADE, related_name="assessments")
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    classification = models.JSONField(default=dict, blank=True)
    agrees = models.BooleanField(null=True, help_text=_("For reviews: agrees with the "
                                                        "assessment under review."))
    notes = models.TextField(blank=True)
    dedicated_site = models.BooleanField(default=False)
    # This analyst's grade of each captured item (capture item id → verdict, classification).
    item_grades = models.JSONField(default=dict, blank=True)
    needs_review = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of case {self.case_id}: {self.verdict}"


from .models_questions import Question  # noqa: E402,F401  (one models module per concern)
