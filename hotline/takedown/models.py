"""Notice and takedown: who is told, when, and whether the material is gone."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.cases.models import Case


class PartnerHotline(models.Model):
    """A hotline in another country that takes referrals (directory kept by administrators)."""

    country = models.CharField(_("country"), max_length=2, unique=True,
                               help_text=_("ISO 3166-1 alpha-2 code, e.g. SN."))
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("referral address"))
    language = models.CharField(_("language"), max_length=8, default="en")
    active = models.BooleanField(_("active"), default=True)
    demo = models.BooleanField(_("demo data"), default=False,
                               help_text=_("Loaded from a demonstration file: replace it "
                                           "before real use."))

    class Meta:
        ordering = ["country"]
        verbose_name = _("partner hotline")

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class Recipient(models.Model):
    """The police or international contact for material hosted where no partner works."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("address"))
    language = models.CharField(_("language"), max_length=8, default="en")
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("The first is used for referrals; the others in turn for "
                               "escalations."))
    demo = models.BooleanField(_("demo data"), default=False,
                               help_text=_("Loaded from a demonstration file: replace it "
                                           "before real use."))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("police or international contact")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Takedown(models.Model):
    class Route(models.TextChoices):
        NOTICE = "notice", _("Notice to the hosting provider")
        REFERRAL = "referral", _("Referral to a partner hotline")
        POLICE = "police", _("Referral to police / international contact")

    class State(models.TextChoices):
        TRACING = "tracing", _("Tracing the host")
        ACTIVE = "active", _("Notified, checking until removed")
        REMOVED = "removed", _("Removed")
        NO_CONTACT = "no_contact", _("No contact found: needs staff")
        WITHDRAWN = "withdrawn", _("Withdrawn: re-assessed as not confirmed")

    case = models.OneToOneField(Case, models.PROTECT, related_name="takedown")
    state = models.CharField(max_length=12, choices=State.choices, default=State.TRACING,
                             db_index=True)
    route = models.CharField(max_length=10, choices=Route.choices, blank=True)
    # The ordered contacts: notices go to chain[stage]; an escalation moves to the next.
    chain = models.JSONField(default=list, blank=True)
    stage = models.PositiveSmallIntegerField(default=0)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    confirmed_at = models.DateTimeField()
    recorded_sha256 = models.CharField(max_length=64, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    check_interval = models.PositiveIntegerField(default=3600, help_text=_("seconds"))
    last_notice_at = models.DateTimeField(null=True, blank=True)
    notices_at_stage = models.PositiveSmallIntegerField(default=0)
    removed_at = models.DateTimeField(null=True, blank=True)
    time_to_removal = models.DurationField(null=True, blank=True)
    # The current streak of gone checks (takedown/removal.py): when it began, how many checks
    # counted (at least REMOVAL_CONFIRM_SECONDS apart) and the last one that did.
    gone_since = models.DateTimeField(null=True, blank=True)
    gone_checks = models.PositiveSmallIntegerField(default=0)
    last_gone_at = models.DateTimeField(null=True, blank=True)
    # After removal: follow-up checks done (REMOVAL_FOLLOW_UP_DAYS), and how often the
    # material came back.
    follow_ups_done = models.PositiveSmallIntegerField(default=0)
    reappearances = models.PositiveSmallIntegerField(default=0)
    reappeared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confirmed_at"]
        # Figures count removals by date (stats.figures).
        indexes = [models.Index(fields=["state", "removed_at", "time_to_removal"],
                                name="takedown_removed_idx")]
        verbose_name = _("takedown")

    def __str__(self) -> str:
        return f"Takedown of case {self.case_id}: {self.state}"

    def current_contact(self) -> dict[str, str] | None:
        return self.chain[self.stage] if self.stage < len(self.chain) else None


class Notice(models.Model):
    class Kind(models.TextChoices):
        FIRST = "first", _("First notice")
        RESEND = "resend", _("Re-sent notice")
        ESCALATION = "escalation", _("Escalation")
        REAPPEARED = "reappeared", _("Notice: the material is back")
        PARALLEL = "parallel", _("Information to the police")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent: gone before sending")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    takedown = models.ForeignKey(Takedown, models.CASCADE, related_name="notices")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    route = models.CharField(max_length=10, choices=Takedown.Route.choices)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_email = models.EmailField()
    # Who the recipient is in the chain: host, cdn (asked to forward), partner or police.
    recipient_kind = models.CharField(max_length=10, blank=True)
    language = models.CharField(max_length=8, default="en")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING,
                             db_index=True)
    xarf = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)
    # Notices to one recipient that became ready within NOTICE_GROUP_SECONDS share this time
    # and go out as one message (takedown/services.py: notice_send), whose id is ``batch``.
    send_after = models.DateTimeField(default=timezone.now, db_index=True)
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["takedown", "sequence"]
        constraints = [models.UniqueConstraint(fields=["takedown", "sequence"],
                                               name="one_notice_per_sequence")]

    def __str__(self) -> str:
        return f"Notice {self.sequence} of case {self.takedown.case_id} to {self.recipient_email}"


class Check(models.Model):
    """One re-check of an actioned address and its evidence (takedown/removal.py)."""

    class Outcome(models.TextChoices):
        PRESENT = "present", _("Still there")
        GONE = "gone", _("Gone")
        UNKNOWN = "unknown", _("Could not tell")

    takedown = models.ForeignKey(Takedown, models.CASCADE, related_name="checks")
    at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.CharField(max_length=40, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Each egress's look: outcome, reason, status and the items found.
    evidence = models.JSONField(default=list, blank=True)
    follow_up = models.BooleanField(default=False, help_text=_("A check after removal."))
    before_notice = models.BooleanField(default=False,
                                        help_text=_("A check just before a notice went out."))

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.reason}) at {self.at:%Y-%m-%d %H:%M}"


class Appeal(models.Model):
    """A request to look again at a listed address: from a member (API) or lodged by staff on
    behalf of a site owner. Decided by a senior who took no part in the case."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for a senior")
        UPHELD = "upheld", _("Looked at again: the listing stands")
        CORRECTED = "corrected", _("Looked at again: corrected")

    case = models.ForeignKey(Case, models.PROTECT, related_name="appeals")
    url = models.TextField(help_text=_("The address as the appeal gave it."))
    reason = models.TextField(max_length=5000)
    member = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True,
                               related_name="appeals")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                  blank=True, related_name="+")
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True,
                                    help_text=_("The site owner or other person who asked."))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN,
                             db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(blank=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("appeal")

    def __str__(self) -> str:
        return f"Appeal {self.pk} on case {self.case_id}: {self.state}"
