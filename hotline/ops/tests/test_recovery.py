"""The recovery sweep: tasks of dead workers failed, unfinished intakes queued again, once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hotline.cases import services
from hotline.cases.models import Case, CaseReport
from hotline.cases.tasks import report_intake as intake_report
from hotline.intake.models import Report, ReportedAddress
from hotline.ops import recovery
from hotline.testing.base import PublicTestCase

NO_CAPTURE = {"capture_requeued": 0, "capture_given_up": 0, "trace_requeued": 0,
              "trace_given_up": 0}


@override_settings(TASK_RUNNING_LIMIT_SECONDS=600, INTAKE_RETRY_AFTER_SECONDS=120,
                   INTAKE_MAX_ATTEMPTS=3)
class RecoverySweepTestCase(PublicTestCase):
    def report(self, age: timedelta = timedelta(minutes=5), **overrides: str) -> Report:
        """A stored report whose intake was never queued (TestCase runs no on_commit)."""
        self.submit(**overrides)
        report = Report.objects.latest("pk")
        Report.objects.filter(pk=report.pk).update(received_at=timezone.now() - age)
        return report

    def intake_task(self, report: Report, status: str, started: timedelta | None = None
                    ) -> DBTaskResult:
        result = intake_report.enqueue(report.pk)
        task = DBTaskResult.objects.get(pk=result.id)
        task.status = status
        if started is not None:
            task.started_at = timezone.now() - started
        task.save()
        return task

    def queued(self, report: Report) -> int:
        return DBTaskResult.objects.filter(
            task_path=intake_report.module_path, args_kwargs__args__0=report.pk,
            status="READY").count()

    def test_a_task_of_a_killed_worker_is_failed_and_its_intake_queued_again(self) -> None:
        report = self.report()
        task = self.intake_task(report, "RUNNING", started=timedelta(minutes=11))
        counts = recovery.recovery_sweep()
        self.assertEqual(counts, {"tasks_failed": 1, "intake_requeued": 1, "intake_given_up": 0,
                                  **NO_CAPTURE})
        task.refresh_from_db()
        self.assertEqual(task.status, "FAILED")
        self.assertEqual(task.exception_class_path, recovery.WORKER_LOST)
        self.assertIsNotNone(task.finished_at)
        self.assertEqual(self.queued(report), 1)

        queued = DBTaskResult.objects.get(status="READY")
        intake_report.call(*queued.args_kwargs["args"])
        report.refresh_from_db()
        self.assertIsNotNone(report.intake_done_at)
        self.assertEqual(CaseReport.objects.filter(report=report).count(), 2)

    def test_a_task_still_within_its_limit_is_left_alone(self) -> None:
        report = self.report()
        task = self.intake_task(report, "RUNNING", started=timedelta(minutes=9))
        counts = recovery.recovery_sweep()
        self.assertEqual(counts, {"tasks_failed": 0, "intake_requeued": 0, "intake_given_up": 0,
                                  **NO_CAPTURE})
        task.refresh_from_db()
        self.assertEqual(task.status, "RUNNING")
        self.assertEqual(self.queued(report), 0)

    def test_other_tasks_running_too_long_are_failed_but_not_run_again(self) -> None:
        from hotline.capture.tasks import case_capture as capture_case

        result = capture_case.enqueue(12345)
        DBTaskResult.objects.filter(pk=result.id).update(
            status="RUNNING", started_at=timezone.now() - timedelta(hours=1))
        self.assertEqual(recovery.recovery_sweep()["tasks_failed"], 1)
        self.assertEqual(DBTaskResult.objects.get().status, "FAILED")

    def test_a_report_left_without_a_task_is_queued_after_the_grace_period(self) -> None:
        late = self.report(age=timedelta(minutes=3))
        recent = self.report(age=timedelta(seconds=30), urls="recent.example.test")
        self.assertEqual(recovery.recovery_sweep()["intake_requeued"], 1)
        self.assertEqual(self.queued(late), 1)
        self.assertEqual(self.queued(recent), 0)

    def test_a_waiting_task_is_not_doubled_and_a_second_sweep_queues_nothing(self) -> None:
        waiting = self.report()
        self.intake_task(waiting, "READY")
        lost = self.report(urls="lost.example.test")
        self.assertEqual(recovery.recovery_sweep()["intake_requeued"], 1)
        self.assertEqual(recovery.recovery_sweep()["intake_requeued"], 0)
        self.assertEqual(self.queued(waiting), 1)
        self.assertEqual(self.queued(lost), 1)

    def test_finished_intakes_are_left_alone(self) -> None:
        report = self.report()
        services.report_intake(report_id=report.pk)
        self.intake_task(report, "FAILED")
        self.assertEqual(recovery.recovery_sweep()["intake_requeued"], 0)

    def test_a_failed_intake_is_retried_until_the_limit_then_given_up(self) -> None:
        report = self.report()
        for attempt in range(3):
            counts = recovery.recovery_sweep()
            self.assertEqual(counts["intake_requeued"], 1, attempt)
            DBTaskResult.objects.filter(status="READY").update(status="FAILED")
        with self.assertLogs("hotline.ops.recovery", "ERROR") as logs:
            counts = recovery.recovery_sweep()
        self.assertEqual(counts, {"tasks_failed": 0, "intake_requeued": 0, "intake_given_up": 1,
                                  **NO_CAPTURE})
        self.assertIn(f"report {report.pk}", logs.output[0])
        self.assertEqual(self.queued(report), 0)

    def test_intake_run_again_makes_no_second_case_or_link(self) -> None:
        first = self.report(urls="https://same.example.test/a\nhttps://other.example.test/")
        second = self.report(urls="HTTPS://SAME.example.test/a")
        for _ in range(2):
            for report in (first, second):
                services.report_intake(report_id=report.pk)
                # As if a sweep had queued it again while a slow worker was still at it.
                Report.objects.filter(pk=report.pk).update(intake_done_at=None)
        for report in (first, second):
            services.report_intake(report_id=report.pk)
        self.assertEqual(Case.objects.count(), 2)
        self.assertEqual(CaseReport.objects.count(), 3)
        same = Case.objects.get(url="https://same.example.test/a")
        self.assertEqual(same.report_count, 2)
        self.assertFalse(ReportedAddress.objects.exclude(
            pk__in=CaseReport.objects.values("address")).exists())

    def test_the_tick_command_runs_the_sweep(self) -> None:
        self.report()
        out = StringIO()
        call_command("takedown", "tick", stdout=out)
        self.assertIn("intake_requeued=1", out.getvalue())


@override_settings(TASK_RUNNING_LIMIT_SECONDS=600, INTAKE_RETRY_AFTER_SECONDS=120,
                   INTAKE_MAX_ATTEMPTS=2, CAPTURE_NEW_CASES=True)
class CaptureRecoveryTestCase(PublicTestCase):
    """A case whose capture task died with its worker gets its capture queued again."""

    def setUp(self) -> None:
        super().setUp()
        from hotline.capture.tasks import case_capture as capture_case

        self.capture_case = capture_case
        self.submit(urls="https://one.example.test/a")
        services.report_intake(report_id=Report.objects.latest("pk").pk)
        self.case = Case.objects.get()
        Case.objects.filter(pk=self.case.pk).update(created=timezone.now() - timedelta(minutes=5))

    def captures_queued(self) -> int:
        return DBTaskResult.objects.filter(task_path=self.capture_case.module_path,
                                           args_kwargs__args__0=self.case.pk,
                                           status="READY").count()

    def test_a_lost_capture_is_queued_again_once(self) -> None:
        result = self.capture_case.enqueue(self.case.pk)
        DBTaskResult.objects.filter(pk=result.id).update(
            status="RUNNING", started_at=timezone.now() - timedelta(minutes=11))
        counts = recovery.recovery_sweep()
        self.assertEqual((counts["tasks_failed"], counts["capture_requeued"]), (1, 1))
        self.assertEqual(self.captures_queued(), 1)
        self.assertEqual(recovery.recovery_sweep()["capture_requeued"], 0)  # it is waiting
        self.assertEqual(self.captures_queued(), 1)

    def test_a_captured_or_young_or_closed_case_is_left_alone(self) -> None:
        from hotline.capture.models import Capture

        Case.objects.filter(pk=self.case.pk).update(created=timezone.now())
        self.assertEqual(recovery.recovery_sweep()["capture_requeued"], 0)
        Case.objects.filter(pk=self.case.pk).update(created=timezone.now() - timedelta(hours=1))
        Capture.objects.create(case=self.case, url=self.case.url, error="dns: no such name")
        self.assertEqual(recovery.recovery_sweep()["capture_requeued"], 0)
        Capture.objects.all().delete()
        Case.objects.filter(pk=self.case.pk).update(status=Case.Status.CLOSED)
        self.assertEqual(recovery.recovery_sweep()["capture_requeued"], 0)
        self.assertEqual(self.captures_queued(), 0)

    def test_a_capture_that_keeps_failing_is_given_up(self) -> None:
        for _ in range(2):
            result = self.capture_case.enqueue(self.case.pk)
            DBTaskResult.objects.filter(pk=result.id).update(status="FAILED")
        counts = recovery.recovery_sweep()
        self.assertEqual((counts["capture_requeued"], counts["capture_given_up"]), (0, 1))

    def test_captures_off_means_nothing_to_recover(self) -> None:
        with override_settings(CAPTURE_NEW_CASES=False):
            self.assertEqual(recovery.recovery_sweep()["capture_requeued"], 0)
        self.assertEqual(recovery.recovery_sweep()["capture_requeued"], 1)


@override_settings(TASK_RUNNING_LIMIT_SECONDS=600, INTAKE_RETRY_AFTER_SECONDS=120,
                   INTAKE_MAX_ATTEMPTS=2, TRACE_NEW_CASES=True)
class TraceRecoveryTestCase(PublicTestCase):
    """A case whose hosting trace died with its worker gets its trace queued again: the queue
    would otherwise say "not traced yet" until someone confirmed the case."""

    def setUp(self) -> None:
        super().setUp()
        from hotline.hosting.tasks import case_trace

        self.case_trace = case_trace
        self.submit(urls="https://one.example.test/a")
        services.report_intake(report_id=Report.objects.latest("pk").pk)
        self.case = Case.objects.get()
        Case.objects.filter(pk=self.case.pk).update(created=timezone.now() - timedelta(minutes=5))

    def traces_queued(self) -> int:
        return DBTaskResult.objects.filter(task_path=self.case_trace.module_path,
                                           args_kwargs__args__0=self.case.pk,
                                           status="READY").count()

    def test_a_lost_trace_is_queued_again_once(self) -> None:
        DBTaskResult.objects.all().delete()  # what intake queued (TestCase runs no on_commit)
        result = self.case_trace.enqueue(self.case.pk)
        DBTaskResult.objects.filter(pk=result.id).update(
            status="RUNNING", started_at=timezone.now() - timedelta(minutes=11))
        counts = recovery.recovery_sweep()
        self.assertEqual((counts["tasks_failed"], counts["trace_requeued"]), (1, 1))
        self.assertEqual(self.traces_queued(), 1)
        self.assertEqual(recovery.recovery_sweep()["trace_requeued"], 0)  # it is waiting
        self.assertEqual(self.traces_queued(), 1)

    def test_a_traced_or_young_or_closed_case_is_left_alone(self) -> None:
        from hotline.hosting.models import Trace

        Case.objects.filter(pk=self.case.pk).update(created=timezone.now())
        self.assertEqual(recovery.recovery_sweep()["trace_requeued"], 0)
        Case.objects.filter(pk=self.case.pk).update(created=timezone.now() - timedelta(hours=1))
        Trace.objects.create(case=self.case, ok=False, failed_step="dns", error="no such name")
        self.assertEqual(recovery.recovery_sweep()["trace_requeued"], 0)  # a failed trace counts
        Trace.objects.all().delete()
        Case.objects.filter(pk=self.case.pk).update(status=Case.Status.CLOSED)
        self.assertEqual(recovery.recovery_sweep()["trace_requeued"], 0)
        self.assertEqual(self.traces_queued(), 0)

    def test_a_trace_that_keeps_failing_is_given_up(self) -> None:
        for _ in range(2):
            result = self.case_trace.enqueue(self.case.pk)
            DBTaskResult.objects.filter(pk=result.id).update(status="FAILED")
        counts = recovery.recovery_sweep()
        self.assertEqual((counts["trace_requeued"], counts["trace_given_up"]), (0, 1))

    def test_traces_off_means_nothing_to_recover(self) -> None:
        with override_settings(TRACE_NEW_CASES=False):
            self.assertEqual(recovery.recovery_sweep()["trace_requeued"], 0)
        self.assertEqual(recovery.recovery_sweep()["trace_requeued"], 1)
