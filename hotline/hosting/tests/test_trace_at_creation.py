"""A new case's host is traced in the background when the case is opened (not only once it is
confirmed), so that the queue shows its hosting country when deciding "not in remit"."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from hotline.hosting.models import Trace
from hotline.hosting.tasks import case_trace
from hotline.testing.base import StaffTestCase
from hotline.testing.geoip import hosting_world, unused_port


class TraceAtCreationTestCase(StaffTestCase):
    def test_a_new_case_queues_its_trace_on_the_capture_queue(self) -> None:
        # No name server answers: intake must not wait for one (the trace is only queued).
        with self.settings(TRACE_NEW_CASES=True, DNS_RESOLVERS=[f"127.0.0.1:{unused_port()}"]), \
                self.captureOnCommitCallbacks(execute=True):
            self.report("https://www.shop.example.test/gallery/1")
        case = self.case_for("https://www.shop.example.test/gallery/1")
        self.assertFalse(Trace.objects.filter(case=case).exists())
        queued = DBTaskResult.objects.get(task_path=case_trace.module_path)
        self.assertEqual(queued.queue_name, "capture")
        self.assertEqual(queued.args_kwargs, {"args": [case.pk], "kwargs": {}})

        with tempfile.TemporaryDirectory() as directory, \
                hosting_world(Path(directory)) as world, override_settings(**world.settings):
            case_trace.call(case.pk)
        trace = Trace.objects.get(case=case)
        self.assertEqual((trace.ok, trace.country), (True, "GM"))
        page = self.as_user(self.analyst).get("/staff/cases/")
        row = page.context["rows"][0]
        self.assertEqual((row.case, row.country), (case, "GM"))

    def test_nothing_is_queued_when_switched_off(self) -> None:
        with self.settings(TRACE_NEW_CASES=False), self.captureOnCommitCallbacks(execute=True):
            self.report("https://www.shop.example.test/gallery/2")
        self.assertFalse(DBTaskResult.objects.filter(task_path=case_trace.module_path).exists())

    def test_a_case_deleted_before_its_trace_is_skipped(self) -> None:
        case_trace.call(2**40)
        self.assertFalse(Trace.objects.exists())
