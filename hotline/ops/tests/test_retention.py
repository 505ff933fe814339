"""Retention: each kind of data deleted or anonymised exactly when due and not before, on a
fixed clock; the figures unchanged; nothing sealed left past its period anywhere."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import models
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from hotline.audit.models import AuditEntry
from hotline.capture.models import Capture, CaptureItem
from hotline.cases import services as cases
from hotline.cases.models import Case, CaseReport, Verdict, url_digest
from hotline.cases.models_questions import Question
from hotline.cases.tasks import report_intake
from hotline.intake.models import Report, ReportedAddress
from hotline.ops import retention
from hotline.ops.tick import tick
from hotline.portals.models import Portal
from hotline.stats import figures, published
from hotline.stats.figures import Period
from hotline.testing.base import StaffTestCase

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
DAYS = dt.timedelta(days=1)
PERIODS = {"RETENTION_REPORTER_TEXT_DAYS": 90, "RETENTION_RECEIPT_DAYS": 365,
           "RETENTION_REPORT_DAYS": 400, "RETENTION_BENIGN_HASHES_DAYS": 30,
           "RETENTION_TASK_DAYS": 7, "RETENTION_FAILED_TASK_DAYS": 30, "RETENTION_BATCH": 3}


def seed(portal: Portal, number: int, *, received: dt.datetime, closed: dt.datetime | None,
         verdict: str = Verdict.NOT_ILLEGAL, lang: str = "en") -> Report:
    """One report of one address with everything a reporter can leave, its case (closed at
    ``closed`` or open) and a capture with one hashed item."""
    url = f"https://seed.example.test/{number}"
    report = Report.objects.create(
        portal=portal, language=lang, content_kind="image", where_found_sealed=b"w",
        description_sealed=b"d", contact_sealed=b"c", wants_feedback=True,
        receipt_digest=f"digest-{number}", intake_done_at=received)
    Report.objects.filter(pk=report.pk).update(received_at=received)
    address = ReportedAddress.objects.create(report=report, position=0, submitted=url + "?x#y",
                                             canonical_url=url, host="seed.example.test")
    case = Case.objects.create(
        url=url, url_sha256=url_digest(url), host="seed.example.test",
        registrable_domain="example.test",
        status=Case.Status.CLOSED if closed else Case.Status.OPEN,
        verdict=verdict if closed else "", confirmed=bool(closed) and verdict == Verdict.CSAM,
        report_count=1, first_reported=received, last_reported=received, closed_at=closed,
        time_to_assessment=closed - received if closed else None)
    CaseReport.objects.create(case=case, report=report, address=address, portal=portal,
                              closed_at=closed)
    capture = Capture.objects.create(case=case, url=url, sha256="a" * 64)
    CaptureItem.objects.create(capture=capture, position=0, url=url + "/1.png", source="img",
                               media="image", md5="b" * 32, sha1="c" * 40, sha256="d" * 64,
                               pdq="e" * 64, pdq_quality=90)
    return report


def sealed_left(report: Report) -> bool:
    report.refresh_from_db()
    return any(getattr(report, f) is not None for f in retention.SEALED) or report.wants_feedback


@override_settings(**PERIODS)
class RetentionTestCase(StaffTestCase):
    def test_reporter_text_goes_exactly_90_days_after_the_last_case_closed(self) -> None:
        due = seed(self.gm, 1, received=NOW - 100 * DAYS, closed=NOW - 90 * DAYS)
        early = seed(self.gm, 2, received=NOW - 100 * DAYS, closed=NOW - 90 * DAYS + SECOND)
        still_open = seed(self.gm, 3, received=NOW - 500 * DAYS, closed=None)
        counts = retention.retention_run(NOW)
        self.assertEqual(counts["reporter_text"], 1)
        self.assertFalse(sealed_left(due))
        self.assertTrue(sealed_left(early))
        self.assertTrue(sealed_left(still_open))
        due.refresh_from_db()
        self.assertEqual(due.receipt_digest, "digest-1")  # receipts have their own period

        self.assertEqual(retention.retention_run(NOW + SECOND)["reporter_text"], 1)
        self.assertFalse(sealed_left(early))
        self.assertTrue(sealed_left(still_open))
        self.assertEqual(retention.retention_run(NOW + SECOND)["reporter_text"], 0)

    def test_a_report_waits_for_the_last_of_its_cases(self) -> None:
        report = seed(self.gm, 1, received=NOW - 200 * DAYS, closed=NOW - 150 * DAYS)
        other = seed(self.gm, 2, received=NOW - 200 * DAYS, closed=None)
        # The same report's second address went to a case that is still open.
        CaseReport.objects.create(case=Case.objects.get(url__endswith="/2"), report=report,
                                  address=ReportedAddress.objects.create(
                                      report=report, position=1, submitted="x",
                                      canonical_url="x"))
        retention.retention_run(NOW)
        self.assertTrue(sealed_left(report))
        self.assertTrue(sealed_left(other))

    def test_receipts_go_a_year_after_closing_and_the_status_page_knows_no_such_code(
            self) -> None:
        r = self.submit()
        code = self.receipt_from(r)
        report = Report.objects.get()
        cases.report_intake(report_id=report.pk)
        for case in Case.objects.all():
            self.assertTrue(cases.case_claim(case_id=case.pk, user=self.analyst))
            cases.case_assess(case_id=case.pk, analyst=self.analyst, verdict="not_illegal",
                              classification={})
        closed = Case.objects.filter(status=Case.Status.CLOSED)
        self.assertEqual(closed.count(), 2)
        last = NOW - 365 * DAYS
        closed.update(closed_at=last - DAYS)
        CaseReport.objects.filter(report=report).update(closed_at=last - DAYS)
        CaseReport.objects.filter(pk=CaseReport.objects.filter(report=report).earliest(
            "pk").pk).update(closed_at=last + SECOND)
        self.assertNotContains(self.client.post("/gm/en/status/", {"code": code}),
                               "No report found")

        self.assertEqual(retention.retention_run(NOW)["receipts"], 0)
        self.assertNotContains(self.client.post("/gm/en/status/", {"code": code}),
                               "No report found")
        self.assertEqual(retention.retention_run(NOW + SECOND)["receipts"], 1)
        report.refresh_from_db()
        self.assertEqual((report.receipt_key, report.receipt_digest), (None, None))
        self.assertContains(self.client.post("/gm/en/status/", {"code": code}),
                            "No report found")

    def test_reports_anonymised_keep_what_the_figures_count(self) -> None:
        report = seed(self.gm, 1, received=NOW - 500 * DAYS, closed=NOW - 400 * DAYS,
                      lang="en")
        early = seed(self.gm, 2, received=NOW - 500 * DAYS, closed=NOW - 400 * DAYS + SECOND)
        counts = retention.retention_run(NOW)
        self.assertEqual((counts["reporter_text"], counts["receipts"]), (2, 2))
        # What is left of a report that the case does not hold: the address as typed.
        self.assertEqual(counts["reports"], 1)
        self.assertEqual(ReportedAddress.objects.get(report=report).submitted,
                         "https://seed.example.test/1")
        self.assertEqual(ReportedAddress.objects.get(report=early).submitted,
                         "https://seed.example.test/2?x#y")
        self.assertEqual(retention.retention_run(NOW + SECOND)["reports"], 1)
        self.assertEqual(ReportedAddress.objects.get(report=early).submitted,
                         "https://seed.example.test/2")
        report.refresh_from_db()
        self.assertEqual((report.portal_id, report.language, report.content_kind,
                          report.received_at), (self.gm.pk, "en", "image", NOW - 500 * DAYS))
        self.assertEqual(report.case_links.count(), 1)
        self.assertFalse(sealed_left(early))
        self.assertEqual(retention.retention_run(NOW + SECOND)["reports"], 0)

    @override_settings(RETENTION_REPORTER_TEXT_DAYS=1000, RETENTION_RECEIPT_DAYS=1000)
    def test_anonymising_also_removes_what_longer_periods_left(self) -> None:
        report = seed(self.gm, 1, received=NOW - 500 * DAYS, closed=NOW - 400 * DAYS)
        self.assertEqual(retention.retention_run(NOW)["reports"], 1)
        self.assertFalse(sealed_left(report))
        self.assertIsNone(report.receipt_digest)

    def test_hashes_of_benign_items_go_after_their_period_and_csam_hashes_stay(self) -> None:
        seed(self.gm, 1, received=NOW - 40 * DAYS, closed=NOW - 30 * DAYS)
        seed(self.gm, 2, received=NOW - 40 * DAYS, closed=NOW - 30 * DAYS + SECOND,
             verdict=Verdict.NOT_IN_REMIT)
        seed(self.gm, 3, received=NOW - 400 * DAYS, closed=NOW - 300 * DAYS,
             verdict=Verdict.CSAM)
        seed(self.gm, 4, received=NOW - 400 * DAYS, closed=None)

        def hashed() -> list[str]:
            return sorted(i.capture.case.url[-1] for i in CaptureItem.objects.exclude(
                sha256="").select_related("capture__case"))

        counts = retention.retention_run(NOW)
        self.assertEqual((counts["item_hashes"], counts["page_hashes"]), (1, 1))
        self.assertEqual(hashed(), ["2", "3", "4"])
        item = CaptureItem.objects.get(capture__case__url__endswith="/1")
        self.assertEqual((item.md5, item.sha1, item.sha256, item.pdq, item.pdq_quality),
                         ("", "", "", "", None))
        self.assertEqual(item.url, "https://seed.example.test/1/1.png")  # the count stays
        self.assertEqual(Capture.objects.get(case__url__endswith="/1").sha256, "")
        retention.retention_run(NOW + SECOND)
        self.assertEqual(hashed(), ["3", "4"])
        self.assertEqual(Capture.objects.exclude(sha256="").count(), 2)

    def test_finished_task_rows_are_pruned_and_waiting_ones_kept(self) -> None:
        def task(status: str, finished: dt.datetime | None) -> str:
            row = DBTaskResult.objects.get(pk=report_intake.enqueue(1).id)
            DBTaskResult.objects.filter(pk=row.pk).update(status=status, finished_at=finished)
            return str(row.pk)

        done_due = task("SUCCESSFUL", NOW - 7 * DAYS)
        done_early = task("SUCCESSFUL", NOW - 7 * DAYS + SECOND)
        failed_due = task("FAILED", NOW - 30 * DAYS)
        failed_early = task("FAILED", NOW - 7 * DAYS - SECOND)
        waiting = task("READY", None)
        counts = retention.retention_run(NOW)
        self.assertEqual((counts["tasks"], counts["failed_tasks"]), (1, 1))
        left = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
        self.assertEqual(left, {done_early, failed_early, waiting})
        self.assertNotIn(done_due, left)
        self.assertNotIn(failed_due, left)

    def test_expired_staff_sessions_are_deleted(self) -> None:
        Session.objects.create(session_key="a" * 32, session_data="", expire_date=NOW)
        Session.objects.create(session_key="b" * 32, session_data="",
                               expire_date=NOW + SECOND)
        self.assertEqual(retention.retention_run(NOW)["staff_sessions"], 1)
        self.assertEqual(list(Session.objects.values_list("session_key", flat=True)),
                         ["b" * 32])

    def test_a_dry_run_counts_and_changes_nothing_and_a_run_is_audited_with_counts(
            self) -> None:
        for n in range(5):
            seed(self.gm, n, received=NOW - 500 * DAYS, closed=NOW - 450 * DAYS)
        out = StringIO()
        with self.settings(**PERIODS), self._clock(NOW):
            call_command("retention", "run", "--dry-run", stdout=out)
        self.assertIn("reporter_text: 5 would be deleted (after 90 days)", out.getvalue())
        self.assertIn("reports: 5 would be anonymised (after 400 days)", out.getvalue())
        self.assertIn("staff_sessions: 0 would be deleted (when expired)", out.getvalue())
        self.assertEqual(Report.objects.filter(receipt_digest__isnull=False).count(), 5)
        self.assertFalse(AuditEntry.objects.filter(action="retention.run").exists())

        out = StringIO()
        with self._clock(NOW):
            call_command("retention", "run", stdout=out)
        self.assertIn("reporter_text: 5 deleted", out.getvalue())
        entry = AuditEntry.objects.get(action="retention.run")
        self.assertEqual(entry.details["counts"]["reporter_text"], 5)
        self.assertEqual(entry.details["counts"]["reports"], 5)
        # Counts only: numbers, no content.
        self.assertTrue(all(isinstance(v, int) for v in entry.details["counts"].values()))
        self.assertEqual(entry.actor_label, "retention")

    def _clock(self, now: dt.datetime) -> Any:
        from unittest import mock
        return mock.patch("hotline.ops.retention.timezone.now", return_value=now)

    def test_the_tick_runs_retention_once_a_day(self) -> None:
        seed(self.gm, 1, received=NOW - 500 * DAYS, closed=NOW - 450 * DAYS)
        first = tick(NOW)
        self.assertEqual(first["retention_reporter_text"], 1)
        seed(self.gm, 2, received=NOW - 500 * DAYS, closed=NOW - 450 * DAYS)
        self.assertNotIn("retention_reporter_text", tick(NOW + DAYS - SECOND))
        self.assertEqual(tick(NOW + DAYS)["retention_reporter_text"], 1)
        self.assertEqual(AuditEntry.objects.filter(action="retention.run").count(), 2)


def _sealed_fields() -> dict[type[models.Model], list[str]]:
    found: dict[type[models.Model], list[str]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.name.endswith("_sealed") or field.name in ("receipt_digest", "receipt_key"):
                found.setdefault(model, []).append(field.name)
    return found


@override_settings(**PERIODS)
class SweepTestCase(StaffTestCase):
    """Seeded data across every period; after a run nothing sealed is left past its period,
    and every public and partner figure is what it was."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        sn = Portal.objects.get(code="sn")
        number = 0
        for days_ago in (0, 1, 29, 30, 31, 89, 90, 91, 200, 364, 365, 366, 399, 400, 401, 700):
            for portal, lang, verdict in ((cls.gm, "en", Verdict.NOT_ILLEGAL),
                                          (sn, "fr", Verdict.CSAM),
                                          (cls.gm, "en", Verdict.NOT_IN_REMIT)):
                number += 1
                closed = NOW - days_ago * DAYS
                seed(portal, number, received=closed - (number % 5 + 1) * DAYS, closed=closed,
                     verdict=verdict, lang=lang)
            number += 1
            seed(cls.gm, number, received=NOW - days_ago * DAYS, closed=None)

    def figures(self) -> Any:
        periods = [Period(NOW - 30 * DAYS, NOW), Period(NOW - 365 * DAYS, NOW),
                   Period(NOW - 800 * DAYS, NOW)]
        sn = Portal.objects.get(code="sn")
        result: list[Any] = []
        for portals in (None, [self.gm], [sn]):
            for period in periods:
                result.append((figures.summary(portals, period),
                               figures.compare(portals, period),
                               figures.languages(portals, period),
                               figures.hosting_countries(portals, period),
                               figures.received_by("month", portals, period),
                               figures.outcomes_by("month", portals, period)))
        for period in periods:
            result.append(figures.outcomes_by_portal("year", period))
        cache.clear()
        result.append([published.published(scope, NOW) for scope in ("", "gm", "sn", "km")])
        result.append(figures.queue(NOW))
        return result

    def test_figures_are_identical_before_and_after(self) -> None:
        before = self.figures()
        counts = retention.retention_run(NOW)
        self.assertGreater(counts["reports"], 0)
        self.assertGreater(counts["reporter_text"], 0)
        self.assertEqual(self.figures(), before)

    def test_nothing_sealed_survives_its_period(self) -> None:
        # Every sealed column in the database is covered: a new one fails here until the
        # sweep (and ops/retention.py) knows its period.
        self.assertEqual({m._meta.label: sorted(f) for m, f in _sealed_fields().items()},
                         {"intake.Report": sorted(["where_found_sealed", "description_sealed",
                                                   "contact_sealed", "receipt_key",
                                                   "receipt_digest"]),
                          "cases.Question": ["answer_sealed"]})
        # An answered question on every report whose case is known.
        for link in CaseReport.objects.select_related("report"):
            Question.objects.create(case_id=link.case_id, report=link.report,
                                    asked_by=self.analyst, text="?", answer_sealed=b"a")
        for when in (NOW, NOW + 100 * DAYS):
            retention.retention_run(when)
            text_due = retention.closed_reports(when - 90 * DAYS)
            receipt_due = retention.closed_reports(when - 365 * DAYS)
            self.assertFalse(text_due.filter(retention.sealed_left_q()).exists())
            self.assertFalse(Question.objects.filter(report__in=text_due,
                                                     answer_sealed__isnull=False).exists())
            self.assertFalse(receipt_due.filter(retention._receipt_left()).exists())
            self.assertTrue(Question.objects.exclude(report__in=text_due).filter(
                answer_sealed__isnull=False).exists())
            self.assertFalse(CaptureItem.objects.filter(
                capture__case__verdict__in=retention.BENIGN,
                capture__case__closed_at__lte=when - 30 * DAYS).exclude(sha256="").exists())
            # And what is not yet due is all still there.
            self.assertTrue(Report.objects.exclude(pk__in=text_due).filter(
                description_sealed__isnull=False).exists())
        left = Report.objects.filter(description_sealed__isnull=False)
        for report in left:
            links = list(report.case_links.all())
            self.assertTrue(any(link.closed_at is None or
                                link.closed_at > NOW + 10 * DAYS for link in links))
