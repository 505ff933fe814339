"""Feedback to reporters who asked for it: a short e-mail at each milestone of their report
(assessed, action taken, removed) and when an analyst has a question for them.

Only the staff side runs this (the tick, hotline/ops/tick.py): it holds the private key that
opens the sealed contact address. Messages are in the report's language and content-free: the
status sentence the status page shows, never the reported address or anything about the
material, and no link. The address is deleted after the last message (the report is assessed
with nothing more to do, or the material removed).

At most once: a milestone (and a question's notice) is claimed by a conditional update before
its message goes out, as notices are (hotline/takedown/services.py); a failure to reach the
mail server gives the claim back for the next tick, a crash after the server took the message
never sends it twice.
"""

from __future__ import annotations

import logging
import os
import smtplib
from datetime import datetime

import nacl.exceptions
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hotline.audit.services import audit_record
from hotline.intake.models import Report
from hotline.lib import sealing

from .models import Question
from .progress import STATUS_TEXT, ReportStatus, progress_of

log = logging.getLogger(__name__)

# The milestone each status has reached: 1 assessed, 2 action taken, 3 removed.
STAGE: dict[str, int] = {ReportStatus.ASSESSED: 1, ReportStatus.CONFIRMED: 1,
                         ReportStatus.ACTION_TAKEN: 2, ReportStatus.REMOVED: 3}
# After these, nothing more will happen: the message is the last, the address is deleted.
FINAL: set[str] = {ReportStatus.ASSESSED, ReportStatus.REMOVED}
BATCH = 200


def _language(report: Report) -> str:
    codes = dict(settings.LANGUAGES)
    return report.language if report.language in codes else settings.LANGUAGE_CODE


def _address(report: Report) -> str | None:
    """The reporter's address, or None when it cannot be opened (sealed under another key, or
    damaged): then nothing is sent, and one bad row never stops the tick for everyone."""
    assert report.contact_sealed is not None
    try:
        return sealing.unseal(bytes(report.contact_sealed))
    except (nacl.exceptions.CryptoError, nacl.exceptions.TypeError, UnicodeDecodeError):
        log.warning("the e-mail address of report %s cannot be opened: no feedback sent",
                    report.pk)
        return None


def _send(address: str, subject: str, paragraphs: list[str]) -> None:
    EmailMessage(subject=subject, body="\n\n".join(paragraphs) + "\n",
                 from_email=settings.HUB_EMAIL, to=[address],
                 headers={"Auto-Submitted": "auto-generated"}).send()


def _refused_for_good(error: OSError) -> int | None:
    """The permanent (5xx) code with which the mail server refused the reporter's address
    itself, or None: a refusal for now (4xx), a server that is down or a refused sender is
    worth another try, an address that does not exist is not."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return None
    codes = [code for code, _reply in error.recipients.values()]
    return min(codes) if all(code >= 500 for code in codes) else None


def _forget_refused(report: Report, code: int) -> None:
    """Nobody can be told at an address its mail server refuses for good: delete it, so that
    no later tick tries it again and it is not kept for nothing."""
    Report.objects.filter(pk=report.pk).update(contact_sealed=None)
    audit_record(actor="system", action="report.feedback.refused", obj=report,
                 address_deleted=True, code=code)
    log.warning("the mail server refused the feedback address of report %s for good (%s): "
                "deleted", report.pk, code)


def _milestone_message(report: Report, status: str, last: bool) -> tuple[str, list[str]]:
    with translation.override(_language(report)):
        return _("News about your report"), [
            _("You asked us to tell you what happens to the report you sent."),
            str(STATUS_TEXT[status]),
            _("You can also check it at any time with your receipt code, on the page where "
              "you sent the report."),
            _("This is the last message: we have deleted your e-mail address.") if last else
            _("We will delete your e-mail address after the last message."),
        ]


def feedback_send(report: Report, status: str) -> bool:
    """Tell the reporter of this milestone, once. True when a message went out."""
    stage, last = STAGE[status], status in FINAL
    address = _address(report)  # before the claim: a key that cannot be read claims nothing
    if address is None:
        return False
    claimed = Report.objects.filter(pk=report.pk, feedback_stage=report.feedback_stage,
                                    contact_sealed__isnull=False).update(feedback_stage=stage)
    if not claimed:
        return False  # another tick got there first
    subject, paragraphs = _milestone_message(report, status, last)
    try:
        _send(address, subject, paragraphs)
    except OSError as e:
        Report.objects.filter(pk=report.pk, feedback_stage=stage).update(
            feedback_stage=report.feedback_stage)
        if (code := _refused_for_good(e)) is not None:
            _forget_refused(report, code)
            return False
        log.warning("feedback to the reporter of report %s not sent, retried later: %s",
                    report.pk, type(e).__name__)
        return False
    if last:
        Report.objects.filter(pk=report.pk).update(contact_sealed=None)
    audit_record(actor="system", action="report.feedback", obj=report, status=status,
                 address_deleted=last)
    return True


def question_notify(question: Question) -> bool:
    """Tell a reporter who asked for e-mail that there is a question, without saying what."""
    address = _address(question.report)
    if address is None:
        return False
    claimed = Question.objects.filter(pk=question.pk, notified_at__isnull=True).update(
        notified_at=timezone.now())
    if not claimed:
        return False
    report = question.report
    with translation.override(_language(report)):
        subject = _("A question about your report")
        paragraphs = [_("An analyst has a question about the report you sent. To read it and "
                        "answer, enter your receipt code on the page where you sent the "
                        "report and check its status.")]
    try:
        _send(address, subject, paragraphs)
    except OSError as e:
        Question.objects.filter(pk=question.pk).update(notified_at=None)
        if (code := _refused_for_good(e)) is not None:
            _forget_refused(report, code)
        return False
    audit_record(actor="system", action="question.notified", obj=question.case,
                 question=question.pk)
    return True


def feedback_tick(now: datetime | None = None) -> dict[str, int]:
    """Every milestone not yet told and every question not yet announced, for the reports
    whose reporters asked for e-mail and whose address is still kept. Only where the private
    key can be read (the staff side): elsewhere (``hotline serve`` on the public side runs a
    tick too) this job is left to the staff side's tick."""
    if not os.access(settings.SEALING_PRIVATE_KEY_FILE, os.R_OK):
        return {"feedback_sent": 0, "question_notices": 0}
    waiting = Report.objects.filter(wants_feedback=True, contact_sealed__isnull=False)
    sent = 0
    last_id = 0
    while batch := list(waiting.filter(pk__gt=last_id).order_by("pk")[:BATCH]):
        last_id = batch[-1].pk
        progress = progress_of(batch)
        for report in batch:
            status = progress[report.pk].status
            if STAGE.get(status, 0) > report.feedback_stage:
                sent += feedback_send(report, status)
    questions = Question.objects.filter(
        notified_at__isnull=True, answered_at__isnull=True, report__wants_feedback=True,
        report__contact_sealed__isnull=False).select_related("report", "case")
    asked = sum(question_notify(q) for q in questions)
    return {"feedback_sent": sent, "question_notices": asked}
