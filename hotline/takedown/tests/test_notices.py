"""Notices by SMTP to a real server on loopback, with a XARF report that validates."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path

from django.test import override_settings
from django.utils import timezone
from xarf import parse

from hotline.takedown import services
from hotline.takedown.models import Notice, Takedown
from hotline.testing.processes import product_settings
from hotline.testing.smtp import smtp_server, smtp_settings

from .base import HOST, POLICE, TakedownTestCase, payload


class NoticeTestCase(TakedownTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.confirm("https://images.example.test/g/1")
        self.takedown = self.active_takedown(self.case, [HOST, POLICE])

    def send_all(self) -> None:
        for notice in Notice.objects.filter(state=Notice.State.PENDING):
            services.notice_send(notice_id=str(notice.pk))

    def test_a_notice_reaches_the_host_with_a_valid_xarf_report(self) -> None:
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            notice = services.notice_create(self.takedown, Notice.Kind.FIRST)
            self.send_all()
        self.assertEqual(len(box.messages), 1)
        message = box.messages[0]
        self.assertEqual(message["To"], "abuse@hosting.example.test")
        self.assertEqual(message["Message-ID"], f"<{notice.pk}@hub.example.test>")
        parts = {part.get_content_type(): part for part in message.walk()}
        self.assertIn("text/plain", parts)
        self.assertIn("text/html", parts)
        text = payload(parts["text/plain"])
        self.assertIn("https://images.example.test/g/1", text)
        self.assertIn("Adresse", text)  # the host's language (fr) where a catalog exists
        report_json = payload(parts["application/json"])
        result = parse(report_json)
        self.assertEqual(result.errors, [])
        self.assertEqual(type(result.report).__name__, "CsamReport")
        report = json.loads(report_json)
        self.assertEqual(report["type"], "csam")
        self.assertEqual(report["category"], "content")
        self.assertEqual(report["classification"], "B2")
        self.assertEqual(report["url"], "https://images.example.test/g/1")
        self.assertEqual(report["report_id"], str(notice.pk))
        # Never any content: no image or other binary part.
        self.assertFalse([t for t in parts if t.startswith(("image/", "video/",
                                                             "application/octet"))])
        notice.refresh_from_db()
        self.assertEqual(notice.state, Notice.State.SENT)

    def test_a_retried_job_never_sends_twice(self) -> None:
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            notice = services.notice_create(self.takedown, Notice.Kind.FIRST)
            services.notice_send(notice_id=str(notice.pk))
            services.notice_send(notice_id=str(notice.pk))  # the task runs again
            Notice.objects.filter(pk=notice.pk).update(state=Notice.State.SENDING)
            services.notice_send(notice_id=str(notice.pk))  # a crash mid-send: not re-sent
        self.assertEqual(len(box.messages), 1)

    def test_an_smtp_failure_keeps_the_notice_for_later(self) -> None:
        with smtp_server() as box:
            closed = smtp_settings(box)  # the server is gone once the block ends
        notice = services.notice_create(self.takedown, Notice.Kind.FIRST)
        with self.settings(**closed), self.assertRaises(OSError):
            services.notice_send(notice_id=str(notice.pk))
        notice.refresh_from_db()
        self.assertEqual(notice.state, Notice.State.PENDING)
        self.assertTrue(notice.error)
        # The tick queues it again once its lease has run out.
        counts = services.takedown_tick(now=timezone.now() + timedelta(minutes=11))
        self.assertEqual(counts["notices"], 1)

    @override_settings(RESEND_AFTER_HOURS=24, ESCALATE_AFTER_RESENDS=2)
    def test_resent_every_24_hours_then_escalated(self) -> None:
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            services.notice_create(self.takedown, Notice.Kind.FIRST)
            self.send_all()
            now = timezone.now()
            for day in (1, 2, 3):
                Takedown.objects.filter(pk=self.takedown.pk).update(
                    last_notice_at=now - timedelta(hours=25))
                services.takedown_tick(now=now)
                self.send_all()
                del day
        kinds = list(Notice.objects.values_list("kind", "recipient_email"))
        self.assertEqual(kinds, [
            ("first", "abuse@hosting.example.test"),
            ("resend", "abuse@hosting.example.test"),
            ("resend", "abuse@hosting.example.test"),
            ("escalation", "police@police.example.test"),
        ])
        self.assertEqual([m["To"] for m in box.messages], [k[1] for k in kinds])
        self.takedown.refresh_from_db()
        self.assertEqual(self.takedown.stage, 1)

    def test_no_resend_before_24_hours(self) -> None:
        services.notice_create(self.takedown, Notice.Kind.FIRST)
        counts = services.takedown_tick(now=timezone.now() + timedelta(hours=23))
        self.assertEqual(counts["resends"], 0)


class DevelopmentMailTestCase(TakedownTestCase):
    def test_a_notice_sent_without_email_host_lands_as_a_file_under_var_mail(self) -> None:
        with tempfile.TemporaryDirectory() as var:
            chosen = product_settings({"HOTLINE_VAR_DIR": var, "EMAIL_HOST": ""},
                                      "EMAIL_BACKEND", "EMAIL_FILE_PATH")
            case = self.confirm("https://images.example.test/g/9")
            takedown = self.active_takedown(case, [HOST, POLICE])
            with self.settings(**chosen):
                notice = services.notice_create(takedown, Notice.Kind.FIRST)
                services.notice_send(notice_id=str(notice.pk))
            files = list((Path(var) / "mail").iterdir())
            self.assertEqual(len(files), 1)
            written = files[0].read_text()
        self.assertIn("To: abuse@hosting.example.test", written)
        self.assertIn(f"Message-ID: <{notice.pk}@hub.example.test>", written)
        notice.refresh_from_db()
        self.assertEqual(notice.state, Notice.State.SENT)
