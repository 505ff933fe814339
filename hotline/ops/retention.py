"""Retention: what is deleted or anonymised, and when (README, "Retention").

Each kind of data is one ``Kind`` in ``KINDS``, the one list of them: its name, the setting that
holds its period in days, what is done, the rows due at a given time (``due``) and the work
done to some of them (``act``). ``retention_run`` goes through the list; ``hotline retention
run [--dry-run]`` prints its counts, the tick runs it once a day (``retention_tick``), and each
real run is audited with its counts only, never with content.

To add a kind: write a ``due(now) -> QuerySet`` that selects only rows not yet done (so a run
ends, and a second run finds nothing), and an ``act(rows) -> int`` that does it with one
queryset update or delete and returns how many rows it changed; add a setting with its default
in settings.py, a ``Kind`` to ``KINDS``, a line to the privacy page and to README.

The work is done in batches of ``RETENTION_BATCH`` keys, each one statement per kind in its own
short transaction: a run over a million reports is a few hundred statements per kind, not a
loop in Python over rows, and reports keep arriving while it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.audit.services import audit_record
from hotline.capture.models import Capture, CaptureItem
from hotline.cases.models import Case, CaseReport, Verdict
from hotline.cases.models_questions import Question
from hotline.intake.models import Report, ReportedAddress

from .models import DailyRun

# Verdicts that say the material is not illegal (or not the hub's business): the hashes of
# what such a page showed identify nothing the hub must find again.
BENIGN = [Verdict.NOT_ILLEGAL, Verdict.NOT_IN_REMIT]
SEALED = ["where_found_sealed", "description_sealed", "contact_sealed"]
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Kind:
    name: str
    setting: str  # the period in days; "" when the rows say themselves when they end
    done: str  # what happens to a row: "deleted" or "anonymised"
    due: Callable[[datetime], QuerySet[Any]]
    act: Callable[[QuerySet[Any]], int]

    def days(self) -> int | None:
        return int(getattr(settings, self.setting)) if self.setting else None

    def cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days() or 0)


def closed_reports(cutoff: datetime) -> QuerySet[Report]:
    """Reports taken in whose cases are all closed, the last of them at or before cutoff.

    A report's links to its cases carry the closing time of their case (cases.services sets
    it when the case closes), so this reads the links' index only, never the cases."""
    links = CaseReport.objects.filter(report=OuterRef("pk"))
    still_running = links.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=cutoff))
    return (Report.objects.filter(intake_done_at__isnull=False)
            .filter(Exists(links)).exclude(Exists(still_running)))


def sealed_left_q() -> Q:
    return Q(*[Q(**{f"{field}__isnull": False}) for field in SEALED], wants_feedback=True,
             _connector=Q.OR)


# --- the kinds ------------------------------------------------------------------------------

def reporter_text_due(now: datetime) -> QuerySet[Report]:
    return closed_reports(now - timedelta(days=settings.RETENTION_REPORTER_TEXT_DAYS)).filter(
        sealed_left_q())


def reporter_text_delete(reports: QuerySet[Report]) -> int:
    return reports.update(wants_feedback=False, **dict.fromkeys(SEALED))


def _receipt_left() -> Q:
    # The keyed hash of receipts issued now, and the Argon2id digest of older ones.
    return Q(receipt_key__isnull=False) | Q(receipt_digest__isnull=False)


def receipts_due(now: datetime) -> QuerySet[Report]:
    return closed_reports(now - timedelta(days=settings.RETENTION_RECEIPT_DAYS)).filter(
        _receipt_left())


def receipts_delete(reports: QuerySet[Report]) -> int:
    return reports.update(receipt_key=None, receipt_digest=None)


def answers_due(now: datetime) -> QuerySet[Question]:
    """Reporters' sealed answers to analysts' questions: reporter text like any other."""
    cutoff = now - timedelta(days=settings.RETENTION_REPORTER_TEXT_DAYS)
    return Question.objects.filter(answer_sealed__isnull=False,
                                   report__in=closed_reports(cutoff))


def answers_delete(questions: QuerySet[Question]) -> int:
    return questions.update(answer_sealed=None)


def _typed_differs() -> Exists:
    return Exists(ReportedAddress.objects.filter(report=OuterRef("pk"))
                  .exclude(submitted=F("canonical_url")))


def reports_due(now: datetime) -> QuerySet[Report]:
    return closed_reports(now - timedelta(days=settings.RETENTION_REPORT_DAYS)).filter(
        sealed_left_q() | _receipt_left() | _typed_differs())


def reports_anonymise(reports: QuerySet[Report]) -> int:
    """What a reporter wrote goes; what the figures count (portal, date, language, content
    kind, the links to cases) stays. An address as typed becomes its canonical form, which
    the case holds anyway. (The reports first: ``reports`` may be a due query, evaluated
    again by each statement, and the addresses are part of what makes a report due.)"""
    changed = reports.update(receipt_key=None, receipt_digest=None, wants_feedback=False,
                             **dict.fromkeys(SEALED))
    ReportedAddress.objects.filter(report__in=reports).exclude(
        submitted=F("canonical_url")).update(submitted=F("canonical_url"))
    return changed


def _benign_cases(now: datetime) -> Q:
    cutoff = now - timedelta(days=settings.RETENTION_BENIGN_HASHES_DAYS)
    return Q(status=Case.Status.CLOSED, verdict__in=BENIGN, closed_at__lte=cutoff)


def item_hashes_due(now: datetime) -> QuerySet[CaptureItem]:
    cases = Case.objects.filter(_benign_cases(now))
    return (CaptureItem.objects.filter(capture__case__in=cases)
            .exclude(md5="", sha1="", sha256="", pdq="", pdq_quality=None))


def item_hashes_delete(items: QuerySet[CaptureItem]) -> int:
    return items.update(md5="", sha1="", sha256="", pdq="", pdq_quality=None)


def page_hashes_due(now: datetime) -> QuerySet[Capture]:
    return Capture.objects.filter(case__in=Case.objects.filter(_benign_cases(now))).exclude(
        sha256="")


def page_hashes_delete(captures: QuerySet[Capture]) -> int:
    return captures.update(sha256="")


def tasks_due(now: datetime) -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lte=now - timedelta(days=settings.RETENTION_TASK_DAYS))


def failed_tasks_due(now: datetime) -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED,
        finished_at__lte=now - timedelta(days=settings.RETENTION_FAILED_TASK_DAYS))


def sessions_due(now: datetime) -> QuerySet[Session]:
    return Session.objects.filter(expire_date__lte=now)


def delete(rows: QuerySet[Any]) -> int:
    return rows.delete()[0]


KINDS: list[Kind] = [
    Kind("reporter_text", "RETENTION_REPORTER_TEXT_DAYS", "deleted",
         reporter_text_due, reporter_text_delete),
    Kind("answers", "RETENTION_REPORTER_TEXT_DAYS", "deleted", answers_due, answers_delete),
    Kind("receipts", "RETENTION_RECEIPT_DAYS", "deleted", receipts_due, receipts_delete),
    Kind("reports", "RETENTION_REPORT_DAYS", "anonymised", reports_due, reports_anonymise),
    Kind("item_hashes", "RETENTION_BENIGN_HASHES_DAYS", "deleted",
         item_hashes_due, item_hashes_delete),
    Kind("page_hashes", "RETENTION_BENIGN_HASHES_DAYS", "deleted",
         page_hashes_due, page_hashes_delete),
    Kind("tasks", "RETENTION_TASK_DAYS", "deleted", tasks_due, delete),
    Kind("failed_tasks", "RETENTION_FAILED_TASK_DAYS", "deleted", failed_tasks_due, delete),
    # Staff sign-in sessions past their expiry (Django's clearsessions).
    Kind("staff_sessions", "", "deleted", sessions_due, delete),
]


# --- running them ---------------------------------------------------------------------------

def in_batches(due: QuerySet[Any], act: Callable[[QuerySet[Any]], int]) -> int:
    """Act on every due row, RETENTION_BATCH at a time; how many were changed.

    Tables with whole-number keys are walked in key ranges: each batch is one statement
    (``act`` on the due rows of the range) and no keys travel to Python. Other tables (task
    rows, sessions: few rows a day) in batches of keys read first."""
    batch = settings.RETENTION_BATCH
    if not isinstance(due.model._meta.pk, models.AutoField):  # BigAutoField is one too
        return _in_key_batches(due, act, batch)
    bounds = due.model._default_manager.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    done = 0
    for start in range(bounds["low"], bounds["high"] + 1, batch):
        with transaction.atomic():
            done += act(due.filter(pk__gte=start, pk__lt=start + batch))
    return done


def _in_key_batches(due: QuerySet[Any], act: Callable[[QuerySet[Any]], int], batch: int) -> int:
    done, after = 0, None
    while True:
        with transaction.atomic():
            rows = due if after is None else due.filter(pk__gt=after)
            keys = list(rows.order_by("pk").values_list("pk", flat=True)[:batch])
            if not keys:
                return done
            done += act(due.model._default_manager.filter(pk__in=keys))
        after = keys[-1]


def retention_run(now: datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Delete or anonymise what is due at now, kind by kind (with dry_run: count it only).
    Returns the count per kind; a real run is audited with these counts."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for kind in KINDS:
        due = kind.due(now)
        counts[kind.name] = due.count() if dry_run else in_batches(due, kind.act)
    if not dry_run:
        audit_record(actor="retention", action="retention.run", counts=counts)
    return counts


def retention_tick(now: datetime) -> dict[str, int]:
    """The tick's job: the retention run, once a day (the first tick that claims the day)."""
    DailyRun.objects.get_or_create(name="retention", defaults={"started_at": now - 2 * DAY})
    claimed = DailyRun.objects.filter(name="retention", started_at__lte=now - DAY).update(
        started_at=now)
    if not claimed:
        return {}
    return {f"retention_{name}": n for name, n in retention_run(now).items()}
